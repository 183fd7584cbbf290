"""Fixtures: an app per test on its own migrated database, and factories for what tests need."""

import secrets
import shutil
import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from cocreate import create_app
from cocreate.extensions import db, socketio
from cocreate.models import RoomEvent
from cocreate.realtime import MODERATOR_NS, PARTICIPANT_NS
from cocreate.services import accounts, participants, workshops
from tests.support import scratch_pg_database


def settings(database_url: str, **extra) -> dict:
    """Test settings: one database, sockets in threading mode, events sent at once."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SOCKETIO_ASYNC_MODE": "threading",
        "SOCKETIO_MESSAGE_QUEUE": None,
        "COCREATE_EMIT_INTERVAL": 0,
        "COCREATE_BASE_URL": "http://cocreate.test",
        "SUGGESTIONS_PREEMBED": False,  # no model in the background; tests/test_preembed.py asks
        # Documents made in the test's process; tests/test_synthesis_process.py asks for one.
        "SYNTHESIS_PROCESS": False,
        **extra,
    }


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite file with every migration applied, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    app = create_app(settings(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def app(tmp_path, migrated_sqlite):
    """An app on a fresh copy of the migrated database."""
    path = tmp_path / "cocreate.sqlite"
    shutil.copy(migrated_sqlite, path)
    app = create_app(settings(f"sqlite:///{path}"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An application context, for calling services directly."""
    with app.app_context():
        yield app


@pytest.fixture(scope="session")
def pg_database():
    """A PostgreSQL database of our own, migrated once, dropped at the end."""
    with scratch_pg_database("cocreate_test") as url:
        app = create_app(settings(url))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url


@pytest.fixture
def pg_app(pg_database):
    """An app on the PostgreSQL test database, emptied before the test."""
    app = create_app(settings(pg_database))
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def libpq_trace(pg_app, tmp_path):
    """Trace every message the app's new PostgreSQL connections send; returns a function
    that gives the trace so far."""
    path = tmp_path / "libpq.trace"
    trace = path.open("w")

    def traced(dbapi_connection, _record):
        dbapi_connection.pgconn.trace(trace.fileno())

    with pg_app.app_context():
        db.engine.dispose()
        sa.event.listen(db.engine, "connect", traced)

        def read() -> str:
            trace.flush()
            return path.read_text()

        yield read
        sa.event.remove(db.engine, "connect", traced)
        db.session.remove()  # the test's last connection goes back to the pool, to be closed
        db.engine.dispose()
    trace.close()


def round_trips(trace: str) -> list[list[str]]:
    """The app's waits for PostgreSQL in a libpq trace, each with the messages the app sent
    for it: a simple Query, or messages up to a Sync (one statement, or a whole pipeline),
    waits for the server's answer before anything more is sent. A Flush right after a
    Sync belongs to that Sync's trip: psycopg sends one as it ends a pipeline whose
    answers have not all come yet, before it waits."""
    trips, messages = [], []
    for fields in (line.split("\t") for line in trace.splitlines()):
        if len(fields) > 3 and fields[1] == "F":
            if fields[3] == "Flush" and not messages and trips:
                trips[-1].append("Flush")
                continue
            messages.append("\t".join(fields[3:]).strip())
            if fields[3] in ("Query", "Sync"):
                trips.append(messages)
                messages = []
    return trips


def executed(trip: list[str]) -> int:
    """How many statements one round trip of `round_trips` ran (its Execute messages)."""
    return sum(1 for message in trip if message.split("\t")[0] == "Execute")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_ctx(request):
    """An app context on SQLite, then on PostgreSQL."""
    app = request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")
    with app.app_context():
        yield app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_app(request):
    """The app on SQLite, then on PostgreSQL (for tests whose threads open their own
    contexts)."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def waiting_for_a_room(thread: threading.Thread) -> bool:
    """Whether a statement locking rooms waits for a lock (PostgreSQL) before `thread` ends."""
    with db.engine.connect() as watcher:
        while thread.is_alive():
            waiting = watcher.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE '%FOR UPDATE OF rooms%'"
                )
            ).scalar()
            if waiting:
                return True
            time.sleep(0.01)
    return False


def action_id() -> str:
    """A fresh client action id."""
    return str(uuid.uuid4())


def logged(room_id: int, since: int = 0) -> list[tuple[str, dict, dict | None]]:
    """A room's logged events after `since`: (type, data, moderators' data), in order."""
    rows = db.session.scalars(
        sa.select(RoomEvent)
        .where(RoomEvent.room_id == room_id, RoomEvent.seq > since)
        .order_by(RoomEvent.seq)
    )
    return [(e.type, e.data, e.moderator_data) for e in rows]


def last_seq(room_id: int) -> int:
    """The sequence number of a room's latest logged event."""
    return db.session.scalar(
        sa.select(sa.func.max(RoomEvent.seq)).where(RoomEvent.room_id == room_id)
    )


