"""Benchmark: phones voting at once against a real server process.

Starts `python wsgi.py` (gevent, the default) on a fresh database, joins N phones over HTTP,
connects each with the Python Socket.IO client (WebSocket), and has every phone
vote as fast as its acks come back: give and take back dots, or (with --mode) switch
between agree and disagree, or between two scores. Prints the throughput, the
ack latency and how many broadcast messages each phone received for the events
it was sent (the coalescing of DESIGN §8).

    .venv/bin/python bench/live_votes.py                 # SQLite, 40 phones, 20 votes each
    .venv/bin/python bench/live_votes.py --postgres      # PostgreSQL on 127.0.0.1
    .venv/bin/python bench/live_votes.py --phones 100 --votes 10
    .venv/bin/python bench/live_votes.py --mode agree       # or --mode scores
"""

import argparse
import contextlib
import statistics
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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=40)
    parser.add_argument("--votes", type=int, default=20, help="votes per phone")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--mode", choices=("dots", "agree", "scores"), default="dots")
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


def run(args, url: str, base: str) -> None:
    from cocreate import create_app
    from cocreate.extensions import db
    from cocreate.services import accounts, participants, phases, workshops

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        owner = accounts.create_user("bench@example.org", "Bench", "bench password")
        workshop_id = workshops.create_workshop(
            owner,
            workshops.WorkshopSettings(
                title="Bench",
                question="?",
                dots_per_room=5,
                max_dots_per_idea=5,
                assignment="random",
                voting_mode=args.mode,
            ),
            [("Room", "")],
        )
        participants.open_breakouts(owner, workshop_id)
        from cocreate.services.snapshots import moderator_snapshot

        code = moderator_snapshot(owner, workshop_id)["workshop"]["code"]
        db.engine.dispose()

    def answers() -> bool:
        try:
            return requests.get(base + "/", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    wait_until(answers, "the server to answer", timeout=30)

    phones = []
    for n in range(args.phones):
        http = requests.Session()
        http.post(f"{base}/api/join", json={"code": code, "name": f"P{n}"}, timeout=10)
        counts = {"messages": 0, "events": 0}
        client = socketio.Client(http_session=http, reconnection=False)

        def on_events(batch, counts=counts):
            counts["messages"] += 1
            counts["events"] += len(batch["events"])

        client.on("events", on_events, namespace="/participant")
        client.connect(
            base,
            namespaces=["/participant"],
            auth={"workshop": code},
            transports=["websocket"],
            wait_timeout=10,
        )
        phones.append((client, counts))

    def act(client, event, **fields):
        return client.call(
            event, {"id": str(uuid.uuid4()), **fields}, namespace="/participant", timeout=30
        )

    idea = act(phones[0][0], "post_idea", text="Benchmark idea")["idea"]["id"]
    with app.app_context():
        phases.set_phase(owner, workshop_id, "vote")
        db.engine.dispose()
    time.sleep(1)
    for _, counts in phones:
        counts.update(messages=0, events=0)

    latencies: list[float] = []
    failures = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(phones))

    def ballot(n: int) -> tuple[str, dict]:
        """The n-th vote of a phone: each one changes something, so each is an event."""
        if args.mode == "agree":
            return "opinion", {"idea_id": idea, "stance": "agree" if n % 2 == 0 else "disagree"}
        if args.mode == "scores":
            return "score", {"idea_id": idea, "criterion": 0, "score": 4 if n % 2 == 0 else 2}
        return "vote", {"idea_id": idea, "delta": 1 if n % 2 == 0 else -1}

    def vote_loop(client):
        barrier.wait()
        mine = []
        for n in range(args.votes):
            started = time.perf_counter()
            event, fields = ballot(n)
            ack = act(client, event, **fields)
            mine.append(time.perf_counter() - started)
            if not ack["ok"]:
                failures.append(ack)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=vote_loop, args=(c,)) for c, _ in phones]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    time.sleep(1.5)  # let the last batches arrive

    total = len(latencies)
    messages = [c["messages"] for _, c in phones]
    events = [c["events"] for _, c in phones]
    for client, _ in phones:
        client.disconnect()
    database = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    mean_events, mean_messages = statistics.mean(events), statistics.mean(messages)
    lines = [
        f"database: {database}; server: one `python wsgi.py` process; voting mode: {args.mode}",
        f"phones: {args.phones}, votes per phone: {args.votes}, acked votes: {total}, "
        f"errors: {len(failures)}",
        f"throughput: {total / elapsed:.0f} votes/s over {elapsed:.2f} s",
        "ack latency: p50 {:.1f} ms, p95 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms".format(
            *(1000 * percentile(latencies, q) for q in (0.5, 0.95, 0.99)), 1000 * max(latencies)
        ),
        f"events per phone: {mean_events:.0f} (each vote is one event); broadcast messages "
        f"per phone: {mean_messages:.1f} ({mean_events / max(mean_messages, 1):.0f} events "
        "per message)",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
