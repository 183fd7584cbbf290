"""Voting, in the workshop's mode: dots within a budget, agree / disagree / pass, or
scores 1-5 on the workshop's criteria. Every vote locks its room, so budgets and the
one-vote-per-criterion rule hold under any concurrency, and logs the idea's new tally."""

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cocreate.extensions import db
from cocreate.models import SCORE_RANGE, STANCES, Idea, Participant, Room, Vote, Workshop
from cocreate.services import access, phases, results
from cocreate.services.errors import Conflict, Invalid
from cocreate.services.ideas import idea_in_room, own_room
from cocreate.services.unit import Change, perform

#: Why a vote of another mode is refused, by the workshop's mode.
HOW_TO_VOTE = {
    "dots": _l("This workshop votes with dots: add or take back a dot."),
    "agree": _l("This workshop votes by agreeing, disagreeing or passing on each idea."),
    "scores": _l("This workshop votes by scoring each idea from 1 to 5 on its criteria."),
}


def _ballot(
    change: Change, participant_id: int, idea_id: object, mode: str
) -> tuple[Participant, Room, Idea, Workshop]:
    """Lock the voter's room and check that they may vote on this idea in this mode."""
    me = access.participant(participant_id)
    room = own_room(change, me)
    phases.require(room, "vote")
    idea = idea_in_room(me, idea_id)
    workshop = room.workshop
    if workshop.voting_mode != mode:
        raise Conflict(str(HOW_TO_VOTE[workshop.voting_mode]))
    return me, room, idea, workshop


def _mine(me: Participant, idea: Idea, criterion: int = 0) -> Vote | None:
    return db.session.scalar(
        sa.select(Vote).where(
            Vote.participant_id == me.id, Vote.idea_id == idea.id, Vote.criterion == criterion
        )
    )


def _record_tally(
    change: Change, room: Room, workshop: Workshop, idea: Idea, *, changed: bool = True
) -> None:
    """Log the idea's new tally, unless the vote changed nothing: none for participants
    while results are hidden; moderators get it always, with the support by role.

    Tallies travel only in events, never in acks: an ack is stored and replayed to a
    retry as it was, and could then show a tally the room has hidden since.
    """
    if not changed:
        return
    db.session.flush()
    counted = results.support(workshop, [idea.id])[idea.id]
    change.record(
        room,
        "votes_changed",
        {"idea_id": idea.id, "tally": None if room.results_hidden else counted["tally"]},
        {"idea_id": idea.id, **counted},
    )


def _set_vote(vote: Vote | None, value: int | None, **new_row: Any) -> bool:
    """Create, change or delete (value None) a voter's row; return whether it changed."""
    if value is None:
        if vote is None:
            return False
        db.session.delete(vote)
    elif vote is None:
        db.session.add(Vote(value=value, **new_row))
    elif vote.value == value:
        return False
    else:
        vote.value = value
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
        me, room, idea, workshop = _ballot(change, participant_id, idea_id, "dots")
        vote = _mine(me, idea)
        mine = vote.value if vote else 0
        spent = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Vote.value), 0)).where(
                Vote.participant_id == me.id, Vote.room_id == room.id, Vote.kind == "dots"
            )
        )
        if delta > 0:
            if mine >= workshop.max_dots_per_idea:
                raise Conflict(
                    _(
                        "You can put at most %(n)d dots on one idea.",
                        n=workshop.max_dots_per_idea,
                    )
                )
            if spent >= workshop.dots_per_room:
                raise Conflict(
                    _(
                        "You have used all %(n)d of your dots in this room. Take one back "
                        "from another idea to move it here.",
                        n=workshop.dots_per_room,
                    )
                )
        elif mine == 0:
            raise Conflict(_("You have no dot on this idea to take back."))
        if vote is None:
            db.session.add(
                Vote(participant_id=me.id, idea_id=idea.id, room_id=room.id, kind="dots", value=1)
            )
        elif mine + delta == 0:
            db.session.delete(vote)
        else:
            vote.value += delta
        _record_tally(change, room, workshop, idea)
        return {
            "idea_id": idea.id,
            "mine": mine + delta,
            "dots_left": workshop.dots_per_room - (spent + delta),
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
        me, room, idea, workshop = _ballot(change, participant_id, idea_id, "agree")
        changed = _set_vote(
            _mine(me, idea),
            None if stance is None else STANCES[stance],
            participant_id=me.id,
            idea_id=idea.id,
            room_id=room.id,
            kind="agree",
        )
        _record_tally(change, room, workshop, idea, changed=changed)
        return {"idea_id": idea.id, "mine": stance}

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
        me, room, idea, workshop = _ballot(change, participant_id, idea_id, "scores")
        if type(criterion) is not int or not 0 <= criterion < len(workshop.criteria):
            raise Invalid(_("Choose one of this workshop's criteria."))
        changed = _set_vote(
            _mine(me, idea, criterion),
            score,
            participant_id=me.id,
            idea_id=idea.id,
            room_id=room.id,
            kind="scores",
            criterion=criterion,
        )
        _record_tally(change, room, workshop, idea, changed=changed)
        mine: list[Any] = [None] * len(workshop.criteria)
        for position, value in db.session.execute(
            sa.select(Vote.criterion, Vote.value).where(
                Vote.participant_id == me.id, Vote.idea_id == idea.id
            )
        ):
            if position < len(mine):
                mine[position] = value
        return {"idea_id": idea.id, "mine": mine}

    return perform(f"participant:{participant_id}", action_id, work)
