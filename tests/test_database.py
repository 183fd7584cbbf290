"""The connections the app keeps: a pooled PostgreSQL connection that the server closed
(a restart, an administrator) is replaced before an action uses it, and checking costs
the action no statement; reads outside the write path run without a transaction, and
every change still runs in one (cocreate/database.py)."""

import select
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import ClientAction, Participant, Room, RoomEvent, Workshop
from cocreate.services import participants, snapshots, unit
from cocreate.services.errors import Invalid
from tests.conftest import World, executed, last_seq, round_trips
from tests.support import PG_ADMIN_URL

pytestmark = pytest.mark.postgres


def close_from_the_server(database: str, connections: list) -> None:
    """End every session on `database` as PostgreSQL's administrator would, and wait until
    the app's `connections` have received the end (the server's session list drops them a
    moment before their sockets hear of it)."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            ended = conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            ).all()
            assert ended, "the app had no connection open"
    finally:
        admin.dispose()
    sockets = [connection.pgconn.socket for connection in connections]
    waiting = set(sockets)
    deadline = time.monotonic() + 10
    while waiting and time.monotonic() < deadline:
        readable, _, _ = select.select(list(waiting), [], [], 0.1)
        waiting -= set(readable)
    assert not waiting, "PostgreSQL did not close the connections"


def test_an_action_after_postgresql_closed_the_pooled_connection_succeeds(pg_app):
    opened = []
    with pg_app.app_context():
        db.engine.dispose()
        sa.event.listen(db.engine, "connect", lambda dbapi, _record: opened.append(dbapi))
        w = World().workshop()
        first = participants.join_workshop(w["code"], "device-one", "One")
        db.session.remove()  # the request's end: the connection waits in the pool
        assert db.engine.pool.checkedin() >= 1

        close_from_the_server(db.engine.url.database, opened)

        second = participants.join_workshop(w["code"], "device-two", "Two")
        assert second["participant_id"] != first["participant_id"]
        assert db.session.get(Workshop, w["id"]) is not None


def test_taking_a_connection_from_the_pool_sends_nothing_to_postgresql(libpq_trace):
    """SQLAlchemy's pre-ping sent a SELECT each time an action took a connection: a round
    trip the loop waited for. The check only reads what has arrived. libpq's trace of the
    connection shows every message it sends."""
    World().workshop()
    db.session.remove()  # the connection goes back to the pool
    before = libpq_trace()
    assert "Query" in before or "Parse" in before  # the trace sees what is sent

    raw = db.engine.raw_connection()  # taken from the pool, as an action takes it
    raw.close()
    assert libpq_trace() == before


def test_a_phone_s_reads_send_no_begin_and_no_rollback(libpq_trace):
    """Outside the write path the app only reads: a BEGIN and a ROLLBACK around the reads
    cost two round trips and bought nothing under READ COMMITTED."""
    w = World().workshop()
    me = participants.join_workshop(w["code"], "device-one", "One")["participant_id"]
    db.session.remove()
    before = libpq_trace()
    assert "BEGIN" in before and "COMMIT" in before  # the join, on the write path

    snapshot = snapshots.participant_snapshot(me)
    assert participants.participant_for_device(w["id"], "device-one").id == me
    db.session.remove()
    reads = libpq_trace()[len(before) :]

    assert snapshot["room"]["id"] and "SELECT" in reads
    assert "BEGIN" not in reads and "ROLLBACK" not in reads


def test_the_write_path_is_still_one_transaction(pg_app):
    """An action that changed rows and then was refused leaves nothing behind."""
    with pg_app.app_context():
        w = World().workshop()
        room_id = db.session.scalar(sa.select(Room.id).where(Room.workshop_id == w["id"]))

        def refused(change: unit.Change) -> dict:
            change.lock_room(room_id).name = "Changed"
            db.session.get(Workshop, w["id"]).title = "Changed"
            db.session.flush()
            raise Invalid("refused after the writes")

        with pytest.raises(Invalid):
            unit.perform("test", None, refused)
        db.session.remove()
        assert db.session.get(Room, room_id).name != "Changed"
        assert db.session.get(Workshop, w["id"]).title != "Changed"


def test_a_change_outside_the_write_path_is_not_committed_by_itself(pg_app):
    """Reading in autocommit must not make a stray write (a command, a fixture) commit
    statement by statement: the first write opens a transaction, and a rollback undoes it."""
    with pg_app.app_context():
        w = World().workshop()
        db.session.remove()
        db.session.get(Workshop, w["id"]).title = "Flushed"
        db.session.flush()
        db.session.execute(sa.update(Room).where(Room.workshop_id == w["id"]).values(name="X"))
        db.session.rollback()
        db.session.remove()
        assert db.session.get(Workshop, w["id"]).title != "Flushed"
        assert (
            "X"
            not in db.session.scalars(sa.select(Room.name).where(Room.workshop_id == w["id"])).all()
        )


def test_a_join_waits_twice_and_writes_its_participant_with_the_commit(libpq_trace):
    """BEGIN with the lobby locked, its workshop, the device's earlier join and the id a
    new participant gets (drawn from the sequence) read in the same statement; then the
    new participant, the event, the lobby's new numbers and the COMMIT together. The
    participant was an insert of its own (its id coming back), the numbers an UPDATE of
    their own in the ORM's flush, the BEGIN a wait of its own, and so was the device's
    earlier join."""
    w = World().workshop()
    participants.join_workshop(w["code"], "device-one", "One", "Expert")
    db.session.remove()
    before = libpq_trace()

    joined = participants.join_workshop(w["code"], "device-two", "Two", "Expert")
    db.session.remove()
    trips = round_trips(libpq_trace()[len(before) :])

    assert len(trips) == 2
    assert executed(trips[0]) == 2  # BEGIN, the lock
    assert "nextval" in trips[0][4]
    # The writes (the participant, the event, then the lobby's numbers) as one statement,
    # and the COMMIT.
    assert trips[-1][0].startswith('Parse\t "" "WITH w0 AS (INSERT INTO participants')
    assert executed(trips[-1]) == 2
    assert not any("UPDATE rooms" in message for trip in trips[:-1] for message in trip)
    # The row is the one the ORM would have written; the lobby counts it; it is found again.
    person = db.session.get(Participant, joined["participant_id"])
    assert (person.display_name, person.role, person.on_paper, person.removed) == (
        "Two",
        "Expert",
        False,
        False,
    )
    lobby = db.session.scalar(
        sa.select(Room).where(Room.workshop_id == w["id"], Room.kind == "plenary")
    )
    assert person.joined_at.tzinfo is not None and person.room_id == lobby.id
    assert lobby.head_count == 2
    again = participants.join_workshop(w["code"], "device-two", None)
    assert again == {**joined, "returning": True}
    event = db.session.scalars(
        sa.select(RoomEvent).where(RoomEvent.room_id == person.room_id).order_by(RoomEvent.seq)
    ).all()[-1]
    assert event.type == "member_joined" and event.data["member"]["id"] == person.id


def test_an_action_that_only_writes_sends_its_begin_in_the_commit_s_round_trip(libpq_trace):
    """The write path's BEGIN waits for its first statement; when that is one of the
    writes sent with the COMMIT, it goes first in their pipeline."""
    w = World().workshop()
    room_id = db.session.scalar(sa.select(Room.id).where(Room.workshop_id == w["id"]))
    db.session.remove()
    before = libpq_trace()
    rooms = Room.__table__

    def only_writes(change: unit.Change) -> dict:
        change.later(sa.update(rooms).where(rooms.c.id == room_id).values(name="Renamed"), {})
        return {}

    unit.perform("test", None, only_writes)
    db.session.remove()
    trips = round_trips(libpq_trace()[len(before) :])

    assert len(trips) == 1
    assert executed(trips[0]) == 3  # BEGIN, UPDATE, COMMIT
    assert db.session.get(Room, room_id).name == "Renamed"


def test_an_action_refused_before_its_first_statement_leaves_no_begin_waiting(libpq_trace):
    """A BEGIN that never went (the action was refused first) must not open a transaction
    around the next reads on that connection."""
    w = World().workshop()
    db.session.remove()

    def refused(change: unit.Change) -> dict:
        db.session.connection()  # the transaction has begun; nothing was sent
        raise Invalid("refused before any statement")

    with pytest.raises(Invalid):
        unit.perform("test", None, refused)
    before = libpq_trace()
    assert db.session.get(Workshop, w["id"]).title  # a read, on the same connection
    db.session.remove()
    reads = libpq_trace()[len(before) :]

    assert "SELECT" in reads and "BEGIN" not in reads


def test_a_phone_s_first_snapshot_is_two_round_trips(libpq_trace):
    """A join storm's phones each take a first snapshot, and a restart's all take one at
    once: the participant with its workshop, then the rooms at a glance, the workshop's
    tags and the phone's own standing together (unit.read_together), with their values
    as SQLAlchemy gives them (a room's timer in UTC)."""
    w = World().workshop()
    tagged = db.session.get(Workshop, w["id"])
    me = participants.join_workshop(w["code"], "device-one", "One")["participant_id"]
    lobby = db.session.scalar(
        sa.select(Room).where(Room.workshop_id == tagged.id, Room.kind == "plenary")
    )
    lobby.timer_ends_at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    lobby_id = lobby.id
    db.session.commit()
    db.session.remove()
    before = libpq_trace()

    snapshot = snapshots.participant_snapshot(me)
    db.session.remove()
    trips = round_trips(libpq_trace()[len(before) :])

    assert [executed(trip) for trip in trips] == [1, 3]
    assert snapshot["room"]["id"] == lobby_id and snapshot["room"]["members"] == 1
    assert snapshot["room"]["timer"]["ends_at"] == "2026-12-01T09:30:00+00:00"
    assert [room["id"] for room in snapshot["rooms"]] == [lobby_id, *w["rooms"]]
    assert snapshot["workshop"]["tags"] and snapshot["workshop"]["breakouts_held"] is False
    assert snapshot["me"]["id"] == me and snapshot["me"]["dots_left"] == 5


def test_a_device_that_joined_before_is_found_with_the_lobby_s_lock(libpq_trace):
    """A returning phone's join reads nothing after the lock: no write, one round trip for
    the lock and one for the COMMIT."""
    w = World().workshop()
    me = participants.join_workshop(w["code"], "device-one", "One")["participant_id"]
    db.session.remove()
    before = libpq_trace()

    again = participants.join_workshop(w["code"], "device-one")
    db.session.remove()
    trips = round_trips(libpq_trace()[len(before) :])

    assert again == {"participant_id": me, "workshop_id": w["id"], "returning": True}
    assert len(trips) == 2
    assert executed(trips[0]) == 2  # BEGIN, and the lobby's lock reading the participant
    assert "rooms.last_seq" in trips[0][4] and "participants.device_token" in trips[0][4]
    assert trips[1] == ['Query\t "COMMIT"']


def test_an_action_s_writes_go_as_one_statement_and_every_one_lands(libpq_trace):
    """Two events, the room's sequence number, a write of the action's own and its
    result, sent with the COMMIT as one statement: each lands as it would alone, its
    values converted as SQLAlchemy converts them (JSON, times, a literal in the SQL)."""
    w = World().workshop()
    room = w["rooms"][0]
    workshops = Workshop.__table__
    db.session.remove()
    before = libpq_trace()

    def work(change: unit.Change) -> dict:
        locked = change.lock_room(room)
        change.record(locked, "noted", {"text": HOSTILE, "n": [1, 2]})
        change.record(locked, "noted", {"text": "again"})
        retitled = sa.update(workshops).where(
            workshops.c.id == w["id"], workshops.c.voting_mode != "scores"
        )
        change.later(retitled.values(title=sa.bindparam("title")), {"title": HOSTILE})
        return {"done": HOSTILE}

    work.__qualname__ = "work"  # an action's kind is its service's name, a short one
    unit.perform("test", "6f1e0a52-8c1b-4a53-9d0e-2b1f3c4d5e6f", work)
    db.session.remove()
    trips = round_trips(libpq_trace()[len(before) :])

    assert trips[-1][0].startswith('Parse\t "" "WITH w0 AS (')
    assert executed(trips[-1]) == 2  # the writes as one statement, and COMMIT
    assert [(event.seq, event.data) for event in noted(room)] == [
        (last_seq(room) - 1, {"text": HOSTILE, "n": [1, 2]}),
        (last_seq(room), {"text": "again"}),
    ]
    assert noted(room)[0].created_at.tzinfo is not None
    assert db.session.get(Workshop, w["id"]).title == HOSTILE
    stored = db.session.scalar(sa.select(ClientAction.result).where(ClientAction.actor == "test"))
    assert stored == {"done": HOSTILE}


def test_writes_that_change_one_table_twice_go_one_by_one(libpq_trace):
    """Events in two rooms write two rooms' numbers, and the action renames one of them:
    in one statement only one change to a row takes effect, so these go one by one (in
    the same round trip)."""
    w = World().workshop(rooms=2)
    first, second = w["rooms"]
    rooms = Room.__table__
    db.session.remove()
    before = libpq_trace()

    def work(change: unit.Change) -> dict:
        locked = change.lock_rooms([first, second])
        change.record(locked[first], "noted", {"text": HOSTILE})
        change.record(locked[second], "noted", {"text": "there"})
        renamed = sa.update(rooms).where(rooms.c.id == first).values(name=sa.bindparam("name"))
        change.later(renamed, {"name": "Renamed"})
        return {}

    unit.perform("test", None, work)
    db.session.remove()
    trips = round_trips(libpq_trace()[len(before) :])

    assert executed(trips[-1]) == 6  # two events, the rename, two numbers, COMMIT
    assert [event.data for event in noted(first) + noted(second)] == [
        {"text": HOSTILE},
        {"text": "there"},
    ]
    assert [event.seq for event in noted(first) + noted(second)] == [
        last_seq(first),
        last_seq(second),
    ]
    assert db.session.get(Room, first).name == "Renamed"


#: Text as a participant might type it.
HOSTILE = "100 % «équité» 평등 %(x)s ' \\ \"; DROP TABLE rooms; --"


def noted(room_id: int) -> list[RoomEvent]:
    """The "noted" events of a room's log, in its order."""
    return db.session.scalars(
        sa.select(RoomEvent)
        .where(RoomEvent.room_id == room_id, RoomEvent.type == "noted")
        .order_by(RoomEvent.seq)
    ).all()


@pytest.mark.postgres
def test_reads_sent_together_give_what_each_gives_alone(libpq_trace):
    """unit.read_together runs reads outside SQLAlchemy's execute, in one round trip:
    their parameters and rows must be what SQLAlchemy's own execute gives (JSON, booleans,
    hostile text), in their order."""
    world = World()
    w = world.workshop(voting_mode="scores", criteria=["Impact", HOSTILE])
    workshops, rooms = Workshop.__table__, Room.__table__
    reads = [
        (
            sa.select(workshops.c.criteria, workshops.c.voting_mode).where(
                workshops.c.id == sa.bindparam("w")
            ),
            {"w": w["id"]},
        ),
        (
            sa.select(rooms.c.id, rooms.c.results_hidden, sa.literal(HOSTILE).label("text"))
            .where(rooms.c.workshop_id == sa.bindparam("w"), rooms.c.kind == "breakout")
            .order_by(rooms.c.id),
            {"w": w["id"]},
        ),
    ]
    alone = [[tuple(row) for row in unit.run(read, params)] for read, params in reads]
    db.session.remove()
    before = libpq_trace()

    together = unit.read_together(reads)
    sent = libpq_trace()[len(before) :]

    assert [[tuple(row) for row in rows] for rows in together] == alone
    assert together[0][0].criteria == ["Impact", HOSTILE]
    assert [row.text for row in together[1]] == [HOSTILE, HOSTILE]
    assert [row.id for row in together[1]] == w["rooms"]
    assert len(round_trips(sent)) == 1
    with pytest.raises(ValueError, match="expanding"):
        unit.read_together(
            [reads[0], (sa.select(rooms.c.id).where(rooms.c.id.in_(sa.bindparam("ids"))), {})]
        )
