"""Counting votes: each idea's tally in the workshop's voting mode, in total, by
stakeholder role and from paper, read from the idea's kept counts (VoteCount). This
module keeps those counts for every path that changes votes (`count_vote` for a vote,
`count_votes` and `forget_votes` for the bulk ones); the votes themselves are written by
cocreate.services.votes and the paths that call it.

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
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cocreate.extensions import db
from cocreate.models import STANCES, VOTERS, Participant, Vote, VoteCount
from cocreate.services.unit import Change, run


class Rules(Protocol):
    """What counting needs of a workshop: its voting mode and criteria (a Workshop, or a
    vote's Ballot, read without the ORM)."""

    voting_mode: str
    criteria: list[str]


#: A change to an idea's kept counts: (criterion, value, how many more), where a criterion
#: of VOTERS counts people (value 0).
Delta = tuple[int, int, int]


#: A role "supports" an idea in scores mode when its mean is above the scale's middle.
SCORE_SUPPORT_ABOVE = 3


@dataclass
class _Count:
    """Raw counts for one idea (or one role's votes on it): enough for any mode's tally."""

    #: {(criterion, value): how many votes}
    values: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    voters: set[int] = field(default_factory=set)
    #: Voters counted in the kept counts (`Results.add_counted`), none of them in `voters`.
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
        """Count a row of kept counts (`_kept_on`): so many votes of one value, or so many
        voters (criterion VOTERS), of one role, on paper or not."""
        self.change(row.role, row.on_paper, [(row.criterion, row.value, row.n)])

    def change(self, role: str | None, on_paper: bool, deltas: list[Delta]) -> None:
        """Change the counts of one role, on paper or not, by these deltas
        (`deltas_of_vote`)."""
        for count in self._counts(role, on_paper):
            for criterion, value, n in deltas:
                if criterion == VOTERS:
                    count.counted_voters += n
                else:
                    count.values[(criterion, value)] += n

    def _counts(self, role: str | None, on_paper: bool) -> list[_Count]:
        """The counts a vote of this role, on paper or not, goes into."""
        counts = [self.total, self.by_role[role or ""]]
        return [*counts, self.paper] if on_paper else counts


def deltas_of_vote(own: list[tuple[int, int]], criterion: int, value: int | None) -> list[Delta]:
    """What one voter's vote on a criterion (`value`; None: taken back) changes in their
    idea's counts, given their votes on it until now (`own`: (criterion, value) each):
    the earlier value's count down, the new one's up, and the idea's voters up at a first
    vote and down when the last goes. In key order, as every write of counts goes."""
    earlier = dict(own).get(criterion)
    if earlier == value:
        return []
    deltas = []
    if earlier is not None:
        deltas.append((criterion, earlier, -1))
    if value is not None:
        deltas.append((criterion, value, 1))
    voted = bool(own)
    votes = value is not None or any(other != criterion for other, _value in own)
    if votes != voted:
        deltas.append((VOTERS, 0, 1 if votes else -1))
    return sorted(deltas)


_votes, _participants, _kept = Vote.__table__, Participant.__table__, VoteCount.__table__
_KEY = ("idea_id", "kind", "role", "on_paper", "criterion", "value")


def _upsert(dialect: str, rows: Any) -> sa.Insert:
    """An INSERT of counts into vote_counts that adds them to the counts there are."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_kept)
    if isinstance(rows, sa.Select):
        insert = insert.from_select([*_KEY, "n"], rows)
    else:
        insert = insert.values(rows)
    return insert.on_conflict_do_update(
        index_elements=list(_KEY), set_={"n": _kept.c.n + insert.excluded.n}
    )


#: A vote's change to its idea's counts, with one, two or three deltas (deltas_of_vote),
#: for each database: built once, as a vote's other statements are (cocreate.services.votes).
_COUNT_VOTE = {
    (dialect, size): _upsert(
        dialect,
        [
            {
                "idea_id": sa.bindparam("idea"),
                "kind": sa.bindparam("mode"),
                "role": sa.bindparam("role"),
                "on_paper": sa.bindparam("paper", type_=sa.Boolean),
                "criterion": sa.bindparam(f"criterion{i}"),
                "value": sa.bindparam(f"value{i}"),
                "n": sa.bindparam(f"n{i}"),
            }
            for i in range(size)
        ],
    )
    for dialect in ("postgresql", "sqlite")
    for size in (1, 2, 3)
}


def count_vote(
    change: Change, idea_id: int, kind: str, voter: "Voter", deltas: list[Delta]
) -> None:
    """Keep an idea's counts as one vote changes them (`deltas_of_vote`), with the commit.
    The caller holds the idea's room's lock."""
    if not deltas:
        return
    params = {"idea": idea_id, "mode": kind, "role": voter.role or "", "paper": voter.on_paper}
    for i, (criterion, value, n) in enumerate(deltas):
        params |= {f"criterion{i}": criterion, f"value{i}": value, f"n{i}": n}
    dialect = db.session.connection().dialect.name
    change.later(_COUNT_VOTE[dialect, len(deltas)], params)


def count_votes(where: sa.ColumnElement[bool], sign: int, role: str | None = None) -> None:
    """Count the votes `where` picks into their ideas' kept counts (sign 1) or out of them
    (sign -1), now, with their voters' roles (or `role`, for a voter whose role is
    changing) and paper. For the paths that change votes in bulk: merging ideas, a role
    changing, a workshop imported (`forget_votes` for an idea whose votes all go). `where`
    must pick every vote of a voter on an idea or none, so that the voters are counted
    right; the votes changed through the ORM must be flushed.

    Like a vote, the caller holds the lock of the room of every idea whose counts this
    changes: the counts a vote writes follow from what it read under that lock, and two
    actions writing new rows of one idea's counts at once could otherwise wait on each
    other in a ring on PostgreSQL. The rows go in key order, as a vote's do.
    """
    voted = _votes.join(_participants, _participants.c.id == _votes.c.participant_id)
    whose = sa.func.coalesce(_participants.c.role, "") if role is None else sa.literal(role)
    who = (_votes.c.idea_id, _votes.c.kind, whose, _participants.c.on_paper)
    dialect = db.session.connection().dialect.name
    for what, n in (
        ((_votes.c.criterion, _votes.c.value), sa.func.count()),
        ((sa.literal(VOTERS), sa.literal(0)), sa.func.count(sa.distinct(_votes.c.participant_id))),
    ):
        key = (*who, *what)
        counted = (
            sa.select(*key, n * sign).select_from(voted).where(where).group_by(*key).order_by(*key)
        )
        run(_upsert(dialect, counted))


def forget_votes(idea_id: int) -> None:
    """Drop an idea's counts, now: its votes are all gone (a hidden or withdrawn idea)."""
    run(sa.delete(_kept).where(_kept.c.idea_id == idea_id))


