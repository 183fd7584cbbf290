"""Benchmark: do theme suggestions in one room slow down votes in another?

Starts `python wsgi.py` (eventlet, the engine warming up in the background) on a fresh
database with one voting room and several 60-idea rooms in the cluster phase. Phones
in the voting room give and take back dots at a steady pace (one vote every --interval
seconds each, as people do) and their ack latency is measured twice: alone, then while
the facilitators of the 60-idea rooms ask for suggested themes in a loop, one after the
other (each room's first suggestion encodes its 60 ideas; later ones find them cached,
so both costs are shown). Prints vote ack latency p50/p95/p99 for both runs and the
suggestion times.

    .venv/bin/python bench/suggestion_load.py                  # SQLite, 40 phones, 20 s a run
    .venv/bin/python bench/suggestion_load.py --postgres
    .venv/bin/python bench/suggestion_load.py --phones 80 --seconds 30 --rooms 12
"""

import argparse
import contextlib
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from tests.support import (
    ROOT,
    free_port,
    migrate,
    scratch_pg_database,
    server_environment,
    wait_until,
)

IDEAS_PER_ROOM = 60
#: Ideas are made from these, differently in every room, so no room's texts are another's
#: (the engine caches embeddings by text: a room's first suggestion is the full cost).
WHAT = [
    "free night buses",
    "safe bike lanes",
    "ramps at every tram stop",
    "affordable flats for refugee families",
    "a cap on rents",
    "shelters open all winter",
    "coding classes for girls",
    "laptops lent by the library",
    "job training for women leaving violence",
    "childcare during evening classes",
    "benches and shade in every square",
    "a clinic that speaks many languages",
]
WHERE = [
    "the old town",
    "the harbour",
    "the north estate",
    "the station district",
    "the river bank",
]
HOW = ["we need", "the city should fund", "let us start", "please bring", "we ask for"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(latencies: list[float]) -> str:
    if not latencies:
        return "no votes"
    p50, p95, p99 = (1000 * percentile(latencies, q) for q in (0.5, 0.95, 0.99))
    return (
        f"{len(latencies)} votes, p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
        f"max {1000 * max(latencies):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=40, help="voting phones")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between votes")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--rooms", type=int, default=8, help="60-idea rooms to suggest for")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        if args.postgres:
            url = stack.enter_context(scratch_pg_database("cocreate_bench"))
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="cocreate-bench-"))
            url = f"sqlite:///{folder}/bench.sqlite"
        port = free_port()
        env = server_environment(DATABASE_URL=url, SECRET_KEY="bench", PORT=str(port))
        migrate(env)
        server = subprocess.Popen(
            [sys.executable, "wsgi.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            run(args, url, f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(timeout=10)


def seed(args, url: str) -> dict:
    """A workshop: room 1 votes on one idea; rooms 2… hold 60 ideas each, in cluster."""
    from cocreate import create_app
    from cocreate.extensions import db
    from cocreate.services import accounts, ideas, participants, phases, workshops
    from cocreate.services.snapshots import moderator_snapshot

    # Ideas posted here are not embedded, here or by the server: each room's first
    # suggestion embeds its 60 ideas (bench/suggestion_click.py measures pre-embedding).
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SUGGESTIONS_PREEMBED": False}
    )
    rng = random.Random(8)
    with app.app_context():
        owner = accounts.create_user("bench@example.org", "Bench", "bench password")
        workshop_id = workshops.create_workshop(
            owner,
            workshops.WorkshopSettings(
                title="Bench",
                question="How do we reach equality?",
                dots_per_room=5,
                max_dots_per_idea=5,
                assignment="manual",
            ),
            [("Votes", "")] + [(f"Ideas {n}", "") for n in range(1, args.rooms + 1)],
        )
        participants.open_breakouts(owner, workshop_id)
        snapshot = moderator_snapshot(owner, workshop_id)
        code = snapshot["workshop"]["code"]
        vote_room, *idea_rooms = [room["id"] for room in snapshot["rooms"][1:]]

        def person(room_id: int, name: str) -> tuple[str, int]:
            device = secrets.token_urlsafe(16)
            joined = participants.join_workshop(code, device, name)
            participants.move_participant(owner, workshop_id, joined["participant_id"], room_id)
            return device, joined["participant_id"]

        facilitators = []
        for n, room_id in enumerate(idea_rooms, 1):
            authors = [person(room_id, f"Author {n}.{k}")[1] for k in range(6)]
            for i in range(IDEAS_PER_ROOM):
                text = (
                    f"{rng.choice(HOW).capitalize()} {rng.choice(WHAT)} in "
                    f"{rng.choice(WHERE)}, room {n} proposal {i + 1}"
                )
                ideas.post_idea(authors[i % len(authors)], text)
            device, facilitator = person(room_id, f"Facilitator {n}")
            phases.appoint_facilitator(owner, workshop_id, facilitator)
            facilitators.append(device)
        author = person(vote_room, "Voter 0")[1]
        idea = ideas.post_idea(author, "Benchmark idea")["idea"]["id"]
        voters = [person(vote_room, f"Voter {n}")[0] for n in range(1, args.phones + 1)]
        phases.set_phase(owner, workshop_id, "vote", vote_room)
        for room_id in idea_rooms:
            phases.set_phase(owner, workshop_id, "cluster", room_id)
        db.engine.dispose()
    return {"code": code, "idea": idea, "voters": voters, "facilitators": facilitators}


def connect(base: str, code: str, device: str):
    """A phone with the cookie of an existing device (signed like the server's)."""
    from flask.sessions import SecureCookieSessionInterface

    from cocreate import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench"})
    signer = SecureCookieSessionInterface().get_signing_serializer(app)
    http = requests.Session()
    http.cookies.set("session", signer.dumps({"device": device, "_permanent": True}))
    client = socketio.Client(http_session=http, reconnection=False)
    client.connect(
        base,
        namespaces=["/participant"],
        auth={"workshop": code},
        transports=["websocket"],
        wait_timeout=10,
    )
    return client


def run(args, url: str, base: str) -> None:
    world = seed(args, url)

    def answers() -> bool:
        try:
            return requests.get(base + "/", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    wait_until(answers, "the server to answer", timeout=30)
    voters = [connect(base, world["code"], device) for device in world["voters"]]
    facilitators = [connect(base, world["code"], device) for device in world["facilitators"]]
    time.sleep(3)  # the engine's warm-up at start is over (it loads in about 2 s)

    def voting(seconds: float) -> tuple[list[float], list[dict]]:
        latencies, failures, lock = [], [], threading.Lock()
        stop = time.monotonic() + seconds

        def phone(client):
            time.sleep(random.uniform(0, args.interval))  # phones are not in step
            n, mine, starts = 0, [], []
            while time.monotonic() < stop:
                started = time.perf_counter()
                ack = client.call(
                    "vote",
                    {"id": str(uuid.uuid4()), "idea_id": world["idea"], "delta": 1 - 2 * (n % 2)},
                    namespace="/participant",
                    timeout=30,
                )
                mine.append(time.perf_counter() - started)
                starts.append(started)
                if not ack["ok"]:
                    failures.append(ack)
                n += 1
                time.sleep(max(0.0, args.interval - mine[-1]))
            with lock:
                latencies.extend(zip(starts, mine, strict=True))

        threads = [threading.Thread(target=phone, args=(c,)) for c in voters]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return latencies, failures

    alone, alone_failures = voting(args.seconds)
    alone = [took for _, took in alone]

    first, again, refused = [], [], []
    encoding = [float("inf"), float("-inf")]  # when the rooms' first suggestions ran
    stop = threading.Event()

    def suggesting():
        runs = 0
        while not stop.is_set():
            client = facilitators[runs % len(facilitators)]
            started = time.perf_counter()
            ack = client.call("suggest_themes", {}, namespace="/participant", timeout=120)
            took = time.perf_counter() - started
            if not ack["ok"]:
                refused.append(ack)
                time.sleep(ack["error"].get("retry_after") or 0.5)
                continue
            if runs < len(facilitators):
                first.append((took, len(ack["groups"])))
                encoding[0] = min(encoding[0], started)
                encoding[1] = started + took
            else:
                again.append(took)
            runs += 1
            time.sleep(0.25)  # a facilitator's click, not a loop on the gate's rate limit

    loop = threading.Thread(target=suggesting)
    loop.start()
    time.sleep(0.5)
    timed, busy_failures = voting(args.seconds)
    stop.set()
    loop.join()
    busy = [took for _, took in timed]
    during = [took for at, took in timed if encoding[0] <= at <= encoding[1]]

    for client in voters + facilitators:
        client.disconnect()
    database = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
    lines = [
        f"database: {database}; server: one eventlet process (python wsgi.py)",
        f"voting room: {args.phones} phones, one vote each every {args.interval} s, "
        f"{args.seconds:.0f} s per run",
        f"votes alone:                 {figures(alone)}; errors: {len(alone_failures)}",
        f"votes while suggesting:      {figures(busy)}; errors: {len(busy_failures)}",
        f"  of which while encoding:   {figures(during)}",
        f"suggestions for 60 ideas, first in a room (encodes them): {len(first)} runs, "
        f"mean {mean([t for t, _ in first]):.2f} s, max "
        f"{max([t for t, _ in first], default=float('nan')):.2f} s, "
        f"groups {[g for _, g in first]}",
        f"suggestions again (embeddings cached): {len(again)} runs, mean "
        f"{1000 * mean(again):.0f} ms; refused: {len(refused)}",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
