"""Voting, in the workshop's mode: dots within a budget, agree / disagree / pass, or
scores 1-5 on the workshop's criteria. Every vote locks its room, so budgets and the
one-vote-per-criterion rule hold under any concurrency, and logs the idea's new tally."""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cocreate.models import SCORE_RANGE, STANCES, Idea, Participant, Room, Vote, Workshop
from cocreate.services import phases, results, validate
from cocreate.services.errors import Conflict, Invalid, NotAllowed, NotFound
from cocreate.services.unit import Change, RoomRow, perform, read_together

#: Why a vote of another mode is refused, by the workshop's mode.
HOW_TO_VOTE = {
    "dots": _l("This workshop votes with dots: add or take back a dot."),
    "agree": _l("This workshop votes by agreeing, disagreeing or passing on each idea."),
    "scores": _l("This workshop votes by scoring each idea from 1 to 5 on its criteria."),
}


@dataclass
class Ballot:
    """What a vote needs to know, read in two statements without the ORM: the voter, their
    room (locked) and the workshop's rules; then the idea and the votes on it, counted."""

    voter: results.Voter
    room: RoomRow
    voting_mode: str
    criteria: list[str]
    dots_per_room: int
    max_dots_per_idea: int
    idea_id: int
    #: The idea's votes of the mode, as its kept counts give them (results.VOTES_ON).
    counted: results.Results
    #: The voter's own votes on the idea: (criterion, value) each.
    own: list[tuple[int, int]]
    #: The voter's vote on the idea (on the criterion asked): (row id, value), or None.
    mine: tuple[int, int] | None
    #: The dots the voter has put in this room (dots mode).
    spent: int


# A vote's statements are built once, here, and only their parameters change: building
# them for each vote (expressions, cache keys) cost more CPU than running them
# (bench/vote_path.py).
_votes = Vote.__table__
_param = sa.bindparam

_participants, _rooms, _workshops = Participant.__table__, Room.__table__, Workshop.__table__
#: The voter, their room (locked) and the workshop's rules.
_VOTER = (
    sa.select(
        _participants.c.removed,
        _participants.c.on_paper,
        _rooms.c.id,
        _rooms.c.workshop_id,
        _rooms.c.last_seq,
        _rooms.c.kind,
        _rooms.c.phase,
        _rooms.c.results_hidden,
        _workshops.c.voting_mode,
        _workshops.c.criteria,
        _workshops.c.dots_per_room,
        _workshops.c.max_dots_per_idea,
    )
    .join(_rooms, _rooms.c.id == _participants.c.room_id)
    .join(_workshops, _workshops.c.id == _rooms.c.workshop_id)
    .where(_participants.c.id == _param("participant"))
    .with_for_update(of=_rooms)
)
#: The voter's room and role as the idea's read sees them: after the voter's room was
#: locked. (The first read took the lock, but on PostgreSQL it read the participant as
#: they were before it waited for it.)
_VOTER_ROOM, _VOTER_ROLE = (
    sa.select(column).where(_participants.c.id == _param("participant")).scalar_subquery()
    for column in (_participants.c.room_id, _participants.c.role)
)
_SPENT = sa.select(sa.func.coalesce(sa.func.sum(_votes.c.value), 0)).where(
    _votes.c.participant_id == _param("participant"),
    _votes.c.room_id == _VOTER_ROOM,
    _votes.c.kind == "dots",
)
#: The idea, the voter's room, the dots they spent in it, and the votes of the mode on
#: the idea, as rows of results.VOTES_ON beside those (a row without them when there are
#: none): read in one statement, after the voter's room is locked (read_together).
_ideas = Idea.__table__
_ON_IDEA = results.VOTES_ON.subquery()
_IDEA = (
    sa.select(
        _ideas.c.room_id,
        _ideas.c.status,
        _VOTER_ROOM.label("voter_room"),
        _VOTER_ROLE.label("voter_role"),
        _SPENT.scalar_subquery().label("spent"),
        *_ON_IDEA.c,
    )
    .select_from(_ideas)
    .outerjoin(_ON_IDEA, sa.true())
    .where(_ideas.c.id == _param("idea"))
)
_INSERT_VOTE = sa.insert(_votes).inline()  # no RETURNING: nothing reads the id
_CHANGE_VOTE = sa.update(_votes).where(_votes.c.id == _param("row")).values(value=_param("value"))
_DELETE_VOTE = sa.delete(_votes).where(_votes.c.id == _param("row"))


