"""Benchmark: a plenary's phones against a real server, and against the framework's floor.

Joins N phones over HTTP and Socket.IO (WebSocket) into R breakout rooms of one workshop
(random assignment spreads them), the join storm spread over --join-seconds; posts a
few ideas in each room; then, for --duration seconds, sends votes and ideas at a set rate
(open loop: a scheduler fires each action at its time on an idle phone, never faster
than 4 a second per connection, under the server's limit of 5), through the protocol of
docs/protocol.md. Votes go to the rooms in the Vote phase; ideas can only be posted
in the Propose phase, so with ideas and two or more rooms, one room in ten (at least one)
stays in Propose and takes the ideas, the others vote. Then every phone syncs once more.

It measures ack latency, action → screen latency (an action's send to its event's arrival
at every other phone of the room), deliveries lost, duplicated and recovered by sync,
the server's CPU (% of one core over the steady phase) and RSS, the join storm (HTTP join
→ connected → first snapshot) and, with --restart, how long after a SIGKILL every phone
is back and resynced. The same load then runs against bench/bare_server.py (python-socketio
on eventlet, no app: the floor). It prints a table, then one JSON object as its last line.

    .venv/bin/python bench/plenary.py                      # 1,000 phones, 10 rooms, SQLite
    .venv/bin/python bench/plenary.py --postgres
    .venv/bin/python bench/plenary.py --processes 2 --phones 4000 --rooms 30 --votes-per-s 200
    .venv/bin/python bench/plenary.py --plenary --votes-per-s 50     # 1,000 in one room
    .venv/bin/python bench/plenary.py --phones 20 --rooms 2 --duration 5 --join-seconds 2
    .venv/bin/python bench/plenary.py --pin-loop --phones 2000 --rooms 20 --votes-per-s 200

--pin-loop shows what a core for the server's loop alone would give: the loop's thread
on one core, the generator, PostgreSQL, Redis and the server's other threads on the rest.

Everything runs on 127.0.0.1 and stops by itself (a hard deadline kills what it started).
"""

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import resource
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

import aiohttp

from bench.load import servers
from bench.load.crowd import (
    BY_SNAPSHOT,
    BY_SYNC,
    LIVE,
    UNSEEN,
    Phone,
    Recorder,
    percentile,
)

#: Phones per client address: the join limit per address is 1,200 a minute.
PHONES_PER_ADDRESS = 1000
#: Seconds between two actions of one phone (the server allows 5 a second per connection).
SPACING_S = 0.25
IDEAS_PER_ROOM = 20
RESTART_WAIT_S = 120.0

