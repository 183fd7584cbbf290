"""Two server processes on one PostgreSQL and one Redis behave as one server.

Real `python wsgi.py` processes (eventlet), a real Redis message queue, a real
PostgreSQL database migrated by `flask db upgrade`; phones are python-socketio
clients carrying the device cookie they got by joining over HTTP.
"""

import re
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests
import socketio
import sqlalchemy as sa

from tests.conftest import World, settings
from tests.support import (
    ROOT,
    free_port,
    migrate,
    scratch_pg_database,
    server_environment,
    wait_until,
)

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two server processes sharing a fresh PostgreSQL database and a Redis channel."""
    with scratch_pg_database("cocreate_scale") as url:
        env = server_environment(
            DATABASE_URL=url,
            SECRET_KEY="shared-by-both-processes",
            SOCKETIO_MESSAGE_QUEUE="redis://127.0.0.1:6379/0",
            SOCKETIO_CHANNEL=f"cocreate-test-{uuid.uuid4()}",
            HOST="127.0.0.1",
        )
        migrate(env)  # the schema is created once, before the processes start
        logs = tmp_path_factory.mktemp("servers")
        servers, urls = [], []
        for n in range(2):
            port = free_port()
            log = open(logs / f"server{n}.log", "w")  # noqa: SIM115 (closed below)
            process = subprocess.Popen(
                [sys.executable, "wsgi.py"],
                cwd=ROOT,
                env={**env, "PORT": str(port)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            servers.append((process, log))
            urls.append(f"http://127.0.0.1:{port}")
        try:
            for base in urls:
                wait_until(lambda base=base: _answers(base), f"{base} to answer")
            yield {"urls": urls, "database": url}
        finally:
            for process, log in servers:
                process.terminate()
                process.wait(timeout=10)
                log.close()
            for path in sorted(logs.iterdir()):
                text = path.read_text()
                if "Traceback" in text:
                    print(f"--- {path.name}\n{text}")


def _answers(base: str) -> bool:
    try:
        return requests.get(base + "/", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


@pytest.fixture(scope="module")
def workshop(cluster):
    """A workshop with two rooms, written through the services from this process."""
    from cocreate import create_app
    from cocreate.extensions import db

    app = create_app(settings(cluster["database"]))
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        made = world.workshop(
            owner, rooms=2, assignment="manual", dots_per_room=3, max_dots_per_idea=3
        )
    yield {**made, "app": app}
    with app.app_context():
        db.engine.dispose()


class Device:
    """A phone: an HTTP session with its cookie, and socket connections to any process."""

    def __init__(self, base: str, code: str, name: str):
        self.http = requests.Session()
        answer = self.http.post(f"{base}/api/join", json={"code": code, "name": name}, timeout=5)
        assert answer.json()["ok"], answer.text
        self.id = answer.json()["participant_id"]
        self.code = code
        self.batches: list[dict] = []  # from every connection of this device
        self.received: dict[int, list[dict]] = {}  # per connection
        self.notices: list[dict] = []
        self.lock = threading.Lock()

    def connect(self, base: str) -> socketio.Client:
        client = socketio.Client(http_session=self.http, reconnection=False)
        own = self.received.setdefault(len(self.received), [])

        @client.on("events", namespace="/participant")
        def on_events(batch):
            with self.lock:
                self.batches.append(batch)
                own.append(batch)

        @client.on("moved", namespace="/participant")
        def on_moved(data):
            with self.lock:
                self.notices.append(data)

        client.connect(
            base,
            namespaces=["/participant"],
            auth={"workshop": self.code},
            transports=["websocket"],
            wait_timeout=10,
        )
        return client

    def events(self, type_: str) -> list[dict]:
        with self.lock:
            return [e for b in self.batches for e in b["events"] if e["type"] == type_]


def open_console(base: str, workshop_id: int) -> socketio.Client:
    """Sign in as the owner on one process and connect the moderator's console there."""
    moderator = requests.Session()
    page = moderator.get(f"{base}/login", timeout=5).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    moderator.post(
        f"{base}/login",
        timeout=5,
        data={"csrf_token": token, "email": "owner@example.org", "password": PASSWORD},
    )
    console = socketio.Client(http_session=moderator, reconnection=False)
    console.connect(
        base,
        namespaces=["/moderator"],
        auth={"workshop": workshop_id},
        transports=["websocket"],
        wait_timeout=10,
    )
    return console


def act(client: socketio.Client, event: str, **fields) -> dict:
    return client.call(
        event, {"id": str(uuid.uuid4()), **fields}, namespace="/participant", timeout=15
    )


