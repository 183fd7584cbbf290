"""Each room's head count is kept by the write path (`Room.head_count`), so that a join
and a phone's first snapshot do not count a room's people: every way in and out of a room
keeps it equal to the people in it, and the work of a join does not grow with them."""

import secrets
import threading

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Participant, Room
from cocreate.services import moderation, participants, scribe, snapshots, workshops
from cocreate.services.errors import Conflict
from tests.conftest import waiting_for_a_room


def stored(workshop_id: int) -> dict[int, int]:
    """Each room's head count as the database keeps it."""
    db.session.rollback()
    rows = db.session.execute(
        sa.select(Room.id, Room.head_count).where(Room.workshop_id == workshop_id)
    )
    return dict(rows.all())


def counted(workshop_id: int) -> dict[int, int]:
    """Each room's people, counted."""
    db.session.rollback()
    rows = db.session.execute(
        sa.select(Room.id, sa.func.count(Participant.id))
        .outerjoin(
            Participant, sa.and_(Participant.room_id == Room.id, Participant.removed.is_(False))
        )
        .where(Room.workshop_id == workshop_id)
        .group_by(Room.id)
    )
    return dict(rows.all())


def test_every_way_in_and_out_of_a_room_keeps_its_head_count(any_ctx, world):
    w = world.workshop(rooms=3)
    owner, first, second, third = w["owner"], *w["rooms"]
    steps = []

    def check(step: str) -> None:
        steps.append(step)
        assert stored(w["id"]) == counted(w["id"]), steps

    people = [world.join(w, f"P{n}") for n in range(7)]
    check("joins into the lobby")
    assert stored(w["id"])[w["plenary"]] == 7
    participants.set_assignment(owner, w["id"], "random")
    participants.open_breakouts(owner, w["id"])
    check("the lobby spread")
    assert stored(w["id"])[w["plenary"]] == 0
    late = [world.join(w, f"L{n}") for n in range(4)]
    check("late joiners placed in the least full rooms")
    heads = stored(w["id"])
    assert sorted(heads[room] for room in w["rooms"]) == [3, 4, 4]
    participants.move_participant(owner, w["id"], people[0], w["plenary"])
    check("a moderator's move")
    participants.set_assignment(owner, w["id"], "choose")
    participants.choose_room(late[0], third)
    check("a participant's choice")
    moderation.remove_participant(owner, w["id"], people[1])
    check("a removal")
    scribe.add_paper_person(("user", owner), second, "On paper")
    check("a person on paper")
    participants.join_workshop(w["code"], secrets.token_urlsafe(16), "Newcomer")
    check("a join with choosing open (into the lobby)")
    workshops.remove_room(owner, first)
    check("a room removed, its people back in the lobby")
    participants.close_breakouts(owner, w["id"])
    check("the breakouts closed")
    assert stored(w["id"]) == {w["plenary"]: 12, first: 0, second: 0, third: 0}


def test_what_phones_and_moderators_see_is_the_kept_count(ctx, world):
    w = world.workshop(rooms=2)
    for n in range(3):
        world.join(w, f"A{n}", room=w["rooms"][0])
    me = world.join(w, "Me", room=w["rooms"][1])
    seen = snapshots.participant_snapshot(me)
    assert [room["members"] for room in seen["rooms"]] == [0, 3, 1]
    assert seen["room"]["members"] == 1
    moderators = snapshots.moderator_snapshot(w["owner"], w["id"])
    assert [room["members"] for room in moderators["rooms"]] == [0, 3, 1]


def instructions(app, work) -> int:
    """SQLite's virtual machine instructions that `work` runs, in tens (its progress
    handler): what the database does for it, however fast the machine is."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0  # go on

    def watched(dbapi_connection, _record):
        dbapi_connection.set_progress_handler(count, 10)

    db.session.remove()
    db.engine.dispose()
    sa.event.listen(db.engine, "connect", watched)
    try:
        work()
    finally:
        sa.event.remove(db.engine, "connect", watched)
        db.session.remove()
        db.engine.dispose()
    return steps[0]


@pytest.mark.parametrize("breakouts_open", [False, True], ids=["lobby", "late joiners"])
def test_a_join_and_its_first_snapshot_do_not_grow_with_the_people_there(
    ctx, world, breakouts_open
):
    """A phone joining a lobby of 30 or of 600 (or, with the breakouts open and random
    assignment, placed in the least full of rooms holding as many): the database's work
    for its join and first snapshot is the same but for the indexes' depth. Counting the
    people, as the snapshot and the choice of a room did, was work for each of them."""
    w = world.workshop(rooms=3)
    if breakouts_open:
        participants.set_assignment(w["owner"], w["id"], "random")
        participants.open_breakouts(w["owner"], w["id"])
    cost = {}
    present = 0
    for crowd in (30, 600):
        for n in range(present, crowd):
            participants.join_workshop(w["code"], f"device-{n}", None)
        present = crowd

        def join_and_look() -> None:
            joined = participants.join_workshop(w["code"], secrets.token_urlsafe(16), None)
            snapshots.participant_snapshot(joined["participant_id"])

        cost[crowd] = instructions(ctx, join_and_look)
        present += 1
    assert cost[600] < 1.3 * cost[30], cost


@pytest.mark.postgres
def test_a_move_made_elsewhere_while_the_lock_was_awaited_is_a_conflict(pg_app, world):
    """Another server process moves a participant while a moderator's move of them waits
    for the room's lock: the waiting move is refused, and no head count goes wrong."""
    with pg_app.app_context():
        w = world.workshop(rooms=3)
        first, second, third = w["rooms"]
        person = world.join(w, "P", room=first)
        db.session.remove()
    outcome = []

    def move() -> None:
        with pg_app.app_context():
            try:
                outcome.append(participants.move_participant(w["owner"], w["id"], person, third))
            except Conflict as error:
                outcome.append(error)
            finally:
                db.session.remove()

    with pg_app.app_context(), db.engine.connect() as other:
        other.execute(sa.text("SELECT id FROM rooms WHERE id = :room FOR UPDATE"), {"room": first})
        other.execute(
            sa.update(Participant.__table__).where(Participant.id == person).values(room_id=second)
        )
        for room, change in ((first, -1), (second, 1)):
            other.execute(
                sa.update(Room.__table__)
                .where(Room.id == room)
                .values(head_count=Room.head_count + change)
            )
        mover = threading.Thread(target=move)
        mover.start()
        if not waiting_for_a_room(mover):
            pytest.fail("the move never waited for the room's lock")
        other.commit()
        mover.join(timeout=30)
    assert isinstance(outcome[0], Conflict), outcome
    with pg_app.app_context():
        assert stored(w["id"]) == counted(w["id"])
        assert stored(w["id"])[second] == 1
