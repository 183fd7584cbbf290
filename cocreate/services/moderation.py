"""Keeping the room safe and fair: hide and restore ideas, correct typos (with an audit
log), remove a participant, lock a room."""

import sqlalchemy as sa
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import Idea, IdeaRevision, Participant, Room, Vote, Workshop
from cocreate.models._time import utcnow
from cocreate.realtime import PARTICIPANT_NS, participant_channel
from cocreate.services import access, results
from cocreate.services.errors import Conflict, Invalid, NotFound
from cocreate.services.ideas import idea_fields, keep_revision, record_idea
from cocreate.services.placement import lock_rooms_of
from cocreate.services.snapshots import idea_for_moderators, idea_with_tally, member_view
from cocreate.services.unit import Change, perform
from cocreate.services.workshops import announce


def _idea_for_moderator(change: Change, workshop: Workshop, idea_id: object) -> tuple[Idea, Room]:
    """Lock the room of an idea of this workshop and return both; raises NotFound."""
    idea = db.session.get(Idea, idea_id) if type(idea_id) is int else None
    room = db.session.get(Room, idea.room_id) if idea else None
    if idea is None or room.workshop_id != workshop.id or idea.status in ("withdrawn", "merged"):
        raise NotFound(_("There is no such idea in this workshop."))
    return idea, change.lock_room(room.id)


def _author(idea: Idea) -> Participant:
    return db.session.get(Participant, idea.author_id)


def _tell_author(change: Change, idea: Idea, status: str) -> None:
    change.notify(
        PARTICIPANT_NS,
        participant_channel(idea.author_id),
        "idea_moderated",
        {"idea_id": idea.id, "text": idea.text, "status": status},
    )


def hide_idea(
    user_id: int, workshop_id: int, idea_id: object, action_id: str | None = None
) -> dict:
    """Hide an idea from everyone but moderators; its votes go (dots back to the voters)
    and its author is told. Raises NotFound, or Conflict when it is hidden already."""

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        idea, room = _idea_for_moderator(change, workshop, idea_id)
        if idea.status == "hidden":
            raise Conflict(_("This idea is hidden already."))
        idea.status = "hidden"
        db.session.execute(sa.delete(Vote).where(Vote.idea_id == idea.id))
        results.forget_votes(idea.id)
        change.record(room, "idea_hidden", {"idea_id": idea.id})
        _tell_author(change, idea, "hidden")
        return {"idea_id": idea.id, "status": "hidden"}

    return perform(f"user:{user_id}", action_id, work)


def _show(
    change: Change,
    user_id: int,
    workshop_id: int,
    idea_id: object,
    *,
    was: str,
    event: str,
    told: str,
    refusal: str,
) -> dict:
    """Make a hidden or pending idea visible in its room, and tell its author."""
    workshop = access.workshop_for_moderator(user_id, workshop_id)
    idea, room = _idea_for_moderator(change, workshop, idea_id)
    if idea.status != was:
        raise Conflict(refusal)
    idea.status = "visible"
    record_idea(change, room, event, idea, _author(idea))
    _tell_author(change, idea, told)
    return {"idea": idea_for_moderators(idea, _author(idea))}


def restore_idea(
    user_id: int, workshop_id: int, idea_id: object, action_id: str | None = None
) -> dict:
    """Show a hidden idea again (with no votes: they went when it was hidden).

    Raises NotFound, or Conflict when it is not hidden.
    """

    def work(change: Change) -> dict:
        return _show(
            change,
            user_id,
            workshop_id,
            idea_id,
            was="hidden",
            event="idea_restored",
            told="visible",
            refusal=_("This idea is not hidden."),
        )

    return perform(f"user:{user_id}", action_id, work)


def correct_idea(
    user_id: int,
    workshop_id: int,
    idea_id: object,
    text: object,
    details: object = "",
    action_id: str | None = None,
) -> dict:
    """Correct a typo in any idea of the workshop; the old text is kept in the audit log.

    Raises Invalid for empty or long text, NotFound.
    """
    text, details = idea_fields(text, details)

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        idea, room = _idea_for_moderator(change, workshop, idea_id)
        keep_revision(idea, f"user:{user_id}")
        idea.text, idea.details, idea.updated_at = text, details, utcnow()
        author = _author(idea)
        if idea.status == "visible":
            record_idea(change, room, "idea_edited", idea, author)
        else:  # hidden or waiting for approval: the room must not read it
            change.record(
                room,
                "idea_corrected",
                {"idea_id": idea.id},
                {"idea": idea_for_moderators(idea, author)},
            )
        return {"idea": idea_for_moderators(idea, author)}

    return perform(f"user:{user_id}", action_id, work)


def revisions(user_id: int, workshop_id: int, idea_id: int) -> list[dict]:
    """The audit log of one idea, oldest first; raises NotFound."""
    workshop = access.workshop_for_moderator(user_id, workshop_id)
    idea = db.session.get(Idea, idea_id)
    if idea is None or db.session.get(Room, idea.room_id).workshop_id != workshop.id:
        raise NotFound(_("There is no such idea in this workshop."))
    rows = db.session.scalars(
        sa.select(IdeaRevision).where(IdeaRevision.idea_id == idea_id).order_by(IdeaRevision.id)
    )
    return [
        {
            "text": r.text,
            "details": r.details,
            "changed_by": r.changed_by,
            "changed_at": r.changed_at.isoformat(),
        }
        for r in rows
    ]


