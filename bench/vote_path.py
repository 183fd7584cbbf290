"""Benchmark: what one vote (or one join) costs the server, without the network.

Calls the vote services directly, in one process, on a migrated database with one
room of --voters people and --ideas ideas in the Vote phase, and prints per vote: the
CPU time, the wall time, and the SQL statements sent to the database. A vote's CPU is
time on the event loop in the real server (bench/plenary.py measures the whole path);
its statements are round trips, each a wait on the loop under PostgreSQL's pure-Python
driver. With --profile it prints the cProfile of the votes (or joins), most cumulative time first.

    .venv/bin/python bench/vote_path.py                  # SQLite, dots
    .venv/bin/python bench/vote_path.py --postgres       # PostgreSQL on 127.0.0.1
    .venv/bin/python bench/vote_path.py --mode agree --votes 2000 --profile
    .venv/bin/python bench/vote_path.py --joins 1000 --postgres    # joins instead

With --joins N it measures instead N phones joining a workshop of ten breakout rooms open
with random assignment, each followed by the phone's first snapshot (what `sync` sends).
With --resyncs N it gives the votes first, then measures N phones asking for the room's
last --missed events (what `sync` with `since` answers after a gap or a reconnection):

    .venv/bin/python bench/vote_path.py --resyncs 2000 --missed 50 --postgres

With --where N after --joins, it then measures N reads of where every joined phone is
(`participants.current_rooms`: each server process reads this for all its phones every
second, on its clock):

    .venv/bin/python bench/vote_path.py --joins 2000 --where 200 --postgres

With --relay SECONDS the app reaches PostgreSQL through a TCP relay on this machine
that holds every chunk that long before it forwards it, each way: what a round trip
costs when the database is on another host or behind a pooler (0 is the relay's hop
alone). The relay runs in a process of its own, so its CPU is not the app's.

    .venv/bin/python bench/vote_path.py --postgres --relay 0.0005
"""

import argparse
import asyncio
import contextlib
import cProfile
import io
import multiprocessing
import pstats
import random
import secrets
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

import sqlalchemy as sa
from flask_migrate import upgrade

from cocreate import create_app
from cocreate.extensions import db
from cocreate.models import Idea, Room
from cocreate.services import (
    accounts,
    ideas,
    participants,
    phases,
    snapshots,
    unit,
    votes,
    workshops,
)
from tests.support import scratch_pg_database


def relay(listening: socket.socket, target: tuple[str, int], delay: float) -> None:
    """Forward every connection made to `listening` to `target`, holding each chunk
    `delay` seconds first, in both directions (runs in a process of its own)."""

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                await asyncio.sleep(delay)
                writer.write(chunk)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        to_reader, to_writer = await asyncio.open_connection(*target)
        await asyncio.gather(forward(reader, to_writer), forward(to_reader, writer))

    async def serve() -> None:
        server = await asyncio.start_server(connection, sock=listening)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


@contextlib.contextmanager
def relayed(url: str, delay: float):
    """The database URL, reached through `relay` with `delay` (see the module's doc)."""
    database = sa.engine.make_url(url)
    listening = socket.create_server(("127.0.0.1", 0))
    process = multiprocessing.Process(
        target=relay,
        args=(listening, (database.host or "127.0.0.1", database.port or 5432), delay),
        daemon=True,
    )
    process.start()
    try:
        yield database.set(host="127.0.0.1", port=listening.getsockname()[1]).render_as_string(
            hide_password=False
        )
    finally:
        process.terminate()
        process.join()
        listening.close()


def settings(url: str) -> dict:
    """A quiet app: no sockets to send to, events sent in the caller, no model."""
    return {
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": url,
        "SOCKETIO_ASYNC_MODE": "threading",
        "SOCKETIO_MESSAGE_QUEUE": None,
        "COCREATE_EMIT_INTERVAL": 0,
        "SUGGESTIONS_PREEMBED": False,
        "SYNTHESIS_PROCESS": False,
        "RATELIMIT_ENABLED": False,
    }


