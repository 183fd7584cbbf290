"""Putting participants into rooms: the moves every assignment rule is made of."""

import random

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Participant, Room
from cocreate.realtime import PARTICIPANT_NS, participant_channel
from cocreate.services.snapshots import member_counts, member_event
from cocreate.services.unit import Change


def move(change: Change, person: Participant, source: Room, target: Room) -> None:
    """Move a participant between two rooms the caller has locked, logging both sides."""
    if source.id == target.id:
        return
    person.room_id = target.id
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


def place_newcomer(change: Change, person: Participant, plenary: Room) -> bool:
    """Put a late joiner (random assignment) in the open breakout room with the fewest
    people, a random one among ties; tell whether they were placed.

    Only that room is locked, besides the plenary the caller holds: locking every room
    for each phone made a join storm wait on, and hold up, every vote of every room.
    Joiners queue on the plenary's lock, so they see each other's placement and rooms
    stay even among them. A room locked or removed meanwhile leaves the joiner in the
    lobby, where the moderator's "spread the lobby" places them.
    """
    counts = member_counts(plenary.workshop_id)
    open_rooms = db.session.scalars(
        sa.select(Room.id).where(
            Room.workshop_id == plenary.workshop_id,
            Room.kind != "plenary",
            Room.removed.is_(False),
            Room.locked.is_(False),
        )
    ).all()
    if not open_rooms:
        return False
    fewest = min(counts[room_id] for room_id in open_rooms)
    chosen = change.lock_room(
        random.choice([room_id for room_id in open_rooms if counts[room_id] == fewest])
    )
    if chosen is None or chosen.removed or chosen.locked:
        return False
    move(change, person, plenary, chosen)
    return True
