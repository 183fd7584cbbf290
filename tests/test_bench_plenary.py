"""The plenary load generator (bench/plenary.py), small: it runs, and it counts right.

A real Cocreate server and the bare python-socketio server, 20 phones in 2 rooms for a
few seconds, a SIGKILL and restart: the last line is the JSON the docs describe, no
delivery is lost or duplicated and every phone comes back. Times are printed by the
benchmark, never asserted here. The phones' bookkeeping is checked on its own with
batches made up to have a duplicate and a gap.
"""

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest

from bench.load import servers
from bench.load.crowd import BY_SYNC, LIVE, UNSEEN, Phone, Recorder
from tests.support import ROOT

KEYS = {
    "phones",
    "rooms",
    "votes_per_s",
    "p95_ms",
    "p99_ms",
    "ack_p95_ms",
    "lost",
    "duplicated",
    "rss_mb",
    "bare_p95_ms",
    "join_p95_ms",
}


def test_a_small_run_prints_its_figures_and_loses_nothing():
    done = subprocess.run(
        [
            sys.executable,
            "bench/plenary.py",
            *("--phones", "20", "--rooms", "2", "--duration", "5", "--join-seconds", "2"),
            *("--votes-per-s", "10", "--ideas-per-s", "1", "--restart"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures.keys() >= KEYS
    assert (figures["phones"], figures["rooms"]) == (20, 2)
    assert figures["join_failures"] == 0
    assert figures["votes_acked_per_s"] > 0 and figures["ideas_acked_per_s"] > 0
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["messages_per_s"] > 0  # the room batches the phones received
    assert figures["bare_lost"] == 0 and figures["bare_duplicated"] == 0
    assert figures["errors"] == {} and figures["server_errors"] == 0
    assert figures["restart_back"] == 20
    for key in ("p95_ms", "p99_ms", "ack_p95_ms", "bare_p95_ms", "join_p95_ms", "rss_mb"):
        assert isinstance(figures[key], int), key  # measured, whatever the value
    # The event loop's thread is part of the server process: its CPU is within the process's.
    (loop,), (process,) = figures["loop_cpu_pct"], figures["server_cpu_pct"]
    assert isinstance(loop, int) and loop <= process + 1
    assert figures["database_cpu_pct"] is None  # SQLite: no database process to watch
    assert any(line.startswith("Cocreate, SQLite") for line in lines)  # the table's row


def test_a_phone_counts_duplicates_gaps_and_what_sync_recovered():
    async def scene() -> tuple[Phone, Recorder]:
        recorder = Recorder()
        phone = Phone(0, "http://127.0.0.1:1", "CODE", recorder, seed=0)
        phone._synced({"ok": True, "snapshot": {"room": {"id": 5, "seq": 10}, "ideas": []}}, 0.0)

        def batch(*seqs):
            events = [{"room_id": 5, "seq": s, "type": "notice", "data": {}} for s in seqs]
            return {"room_id": 5, "events": events}

        phone._on_event("events", batch(11, 12))
        phone._on_event("events", batch(12))  # the same seq again: a duplicate
        phone._on_event("events", batch(14))  # 13 is missing: a gap
        phone._on_event("events", {"room_id": 6, "events": [{"seq": 99}]})  # another room
        assert phone.gap_timer is not None
        missed = {"room_id": 5, "seq": 13, "type": "notice", "data": {}}
        phone._synced({"ok": True, "room_id": 5, "events": [missed], "me": {}}, 0.0)
        assert phone.gap_timer is None  # the sync filled it
        return phone, recorder

    phone, recorder = asyncio.run(scene())
    assert recorder.counts["duplicated"] == 1
    assert recorder.counts["gaps"] == 1
    assert phone.last == 14
    assert phone.deliveries(15) == {LIVE: 3, BY_SYNC: 1, UNSEEN: 1}


def test_a_phone_keeps_the_batches_that_come_before_its_first_sync_is_answered():
    """The room's events can reach a phone before the answer to its first sync; like the
    reference client, it goes through them once the answer is in: no gap, no resync."""

    def batch(*seqs):
        events = [{"room_id": 5, "seq": s, "type": "notice", "data": {}} for s in seqs]
        return {"room_id": 5, "events": events}

    class Answering:
        """A connection whose sync answer comes after two batches of the room."""

        closed = asyncio.Event()

        async def call(self, name, payload, timeout):
            phone._on_event("events", batch(10))  # in the snapshot already
            phone._on_event("events", batch(11, 12))  # committed after its read
            return {"ok": True, "snapshot": {"room": {"id": 5, "seq": 10}, "ideas": []}}

    async def scene() -> Recorder:
        recorder = Recorder()
        nonlocal phone
        phone = Phone(0, "http://127.0.0.1:1", "CODE", recorder, seed=0)
        phone.conn = Answering()
        await phone.sync()
        return recorder

    phone = None
    recorder = asyncio.run(scene())
    assert (phone.room, phone.start_seq, phone.last) == (5, 10, 12)
    assert phone.gap_timer is None and recorder.counts["gaps"] == 0
    assert phone.deliveries(12) == {LIVE: 2}


def test_a_phone_the_scheduler_took_is_not_chosen_again_before_its_vote_is_answered():
    """A late scheduler fires several actions before any of their tasks runs: a phone is
    busy from the moment it is chosen, or two take-backs of one dot go out together."""
    answers = []

    class Answering:
        closed = asyncio.Event()

        async def call(self, name, payload, timeout):
            answers.append(payload)
            return {"ok": True, "idea_id": payload["idea_id"], "mine": 1, "dots_left": 4}

    async def scene() -> Phone:
        phone = Phone(0, "http://127.0.0.1:1", "CODE", Recorder(), seed=0)
        phone.conn = Answering()
        phone._synced(
            {"ok": True, "snapshot": {"room": {"id": 5, "seq": 1}, "ideas": [{"id": 7}]}}, 0.0
        )
        assert phone.idle(now=10.0, spacing=0.25)
        phone.take()
        assert not phone.idle(now=10.0, spacing=0.25)  # chosen: not a candidate any more
        await phone.vote()
        return phone

    phone = asyncio.run(scene())
    assert [a["delta"] for a in answers] == [1] and phone.given == 7
    assert phone.idle(now=time.perf_counter() + 1, spacing=0.25)  # answered: free again


CHILD_WITH_A_THREAD = """
import threading, time
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
print("ready", flush=True)
time.sleep(60)
"""


def test_pinning_gives_a_servers_loop_a_core_and_everything_else_the_others():
    cores = sorted(os.sched_getaffinity(0))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_WITH_A_THREAD], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        if len(cores) < 2:  # one core: nothing left for the rest, and pinning says so
            with pytest.raises(SystemExit):
                servers.Pinning([child.pid])
            return
        threads = {int(t) for t in os.listdir(f"/proc/{child.pid}/task")}
        (other,) = threads - {child.pid}
        with servers.Pinning([child.pid]) as pinning:
            assert os.sched_getaffinity(child.pid) == {cores[-1]}  # the loop's thread
            assert os.sched_getaffinity(other) == set(cores[:-1])
            assert os.sched_getaffinity(0) == set(cores[:-1])  # the generator
            assert "event loop on core" in pinning.describe()
        assert os.sched_getaffinity(child.pid) == set(cores)
        assert os.sched_getaffinity(other) == set(cores)
        assert os.sched_getaffinity(0) == set(cores)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def test_pinning_needs_a_core_left_for_everything_else():
    with pytest.raises(SystemExit, match="more cores than server processes"):
        servers.Pinning(list(range(len(os.sched_getaffinity(0)))))
