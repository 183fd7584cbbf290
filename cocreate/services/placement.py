"""Putting participants into rooms: the moves every assignment rule is made of."""

import random

import sqlalchemy as sa
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import Participant, Room
from cocreate.realtime import PARTICIPANT_NS, participant_channel
from cocreate.services.errors import Conflict
from cocreate.services.snapshots import member_counts, member_event
from cocreate.services.unit import Change


def lock_rooms_of(change: Change, person: Participant, *others: int) -> dict[int, Room]:
    """Lock the room a participant is in and `others` (in id order), by id.

    The participant was read before the locks. Read again after them, they must still be
    where they were: a move or removal that another server process committed meanwhile
    would otherwise put this action's head counts and events in a room they have left.
    Raises Conflict then (the action can simply be tried again).
    """
    room_id = person.room_id
    locked = change.lock_rooms([room_id, *others])
    db.session.refresh(person, ["room_id", "removed"])
    if person.room_id != room_id or person.removed:
        raise Conflict(_("This participant was moved or removed meanwhile. Try again."))
    return locked


def move(change: Change, person: Participant, source: Room, target: Room) -> None:
    """Move a participant between two rooms the caller has locked, logging both sides."""
    if source.id == target.id:
        return
    person.room_id = target.id
    change.count_heads(source, -1)
    change.count_heads(target, 1)
    if source.facilitator_id == person.id:  # a facilitator runs the room they are in
        source.facilitator_id = None
        change.record(source, "facilitator_changed", {"facilitator": None})
    change.record(source, "member_left", {"member_id": person.id})
    change.record(target, "member_joined", *member_event(person))
    # The phone's connection is on another server process, maybe: tell it to resync,
    # and its own handler moves it to the room the database now names.
    change.notify(PARTICIPANT_NS, participant_channel(person.id), "moved", {"room_id": target.id})


def spread(change: Change, people: list[Participant], rooms: dict[int, Room], plenary: Room) -> int:
    """Spread people over the given breakout rooms (row-locked by the caller) so head
    counts differ by at most one more than they already did; ties go to a random room.
    Returns how many moved (none when no room takes people in)."""
    if not rooms:
        return 0
    counts = member_counts(plenary.workshop_id)
    load = {room_id: counts[room_id] for room_id in rooms}
    people = list(people)
    random.shuffle(people)
    for person in people:
        fewest = min(load.values())
        room_id = random.choice([rid for rid, n in load.items() if n == fewest])
        move(change, person, plenary, rooms[room_id])
        load[room_id] += 1
    return len(people)


#: A newcomer's room: the workshop's open breakout room with the fewest people, a random
#: one among ties (chosen in the statement that locks it).
_LEAST_LOADED_ROOM = (
    sa.select(Room.id)
    .where(
        Room.workshop_id == sa.bindparam("workshop"),
        Room.kind != "plenary",
        Room.removed.is_(False),
        Room.locked.is_(False),
    )
    .order_by(Room.head_count, sa.func.random())
    .limit(1)
    .correlate(None)  # its own rooms, never the locking statement's
)


def room_for_newcomer(change: Change, workshop_id: int) -> Room | None:
    """Choose and lock the room a late joiner (random assignment) starts in: the open
    breakout room with the fewest people, a random one among ties. None when no room
    takes people in; the joiner then waits in the lobby for the moderator's "spread the
    lobby".

    Only that room is locked, besides the lobby the caller holds: locking every room for
    each phone made a join storm wait on, and hold up, every vote of every room. Joiners
    queue on the lobby's lock, so they see each other's placement and rooms stay even
    among them. The joiner goes straight in (no stop in the lobby, logged and sent to
    its phones): a join is the storm's unit of work, and each statement of it counts, so
    the room is chosen and locked in one. The choice is made once, as the statement
    starts; a room changed while its lock was awaited is read as it is then.
    """
    chosen = change.lock_room(_LEAST_LOADED_ROOM.params(workshop=workshop_id).scalar_subquery())
    if chosen is None or chosen.removed or chosen.locked:  # changed before the lock
        return None
    return chosen
