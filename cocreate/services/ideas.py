"""Posting, editing and withdrawing ideas."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import Idea, IdeaRevision, Participant, Room, Vote, Workshop
from cocreate.models._time import utcnow
from cocreate.services import access, limits, phases, results, validate
from cocreate.services.errors import NotAllowed, NotFound
from cocreate.services.snapshots import idea_for_moderators, idea_view
from cocreate.services.tagviews import idea_tag_ids
from cocreate.services.unit import Change, perform


def idea_fields(text: object, details: object) -> tuple[str, str]:
    config = current_app.config
    return (
        validate.text(text, _("An idea"), max_length=config["IDEA_TEXT_MAX"]),
        validate.text(
            details, _("The details"), max_length=config["IDEA_DETAILS_MAX"], required=False
        ),
    )


def own_room(change: Change, me: Participant) -> Room:
    """Lock the participant's room; raises NotAllowed in the plenary lobby."""
    room = change.lock_room(me.room_id)
    if room.is_plenary:
        raise NotAllowed(_("Ideas are posted in breakout rooms. Wait to be placed in one."))
    return room


def idea_in_room(me: Participant, idea_id: object) -> Idea:
    """Return a visible idea in the participant's room; raises NotFound otherwise."""
    idea = db.session.get(Idea, idea_id) if isinstance(idea_id, int) else None
    if idea is None or idea.room_id != me.room_id or idea.status != "visible":
        raise NotFound(_("This idea is not in your room (any more)."))
    return idea


def record_idea(
    change: Change, room: Room, type_: str, idea: Idea, author: Participant, *, new: bool = False
) -> dict:
    """Log an idea's event; participants get no tally while results are hidden,
    moderators get the support by role too. The votes and tags are read once for both
    views; a `new` idea (posted in this transaction) has none yet, and nothing is read.

    Returns the participants' view of the idea.
    """
    workshop = db.session.get(Workshop, room.workshop_id)
    if new:
        support, tag_ids = results.no_support(workshop), []
    else:
        support = results.support(workshop, [idea.id])[idea.id]
        tag_ids = idea_tag_ids([idea.id])[idea.id]
    view = idea_view(idea, author, None if room.results_hidden else support["tally"], tag_ids)
    moderators = {**idea_view(idea, author, None, tag_ids), **support}
    change.record(room, type_, {"idea": view}, {"idea": moderators})
    return view


def keep_revision(idea: Idea, actor: str) -> None:
    """Add the idea's current text to its audit log before it changes."""
    db.session.add(
        IdeaRevision(idea_id=idea.id, text=idea.text, details=idea.details, changed_by=actor)
    )


def authored_idea(me: Participant, idea_id: object) -> Idea:
    """Return the participant's own idea in their room; raises NotAllowed or NotFound."""
    idea = idea_in_room(me, idea_id)
    if idea.author_id != me.id:
        raise NotAllowed(_("Only its author can change or withdraw an idea."))
    return idea


def post_idea(
    participant_id: int, text: object, details: object = "", action_id: str | None = None
) -> dict:
    """Post an idea in the participant's room and return it.

    Raises Invalid for empty or long text, NotAllowed outside a breakout room,
    RateLimited past IDEAS_PER_MINUTE (services/limits.idea_pace).
    """
    text, details = idea_fields(text, details)

    def work(change: Change) -> dict:
        me = access.participant(participant_id)
        room = own_room(change, me)
        phases.require(room, "post")
        now = utcnow()  # one instant: "edited" means updated after it was created
        limits.idea_pace(me, now)
        idea = Idea(
            room_id=room.id,
            author_id=me.id,
            text=text,
            details=details,
            created_at=now,
            updated_at=now,
        )
        workshop = db.session.get(Workshop, me.workshop_id)  # held: record_idea reads it too
        if workshop.premoderation:
            idea.status = "pending"
        db.session.add(idea)
        db.session.flush()
        if idea.status == "pending":
            # Moderators see it at once; the room sees only that something arrived (its
            # sequence number), and the idea itself once it is approved.
            view = idea_view(idea, me, None)
            full = {"idea": idea_for_moderators(idea, me)}
            change.record(room, "idea_submitted", {"idea_id": idea.id}, full)
            return {"idea": view}
        view = record_idea(change, room, "idea_posted", idea, me, new=True)
        return {"idea": view}

    return perform(f"participant:{participant_id}", action_id, work)


def edit_idea(
    participant_id: int,
    idea_id: object,
    text: object,
    details: object = "",
    action_id: str | None = None,
) -> dict:
    """Change the text of one's own idea.

    Raises NotAllowed for someone else's idea, NotFound outside one's room, Invalid.
    """
    text, details = idea_fields(text, details)

    def work(change: Change) -> dict:
        me = access.participant(participant_id)
        room = own_room(change, me)
        phases.require(room, "edit")
        idea = authored_idea(me, idea_id)
        keep_revision(idea, f"participant:{me.id}")
        idea.text, idea.details, idea.updated_at = text, details, utcnow()
        view = record_idea(change, room, "idea_edited", idea, me)
        return {"idea": view}

    return perform(f"participant:{participant_id}", action_id, work)


def withdraw_idea(participant_id: int, idea_id: object, action_id: str | None = None) -> dict:
    """Withdraw one's own idea; its votes go (dots back to those who gave them).

    Raises NotAllowed for someone else's idea, NotFound outside one's room.
    """

    def work(change: Change) -> dict:
        me = access.participant(participant_id)
        room = own_room(change, me)
        phases.require(room, "edit")
        idea = authored_idea(me, idea_id)
        idea.status, idea.updated_at = "withdrawn", utcnow()
        db.session.execute(sa.delete(Vote).where(Vote.idea_id == idea.id))
        results.forget_votes(idea.id)
        change.record(room, "idea_withdrawn", {"idea_id": idea.id})
        return {"idea_id": idea.id}

    return perform(f"participant:{participant_id}", action_id, work)