def scene(voters: int, idea_count: int, mode: str) -> tuple[list[int], list[int]]:
    """A workshop with one breakout room in the Vote phase; its voters' and ideas' ids."""
    owner = accounts.create_user(f"{secrets.token_hex(4)}@example.org", "Bench", "bench pass 123")
    workshop_id = workshops.create_workshop(
        owner,
        workshops.WorkshopSettings(
            title="Bench", question="What costs a vote?", voting_mode=mode, dots_per_room=5
        ),
        [("Room", "Topic")],
    )
    code, room_id = db.session.execute(
        sa.text(
            "SELECT w.join_code, r.id FROM workshops w JOIN rooms r ON r.workshop_id = w.id "
            "WHERE w.id = :w AND r.kind != 'plenary'"
        ),
        {"w": workshop_id},
    ).one()
    people = []
    roles = ["local_government", "civil_society", "resident", None]
    for n in range(voters):
        joined = participants.join_workshop(code, secrets.token_urlsafe(16), f"P{n}")
        participants.move_participant(owner, workshop_id, joined["participant_id"], room_id)
        people.append(joined["participant_id"])
        if roles[n % 4]:
            db.session.execute(
                sa.text("UPDATE participants SET role = :r WHERE id = :p"),
                {"r": roles[n % 4], "p": joined["participant_id"]},
            )
    db.session.commit()
    posted = [
        ideas.post_idea(people[n % voters], f"Idea {n}: a pathway toward equality")["idea"]["id"]
        for n in range(idea_count)
    ]
    phases.set_phase(owner, workshop_id, "vote", room_id)
    return people, posted


def joins(count: int) -> list[int]:
    """`count` phones join a workshop whose ten breakout rooms are open (random
    assignment), each followed by its first snapshot; returns their participant ids."""
    owner = accounts.create_user(f"{secrets.token_hex(4)}@example.org", "Bench", "bench pass 123")
    workshop_id = workshops.create_workshop(
        owner,
        workshops.WorkshopSettings(title="Bench", question="Who joins?", assignment="random"),
        [(f"Room {n}", "Topic") for n in range(1, 11)],
    )
    participants.open_breakouts(owner, workshop_id)
    code = db.session.execute(
        sa.text("SELECT join_code FROM workshops WHERE id = :w"), {"w": workshop_id}
    ).scalar()
    joined_ids = []
    for n in range(count):
        joined = participants.join_workshop(code, secrets.token_urlsafe(16), f"P{n}")
        snapshots.participant_snapshot(joined["participant_id"])
        db.session.rollback()  # the request's end
        joined_ids.append(joined["participant_id"])
    return joined_ids