def test_two_processes_behave_as_one_server(cluster, workshop):
    a, b = cluster["urls"]
    ana = Device(a, workshop["code"], "Ana")  # joined through process A
    ben = Device(b, workshop["code"], "Ben")  # joined through process B
    from cocreate.services import participants

    with workshop["app"].app_context():
        for person in (ana, ben):
            participants.move_participant(
                workshop["owner"], workshop["id"], person.id, workshop["rooms"][0]
            )
    ana_on_a = ana.connect(a)
    ben_on_b = ben.connect(b)
    try:
        # An idea posted through A reaches a phone connected to B.
        posted = act(ana_on_a, "post_idea", text="Rent guarantee fund")
        assert posted["ok"], posted
        idea = posted["idea"]["id"]
        wait_until(lambda: ben.events("idea_posted"), "B's phone to see A's idea")
        # The moderator's console on A drives the phases.
        console = open_console(a, workshop["id"])
        voting = console.call(
            "set_phase",
            {"id": str(uuid.uuid4()), "phase": "vote"},
            namespace="/moderator",
            timeout=15,
        )
        assert voting["ok"], voting
        wait_until(lambda: ben.events("phase_changed"), "B's phone to see voting open")
        # A vote through B reaches the phone on A.
        assert act(ben_on_b, "vote", idea_id=idea, delta=1)["ok"]
        wait_until(lambda: ana.events("votes_changed"), "A's phone to see B's vote")

        # The same phone on both processes at once: its budget still holds.
        ben_on_a = ben.connect(a)
        results: list[dict] = []
        threads = [
            threading.Thread(
                target=lambda c=c: results.append(act(c, "vote", idea_id=idea, delta=1))
            )
            for c in [ben_on_a, ben_on_b] * 4
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sum(r["ok"] for r in results) == 2  # 3 dots, one given already
        assert {r["error"]["code"] for r in results if not r["ok"]} == {"conflict"}
        ben_on_a.disconnect()

        # A moderator's move through A reaches the phone connected to B.
        moved = console.call(
            "move_participant",
            {"id": str(uuid.uuid4()), "participant_id": ben.id, "room_id": workshop["rooms"][1]},
            namespace="/moderator",
            timeout=15,
        )
        assert moved["ok"], moved
        wait_until(lambda: ben.notices, "B's phone to hear that it moved")
        synced = ben_on_b.call("sync", {}, namespace="/participant", timeout=15)
        assert synced["snapshot"]["room"]["id"] == workshop["rooms"][1]
        console.disconnect()

        # Every connection gets each event exactly once, whichever process sent it. (Two
        # processes' batches may cross on the way: clients put them in order by seq.)
        wait_until(lambda: ana.events("member_left"), "A's phone to see Ben leave the room")
        last = ana.events("member_left")[-1]["seq"]

        def complete(batches: list[dict]) -> bool:
            with ana.lock, ben.lock:
                seqs = [
                    e["seq"]
                    for b in batches
                    for e in b["events"]
                    if e["room_id"] == workshop["rooms"][0]
                ]
            assert len(seqs) == len(set(seqs)), seqs
            return sorted(seqs) == list(range(min(seqs), last + 1))

        wait_until(lambda: complete(ana.received[0]), "every event on A's phone")
        ben_seqs = [e["seq"] for b in ben.received[0] for e in b["events"]]
        assert len(ben_seqs) == len(set(ben_seqs))
    finally:
        ana_on_a.disconnect()
        ben_on_b.disconnect()


def test_a_timer_ends_once_whichever_process_keeps_time(cluster, workshop):
    """Both processes run the clock; the room changes phase at zero exactly once."""
    from cocreate.extensions import db
    from cocreate.models import RoomEvent
    from cocreate.services import participants

    a, b = cluster["urls"]
    cleo = Device(b, workshop["code"], "Cleo")
    room = workshop["rooms"][1]
    with workshop["app"].app_context():
        participants.move_participant(workshop["owner"], workshop["id"], cleo.id, room)
    cleo_on_b = cleo.connect(b)
    console = open_console(a, workshop["id"])
    try:
        started = console.call(
            "start_timer",
            {"id": str(uuid.uuid4()), "seconds": 1, "next_phase": "closed", "room_id": room},
            namespace="/moderator",
            timeout=15,
        )
        assert started["ok"], started
        wait_until(lambda: cleo.events("phase_changed"), "the room to close at zero")
        assert cleo.events("phase_changed")[-1]["data"] == {"phase": "closed"}
        synced = cleo_on_b.call("sync", {}, namespace="/participant", timeout=15)
        assert synced["snapshot"]["room"]["phase"] == "closed"
        time.sleep(2.5)  # both clocks tick again: neither may change the room a second time
        with workshop["app"].app_context():
            changes = db.session.scalars(
                sa.select(RoomEvent.data).where(
                    RoomEvent.room_id == room, RoomEvent.type == "phase_changed"
                )
            ).all()
        assert changes.count({"phase": "closed"}) == 1
    finally:
        console.disconnect()
        cleo_on_b.disconnect()