def _kept_on(on: sa.ColumnElement[bool]) -> sa.Select:
    """The kept counts of one kind (`mode`) of votes on the ideas `on` picks, as rows of
    (part, id, role, on_paper, criterion, value, n): part "kept", the idea's id, and a
    count of votes of a value on a criterion, or of voters (criterion VOTERS), by role and
    paper. `Results.add_counted` takes them. A handful of rows however many voted."""
    return sa.select(
        sa.literal("kept").label("part"),
        _kept.c.idea_id.label("id"),
        _kept.c.role,
        _kept.c.on_paper,
        _kept.c.criterion,
        _kept.c.value,
        _kept.c.n,
    ).where(on, _kept.c.kind == sa.bindparam("mode"), _kept.c.n != 0)


#: Built once: counting runs on every snapshot. A list of ids makes SQLAlchemy write the
#: SQL again for every execution, so one idea has a statement of its own.
_KEPT_ON = _kept_on(_kept.c.idea_id.in_(sa.bindparam("ideas", expanding=True)))
_KEPT_ON_IDEA = _kept_on(_kept.c.idea_id == sa.bindparam("idea"))
#: What a vote counts its idea's new tally from (cocreate.services.votes reads it with the
#: idea, under the room's lock): the idea's kept counts (`idea`), as `_kept_on` gives
#: them, and each of the voter's (`participant`) own votes on it (part "mine", with the
#: vote's row id as `id`). With the idea's votes counted by the database for each vote,
#: an opinion on an idea a thousand people had given theirs on cost 1.45 ms of CPU; read
#: from the counts, 0.44 ms, whatever the voters (SQLite, bench/vote_path.py --mode agree
#: --voters 1000, on a fast day).
VOTES_ON = sa.union_all(
    _KEPT_ON_IDEA,
    sa.select(
        sa.literal("mine"),
        _votes.c.id,
        sa.null(),
        sa.null(),
        _votes.c.criterion,
        _votes.c.value,
        sa.cast(sa.null(), sa.Integer),
    ).where(
        _votes.c.idea_id == sa.bindparam("idea"),
        _votes.c.kind == sa.bindparam("mode"),
        _votes.c.participant_id == sa.bindparam("participant"),
    ),
)


def _counts(workshop: Rules, idea_ids: list[int]) -> dict[int, Results]:
    """The kept counts of the workshop's mode's votes on these ideas, in one query."""
    results: dict[int, Results] = defaultdict(Results)
    if not idea_ids:
        return results
    if len(idea_ids) == 1:
        rows = run(_KEPT_ON_IDEA, {"idea": idea_ids[0], "mode": workshop.voting_mode})
    else:
        rows = run(_KEPT_ON, {"ideas": idea_ids, "mode": workshop.voting_mode})
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
    workshop: Rules, counted: Results, voter: Voter, deltas: list[Delta]
) -> dict[str, Any]:
    """`support` of one idea once a vote changed its counts by `deltas` (`deltas_of_vote`),
    worked out before the vote is written (the write can then wait for the commit:
    unit.Change.later) from its counts before it (`counted`, from the rows of VOTES_ON;
    changed in place). The caller read them under the room's lock, so no other vote
    comes between."""
    counted.change(voter.role, voter.on_paper, deltas)
    return _support_of(workshop, counted)


def no_support(workshop: Rules) -> dict[str, Any]:
    """`support` of an idea nobody can have voted on yet (posted in this transaction),
    without reading the votes."""
    return _support_of(workshop, Results())


def _support_of(workshop: Rules, entry: Results) -> dict[str, Any]:
    return {
        "tally": tally(workshop, entry.total),
        "by_role": {
            role: tally(workshop, c)
            for role, c in entry.by_role.items()
            if c.voter_count or any(c.values.values())  # a role whose votes all went
        },
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
