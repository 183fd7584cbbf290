"""Dot voting: give and take back dots within the room's budget."""

import sqlalchemy as sa
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import Vote, Workshop
from cocreate.services import access, phases
from cocreate.services.errors import Conflict, Invalid
from cocreate.services.ideas import idea_in_room, own_room
from cocreate.services.unit import Change, perform


def give_dot(
    participant_id: int, idea_id: object, delta: object, action_id: str | None = None
) -> dict:
    """Put one dot on an idea (delta +1) or take one back (delta -1).

    The room's row lock serialises every vote in the room, so the budget and the
    per-idea maximum hold under any concurrency; the sums are read inside it.
    Raises Conflict when the budget or maximum is reached or there is nothing to take
    back, NotFound for an idea outside the participant's room, Invalid for a bad delta.
    """
    if delta not in (1, -1) or isinstance(delta, bool):
        raise Invalid(_("A vote adds one dot (+1) or takes one back (-1)."))

    def work(change: Change) -> dict:
        me = access.participant(participant_id)
        room = own_room(change, me)
        phases.require(room, "vote")
        idea = idea_in_room(me, idea_id)
        workshop = db.session.get(Workshop, me.workshop_id)
        vote = db.session.scalar(
            sa.select(Vote).where(Vote.participant_id == me.id, Vote.idea_id == idea.id)
        )
        if vote is None:
            vote = Vote(participant_id=me.id, idea_id=idea.id, room_id=room.id, dots=0)
            db.session.add(vote)
        spent = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Vote.dots), 0)).where(
                Vote.participant_id == me.id, Vote.room_id == room.id
            )
        )
        if delta > 0:
            if vote.dots >= workshop.max_dots_per_idea:
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
        elif vote.dots <= 0:
            raise Conflict(_("You have no dot on this idea to take back."))
        vote.dots += delta
        idea.dots += delta
        # Participants get the total (none while results are hidden); moderators get it
        # always, with the voter's stakeholder role to keep their support-by-role current.
        public = {"idea_id": idea.id, "dots": None if room.results_hidden else idea.dots}
        change.record(
            room,
            "votes_changed",
            public,
            {
                "idea_id": idea.id,
                "dots": idea.dots,
                "role": me.role,
                "on_paper": me.on_paper,
                "delta": delta,
            },
        )
        return {
            "idea_id": idea.id,
            "dots": None if room.results_hidden else idea.dots,
            "mine": vote.dots,
            "dots_left": workshop.dots_per_room - (spent + delta),
        }

    return perform(f"participant:{participant_id}", action_id, work)