def _ballot(
    change: Change, participant_id: int, idea_id: object, mode: str, criterion: int = 0
) -> Ballot:
    """Lock the voter's room and check that they may vote on this idea in this mode.

    Raises NotAllowed for someone who has not joined, was removed or waits in the lobby,
    or a room not voting; NotFound for an idea outside their room; Conflict for another
    mode. The room's row is locked as Change.lock_room would (FOR UPDATE on PostgreSQL,
    the write transaction on SQLite); the idea is read after the lock, in the same round
    trip on PostgreSQL (read_together).
    """
    reads = [(_VOTER, {"participant": participant_id})]
    if validate.is_id(idea_id):
        reads.append((_IDEA, {"participant": participant_id, "idea": idea_id, "mode": mode}))
    voters, *read_idea = read_together(reads)
    voter = voters[0] if voters else None
    if voter is None:
        raise NotAllowed(_("Join the workshop first."))
    if voter.removed:
        raise NotAllowed(_("A moderator removed you from this workshop."))
    room = RoomRow(
        voter.id, voter.workshop_id, voter.last_seq, voter.kind, voter.phase, voter.results_hidden
    )
    if room.is_plenary:
        raise NotAllowed(_("Ideas are posted in breakout rooms. Wait to be placed in one."))
    phases.require(room, "vote")
    rows = read_idea[0] if read_idea else []
    # The voter's room is read again after the lock: a move committed while the lock was
    # awaited took them out of the room locked, and the idea is no longer in theirs.
    if not rows or (rows[0].room_id, rows[0].voter_room, rows[0].status) != (
        room.id,
        room.id,
        "visible",
    ):
        raise NotFound(_("This idea is not in your room (any more)."))
    if voter.voting_mode != mode:
        raise Conflict(str(HOW_TO_VOTE[voter.voting_mode]))
    counted, own, mine = results.Results(), [], []
    for row in rows:
        if row.part == "mine":
            own.append((row.criterion, row.value))
            if row.criterion == criterion:
                mine.append((row.id, row.value))
        elif row.part is not None:
            counted.add_counted(row)
    return Ballot(
        # A role given again on rejoining moves the voter's counts (participants.change_role)
        # under their rooms' locks: the role read after the lock is the one counted under.
        voter=results.Voter(participant_id, rows[0].voter_role, voter.on_paper),
        room=room,
        voting_mode=voter.voting_mode,
        criteria=voter.criteria,
        dots_per_room=voter.dots_per_room,
        max_dots_per_idea=voter.max_dots_per_idea,
        idea_id=idea_id,
        counted=counted,
        own=own,
        mine=mine[0] if mine else None,
        spent=rows[0].spent,
    )


def _vote(change: Change, ballot: Ballot, value: int | None, criterion: int = 0) -> None:
    """Set the voter's vote on the idea (None: take it back), keep the idea's counts and
    log its new tally, unless nothing changed: none for participants while results are
    hidden; moderators get it always, with the support by role.

    Tallies travel only in events, never in acks: an ack is stored and replayed to a
    retry as it was, and could then show a tally the room has hidden since.
    """
    if not _set_vote(change, ballot, value, criterion):
        return
    deltas = results.deltas_of_vote(ballot.own, criterion, value)
    results.count_vote(change, ballot.idea_id, ballot.voting_mode, ballot.voter, deltas)
    counted = results.support_after(ballot, ballot.counted, ballot.voter, deltas)
    log_support(change, ballot.room, ballot.idea_id, counted)


def log_support(
    change: Change, room: Room | RoomRow, idea_id: int, counted: dict[str, Any]
) -> None:
    """Log an idea's new support (`results.support`) in its room, locked by the caller:
    the tally for participants (None while the room hides results), all of it, with the
    support by role, for moderators."""
    change.record(
        room,
        "votes_changed",
        {"idea_id": idea_id, "tally": None if room.results_hidden else counted["tally"]},
        {"idea_id": idea_id, **counted},
    )


