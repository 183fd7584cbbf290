"""Phones that follow the protocol the way static/js/live.js does, and the drills they run.

A `Phone` joins over HTTP (its cookie is its identity), keeps an outbox of actions
with ids it made, sends them one at a time in order and keeps each one until it is
settled (docs/protocol.md, "Retrying": applied, or refused with a final code), and
keeps its own view of its room by sequence numbers (`sync` since its last `seq`, or a
snapshot). Its connection can be cut without a goodbye and its server killed: it
reconnects (to the next address it knows when one stops answering), syncs and sends
what is still waiting, with the same ids.

The drills (`drill`) run many phones against real `python wsgi.py` processes while
connections drop, a server is killed with SIGKILL and started again on the same
database, or one of two processes is killed and its phones move to the other; then
`check` compares what every phone intended with the database, each phone's view with
the server's snapshot for it, and the tallies with a count of the intended actions.
`tests/test_drills.py` runs them small; `bench/drills.py` runs them big and prints the
figures.
"""

import contextlib
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests
import socketio
import sqlalchemy as sa

from tests.support import (
    ROOT,
    free_port,
    migrate,
    scratch_pg_database,
    server_environment,
    wait_until,
)

NS = "/participant"
#: Error codes a retry with the same id may turn into a success; every other is final.
RETRYABLE = frozenset({"rate_limited", "server_error"})
ACK_TIMEOUT_S = 10.0
#: Back-off between tries that settled nothing: from the base, doubling, at most the cap.
RETRY_BASE_S, RETRY_MAX_S = 0.5, 10.0
#: Between connection attempts, as socket.io-client does by default (1 s to 5 s).
RECONNECT_BASE_S, RECONNECT_MAX_S = 0.5, 5.0
GAP_WAIT_S = 1.0
PASSWORD = "drill password 1"


def settles(ack: dict | None) -> bool:
    """Whether an answer settles an action: applied, or refused for good (no answer does not)."""
    if ack is None:
        return False
    return bool(ack.get("ok")) or ack.get("error", {}).get("code") not in RETRYABLE