#: Every process this run started, for the hard deadline to kill.
_started: list = []


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--plenary", action="store_true", help="everyone in one room (--rooms 1)")
    parser.add_argument("--votes-per-s", type=float, default=100.0)
    parser.add_argument("--ideas-per-s", type=float, default=5.0)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of steady load")
    parser.add_argument("--join-seconds", type=float, default=30.0, help="the join storm's span")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL on 127.0.0.1:5432")
    parser.add_argument(
        "--processes", type=int, default=1, help="2: PostgreSQL + Redis, sticky phones"
    )
    parser.add_argument(
        "--restart", action="store_true", help="SIGKILL the server after the steady phase"
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare server")
    parser.add_argument(
        "--pin-loop",
        action="store_true",
        help="each server's event loop on a core of its own, everything else on the others",
    )
    parser.add_argument(
        "--bare-batch",
        type=float,
        action="append",
        help="the bare server's batch interval in seconds (0: at once); repeat for more runs",
    )
    parser.add_argument(
        "--emit-interval", type=float, help="COCREATE_EMIT_INTERVAL for the server (default 0.5)"
    )
    parser.add_argument(
        "--server-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment setting for Cocreate's server, e.g. COCREATE_SUGGESTIONS_PREEMBED=0",
    )
    parser.add_argument("--profile-generator", metavar="FILE", help="cProfile the generator")
    args = parser.parse_args(argv)
    if args.plenary:
        args.rooms = 1
    if args.processes > 1:
        args.postgres = True
    if args.pin_loop and args.restart:
        parser.error("--pin-loop pins the server's first process; it does not follow a restart")
    args.bare_batch = args.bare_batch or [0.0]
    return args


# ---- one run against one target ------------------------------------------------------


async def drive(target: servers.Target, args: argparse.Namespace, cocreate: bool) -> dict:
    """Join, seed, load, check (and restart): the figures of one target."""
    rec = Recorder()
    phones = [
        Phone(n, target.urls[n % len(target.urls)], target.code, rec, seed=n)
        for n in range(args.phones)
    ]
    sessions = []
    for group in range((args.phones + PHONES_PER_ADDRESS - 1) // PHONES_PER_ADDRESS):
        connector = aiohttp.TCPConnector(
            limit=0, local_addr=(f"127.0.0.{1 + group}", 0), force_close=False
        )
        sessions.append(
            aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=60),
            )
        )
    session_of = {p.index: sessions[p.index // PHONES_PER_ADDRESS] for p in phones}
    out: dict = {"target": target.name, "errors": {}}
    try:
        # The join storm.
        started = time.perf_counter()
        step = args.join_seconds / max(1, args.phones)

        async def join(phone: Phone) -> None:
            await asyncio.sleep(max(0.0, started + phone.index * step - time.perf_counter()))
            await phone.join(session_of[phone.index])

        joined = await asyncio.gather(*(join(p) for p in phones), return_exceptions=True)
        failures = [e for e in joined if isinstance(e, BaseException)]
        out["join_failures"] = len(failures)
        if failures:
            print(f"{len(failures)} phones could not join: {failures[0]!r}", file=sys.stderr)
        phones = [
            p for p, e in zip(phones, joined, strict=True) if not isinstance(e, BaseException)
        ]
        out["join_storm_s"] = time.perf_counter() - started
        for phone in phones:
            phone.keep_connected(session_of[phone.index])

        # The rooms: one in ten takes the ideas (Propose), the others vote.
        rooms = sorted({p.room for p in phones})
        proposing = max(1, len(rooms) // 10) if args.ideas_per_s and len(rooms) > 1 else 0
        idea_rooms = rooms[:proposing]
        vote_rooms = [r for r in rooms if r not in idea_rooms] if args.votes_per_s else []
        out["rooms_voting"], out["rooms_proposing"] = len(vote_rooms), len(idea_rooms)
        await seed(phones, rooms)
        if cocreate:
            phases = {r: "vote" for r in vote_rooms}
            await asyncio.to_thread(servers.set_phases, target.urls[0], target.workshop_id, phases)
        await asyncio.sleep(2.0)

        # The steady phase.
        out.update(await steady(target, args, rec, phones, vote_rooms, idea_rooms))

        # The last word: every phone syncs, then every expected event is accounted for.
        limit = asyncio.Semaphore(100)

        async def final_sync(phone: Phone) -> None:
            async with limit:
                await phone.sync()

        await asyncio.gather(*(final_sync(p) for p in phones))
        room_last: dict[int, int] = {}
        for phone in phones:
            room_last[phone.room] = max(room_last.get(phone.room, 0), phone.last)
        deliveries = Counter()
        for phone in phones:
            deliveries.update(phone.deliveries(room_last[phone.room]))
        out["delivered_live"] = deliveries[LIVE]
        out["by_sync"] = deliveries[BY_SYNC]
        out["by_snapshot"] = deliveries[BY_SNAPSHOT]
        out["lost"] = deliveries[UNSEEN]
        out["duplicated"] = rec.counts["duplicated"]

        if args.restart and cocreate:
            out.update(await restart(target, phones))
        out["counts"] = dict(rec.counts)
        out["errors"] = dict(rec.errors)
        out["join_p50_ms"] = percentile(rec.join_ms, 0.5)
        out["join_p95_ms"] = percentile(rec.join_ms, 0.95)
        out["join_http_p95_ms"] = percentile(rec.join_http_ms, 0.95)
        for name, values in (("", rec.screen_ms), ("ack_", rec.ack_ms)):
            for share in (0.5, 0.95, 0.99):
                out[f"{name}p{round(share * 100)}_ms"] = percentile(values, share)
        out["screen_samples"] = len(rec.screen_ms)
    finally:
        await asyncio.gather(*(p.stop() for p in phones), return_exceptions=True)
        for session in sessions:
            await session.close()
    return out


async def seed(phones: list[Phone], rooms: list[int]) -> None:
    """Post IDEAS_PER_ROOM ideas in each room, one per phone, while every room proposes."""
    posts = []
    for room in rooms:
        members = [p for p in phones if p.room == room][:IDEAS_PER_ROOM]
        for n, phone in enumerate(members):
            posts.append(phone.post_idea(f"Seed idea {n + 1} of room {room}"))
    acks = await asyncio.gather(*posts)
    refused = [a for a in acks if not (a or {}).get("ok")]
    if refused:
        raise RuntimeError(f"{len(refused)} seed ideas refused: {refused[0]}")
    for phone, ack in zip(
        [p for r in rooms for p in [q for q in phones if q.room == r][:IDEAS_PER_ROOM]],
        acks,
        strict=True,
    ):
        ideas = phone.rec.room_ideas[phone.room]
        if ack["idea"]["id"] not in ideas:
            ideas.append(ack["idea"]["id"])


async def steady(
    target: servers.Target,
    args: argparse.Namespace,
    rec: Recorder,
    phones: list[Phone],
    vote_rooms: list[int],
    idea_rooms: list[int],
) -> dict:
    """Fire votes and ideas at their rates for the duration; return rates, CPU and memory."""
    rng = random.Random(7)
    voters = [p for p in phones if p.room in vote_rooms]
    proposers = [p for p in phones if p.room in idea_rooms]
    server = servers.Usage(target.pids())
    generator = servers.Usage([os.getpid()])
    database = servers.DatabaseUsage() if args.postgres and target.code != "BARE" else None
    lags: list[float] = []
    tasks: set[asyncio.Task] = set()
    counts = Counter()
    ok_before = Counter({k: v for k, v in rec.counts.items() if k.endswith(" ok")})
    stop = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.05)
            lags.append((time.perf_counter() - before - 0.05) * 1000)
            if len(lags) % 20 == 0:
                server.sample()

    def pick(crowd: list[Phone], now: float) -> Phone | None:
        for _ in range(30):
            phone = rng.choice(crowd)
            if phone.idle(now, SPACING_S):
                phone.take()
                return phone
        counts["skipped_no_idle_phone"] += 1
        return None

    def fire(coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    watcher = asyncio.get_running_loop().create_task(watch())
    rec.measuring = True
    start = time.perf_counter()
    end = start + args.duration
    vote_every = 1 / args.votes_per_s if voters and args.votes_per_s else None
    idea_every = 1 / args.ideas_per_s if proposers and args.ideas_per_s else None
    next_vote = start if vote_every else float("inf")
    next_idea = start if idea_every else float("inf")
    ideas_sent = 0
    while min(next_vote, next_idea) < end:
        due = min(next_vote, next_idea)
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        now = time.perf_counter()
        if now - due > 0.05:
            counts["late_sends"] += 1
        if next_vote <= next_idea:
            next_vote += vote_every
            phone = pick(voters, now)
            if phone is not None:
                fire(phone.vote())
        else:
            next_idea += idea_every
            phone = pick(proposers, now)
            if phone is not None:
                ideas_sent += 1
                fire(phone.post_idea(f"Idea {ideas_sent} from phone {phone.index} {uuid.uuid4()}"))
    steady_s = time.perf_counter() - start
    messages = rec.counts["batches_received"]  # counted from the steady phase's start
    server_use = server.finish()
    generator_use = generator.finish()
    database_pct = database.finish() if database is not None else None
    # Let the last actions be answered and their events arrive.
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    await asyncio.sleep(2.0)
    rec.measuring = False
    stop.set()
    await watcher
    acked = Counter({k: v for k, v in rec.counts.items() if k.endswith(" ok")}) - ok_before
    return {
        "steady_s": steady_s,
        "votes_acked_per_s": acked["vote ok"] / steady_s,
        "ideas_acked_per_s": acked["post_idea ok"] / steady_s,
        "messages_per_s": messages / steady_s,
        "server_cpu_pct": server_use["cpu_pct"],
        "loop_cpu_pct": server_use["main_thread_cpu_pct"],
        "database_cpu_pct": database_pct,
        "rss_mb": server_use["rss_mb"],
        "peak_rss_mb": server_use["peak_rss_mb"],
        "generator_cpu_pct": generator_use["cpu_pct"][0],
        "loop_lag_p99_ms": percentile(lags, 0.99),
        "skipped": counts["skipped_no_idle_phone"],
        "late_sends": counts["late_sends"],
    }


async def restart(target: servers.Target, phones: list[Phone]) -> dict:
    """SIGKILL every server process, start it again on the same database, and time until
    every phone is reconnected and its sync answered."""
    for phone in phones:
        phone.resynced_at = None
    killed = time.perf_counter()
    for server in target.servers:
        server.kill()

    def start_all() -> float:
        for server in target.servers:
            server.start()
        return time.perf_counter() - killed

    answering_s = await asyncio.to_thread(start_all)
    deadline = time.perf_counter() + RESTART_WAIT_S
    while time.perf_counter() < deadline:
        if all(p.resynced_at is not None for p in phones):
            break
        await asyncio.sleep(0.1)
    back = [p.resynced_at for p in phones if p.resynced_at is not None]
    return {
        "restart_answering_s": answering_s,
        "restart_back": len(back),
        "restart_s": (max(back) - killed) if len(back) == len(phones) else None,
        "restart_p95_s": percentile([b - killed for b in back], 0.95),
    }


# ---- the whole benchmark --------------------------------------------------------------


def run_target(make, args: argparse.Namespace, cocreate: bool, profile: str | None) -> dict:
    """Start a target, drive it on a fresh event loop, stop it."""
    with make() as target, pinned(target, args):
        _started.extend(target.servers)
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        try:
            figures = asyncio.run(drive(target, args, cocreate))
        finally:
            if profiler:
                profiler.disable()
                write_profile(profiler, profile)
        figures["server_errors"] = log_errors(target)
    return figures


def pinned(target: servers.Target, args: argparse.Namespace) -> contextlib.AbstractContextManager:
    """With --pin-loop, the target's loops on cores of their own while it runs."""
    if not args.pin_loop:
        return contextlib.nullcontext()
    pinning = servers.Pinning(target.pids())
    print(f"{target.name}: {pinning.describe()}", file=sys.stderr)
    return pinning


def write_profile(profiler: cProfile.Profile, path: str) -> None:
    profiler.dump_stats(path)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
    Path(path).with_suffix(".txt").write_text(text.getvalue())


def log_errors(target: servers.Target) -> int:
    """Tracebacks and error lines in the server's log."""
    found = 0
    for server in target.servers:
        path = server.log_path
        if path.exists():
            text = path.read_text(errors="replace")
            found += text.count("Traceback") + text.count(" ERROR ")
            if "Traceback" in text:
                print(f"--- {target.name}: a traceback in its log\n{text[-3000:]}", file=sys.stderr)
    return found


def raise_file_limit() -> None:
    """A thousand phones are a thousand sockets here and in the server (its limit is ours)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def hard_deadline(seconds: float) -> threading.Timer:
    """Kill every server this run started and leave, if the run is still going then."""

    def expire() -> None:
        print(f"plenary.py: hard deadline of {seconds:.0f} s reached, stopping", file=sys.stderr)
        for server in _started:
            with contextlib.suppress(Exception):
                server.process.kill()
        os._exit(3)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


def check_addresses(args: argparse.Namespace) -> None:
    """Every client address this run uses can reach 127.0.0.1 (Linux: all of 127.0.0.0/8)."""
    groups = (args.phones + PHONES_PER_ADDRESS - 1) // PHONES_PER_ADDRESS
    for group in range(groups):
        with socket.socket() as probe:
            probe.bind((f"127.0.0.{1 + group}", 0))


def main(argv: list[str] | None = None) -> dict:
    args = parse(argv)
    raise_file_limit()
    check_addresses(args)
    runs = 1 + (0 if args.no_bare else len(args.bare_batch))
    per_run = args.join_seconds + args.duration + 240 + (RESTART_WAIT_S if args.restart else 0)
    timer = hard_deadline(runs * per_run)
    settings = {}
    if args.emit_interval is not None:
        settings["COCREATE_EMIT_INTERVAL"] = str(args.emit_interval)
    for setting in args.server_setting:
        name, _, value = setting.partition("=")
        settings[name] = value
    database = "PostgreSQL" if args.postgres else "SQLite"
    if args.processes > 1:
        database += f" + Redis, {args.processes} processes"
    rows = []
    try:
        main_figures = run_target(
            lambda: servers.cocreate(args.processes, args.postgres, args.rooms, settings),
            args,
            cocreate=True,
            profile=args.profile_generator,
        )
        main_figures["target"] = f"Cocreate, {database}"
        rows.append(main_figures)
        if not args.no_bare:
            for batch in args.bare_batch:
                rows.append(
                    run_target(
                        lambda batch=batch: servers.bare(
                            args.rooms, batch, settings.get("SOCKETIO_ASYNC_MODE", "")
                        ),
                        args,
                        cocreate=False,
                        profile=None,
                    )
                )
    finally:
        timer.cancel()
    summary = summarise(args, rows)
    print_table(args, rows, database)
    print(json.dumps(summary), flush=True)
    return summary


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value)


def server_tree() -> str:
    """Which server code ran: the commit, and the files under cocreate/ changed since."""
    root = Path(__file__).resolve().parent.parent

    def git(*words: str) -> str:
        done = subprocess.run(["git", *words], cwd=root, capture_output=True, text=True)
        return done.stdout.rstrip()

    changed = git("status", "--porcelain", "--", "cocreate", "wsgi.py").splitlines()
    tree = git("rev-parse", "--short", "HEAD") or "unknown"
    if changed:
        tree += " + uncommitted " + ", ".join(line[3:] for line in changed)
    return tree


def summarise(args: argparse.Namespace, rows: list[dict]) -> dict:
    """The last line's JSON: the run's settings and Cocreate's figures, the floor's beside."""
    main = rows[0]
    summary = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "server_tree": server_tree(),
        "database": "postgresql" if args.postgres else "sqlite",
        "processes": args.processes,
        "pinned_loop": args.pin_loop,
        "phones": args.phones,
        "rooms": args.rooms,
        "votes_per_s": args.votes_per_s,
        "ideas_per_s": args.ideas_per_s,
        "duration_s": args.duration,
        "votes_acked_per_s": round(main["votes_acked_per_s"], 1),
        "ideas_acked_per_s": round(main["ideas_acked_per_s"], 1),
        "p50_ms": _ms(main["p50_ms"]),
        "p95_ms": _ms(main["p95_ms"]),
        "p99_ms": _ms(main["p99_ms"]),
        "ack_p50_ms": _ms(main["ack_p50_ms"]),
        "ack_p95_ms": _ms(main["ack_p95_ms"]),
        "ack_p99_ms": _ms(main["ack_p99_ms"]),
        "lost": main["lost"],
        "duplicated": main["duplicated"],
        "messages_per_s": round(main["messages_per_s"]),
        "by_sync": main["by_sync"],
        "by_snapshot": main["by_snapshot"],
        "rss_mb": round(max(main["rss_mb"])),
        "peak_rss_mb": round(max(main["peak_rss_mb"])),
        "server_cpu_pct": [round(c) for c in main["server_cpu_pct"]],
        "loop_cpu_pct": [round(c) for c in main["loop_cpu_pct"]],
        "database_cpu_pct": None
        if main["database_cpu_pct"] is None
        else round(main["database_cpu_pct"]),
        "join_p95_ms": _ms(main["join_p95_ms"]),
        "join_failures": main["join_failures"],
        "generator_cpu_pct": round(main["generator_cpu_pct"]),
        "loop_lag_p99_ms": _ms(main["loop_lag_p99_ms"]),
        "skipped": main["skipped"],
        "server_errors": main["server_errors"],
        "errors": main["errors"],
        "bare_p95_ms": None,
        "bare_p99_ms": None,
    }
    if args.restart:
        summary["restart_s"] = main.get("restart_s")
        summary["restart_back"] = main.get("restart_back")
    for row, batch in zip(rows[1:], args.bare_batch, strict=False):
        name = "bare" if batch == 0 else f"bare_batch_{batch:g}"
        for key in ("p95_ms", "p99_ms", "ack_p95_ms", "join_p95_ms"):
            summary[f"{name}_{key}"] = _ms(row[key])
        summary[f"{name}_cpu_pct"] = round(row["server_cpu_pct"][0])
        summary[f"{name}_lost"] = row["lost"]
        summary[f"{name}_duplicated"] = row["duplicated"]
    return summary


def print_table(args: argparse.Namespace, rows: list[dict], database: str) -> None:
    def cell(value, digits: int = 0) -> str:
        if value is None:
            return "-"
        if isinstance(value, list):
            return " + ".join(cell(v, digits) for v in value)
        return f"{value:.{digits}f}" if isinstance(value, float) else str(value)

    cores = (
        f"each server's event loop on a core of its own ({os.cpu_count()} cores)"
        if args.pin_loop
        else f"this machine's {os.cpu_count()} cores shared by server and generator"
    )
    print(
        f"\n{args.phones} phones in {args.rooms} room(s); {args.votes_per_s:g} votes/s + "
        f"{args.ideas_per_s:g} ideas/s for {args.duration:g} s; joins over "
        f"{args.join_seconds:g} s; {database}; loopback, {cores}"
    )
    header = (
        "target",
        "votes/s",
        "screen p50/p95/p99 ms",
        "ack p50/p95/p99 ms",
        "lost",
        "dup",
        "by sync",
        "server CPU %",
        "RSS MB",
        "join p95 ms",
        "gen CPU %",
    )
    lines = [header]
    for row in rows:
        lines.append(
            (
                row["target"],
                cell(row["votes_acked_per_s"], 1),
                "/".join(cell(_ms(row[f"p{q}_ms"])) for q in (50, 95, 99)),
                "/".join(cell(_ms(row[f"ack_p{q}_ms"])) for q in (50, 95, 99)),
                cell(row["lost"]),
                cell(row["duplicated"]),
                cell(row["by_sync"] + row["by_snapshot"]),
                cell(row["server_cpu_pct"]),
                cell(row["rss_mb"]),
                cell(_ms(row["join_p95_ms"])),
                cell(row["generator_cpu_pct"]),
            )
        )
    widths = [max(len(str(line[n])) for line in lines) for n in range(len(header))]
    for n, line in enumerate(lines):
        print("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    main = rows[0]
    others = [
        all_ - loop for all_, loop in zip(main["server_cpu_pct"], main["loop_cpu_pct"], strict=True)
    ]
    messages = main["counts"].get("batches_received", 0)
    notes = [
        f"rooms voting {main['rooms_voting']}, proposing {main['rooms_proposing']}; "
        f"ideas acked {main['ideas_acked_per_s']:.1f}/s; screen samples {main['screen_samples']}; "
        f"messages to phones {main['messages_per_s']:.0f}/s, "
        f"{main['screen_samples'] / max(1, messages):.1f} of the actions' events in each",
        f"generator: loop lag p99 {cell(_ms(main['loop_lag_p99_ms']))} ms, "
        f"sends skipped (no idle phone) {main['skipped']}, late {main['late_sends']}",
        f"Cocreate: join HTTP p95 {cell(_ms(main['join_http_p95_ms']))} ms, join failures "
        f"{main['join_failures']}, peak RSS {cell(main['peak_rss_mb'])} MB, "
        f"errors {main['errors'] or 'none'}, server log errors {main['server_errors']}",
        f"CPU (% of one core): the server's event loop thread {cell(main['loop_cpu_pct'])}, "
        f"its other threads {cell(others)}"
        + (f", PostgreSQL {main['database_cpu_pct']:.0f}" if main["database_cpu_pct"] else ""),
        f"counts: {main['counts']}",
    ]
    if main.get("restart_back") is not None:
        notes.append(
            f"restart: answering again after {main['restart_answering_s']:.1f} s; "
            f"{main['restart_back']} of {args.phones - main['join_failures']} phones back and "
            f"resynced, the last after {cell(main['restart_s'], 1)} s "
            f"(p95 {cell(main['restart_p95_s'], 1)} s)"
        )
    print("\n".join(notes), flush=True)


if __name__ == "__main__":
    main()
