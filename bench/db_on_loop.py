"""Benchmark: votes through the database on a busy eventlet loop, by database driver.

The write path's transactions share one eventlet loop with everything else a server does.
This runs the vote service (agree / disagree / pass, as bench/vote_path.py does) from
many green threads at once, open loop at --votes-per-s over --rooms rooms, while a
"fan-out" green thread keeps the loop busy --busy of the time in slices of --slice-ms
(what sending batches to a thousand phones costs the real server), and prints the votes'
latency and throughput.

Under eventlet, PostgreSQL's pure-Python driver (PSYCOPG_IMPL=python) waits for each
round trip on the loop: a transaction that holds its room's lock waits behind the other
green threads' work at every statement. The C driver (PSYCOPG_IMPL=binary, from the
psycopg-binary package) blocks the loop for each round trip instead, as SQLite does, so
a transaction is never interleaved with another of its process.

    PSYCOPG_IMPL=python .venv/bin/python bench/db_on_loop.py --postgres
    PSYCOPG_IMPL=binary .venv/bin/python bench/db_on_loop.py --postgres
    .venv/bin/python bench/db_on_loop.py                   # SQLite
"""

import eventlet

eventlet.monkey_patch()  # before anything else is imported, as wsgi.py does

import argparse  # noqa: E402
import contextlib  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from flask_migrate import upgrade  # noqa: E402

from bench.vote_path import scene, settings  # noqa: E402
from cocreate import create_app  # noqa: E402
from cocreate.extensions import db  # noqa: E402
from cocreate.services import votes  # noqa: E402
from tests.support import scratch_pg_database  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def busy_loop(share: float, slice_s: float, until: float) -> None:
    """Keep the loop busy `share` of the time, in slices of `slice_s` seconds of CPU."""
    while time.monotonic() < until:
        end = time.monotonic() + slice_s
        while time.monotonic() < end:
            pass
        eventlet.sleep(slice_s * (1 - share) / share)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--voters", type=int, default=100, help="per room")
    parser.add_argument("--votes-per-s", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--busy", type=float, default=0.4, help="share of the loop kept busy")
    parser.add_argument("--slice-ms", type=float, default=5.0)
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        if args.postgres:
            url = stack.enter_context(scratch_pg_database("cocreate_db_on_loop"))
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="cocreate-loop-"))
            url = f"sqlite:///{folder}/bench.sqlite"
        app = create_app(settings(url) | {"SOCKETIO_ASYNC_MODE": "eventlet"})
        with app.app_context():
            upgrade()
            rooms = [scene(args.voters, 10, "agree") for _ in range(args.rooms)]
            db.session.remove()
        latencies: list[float] = []
        failures: dict[str, int] = {}
        rng = random.Random(1)

        def vote(voter: int, idea: int, stance: str, sent: float) -> None:
            with app.app_context():
                try:
                    votes.give_opinion(voter, idea, stance, str(uuid.uuid4()))
                    latencies.append(time.monotonic() - sent)
                except Exception as error:  # counted and printed
                    name = type(error).__name__
                    failures[name] = failures.get(name, 0) + 1
                finally:
                    db.session.remove()

        start = time.monotonic()
        until = start + args.duration
        eventlet.spawn(busy_loop, args.busy, args.slice_ms / 1000, until)
        pool = eventlet.GreenPool(1000)
        due = start
        while due < until:
            due += rng.expovariate(args.votes_per_s)
            eventlet.sleep(max(0.0, due - time.monotonic()))
            people, ideas = rng.choice(rooms)
            voter = rng.choice(people)
            stance = rng.choice(("agree", "disagree", "pass"))
            pool.spawn(vote, voter, rng.choice(ideas), stance, time.monotonic())
        pool.waitall()
        wall = time.monotonic() - start
        with app.app_context():
            db.engine.dispose()
    database = "PostgreSQL" if args.postgres else "SQLite"
    impl = ""
    if args.postgres:
        import psycopg

        impl = f" ({psycopg.pq.__impl__} driver)"
    print(
        f"{database}{impl}: {len(latencies) / wall:.1f} votes/s done of {args.votes_per_s:.0f}, "
        f"latency p50/p95/p99 {1000 * percentile(latencies, 0.5):.0f}/"
        f"{1000 * percentile(latencies, 0.95):.0f}/{1000 * percentile(latencies, 0.99):.0f} ms, "
        f"loop busy {100 * args.busy:.0f} % in {args.slice_ms:g} ms slices, failures {failures}"
    )


if __name__ == "__main__":
    main()