def _set_vote(change: Change, ballot: Ballot, value: int | None, criterion: int) -> bool:
    """Create, change or delete (value None) the voter's row, with the commit; return
    whether it changed."""
    if ballot.mine is None:
        if value is None:
            return False
        change.later(
            _INSERT_VOTE,
            {
                "participant_id": ballot.voter.participant_id,
                "idea_id": ballot.idea_id,
                "room_id": ballot.room.id,
                "kind": ballot.voting_mode,
                "criterion": criterion,
                "value": value,
            },
        )
        return True
    row_id, earlier = ballot.mine
    if value == earlier:
        return False
    if value is None:
        change.later(_DELETE_VOTE, {"row": row_id})
    else:
        change.later(_CHANGE_VOTE, {"row": row_id, "value": value})
    return True


def give_dot(
    participant_id: int, idea_id: object, delta: object, action_id: str | None = None
) -> dict:
    """Put one dot on an idea (delta +1) or take one back (delta -1).

    The budget and the per-idea maximum are checked inside the room's lock. Raises
    Conflict when the budget or maximum is reached, there is nothing to take back or the
    workshop votes otherwise; NotFound for an idea outside the participant's room;
    Invalid for a bad delta.
    """
    if delta not in (1, -1) or isinstance(delta, bool):
        raise Invalid(_("A vote adds one dot (+1) or takes one back (-1)."))

    def work(change: Change) -> dict:
        ballot = _ballot(change, participant_id, idea_id, "dots")
        mine = ballot.mine[1] if ballot.mine else 0
        if delta > 0:
            if mine >= ballot.max_dots_per_idea:
                raise Conflict(
                    _(
                        "You can put at most %(n)d dots on one idea.",
                        n=ballot.max_dots_per_idea,
                    )
                )
            if ballot.spent >= ballot.dots_per_room:
                raise Conflict(
                    _(
                        "You have used all %(n)d of your dots in this room. Take one back "
                        "from another idea to move it here.",
                        n=ballot.dots_per_room,
                    )
                )
        elif mine == 0:
            raise Conflict(_("You have no dot on this idea to take back."))
        _vote(change, ballot, mine + delta or None)
        return {
            "idea_id": ballot.idea_id,
            "mine": mine + delta,
            "dots_left": ballot.dots_per_room - (ballot.spent + delta),
        }

    return perform(f"participant:{participant_id}", action_id, work)


def give_opinion(
    participant_id: int, idea_id: object, stance: object, action_id: str | None = None
) -> dict:
    """Agree, disagree or pass on an idea, change one's mind, or take it back (None).

    Raises Invalid for another stance, Conflict when the workshop votes otherwise,
    NotFound for an idea outside the participant's room.
    """
    if stance is not None and stance not in STANCES:
        raise Invalid(_("Choose agree, disagree or pass."))

    def work(change: Change) -> dict:
        ballot = _ballot(change, participant_id, idea_id, "agree")
        _vote(change, ballot, None if stance is None else STANCES[stance])
        return {"idea_id": ballot.idea_id, "mine": stance}

    return perform(f"participant:{participant_id}", action_id, work)


def give_score(
    participant_id: int,
    idea_id: object,
    criterion: object,
    score: object,
    action_id: str | None = None,
) -> dict:
    """Score an idea from 1 to 5 on one of the workshop's criteria (by its position),
    change the score, or take it back (None).

    Raises Invalid for an unknown criterion or a score out of range, Conflict when the
    workshop votes otherwise, NotFound for an idea outside the participant's room.
    """
    low, high = SCORE_RANGE
    if score is not None and (type(score) is not int or not low <= score <= high):
        raise Invalid(_("A score is a whole number from %(low)d to %(high)d.", low=low, high=high))

    def work(change: Change) -> dict:
        valid = type(criterion) is int
        ballot = _ballot(change, participant_id, idea_id, "scores", criterion if valid else 0)
        if not valid or not 0 <= criterion < len(ballot.criteria):
            raise Invalid(_("Choose one of this workshop's criteria."))
        mine: list[Any] = [None] * len(ballot.criteria)
        for scored, value in ballot.own:
            if scored < len(mine):
                mine[scored] = value
        _vote(change, ballot, score, criterion)
        mine[criterion] = score
        return {"idea_id": ballot.idea_id, "mine": mine}

    return perform(f"participant:{participant_id}", action_id, work)