def backoff(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential back-off with jitter: between half and all of base * 2^(attempt-1), capped."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return ceiling / 2 + rng.random() * ceiling / 2


def retry_delay(attempt: int, ack: dict | None, rng: random.Random) -> float:
    """How long to wait before trying again: a rate_limited ack's retry_after, else back-off."""
    after = (ack or {}).get("error", {}).get("retry_after")
    if isinstance(after, int | float) and after >= 0:
        return min(float(after), 60.0) + rng.random() * 0.1
    return backoff(attempt, RETRY_BASE_S, RETRY_MAX_S, rng)


class Phone:
    """One device in one workshop, acting through its outbox on a thread of its own."""

    def __init__(self, urls: list[str], code: str, name: str, seed: int = 0):
        self.urls = list(urls)  # the addresses it knows, its first choice first
        self.url_index = 0
        self.code = code
        self.name = name
        self.rng = random.Random(seed)
        self.http = requests.Session()
        answer = self.http.post(
            f"{urls[0]}/api/join", json={"code": code, "name": name}, timeout=30
        )
        assert answer.json().get("ok"), answer.text
        self.id: int = answer.json()["participant_id"]
        self.lock = threading.RLock()
        self.outbox: deque[dict] = deque()  # {"event", "payload"}: not settled yet, in order
        self.intended: list[dict] = []  # every action ever queued, in order
        self.results: dict[str, dict] = {}  # action id → the ack that settled it
        self.sent: set[str] = set()
        self.mine: dict[str, int] = {}  # own dots by idea id, as the acks said
        self.stats: Counter = Counter()
        # The view of its room, kept by sequence numbers.
        self.view: dict | None = None
        self.seq = 0
        self.early: dict[int, dict] = {}
        self.gap_since: float | None = None
        self.must_sync = True
        self.syncing = False
        self.held: list[dict] = []
        # The connection.
        self.client: socketio.Client | None = None
        self.connected = False
        self.waiting: set[threading.Event] = set()
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    # ---- what a person does ---------------------------------------------------------

    def queue(self, event: str, **fields) -> dict:
        """Put an action in the outbox with a fresh id; it is sent when it is its turn."""
        action = {"event": event, "payload": {**fields, "id": str(uuid.uuid4())}}
        with self.lock:
            self.outbox.append(action)
            self.intended.append(action)
        self.wake.set()
        return action

    def settled(self) -> bool:
        """Nothing waits in the outbox and the phone follows its room."""
        with self.lock:
            return not self.outbox and self.connected and not self.must_sync

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name=f"phone-{self.id}", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        if self.thread:
            self.thread.join(timeout=30)
        client = self.client
        if client is not None:
            with contextlib.suppress(Exception):
                client.disconnect()
        self.http.close()

    def drop(self) -> bool:
        """Cut the connection without a goodbye: the TCP socket goes, no close frame."""
        client = self.client
        ws = getattr(getattr(client, "eio", None), "ws", None)
        sock = getattr(ws, "sock", None)
        if not self.connected or sock is None:
            return False
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        self.stats["dropped"] += 1
        return True

    def sync_now(self) -> None:
        """Ask for what was missed (the final check's last step)."""
        with self.lock:
            self.must_sync = True
        self.wake.set()

    def server_view(self) -> dict:
        """The snapshot the server gives this phone now (over HTTP, with its cookie)."""
        for _ in range(len(self.urls)):
            url = self.urls[self.url_index]
            try:
                answer = self.http.get(f"{url}/api/w/{self.code}/state", timeout=30)
                return answer.json()["snapshot"]
            except requests.ConnectionError:
                self.url_index = (self.url_index + 1) % len(self.urls)
        raise ConnectionError("no server answers")

    def my_view(self) -> dict:
        """This phone's view in the snapshot's shape (the parts a phone keeps)."""
        with self.lock:
            view = self.view
            return {
                "room": {**view["room"], "seq": self.seq},
                "ideas": sorted(view["ideas"].values(), key=lambda i: i["id"]),
                "members": sorted(view["members"].values(), key=lambda m: m["id"]),
                "me": {**view["me"], "ideas": list(view["me"]["ideas"])},
            }

    # ---- the phone's own thread -----------------------------------------------------

    def _run(self) -> None:
        attempts = 0  # tries in a row that settled nothing
        while not self.stopping.is_set():
            if not self.connected:
                self._connect()
                attempts = 0  # a new connection's bucket starts full
                continue
            with self.lock:
                gap = self.gap_since is not None and time.monotonic() - self.gap_since > GAP_WAIT_S
                must_sync = self.must_sync or gap
                head = self.outbox[0] if self.outbox else None
            if must_sync:
                ack = self._sync()
                if not settles(ack) and self.connected:
                    attempts += 1
                    self.stopping.wait(retry_delay(attempts, ack, self.rng))
                continue
            if head is None:
                self.wake.wait(0.05)
                self.wake.clear()
                continue
            ack = self._send(head)
            if settles(ack):
                attempts = 0
            elif self.connected:
                attempts += 1
                self.stopping.wait(retry_delay(attempts, ack, self.rng))

    def _connect(self) -> None:
        url = self.urls[self.url_index]
        client = socketio.Client(http_session=self.http, reconnection=False)
        client.on("events", self._on_events, namespace=NS)
        client.on("moved", lambda *_: self.sync_now(), namespace=NS)
        client.on("disconnect", lambda *_: self._on_disconnect(client), namespace=NS)
        try:
            client.connect(
                url,
                namespaces=[NS],
                auth={"workshop": self.code},
                transports=["websocket"],
                wait_timeout=5,
            )
        except Exception:
            with contextlib.suppress(Exception):
                client.disconnect()
            self.stats["connect_failures"] += 1
            # A process that does not answer: try the next address this phone knows.
            self.url_index = (self.url_index + 1) % len(self.urls)
            tries = self.stats["connect_failures"]
            self.stopping.wait(backoff(tries, RECONNECT_BASE_S, RECONNECT_MAX_S, self.rng))
            return
        with self.lock:
            self.client = client
            self.connected = True
            self.must_sync = True  # before anything else: follow the room again
        self.stats["connects"] += 1

    def _on_disconnect(self, client: socketio.Client) -> None:
        if not self.stopping.is_set():
            # A connection that ended without a goodbye leaves its socket open here (a
            # clean disconnect, the stop's, closes its own).
            ws = getattr(client.eio, "ws", None)
            with contextlib.suppress(Exception):
                ws.sock.close()
        with self.lock:
            if client is not self.client:
                return
            self.connected = False
            waiting, self.waiting = self.waiting, set()
        for done in waiting:
            done.set()  # the answers will not come on this connection
        self.wake.set()

    def _request(self, event: str, payload: dict) -> dict | None:
        """Send one event and wait for its ack; None when none came (timeout, lost)."""
        client = self.client
        done = threading.Event()
        answer: list = []

        def on_ack(*args):
            answer.append(args[0] if args else None)
            done.set()

        with self.lock:
            if not self.connected or client is None:
                return None
            self.waiting.add(done)
        try:
            client.emit(event, payload, namespace=NS, callback=on_ack)
            done.wait(ACK_TIMEOUT_S)
        except Exception:
            return None
        finally:
            with self.lock:
                self.waiting.discard(done)
        if not answer:
            self.stats["timeouts" if self.connected else "lost"] += 1
            return None
        return answer[0]

    def _send(self, action: dict) -> dict | None:
        action_id = action["payload"]["id"]
        self.stats["retries" if action_id in self.sent else "sent"] += 1
        self.sent.add(action_id)
        ack = self._request(action["event"], action["payload"])
        if ack is not None and not ack.get("ok"):
            self.stats[ack["error"]["code"]] += 1
        if not settles(ack):
            return ack
        with self.lock:
            self.outbox.popleft()
            self.results[action_id] = ack
            if ack["ok"]:
                self._apply_ack(action, ack)
            else:
                self.must_sync = True  # undo what was shown too early, as room.js does
        return ack

    def _apply_ack(self, action: dict, ack: dict) -> None:
        me = self.view["me"] if self.view else None
        if action["event"] == "vote":
            key = str(ack["idea_id"])
            self.mine[key] = ack["mine"]
            if me is not None:
                if ack["mine"]:
                    me["votes"][key] = ack["mine"]
                else:
                    me["votes"].pop(key, None)
                me["dots_left"] = ack["dots_left"]
        elif action["event"] == "post_idea" and me is not None:
            idea = ack["idea"]
            if idea["id"] not in me["ideas"]:
                me["ideas"].append(idea["id"])
            # The room's events are the truth about ideas; an ack only fills a hole.
            if idea["room_id"] == self.view["room"]["id"]:
                self.view["ideas"].setdefault(idea["id"], idea)

    def _sync(self) -> dict | None:
        with self.lock:
            self.syncing = True
            if self.view is None:
                payload = {}
            else:
                payload = {"room_id": self.view["room"]["id"], "since": self.seq}
        ack = self._request("sync", payload)
        with self.lock:
            self.syncing = False
            if ack is not None and ack.get("ok"):
                self.stats["syncs"] += 1
                if "snapshot" in ack:
                    self.stats["snapshots"] += 1
                    snapshot = ack["snapshot"]
                    self.view = {
                        "room": snapshot["room"],
                        "ideas": {idea["id"]: idea for idea in snapshot["ideas"]},
                        "members": {m["id"]: m for m in snapshot["members"]},
                        "me": snapshot["me"],
                    }
                    self.seq = snapshot["room"]["seq"]
                else:
                    self.view["me"] = ack["me"]
                    for event in ack["events"]:
                        if event["seq"] > self.seq:
                            self._apply_event(event)
                            self.seq = event["seq"]
                self.early.clear()
                self.gap_since = None
                self.must_sync = False
            held, self.held = self.held, []
            for batch in held:
                self._receive(batch)
        return ack

    def _on_events(self, batch: dict) -> None:
        with self.lock:
            if self.syncing:
                self.held.append(batch)
            else:
                self._receive(batch)

    def _receive(self, batch: dict) -> None:
        """Apply a batch by the protocol's rule: skip what was seen, keep early events."""
        if self.view is None or batch["room_id"] != self.view["room"]["id"]:
            return
        for event in batch["events"]:
            if event["seq"] > self.seq:
                self.early[event["seq"]] = event
        while self.seq + 1 in self.early:
            self._apply_event(self.early.pop(self.seq + 1))
            self.seq += 1
        for seq in [s for s in self.early if s <= self.seq]:
            del self.early[seq]
        if not self.early:
            self.gap_since = None
        elif self.gap_since is None:
            self.gap_since = time.monotonic()
            self.stats["gaps"] += 1

    def _apply_event(self, event: dict) -> None:
        data, view = event["data"], self.view
        kind = event["type"]
        if kind in ("idea_posted", "idea_edited", "idea_restored"):
            view["ideas"][data["idea"]["id"]] = data["idea"]
        elif kind in ("idea_withdrawn", "idea_hidden"):
            view["ideas"].pop(data["idea_id"], None)
        elif kind == "ideas_merged":
            view["ideas"].pop(data["merged_id"], None)
            view["ideas"][data["idea"]["id"]] = data["idea"]
            self.must_sync = True  # one's own votes on the two may have moved
        elif kind == "votes_changed":
            idea = view["ideas"].get(data["idea_id"])
            if idea is not None:
                idea["tally"] = data["tally"]
        elif kind == "member_joined":  # named in the view only when on paper; counted
            view["room"]["members"] += 1
            if data["member"]["on_paper"]:
                view["members"][data["member"]["id"]] = data["member"]
        elif kind == "member_left":
            view["room"]["members"] -= 1
            view["members"].pop(data["member_id"], None)
        elif kind == "member_renamed" and data["member"]["id"] in view["members"]:
            view["members"][data["member"]["id"]] = data["member"]
        elif kind == "phase_changed":
            view["room"]["phase"] = data["phase"]
        elif kind == "results_hidden":
            view["room"]["results_hidden"] = True
            for idea in view["ideas"].values():
                idea["tally"] = None
        elif kind == "results_revealed":
            view["room"]["results_hidden"] = False
            for idea in view["ideas"].values():
                idea["tally"] = data["tallies"].get(str(idea["id"]))
        elif kind in ("timer_started", "timer_stopped", "notice", "facilitator_changed"):
            self.must_sync = True  # not kept here: take the room's state as the server has it
        elif kind == "workshop_changed":
            self.must_sync = True


# ---- servers ----------------------------------------------------------------------------


class Server:
    """One `python wsgi.py` process on a fixed port: it can be killed and started again."""

    def __init__(self, env: dict[str, str], logs: Path, name: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "PORT": str(self.port), "HOST": "127.0.0.1"}
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        """Start the process and wait until it answers; return how long that took."""
        started = time.monotonic()
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "wsgi.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._answers, f"{self.url} to answer", timeout=60)
        return time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, open transactions and unsent batches are lost."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{self.log_path.read_text()[-3000:]}")
        try:
            return requests.get(self.url + "/", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False


@dataclass
class Deployment:
    database: str
    servers: list[Server]
    app: object

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]


