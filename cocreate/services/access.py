"""Who may do what: the checks every service makes before it changes anything."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from cocreate.extensions import db
from cocreate.models import Membership, Participant, Room, Workshop
from cocreate.services.errors import NotAllowed, NotFound


def removed_among(participant_ids: list[int]) -> list[int]:
    """Return which of these participants a moderator has removed."""
    if not participant_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Participant.id).where(
                Participant.id.in_(participant_ids), Participant.removed.is_(True)
            )
        )
    )


def workshop_for_moderator(
    user_id: int | None, workshop_id: int, *, owner: bool = False
) -> Workshop:
    """Return the workshop if the account owns or moderates it (owns it, with owner=True).

    Raises NotFound when it does not exist or the account has no role in it
    (so outsiders cannot learn which workshops exist), NotAllowed when a moderator
    asks for what only the owner may do.
    """
    workshop = db.session.get(Workshop, workshop_id) if user_id else None
    role = (
        db.session.scalar(
            sa.select(Membership.role).where(
                Membership.user_id == user_id, Membership.workshop_id == workshop_id
            )
        )
        if workshop
        else None
    )
    if role is None:
        raise NotFound(_("There is no such workshop, or you do not run it."))
    if owner and role != "owner":
        raise NotAllowed(_("Only the workshop's owner can do this."))
    return workshop


def participant(participant_id: int | None, *, with_workshop: bool = False) -> Participant:
    """Return the participant; raises NotAllowed when the device has not joined.

    `with_workshop` reads the workshop in the same statement, so that what follows finds
    it in the session (a phone's sync reads both: one round trip fewer on PostgreSQL).
    """
    options = [joinedload(Participant.workshop)] if with_workshop else ()
    found = db.session.get(Participant, participant_id, options=options) if participant_id else None
    if found is None:
        raise NotAllowed(_("Join the workshop first."))
    if found.removed:
        raise NotAllowed(_("A moderator removed you from this workshop."))
    return found


def room_in_workshop(workshop_id: int, room_id: object, *, breakout_only: bool = False) -> Room:
    """Return a room of this workshop that takes people in.

    Raises NotFound for rooms of other workshops, removed rooms and bad ids.
    """
    room = db.session.get(Room, room_id) if isinstance(room_id, int) else None
    if room is None or room.workshop_id != workshop_id or room.removed:
        raise NotFound(_("There is no such room in this workshop."))
    if breakout_only and room.is_plenary:
        raise NotFound(_("There is no such room in this workshop."))
    return room


def participant_in_workshop(workshop_id: int, participant_id: object) -> Participant:
    """Return a participant of this workshop; raises NotFound for anyone else or a bad id."""
    person = db.session.get(Participant, participant_id) if type(participant_id) is int else None
    if person is None or person.workshop_id != workshop_id or person.removed:
        raise NotFound(_("This participant is not in the workshop."))
    return person
