"""Counting votes: each idea's tally in the workshop's voting mode, in total, by
stakeholder role and from paper. Pure reads; the write side is cocreate.services.votes.

A tally's shape depends on the mode (docs/protocol.md, "Tallies"):

- dots: {"dots": n}
- agree: {"agree": a, "disagree": d, "pass": p, "consensus": c, "divisiveness": v},
  where with n = a + d + p, consensus = a / n (how broadly the idea is agreed with) and
  divisiveness = 2 * min(a, d) / n (1 when the room splits evenly, 0 when nobody
  disagrees or nobody agrees); both 0 when nobody voted.
- scores: {"criteria": [{"mean": m, "count": k}, ...], "mean": m, "voters": v}: each
  criterion's mean score and how many scored it, the mean of the criteria's means, and
  how many people scored the idea at all; a mean is None until someone scores.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import STANCES, Participant, Vote
from cocreate.services.unit import run


class Rules(Protocol):
    """What counting needs of a workshop: its voting mode and criteria (a Workshop, or a
    vote's Ballot, read without the ORM)."""

    voting_mode: str
    criteria: list[str]


#: A role "supports" an idea in scores mode when its mean is above the scale's middle.
SCORE_SUPPORT_ABOVE = 3


@dataclass
class _Count:
    """Raw counts for one idea (or one role's votes on it): enough for any mode's tally."""

    #: {(criterion, value): how many votes}
    values: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    voters: set[int] = field(default_factory=set)
    #: Voters counted by the database (`_counted`), none of them in `voters`.
    counted_voters: int = 0

    def add(self, participant_id: int, criterion: int, value: int) -> None:
        self.values[(criterion, value)] += 1
        self.voters.add(participant_id)

    @property
    def voter_count(self) -> int:
        """How many people voted."""
        return len(self.voters) + self.counted_voters


def tally(workshop: Rules, count: _Count) -> dict[str, Any]:
    """Turn raw counts into the workshop's mode's tally."""
    if workshop.voting_mode == "agree":
        by_stance = {word: count.values.get((0, value), 0) for word, value in STANCES.items()}
        total = sum(by_stance.values())
        agree, disagree = by_stance["agree"], by_stance["disagree"]
        return {
            **by_stance,
            "consensus": round(agree / total, 2) if total else 0.0,
            "divisiveness": round(2 * min(agree, disagree) / total, 2) if total else 0.0,
        }
    if workshop.voting_mode == "scores":
        criteria, means = [], []
        for position in range(len(workshop.criteria)):
            scores = {v: k for (c, v), k in count.values.items() if c == position}
            scored = sum(scores.values())
            mean = sum(v * k for v, k in scores.items()) / scored if scored else None
            criteria.append({"mean": _round(mean), "count": scored})
            if mean is not None:
                means.append(mean)
        return {
            "criteria": criteria,
            "mean": _round(sum(means) / len(means)) if means else None,
            "voters": count.voter_count,
        }
    return {"dots": sum(value * k for (_c, value), k in count.values.items())}


def _round(number: float | None) -> float | None:
    return None if number is None else round(number, 2)


def supports(workshop: Rules, role_tally: dict[str, Any]) -> bool:
    """Whether a role's tally on an idea counts as support (for the "every role" mark):
    a dot, more agree than disagree, or a mean score above the middle of the scale.
    static/js/workshop-state.js applies the same rule."""
    if workshop.voting_mode == "agree":
        return role_tally["agree"] > role_tally["disagree"]
    if workshop.voting_mode == "scores":
        return (role_tally["mean"] or 0) > SCORE_SUPPORT_ABOVE
    return role_tally["dots"] > 0


@dataclass
class Results:
    """What the votes on one idea add up to."""

    total: _Count = field(default_factory=_Count)
    by_role: dict[str, _Count] = field(default_factory=lambda: defaultdict(_Count))
    paper: _Count = field(default_factory=_Count)

    def add(
        self, participant_id: int, role: str | None, on_paper: bool, criterion: int, value: int
    ) -> None:
        """Count one vote in the total, its voter's role and, from paper, the paper count."""
        for count in self._counts(role, on_paper):
            count.add(participant_id, criterion, value)

    def add_counted(self, row: Any) -> None:
        """Count a row the database counted (`_counted`): so many votes of one value
        (part "votes"), or so many voters (part "voters"), of one role, on paper or not."""
        for count in self._counts(row.role, row.on_paper):
            if row.part == "votes":
                count.values[(row.criterion, row.value)] += row.n
            else:
                count.counted_voters += row.n

    def _counts(self, role: str | None, on_paper: bool) -> list[_Count]:
        """The counts a vote of this role, on paper or not, goes into."""
        counts = [self.total, self.by_role[role or ""]]
        return [*counts, self.paper] if on_paper else counts


_votes, _participants = Vote.__table__, Participant.__table__
_INT, _NONE = sa.cast(sa.null(), sa.Integer), sa.null()


def _counted(on: sa.ColumnElement[bool]) -> list[sa.Select]:
    """The votes of one kind (`kind`) that `on` picks, counted by the database rather than
    read a row each, so that counting does not grow with the people who voted. Rows of
    (part, id, role, on_paper, criterion, value, n) with the idea's id: part "votes", how
    many votes have each value on each criterion, by role and paper; part "voters", how
    many people that is, by role and paper (not in dots mode, whose tallies count no
    people). `Results.add_counted` takes them."""
    voted = _votes.join(_participants, _participants.c.id == _votes.c.participant_id)
    who = (_votes.c.idea_id, _participants.c.role, _participants.c.on_paper)
    of_kind = _votes.c.kind == sa.bindparam("kind")
    return [
        sa.select(
            sa.literal("votes").label("part"),
            _votes.c.idea_id.label("id"),
            *who[1:],
            _votes.c.criterion,
            _votes.c.value,
            sa.func.count().label("n"),
        )
        .select_from(voted)
        .where(on, of_kind)
        .group_by(*who, _votes.c.criterion, _votes.c.value),
        sa.select(
            sa.literal("voters"),
            *who,
            _INT,
            _INT,
            sa.func.count(sa.distinct(_votes.c.participant_id)),
        )
        .select_from(voted)
        .where(on, of_kind, sa.bindparam("kind") != "dots")
        .group_by(*who),
    ]


#: Built once: counting runs on every vote. A list of ids makes SQLAlchemy write the SQL
#: again for every execution, so one idea has a statement of its own.
_COUNTED_ON = sa.union_all(*_counted(_votes.c.idea_id.in_(sa.bindparam("ideas", expanding=True))))
_COUNTED_ON_IDEA = sa.union_all(*_counted(_votes.c.idea_id == sa.bindparam("idea")))
#: What a vote counts its idea's new tally from (cocreate.services.votes reads it with the
#: idea, under the room's lock): everyone else's votes on the idea (`idea`) counted, as
#: `_counted` gives them, and each of the voter's (`participant`) own votes on it (part
#: "mine", with the vote's row id as `id`). Read a row a vote, an opinion on an idea a
#: thousand people had given theirs on cost 6.7 ms of CPU (0.8 with twenty people);
#: counted, 2.4-2.9 ms (SQLite, bench/vote_path.py --mode agree --voters 1000).
VOTES_BESIDE = sa.union_all(
    *_counted(
        sa.and_(
            _votes.c.idea_id == sa.bindparam("idea"),
            _votes.c.participant_id != sa.bindparam("participant"),
        )
    ),
    sa.select(
        sa.literal("mine"), _votes.c.id, _NONE, _NONE, _votes.c.criterion, _votes.c.value, _INT
    ).where(
        _votes.c.idea_id == sa.bindparam("idea"),
        _votes.c.kind == sa.bindparam("kind"),
        _votes.c.participant_id == sa.bindparam("participant"),
    ),
)


def _counts(workshop: Rules, idea_ids: list[int]) -> dict[int, Results]:
    """Count the votes of the workshop's mode on these ideas, in one query (`_counted`)."""
    results: dict[int, Results] = defaultdict(Results)
    if not idea_ids:
        return results
    db.session.flush()  # votes changed through the ORM in this transaction count too
    if len(idea_ids) == 1:
        rows = run(_COUNTED_ON_IDEA, {"idea": idea_ids[0], "kind": workshop.voting_mode})
    else:
        rows = run(_COUNTED_ON, {"ideas": idea_ids, "kind": workshop.voting_mode})
    for row in rows:
        results[row.id].add_counted(row)
    return results


def tallies(workshop: Rules, idea_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each idea's tally, by idea id (an empty tally for an idea nobody voted on)."""
    counts = _counts(workshop, idea_ids)
    return {idea_id: tally(workshop, counts[idea_id].total) for idea_id in idea_ids}


def paper_votes(workshop: Rules, count: _Count) -> int:
    """How much of a tally a scribe entered from paper: dots, or people who voted."""
    if workshop.voting_mode == "dots":
        return tally(workshop, count)["dots"]
    return count.voter_count


def support(workshop: Rules, idea_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each idea's tally with its support by stakeholder role (moderators only):
    {"tally", "by_role": {role or "": tally}, "paper_votes": n}. Whether every role
    supports it depends on who is in the room, so clients decide (see `supports`)."""
    counts = _counts(workshop, idea_ids)
    return {idea_id: _support_of(workshop, counts[idea_id]) for idea_id in idea_ids}


@dataclass
class Voter:
    """Who votes, as counting sees them."""

    participant_id: int
    role: str | None
    on_paper: bool


def support_after(
    workshop: Rules,
    beside: Results,
    voter: Voter,
    own: Iterable[tuple[int, int]],
    criterion: int,
    value: int | None,
) -> dict[str, Any]:
    """`support` of one idea once the voter's vote on the criterion is `value` (None: taken
    back), counted before that vote is written (the write can then wait for the commit:
    unit.Change.later): from everyone else's votes on the idea (`beside`, from the rows of
    VOTES_BESIDE; it is counted into) and the voter's own, (criterion, value) each. The
    caller read both under the room's lock, so no other vote comes between."""
    for other, earlier in own:
        if other != criterion:
            beside.add(voter.participant_id, voter.role, voter.on_paper, other, earlier)
    if value is not None:
        beside.add(voter.participant_id, voter.role, voter.on_paper, criterion, value)
    return _support_of(workshop, beside)


def no_support(workshop: Rules) -> dict[str, Any]:
    """`support` of an idea nobody can have voted on yet (posted in this transaction),
    without reading the votes."""
    return _support_of(workshop, Results())


def _support_of(workshop: Rules, entry: Results) -> dict[str, Any]:
    return {
        "tally": tally(workshop, entry.total),
        "by_role": {role: tally(workshop, c) for role, c in entry.by_role.items()},
        "paper_votes": paper_votes(workshop, entry.paper),
    }


def all_roles(workshop: Rules, declared: set[str], by_role: dict[str, dict]) -> bool:
    """Whether every role declared in the room (two at least) supports the idea."""
    return len(declared) >= 2 and all(
        role in by_role and supports(workshop, by_role[role]) for role in declared
    )


def _added(workshop: Rules, counts: list[_Count]) -> dict[str, Any]:
    """One tally of several ideas' counts added up; in scores mode `voters` counts
    scorings (one person scoring two of the ideas counts twice)."""
    merged = _Count()
    for count in counts:
        for key, n in count.values.items():
            merged.values[key] += n
    added = tally(workshop, merged)
    if workshop.voting_mode == "scores":
        added["voters"] = sum(count.voter_count for count in counts)
    return added


def group_support(workshop: Rules, groups: dict[int, list[int]]) -> dict[int, dict[str, Any]]:
    """The support of groups of ideas (a pathway's), by group key: their votes added up
    into one tally, {"tally", "by_role": {role or "": tally}}, as static/js/themes.js
    (themeSupport) adds up a theme's ideas' tallies. One query for every group."""
    counts = _counts(workshop, sorted({i for ids in groups.values() for i in ids}))
    found = {}
    for key, idea_ids in groups.items():
        entries = [counts[i] for i in idea_ids if i in counts]
        roles = sorted({role for entry in entries for role in entry.by_role})
        found[key] = {
            "tally": _added(workshop, [entry.total for entry in entries]),
            "by_role": {
                role: _added(workshop, [e.by_role[role] for e in entries if role in e.by_role])
                for role in roles
            },
        }
    return found