class World:
    """Factories for accounts, workshops and participants (call inside an app context)."""

    def user(self, email: str | None = None, password: str = "correct horse battery") -> int:
        """Create an account; return its id."""
        email = email or f"{secrets.token_hex(4)}@example.org"
        return accounts.create_user(email, "Organizer", password)

    def workshop(self, user_id: int | None = None, rooms: int = 2, **rules) -> dict:
        """Create a workshop with `rooms` breakout rooms; return its ids and code."""
        user_id = user_id or self.user()
        options = {"title": "Pathways", "question": "How do we reach equality?", **rules}
        workshop_id = workshops.create_workshop(
            user_id,
            workshops.WorkshopSettings(**options),
            [(f"Room {n}", f"Topic {n}") for n in range(1, rooms + 1)],
        )
        snapshot = self.moderator_view(user_id, workshop_id)
        return {
            "id": workshop_id,
            "owner": user_id,
            "code": snapshot["workshop"]["code"],
            "plenary": snapshot["rooms"][0]["id"],
            "rooms": [room["id"] for room in snapshot["rooms"][1:]],
        }

    def moderator_view(self, user_id: int, workshop_id: int) -> dict:
        """The moderator's snapshot."""
        from cocreate.services import snapshots

        return snapshots.moderator_snapshot(user_id, workshop_id)

    def phase(self, workshop: dict, phase: str, room: int | None = None) -> None:
        """Move one breakout room (or all) to a phase, as the moderator."""
        from cocreate.services import phases

        phases.set_phase(workshop["owner"], workshop["id"], phase, room)

    def join(self, workshop: dict, name: str | None = None, room: int | None = None) -> int:
        """Join a participant on a new device (and move them to `room`); return the id."""
        result = participants.join_workshop(workshop["code"], secrets.token_urlsafe(16), name)
        if room is not None:
            participants.move_participant(
                workshop["owner"], workshop["id"], result["participant_id"], room
            )
        return result["participant_id"]


@pytest.fixture
def world():
    """Factories for test data."""
    return World()


class Phone:
    """A participant's device: an HTTP client with its cookie, and a socket on top."""

    def __init__(self, app, code: str, name: str | None = None):
        self.http = app.test_client()
        response = self.http.post(f"/j/{code}", data={"name": name or ""})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.app = app
        self.code = code
        self.socket = socketio.test_client(
            app, namespace=PARTICIPANT_NS, auth={"workshop": code}, flask_test_client=self.http
        )

    def send(self, event: str, payload=None, **fields):
        """Emit an event and return its ack (a fresh action id unless one is given)."""
        if payload is None:
            payload = {"id": action_id(), **fields}
        return self.socket.emit(event, payload, namespace=PARTICIPANT_NS, callback=True)

    def received(self, name: str = "events") -> list:
        """The messages of one name received since the last call."""
        return [
            message["args"][0]
            for message in self.socket.get_received(PARTICIPANT_NS)
            if message["name"] == name
        ]

    def snapshot(self) -> dict:
        """A fresh snapshot through the sync event."""
        ack = self.send("sync", {})
        assert ack["ok"], ack
        return ack["snapshot"]


@pytest.fixture
def phone(app):
    """Make a phone that joined the workshop with this code."""
    return lambda code, name=None: Phone(app, code, name)


class Console:
    """A moderator's browser: signed in over HTTP, with the console's socket."""

    def __init__(self, app, email: str, password: str, workshop_id: int):
        self.http = app.test_client()
        response = self.http.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302
        self.socket = socketio.test_client(
            app, namespace=MODERATOR_NS, auth={"workshop": workshop_id}, flask_test_client=self.http
        )

    def send(self, event: str, payload=None, **fields):
        """Emit an event and return its ack."""
        if payload is None:
            payload = {"id": action_id(), **fields}
        return self.socket.emit(event, payload, namespace=MODERATOR_NS, callback=True)


@pytest.fixture
def console(app):
    """Make a signed-in moderator console for a workshop."""
    return lambda email, password, workshop_id: Console(app, email, password, workshop_id)