@contextlib.contextmanager
def deployment(
    processes: int = 1, postgres: bool = False, async_mode: str = ""
) -> Iterator[Deployment]:
    """A migrated database (SQLite, or PostgreSQL with a Redis queue) and its processes,
    in `async_mode` (SOCKETIO_ASYNC_MODE; "" for wsgi.py's default)."""
    from cocreate import create_app
    from cocreate.extensions import db

    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cocreate-drill-")))
        if postgres:
            url = stack.enter_context(scratch_pg_database(f"cocreate_drill_{uuid.uuid4().hex[:6]}"))
        else:
            url = f"sqlite:///{folder}/drill.sqlite"
        settings = {"DATABASE_URL": url, "SECRET_KEY": "drill"}
        if async_mode:
            settings["SOCKETIO_ASYNC_MODE"] = async_mode
        if processes > 1:
            settings["SOCKETIO_MESSAGE_QUEUE"] = "redis://127.0.0.1:6379/0"
            settings["SOCKETIO_CHANNEL"] = f"cocreate-drill-{uuid.uuid4()}"
        env = server_environment(**settings)
        migrate(env)
        servers = [Server(env, folder, f"server{n}") for n in range(processes)]
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "drill"})
        try:
            for server in servers:
                server.start()
            yield Deployment(url, servers, app)
        finally:
            for server in servers:
                server.stop()
            with app.app_context():
                db.engine.dispose()
            tracebacks = [
                s.log_path.read_text()
                for s in servers
                if s.log_path.exists() and "Traceback" in s.log_path.read_text()
            ]
            for text in tracebacks:
                print(f"--- server log with a traceback\n{text[-5000:]}", file=sys.stderr)


