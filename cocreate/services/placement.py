"""Putting participants into rooms: the moves every assignment rule is made of."""

import random

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