def remove_participant(
    user_id: int, workshop_id: int, participant_id: object, action_id: str | None = None
) -> dict:
    """Remove a participant: their device can no longer act or join again; their ideas
    stay (hide them one by one if needed). Raises NotFound."""

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        person = access.participant_in_workshop(workshop.id, participant_id)
        room = lock_rooms_of(change, person)[person.room_id]
        person.removed = True
        change.count_heads(room, -1)
        if room.facilitator_id == person.id:
            room.facilitator_id = None
            change.record(room, "facilitator_changed", {"facilitator": None})
        change.record(room, "member_left", {"member_id": person.id})
        change.notify(
            PARTICIPANT_NS,
            participant_channel(person.id),
            "removed",
            {"message": _("A moderator removed you from this workshop.")},
        )
        return {"participant_id": person.id, "member": member_view(person)}

    return perform(f"user:{user_id}", action_id, work)


def lock_room(
    user_id: int,
    workshop_id: int,
    room_id: object,
    locked: object,
    action_id: str | None = None,
) -> dict:
    """Lock a breakout room (nobody chooses it or is spread into it) or unlock it.

    Raises NotFound, or Invalid when `locked` is not a boolean.
    """
    if not isinstance(locked, bool):
        raise Invalid(_("Say whether the room is locked (true) or open (false)."))

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        room = access.room_in_workshop(workshop.id, room_id, breakout_only=True)
        change.lock_room(room.id).locked = locked
        db.session.flush()
        announce(change, workshop)
        return {"room_id": room.id, "locked": locked}

    return perform(f"user:{user_id}", action_id, work)


def merge_ideas(
    user_id: int,
    workshop_id: int,
    keep_id: object,
    duplicate_id: object,
    action_id: str | None = None,
) -> dict:
    """Merge a duplicate into the idea that is kept: the duplicate's votes move over,
    and a vote counts once.

    Each voter's dots on the two add up, capped at the per-idea maximum; dots above it go
    back to the voter's budget ("returned"), so no budget or maximum is ever exceeded. An
    opinion or score on the duplicate moves over unless the voter gave one on the kept
    idea (on that criterion), which stands (the duplicate's is "returned": dropped).
    Raises NotFound, or Invalid for one idea, two rooms, or an idea that is not visible.
    """

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        keep, room = _idea_for_moderator(change, workshop, keep_id)
        duplicate, _room = _idea_for_moderator(change, workshop, duplicate_id)
        if keep.id == duplicate.id:
            raise Invalid(_("Choose two different ideas to merge."))
        if keep.room_id != duplicate.room_id:
            raise Invalid(_("Only ideas of the same room can be merged."))
        if keep.status != "visible" or duplicate.status != "visible":
            raise Invalid(_("Only visible ideas can be merged."))
        moved = returned = 0
        both = Vote.idea_id.in_([keep.id, duplicate.id])
        results.count_votes(both, -1)  # and back in, where the votes went, below
        duplicates = db.session.scalars(sa.select(Vote).where(Vote.idea_id == duplicate.id))
        for vote in duplicates.all():
            kept = db.session.scalar(
                sa.select(Vote).where(
                    Vote.idea_id == keep.id,
                    Vote.participant_id == vote.participant_id,
                    Vote.criterion == vote.criterion,
                )
            )
            if kept is None:
                vote.idea_id = keep.id
                moved += vote.value if vote.kind == "dots" else 1
            elif vote.kind == "dots":
                total = min(kept.value + vote.value, workshop.max_dots_per_idea)
                moved += total - kept.value
                returned += kept.value + vote.value - total
                kept.value = total
                db.session.delete(vote)
            else:
                returned += 1
                db.session.delete(vote)
        db.session.flush()
        results.count_votes(both, 1)
        duplicate.status, duplicate.merged_into_id = "merged", keep.id
        author = _author(keep)
        public = {
            "merged_id": duplicate.id,
            "idea": idea_with_tally(keep, author, hidden=room.results_hidden),
        }
        full = {"merged_id": duplicate.id, "idea": idea_for_moderators(keep, author)}
        change.record(room, "ideas_merged", public, full)
        return {
            "idea": full["idea"],
            "merged_id": duplicate.id,
            "moved": moved,
            "returned": returned,
        }

    return perform(f"user:{user_id}", action_id, work)


def approve_idea(
    user_id: int, workshop_id: int, idea_id: object, action_id: str | None = None
) -> dict:
    """Let a pending idea appear in its room (pre-moderation); its author is told.

    Raises NotFound, or Conflict when it is not pending. To refuse it, hide it.
    """

    def work(change: Change) -> dict:
        return _show(
            change,
            user_id,
            workshop_id,
            idea_id,
            was="pending",
            event="idea_posted",
            told="approved",
            refusal=_("This idea is not waiting for approval."),
        )

    return perform(f"user:{user_id}", action_id, work)