# ---- the drills -------------------------------------------------------------------------


@dataclass
class Figures:
    """What a drill did and what came of it."""

    drill: str
    phones: int = 0
    actions: int = 0  # queued by the phones
    applied: int = 0  # stored once under their ids
    lost: int = 0  # queued, never applied
    duplicated: int = 0  # applied more than once (an extra effect or event)
    refused: int = 0  # settled with a final error (none expected)
    retries: int = 0  # sends of an action id sent before
    rate_limited: int = 0
    timeouts_or_lost: int = 0  # sends answered by nothing
    drops: int = 0  # connections cut
    reconnects: int = 0
    snapshots: int = 0
    settle_s: float | None = None  # from the kill until every outbox was empty
    restart_s: float | None = None  # from the kill until the server answered again
    elapsed_s: float = 0.0
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"drill {self.drill}: {self.phones} phones, {self.actions} actions sent, "
            f"{self.applied} applied, {self.lost} lost, {self.duplicated} duplicated, "
            f"{self.refused} refused",
            f"  retries {self.retries} (rate_limited {self.rate_limited}, unanswered "
            f"{self.timeouts_or_lost}), connections cut {self.drops}, reconnects "
            f"{self.reconnects}, snapshots {self.snapshots}, {self.elapsed_s:.1f} s in all",
        ]
        if self.settle_s is not None:
            restart = (
                f"the server answered again in {self.restart_s:.1f} s, "
                if self.restart_s is not None
                else ""
            )
            out.append(
                f"  after the kill: {restart}every outbox was empty {self.settle_s:.1f} s "
                "after the kill"
            )
        out.extend(f"  PROBLEM: {p}" for p in self.problems)
        return out