def one_vote(mode: str, voter: int, idea: int, rng: random.Random, dots: dict) -> None:
    """A vote as a phone sends it: within the budget (dots: {voter: {idea: n}}), so that
    every vote counts; a phone's own screen knows its dots and does not send the rest."""
    if mode == "dots":
        mine = dots.setdefault(voter, {})
        if sum(mine.values()) < 5 and mine.get(idea, 0) < 3:
            delta = 1
        else:
            idea, delta = rng.choice([i for i, n in mine.items() if n]), -1
        votes.give_dot(voter, idea, delta, str(uuid.uuid4()))
        mine[idea] = mine.get(idea, 0) + delta
    elif mode == "agree":
        stance = rng.choice(("agree", "disagree", "pass"))
        votes.give_opinion(voter, idea, stance, str(uuid.uuid4()))
    else:
        votes.give_score(voter, idea, rng.randrange(2), rng.randint(1, 5), str(uuid.uuid4()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--mode", choices=("dots", "agree", "scores"), default="dots")
    parser.add_argument("--voters", type=int, default=100)
    parser.add_argument("--ideas", type=int, default=20)
    parser.add_argument("--votes", type=int, default=1000)
    parser.add_argument("--joins", type=int, help="measure this many joins instead of votes")
    parser.add_argument("--resyncs", type=int, help="measure this many resyncs after the votes")
    parser.add_argument("--missed", type=int, default=50, help="events each resync asks for")
    parser.add_argument(
        "--where", type=int, help="after --joins, measure this many reads of where they are"
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--relay", type=float, help="reach PostgreSQL through a relay holding each chunk so long"
    )
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        if args.postgres:
            url = stack.enter_context(scratch_pg_database("cocreate_vote_path"))
            if args.relay is not None:
                url = stack.enter_context(relayed(url, args.relay))
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="cocreate-vote-"))
            url = f"sqlite:///{folder}/bench.sqlite"
        app = create_app(settings(url))
        with app.app_context():
            upgrade()
            if not args.joins:
                people, posted = scene(args.voters, args.ideas, args.mode)
            statements = 0

            def count(*_args) -> None:
                nonlocal statements
                statements += 1

            if args.postgres:
                sa.event.listen(db.engine, "before_cursor_execute", count)
            else:
                # SQLite runs a vote's reads and writes on the driver's cursor, past
                # SQLAlchemy's events: the driver's trace sees every statement (COMMIT and
                # ROLLBACK, which SQLAlchemy's events never counted, left out).
                def traced(sql: str) -> None:
                    if sql not in ("COMMIT", "ROLLBACK"):
                        count()

                db.session.remove()
                db.engine.dispose()
                sa.event.listen(
                    db.engine,
                    "connect",
                    lambda dbapi_connection, _record: dbapi_connection.set_trace_callback(traced),
                )
            together = unit.read_together

            def read_together(reads: list) -> list:
                """Count the reads unit.read_together sends outside SQLAlchemy's execute."""
                nonlocal statements
                if len(reads) > 1 and db.engine.dialect.name == "postgresql":
                    statements += len(reads)
                return together(reads)

            votes.read_together = snapshots.read_together = read_together
            rng = random.Random(1)
            plan = (
                []
                if args.joins
                else [(rng.choice(people), rng.choice(posted)) for _ in range(args.votes)]
            )
            dots: dict = {}
            if args.resyncs:
                for voter, idea in plan:
                    one_vote(args.mode, voter, idea, rng, dots)
                room_id = db.session.get(Idea, posted[0]).room_id
                since = db.session.get(Room, room_id).last_seq - args.missed
                db.session.rollback()
                plan, statements = [], 0
            profiler = cProfile.Profile() if args.profile else None
            cpu, wall = time.process_time(), time.perf_counter()
            with profiler or contextlib.nullcontext():
                if args.joins:
                    joined = joins(args.joins)
                for voter, idea in plan:
                    one_vote(args.mode, voter, idea, rng, dots)
                for n in range(args.resyncs or 0):
                    assert len(snapshots.events_since(room_id, since, people[n % len(people)]))
                    db.session.rollback()  # the request's end
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if args.joins and args.where:
                where_cpu, where_wall = time.process_time(), time.perf_counter()
                for _ in range(args.where):
                    assert len(participants.current_rooms(joined)) == args.joins
                    db.session.rollback()  # the clock's round ends
                where_cpu = (time.process_time() - where_cpu) / args.where
                where_wall = (time.perf_counter() - where_wall) / args.where
            db.engine.dispose()
    database = "PostgreSQL" if args.postgres else "SQLite"
    if args.postgres and args.relay is not None:
        database += f" through a relay holding each chunk {1000 * args.relay:g} ms"
    if args.resyncs:
        print(
            f"{args.resyncs} resyncs of {args.missed} missed events ({database}, after "
            f"{args.votes} votes): CPU {1000 * cpu / args.resyncs:.2f} ms/resync, wall "
            f"{1000 * wall / args.resyncs:.2f} ms/resync, "
            f"{statements / args.resyncs:.1f} statements/resync"
        )
    elif args.joins:
        print(
            f"{args.joins} joins with their first snapshot ({database}, 10 rooms open): "
            f"CPU {1000 * cpu / args.joins:.2f} ms/join, wall {1000 * wall / args.joins:.2f} "
            f"ms/join, {statements / args.joins:.1f} statements/join"
        )
    else:
        print(
            f"{args.votes} votes ({args.mode}, {database}, {args.voters} voters, "
            f"{args.ideas} ideas): CPU {1000 * cpu / args.votes:.2f} ms/vote, "
            f"wall {1000 * wall / args.votes:.2f} ms/vote, "
            f"{statements / args.votes:.1f} statements/vote"
        )
    if args.joins and args.where:
        print(
            f"{args.where} reads of where the {args.joins} phones are ({database}): "
            f"CPU {1000 * where_cpu:.2f} ms/read, wall {1000 * where_wall:.2f} ms/read"
        )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())


if __name__ == "__main__":
    main()
