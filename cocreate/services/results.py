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

    def add(self, participant_id: int, criterion: int, value: int) -> None:
        self.values[(criterion, value)] += 1
        self.voters.add(participant_id)


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
            "voters": len(count.voters),
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
        self.total.add(participant_id, criterion, value)
        self.by_role[role or ""].add(participant_id, criterion, value)
        if on_paper:
            self.paper.add(participant_id, criterion, value)


#: The votes of one kind on some ideas, with each voter's role (built once: counting runs
#: on every vote).
_votes, _participants = Vote.__table__, Participant.__table__
_VOTES = (
    sa.select(
        _votes.c.idea_id,
        _votes.c.participant_id,
        _votes.c.criterion,
        _votes.c.value,
        _participants.c.role,
        _participants.c.on_paper,
    )
    .join(_participants, _participants.c.id == _votes.c.participant_id)
    .where(_votes.c.kind == sa.bindparam("kind"))
)
_VOTES_ON = _VOTES.where(_votes.c.idea_id.in_(sa.bindparam("ideas", expanding=True)))
#: The same for one idea: a list of ids makes SQLAlchemy write the SQL again for every
#: execution, which cost a vote more than its query.
_VOTES_ON_IDEA = _VOTES.where(_votes.c.idea_id == sa.bindparam("idea"))
#: One idea's votes of one kind with their row ids: what a vote counts its idea's new
#: tally from (cocreate.services.votes reads them with the idea, under the room's lock).
IDEA_VOTES = _VOTES_ON_IDEA.add_columns(_votes.c.id.label("vote_id"))


def _counts(workshop: Rules, idea_ids: list[int]) -> dict[int, Results]:
    """Read the votes of the workshop's mode on these ideas, in one query."""
    results: dict[int, Results] = defaultdict(Results)
    if not idea_ids:
        return results
    db.session.flush()  # votes changed through the ORM in this transaction count too
    if len(idea_ids) == 1:
        rows = run(_VOTES_ON_IDEA, {"idea": idea_ids[0], "kind": workshop.voting_mode})
    else:
        rows = run(_VOTES_ON, {"ideas": idea_ids, "kind": workshop.voting_mode})
    for idea_id, participant_id, criterion, value, role, on_paper in rows:
        results[idea_id].add(participant_id, role, on_paper, criterion, value)
    return results


def tallies(workshop: Rules, idea_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each idea's tally, by idea id (an empty tally for an idea nobody voted on)."""
    counts = _counts(workshop, idea_ids)
    return {idea_id: tally(workshop, counts[idea_id].total) for idea_id in idea_ids}


def paper_votes(workshop: Rules, count: _Count) -> int:
    """How much of a tally a scribe entered from paper: dots, or people who voted."""
    if workshop.voting_mode == "dots":
        return tally(workshop, count)["dots"]
    return len(count.voters)


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
    workshop: Rules, votes: Iterable[Any], voter: Voter, criterion: int, value: int | None
) -> dict[str, Any]:
    """`support` of one idea once the voter's vote on the criterion is `value` (None: taken
    back), counted from the idea's `votes` (rows of IDEA_VOTES) before that vote is written:
    the write can then wait for the commit (unit.Change.later). The caller read the votes
    under the room's lock, so no other vote comes between."""
    entry = Results()
    for vote in votes:
        if (vote.participant_id, vote.criterion) != (voter.participant_id, criterion):
            entry.add(vote.participant_id, vote.role, vote.on_paper, vote.criterion, vote.value)
    if value is not None:
        entry.add(voter.participant_id, voter.role, voter.on_paper, criterion, value)
    return _support_of(workshop, entry)


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
        added["voters"] = sum(len(count.voters) for count in counts)
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