def setup_workshop(app, rooms: int, budget: int) -> dict:
    """An owner and a dots workshop whose breakout rooms are open, with random assignment."""
    from cocreate.extensions import db
    from cocreate.services import accounts, participants, workshops
    from cocreate.services.snapshots import moderator_snapshot

    with app.app_context():
        owner = accounts.create_user("drill@example.org", "Drill", PASSWORD)
        workshop_id = workshops.create_workshop(
            owner,
            workshops.WorkshopSettings(
                title="Drill",
                question="What would make it fair?",
                dots_per_room=budget,
                max_dots_per_idea=budget,
                assignment="random",
                voting_mode="dots",
            ),
            [(f"Room {n + 1}", "") for n in range(rooms)],
        )
        participants.open_breakouts(owner, workshop_id)
        code = moderator_snapshot(owner, workshop_id)["workshop"]["code"]
        db.session.remove()
    return {"id": workshop_id, "code": code, "budget": budget}


def set_phase(base: str, workshop_id: int, phase: str) -> None:
    """Sign in as the owner, move every breakout room to a phase from the console's socket."""
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    http.post(
        f"{base}/login",
        data={"csrf_token": token, "email": "drill@example.org", "password": PASSWORD},
        timeout=30,
    )
    console = socketio.Client(http_session=http, reconnection=False)
    console.connect(
        base,
        namespaces=["/moderator"],
        auth={"workshop": workshop_id},
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        ack = console.call(
            "set_phase",
            {"id": str(uuid.uuid4()), "phase": phase},
            namespace="/moderator",
            timeout=30,
        )
        assert ack["ok"], ack
    finally:
        console.disconnect()
        http.close()


def wait_settled(phones: list[Phone], timeout: float) -> None:
    wait_until(lambda: all(p.settled() for p in phones), "every outbox to empty", timeout)


def room_ideas(app, workshop_id: int) -> dict[int, list[int]]:
    """The visible ideas of each breakout room, by room id (read from the database)."""
    from cocreate.extensions import db
    from cocreate.models import Idea, Room

    with app.app_context():
        rows = db.session.execute(
            sa.select(Idea.room_id, Idea.id)
            .join(Room, Room.id == Idea.room_id)
            .where(Room.workshop_id == workshop_id, Idea.status == "visible")
        ).all()
        db.session.remove()
    ideas: dict[int, list[int]] = {}
    for room_id, idea_id in rows:
        ideas.setdefault(room_id, []).append(idea_id)
    return ideas


def plan_votes(phone: Phone, ideas: list[int], votes: int, budget: int) -> dict[int, int]:
    """Queue a random walk of dots that stays within the budget; return the dots intended."""
    dots: dict[int, int] = dict.fromkeys(ideas, 0)
    for _ in range(votes):
        idea = phone.rng.choice(ideas)
        give = sum(dots.values()) < budget and (dots[idea] == 0 or phone.rng.random() < 0.7)
        delta = 1 if give else -1
        if delta == -1 and dots[idea] == 0:
            idea = next(i for i, n in dots.items() if n)
        dots[idea] += delta
        phone.queue("vote", idea_id=idea, delta=delta)
    return {idea: n for idea, n in dots.items() if n}


def drill(
    kind: str,
    *,
    phones: int,
    ideas: int,
    votes: int,
    rooms: int,
    postgres: bool = False,
    drop_every: float = 0.2,
    timeout: float = 300.0,
    async_mode: str = "",
) -> Figures:
    """Run one drill and check it.

    kind: "drops" (connections cut abruptly all along), "kill" (the server SIGKILLed
    mid-vote and started again on the same database), "failover" (two processes on
    PostgreSQL and Redis; one is SIGKILLed mid-vote and its phones move to the other).
    The servers run in `async_mode` ("" for wsgi.py's default).
    """
    figures = Figures(drill=kind, phones=phones)
    processes = 2 if kind == "failover" else 1
    started = time.monotonic()
    with deployment(processes, postgres or kind == "failover", async_mode) as where:
        workshop = setup_workshop(where.app, rooms, budget=max(5, votes))
        urls = where.urls
        crowd = [
            Phone(urls[n % len(urls) :] + urls[: n % len(urls)], workshop["code"], f"P{n}", seed=n)
            for n in range(phones)
        ]
        chaos_stop = threading.Event()
        chaos = None
        if kind == "drops":
            chaos = threading.Thread(target=_cut, args=(crowd, chaos_stop, drop_every), daemon=True)
        try:
            for phone in crowd:
                phone.start()
            wait_settled(crowd, timeout)
            if chaos:
                chaos.start()
            # Propose: every phone posts its ideas.
            texts: dict[int, list[str]] = {}
            for phone in crowd:
                texts[phone.id] = [f"{phone.name}'s idea {n}" for n in range(ideas)]
                for text in texts[phone.id]:
                    phone.queue("post_idea", text=text)
            wait_settled(crowd, timeout)
            set_phase(urls[0], workshop["id"], "vote")
            # Vote: a random walk of dots per phone, within the budget.
            by_room = room_ideas(where.app, workshop["id"])
            rooms_of = _rooms_of(where.app, [p.id for p in crowd])
            intended = {
                phone.id: plan_votes(phone, by_room[rooms_of[phone.id]], votes, workshop["budget"])
                for phone in crowd
            }
            if kind in ("kill", "failover"):
                victim = where.servers[0]
                total = sum(len(p.intended) for p in crowd)
                wait_until(
                    lambda: sum(len(p.results) for p in crowd) >= total - phones * votes * 0.6,
                    "the vote to be under way",
                    timeout,
                )
                killed = time.monotonic()
                victim.kill()
                if kind == "kill":
                    victim.start()
                    figures.restart_s = time.monotonic() - killed
                wait_settled(crowd, timeout)
                figures.settle_s = time.monotonic() - killed
            else:
                wait_settled(crowd, timeout)
            chaos_stop.set()
            if chaos:
                chaos.join()
            # The last word: every phone syncs once more, then is compared with the server.
            for phone in crowd:
                phone.sync_now()
            wait_settled(crowd, timeout)
            check(where, workshop, crowd, texts, intended, figures)
        finally:
            chaos_stop.set()
            for phone in crowd:
                phone.stop()
    figures.elapsed_s = time.monotonic() - started
    for phone in crowd:
        figures.retries += phone.stats["retries"]
        figures.rate_limited += phone.stats["rate_limited"]
        figures.timeouts_or_lost += phone.stats["timeouts"] + phone.stats["lost"]
        figures.drops += phone.stats["dropped"]
        figures.reconnects += phone.stats["connects"] - 1
        figures.snapshots += phone.stats["snapshots"]
    return figures


def _cut(crowd: list[Phone], stop: threading.Event, every: float) -> None:
    """Cut a random phone's connection every so often."""
    rng = random.Random(42)
    while not stop.wait(every):
        rng.choice(crowd).drop()


def _rooms_of(app, participant_ids: list[int]) -> dict[int, int]:
    from cocreate.extensions import db
    from cocreate.models import Participant

    with app.app_context():
        rows = db.session.execute(
            sa.select(Participant.id, Participant.room_id).where(
                Participant.id.in_(participant_ids)
            )
        ).all()
        db.session.remove()
    return dict(rows)


def check(
    where: Deployment,
    workshop: dict,
    crowd: list[Phone],
    texts: dict[int, list[str]],
    intended: dict[int, dict[int, int]],
    figures: Figures,
) -> None:
    """Compare the database, every phone's view and the tallies with what was intended;
    record the figures and every discrepancy in `figures.problems`."""
    from cocreate.extensions import db
    from cocreate.models import ClientAction, Idea, Room, RoomEvent, Vote

    problems = figures.problems
    with where.app.app_context():
        stored = Counter(
            db.session.execute(
                sa.select(ClientAction.actor, ClientAction.action_id).where(
                    ClientAction.actor.in_([f"participant:{p.id}" for p in crowd])
                )
            ).all()
        )
        posted = db.session.execute(
            sa.select(Idea.author_id, Idea.text).where(Idea.author_id.in_([p.id for p in crowd]))
        ).all()
        dots = {
            (pid, iid): value
            for pid, iid, value in db.session.execute(
                sa.select(Vote.participant_id, Vote.idea_id, Vote.value).where(
                    Vote.participant_id.in_([p.id for p in crowd])
                )
            )
        }
        vote_events = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RoomEvent)
            .join(Room, Room.id == RoomEvent.room_id)
            .where(Room.workshop_id == workshop["id"], RoomEvent.type == "votes_changed")
        )
        db.session.remove()

    votes_queued = 0
    for phone in crowd:
        actor = f"participant:{phone.id}"
        ids = [a["payload"]["id"] for a in phone.intended]
        figures.actions += len(ids)
        votes_queued += sum(a["event"] == "vote" for a in phone.intended)
        applied = [i for i in ids if stored[(actor, i)]]
        figures.applied += len(applied)
        figures.lost += len(ids) - len(applied)
        figures.refused += sum(not ack["ok"] for ack in phone.results.values())
        for action_id in ids:
            if action_id not in phone.results:
                problems.append(f"{phone.name}: action {action_id} never settled")
        # Ideas: each text exactly once.
        mine = Counter(text for author, text in posted if author == phone.id)
        if mine != Counter(texts[phone.id]):
            problems.append(f"{phone.name}: ideas {dict(mine)} != {texts[phone.id]}")
            figures.duplicated += sum(n - 1 for n in mine.values() if n > 1)
        # Dots: what the phone's walk intended, in the database and in its acks.
        have = {iid: v for (pid, iid), v in dots.items() if pid == phone.id}
        if have != intended[phone.id]:
            problems.append(f"{phone.name}: dots {have} != intended {intended[phone.id]}")
        acked = {int(k): v for k, v in phone.mine.items() if v}
        if acked != intended[phone.id]:
            problems.append(f"{phone.name}: acks say {acked} != intended {intended[phone.id]}")
        # The phone's view after its last sync is the server's snapshot for it.
        server, seen = phone.server_view(), phone.my_view()
        server["me"]["ideas"].sort()  # listed in no particular order
        seen["me"]["ideas"].sort()
        for part in ("ideas", "members", "me"):
            theirs = server["me"] if part == "me" else sorted(server[part], key=lambda x: x["id"])
            if seen[part] != theirs:
                problems.append(f"{phone.name}: its {part} differ from the server's")
        for key in ("id", "seq", "phase", "results_hidden", "members"):
            if seen["room"][key] != server["room"][key]:
                problems.append(
                    f"{phone.name}: room {key} {seen['room'][key]} != {server['room'][key]}"
                )
        # Tallies: the server's and the phone's equal a count of the intended dots.
        for idea in server["ideas"]:
            count = sum(dots.get(idea["id"], 0) for dots in intended.values())
            if idea["tally"] != {"dots": count}:
                problems.append(f"idea {idea['id']}: tally {idea['tally']} != {count} intended")
    extra = sum(stored.values()) - figures.applied
    if extra:
        problems.append(f"{extra} stored action ids no phone queued")
    if vote_events != votes_queued:
        problems.append(f"{vote_events} votes_changed events for {votes_queued} votes")
        figures.duplicated += max(0, vote_events - votes_queued)
