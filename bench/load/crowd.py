"""The phones of a plenary and what they measure, on one asyncio loop.

A `Phone` joins over HTTP (`POST /api/join`: its cookie is its identity), connects the
`/participant` namespace over WebSocket, sends `sync` first, and follows its room by
sequence numbers as docs/protocol.md (section 3) says: skip what it has seen, apply in
order, and on a gap wait 1 s for the missing events, then `sync` since its last `seq`.
Like the reference client it keeps the batches that come while a `sync` is on its way
(a room's events can reach a phone before the answer to its first `sync`) and goes
through them once the answer is in.
It sends one action at a time, each with a fresh UUID, and resends the same id after a
`rate_limited` ack or no answer. When its connection ends it reconnects with
socket.io-client's back-off and syncs since its last `seq`.

The `Recorder` is shared by every phone. It times
- each action from its send to its ack;
- each action from its send to its event's arrival at every *other* phone of the room.
  The first arrival of a room's `seq` anywhere names the action behind it: an
  `idea_posted` by the idea's text (unique per action), a `votes_changed` by room and
  idea, oldest unmatched vote first (`ambiguous` counts matches made while several votes
  on that idea were on the way; the scheduler avoids them);
- every (phone, seq) delivery: live once (good), live twice (`duplicated`), missed live
  and recovered by a `sync` answer (`by_sync`) or covered by a snapshot (`by_snapshot`),
  or never received after the final sync (`lost`).
"""

import asyncio
import contextlib
import random
import time
import uuid
from array import array
from collections import Counter, defaultdict, deque

import aiohttp

from bench.load.wire import Connection, Refused

ACK_TIMEOUT_S = 10.0
GAP_WAIT_S = 1.0
#: socket.io-client's reconnection: 1 s doubling to 5 s, randomised by half.
RECONNECT_BASE_S, RECONNECT_MAX_S = 1.0, 5.0
RETRYABLE = frozenset({"rate_limited", "server_error"})
#: A delivery's state per (phone, seq).
UNSEEN, LIVE, BY_SYNC, BY_SNAPSHOT, BEFORE = 0, 1, 2, 3, 4


def percentile(values, share: float) -> float | None:
    """The nearest-rank percentile of `values` (None when there are none)."""
    if not len(values):
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Recorder:
    """What every phone measured, and the map from a room's events to the actions behind them."""

    def __init__(self) -> None:
        self.ack_ms = array("d")
        self.screen_ms = array("d")
        self.join_ms = array("d")  # HTTP join → first snapshot
        self.join_http_ms = array("d")
        self.counts: Counter = Counter()
        self.errors: Counter = Counter()
        #: (room, seq) → (send time, sender index) or None (an event no action of ours made)
        self.origin: dict[tuple[int, int], tuple[float, int] | None] = {}
        #: ("vote", room, idea) or ("idea", text) → deque of (send time, sender index)
        self.waiting: dict[tuple, deque] = defaultdict(deque)
        self.measuring = False  # only the steady phase's latencies count
        self.room_ideas: dict[int, list[int]] = defaultdict(list)

    def expect(self, key: tuple, sent: float, sender: int) -> tuple:
        """An action was sent whose event will carry `key`; returns the entry to forget."""
        entry = (sent, sender)
        queue = self.waiting[key]
        if queue:
            self.counts["ambiguous"] += 1
        queue.append(entry)
        return entry

    def forget(self, key: tuple, entry: tuple) -> None:
        """The action was refused: no event will come for it."""
        with contextlib.suppress(ValueError):
            self.waiting[key].remove(entry)

    def arrived(self, room: int, event: dict, receiver: int, now: float) -> None:
        """One phone received one event for the first time (live or by sync)."""
        where = (room, event["seq"])
        if where not in self.origin:
            self.origin[where] = self._origin_of(room, event)
        origin = self.origin[where]
        if origin is not None and origin[1] != receiver and self.measuring:
            self.screen_ms.append((now - origin[0]) * 1000)

    def _origin_of(self, room: int, event: dict) -> tuple[float, int] | None:
        kind, data = event["type"], event["data"]
        if kind == "votes_changed":
            key = ("vote", room, data["idea_id"])
        elif kind == "idea_posted":
            idea = data["idea"]
            if idea["id"] not in self.room_ideas[room]:
                self.room_ideas[room].append(idea["id"])
            key = ("idea", idea["text"])
        else:
            return None
        queue = self.waiting.get(key)
        if not queue:
            self.counts["unmatched_events"] += 1
            return None
        return queue.popleft()


class Phone:
    """One device: joins, follows its room, acts when the scheduler tells it to."""

    def __init__(self, index: int, base: str, code: str, recorder: Recorder, seed: int):
        self.index = index
        self.base = base
        self.code = code
        self.rec = recorder
        self.rng = random.Random(seed)
        self.cookie = ""
        self.conn: Connection | None = None
        self.room: int | None = None
        self.start_seq = 0  # the seq of the first snapshot of this room: expected after it
        self.last = 0  # the last seq applied, in order
        self.early: dict[int, dict] = {}
        self.seen = bytearray()
        self.gap_timer: asyncio.TimerHandle | None = None
        self.syncing = False
        #: Batches of a room not followed yet that came while a sync was on its way: the
        #: answer may name that room, and its events after the answer's seq then count.
        self.held: list[tuple[dict, float]] = []
        self.busy = False  # an action of this phone is on the way
        self.last_send = 0.0
        self.given: int | None = None  # the idea this phone has its dot on
        self.stopping = False
        self.resynced_at: float | None = None  # after a reconnect: when its sync was answered
        self.keeper: asyncio.Task | None = None

    # ---- joining --------------------------------------------------------------------

    async def join(self, session: aiohttp.ClientSession) -> None:
        """Join over HTTP, connect, sync: the join storm's one phone (times recorded)."""
        started = time.perf_counter()
        async with session.post(
            f"{self.base}/api/join", json={"code": self.code, "name": f"P{self.index}"}
        ) as answer:
            body = await answer.json()
            if answer.status != 200 or not body.get("ok"):
                raise RuntimeError(f"join refused ({answer.status}): {body}")
            self.cookie = f"session={answer.cookies['session'].value}"
        joined = time.perf_counter()
        await self.connect(session)
        ack = await self.sync()
        if ack is None or not ack.get("ok"):
            raise RuntimeError(f"the first sync failed: {ack}")
        done = time.perf_counter()
        self.rec.join_http_ms.append((joined - started) * 1000)
        self.rec.join_ms.append((done - started) * 1000)

    async def connect(self, session: aiohttp.ClientSession) -> None:
        conn = Connection(self._on_event)
        await conn.open(session, self.base, self.cookie, {"workshop": self.code}, ACK_TIMEOUT_S)
        self.conn = conn

    def keep_connected(self, session: aiohttp.ClientSession) -> None:
        """From now on, reconnect when the connection ends (as socket.io-client does)."""
        self.keeper = asyncio.get_running_loop().create_task(self._keep(session))

    async def _keep(self, session: aiohttp.ClientSession) -> None:
        while not self.stopping:
            await self.conn.closed.wait()
            if self.stopping:
                return
            self.rec.counts["disconnects"] += 1
            attempt = 0
            while not self.stopping:
                attempt += 1
                delay = min(RECONNECT_MAX_S, RECONNECT_BASE_S * 2 ** (attempt - 1))
                await asyncio.sleep(delay * (0.5 + self.rng.random()))
                try:
                    await self.connect(session)
                except (Refused, OSError, TimeoutError, aiohttp.ClientError):
                    self.rec.counts["reconnect_failures"] += 1
                    continue
                ack = await self.sync()
                if ack is not None and ack.get("ok"):
                    self.resynced_at = time.perf_counter()
                    self.rec.counts["reconnects"] += 1
                    break
                await self.conn.close()

    async def stop(self) -> None:
        self.stopping = True
        if self.keeper is not None:
            self.keeper.cancel()
        if self.conn is not None:
            await self.conn.close()

    # ---- following the room ---------------------------------------------------------

    async def sync(self) -> dict | None:
        """`sync` since the last seq (a snapshot the first time), retried while retryable."""
        for attempt in range(5):
            payload = {} if self.room is None else {"room_id": self.room, "since": self.last}
            self.syncing = True
            try:
                ack = await self.conn.call("sync", payload, ACK_TIMEOUT_S)
            finally:
                self.syncing = False
            held, self.held = self.held, []
            if ack is not None and ack.get("ok"):
                self._synced(ack, time.perf_counter())
                for batch, arrived in held:  # as the reference client replays them
                    self._on_batch(batch, arrived)
                return ack
            code = (ack or {}).get("error", {}).get("code", "no_answer")
            self.rec.errors[f"sync {code}"] += 1
            if ack is not None and code not in RETRYABLE:
                return ack
            if self.conn.closed.is_set():
                return None
            await asyncio.sleep(_wait(ack, attempt, self.rng))
        return None

    def _synced(self, ack: dict, now: float) -> None:
        self.rec.counts["syncs"] += 1
        if "snapshot" in ack:
            snapshot = ack["snapshot"]
            seq = snapshot["room"]["seq"]
            room = snapshot["room"]["id"]
            if room != self.room:  # the first snapshot, or a move: a new room to follow
                self.room, self.start_seq, self.seen = room, seq, bytearray()
                for idea in snapshot.get("ideas", []):
                    if idea["id"] not in self.rec.room_ideas[room]:
                        self.rec.room_ideas[room].append(idea["id"])
            else:
                self.rec.counts["snapshot_syncs"] += 1
                for s in range(self.last + 1, seq + 1):
                    if self._state(s) == UNSEEN:
                        self._mark(s, BY_SNAPSHOT)
            self.last = seq
        else:
            for event in ack["events"]:
                if self._state(event["seq"]) == UNSEEN:
                    self._mark(event["seq"], BY_SYNC)
                    self.rec.arrived(self.room, event, self.index, now)
                self.last = max(self.last, event["seq"])
        self._advance()

    def _on_event(self, name: str, data) -> None:
        if name == "events":
            if self.rec.measuring:
                self.rec.counts["batches_received"] += 1
            self._on_batch(data)
        elif name == "moved":
            asyncio.get_running_loop().create_task(self.sync())

    def _on_batch(self, batch: dict, now: float | None = None) -> None:
        now = time.perf_counter() if now is None else now
        if self.room is None or batch["room_id"] != self.room:
            if self.syncing:  # perhaps the room the answer names (the first, or a move)
                self.held.append((batch, now))
            return
        for event in batch["events"]:
            seq = event["seq"]
            state = self._state(seq)
            if state == BEFORE:
                continue
            if state == LIVE:
                self.rec.counts["duplicated"] += 1
                continue
            if state == UNSEEN:
                self._mark(seq, LIVE)
                self.rec.arrived(self.room, event, self.index, now)
            else:
                self.rec.counts["overlap_with_sync"] += 1  # allowed by the protocol
            if seq > self.last:
                self.early[seq] = event
        if not self.syncing:
            self._advance()

    def _advance(self) -> None:
        while self.last + 1 in self.early:
            self.early.pop(self.last + 1)
            self.last += 1
        for seq in [s for s in self.early if s <= self.last]:
            del self.early[seq]
        if not self.early:
            if self.gap_timer is not None:
                self.gap_timer.cancel()
                self.gap_timer = None
        elif self.gap_timer is None:
            self.rec.counts["gaps"] += 1
            self.gap_timer = asyncio.get_running_loop().call_later(GAP_WAIT_S, self._gap_due)

    def _gap_due(self) -> None:
        self.gap_timer = None
        if self.early and not self.stopping:
            self.rec.counts["gap_syncs"] += 1
            asyncio.get_running_loop().create_task(self.sync())

    def _state(self, seq: int) -> int:
        offset = seq - self.start_seq
        if offset <= 0:
            return BEFORE  # before this phone followed the room: not expected, not counted
        return self.seen[offset] if offset < len(self.seen) else UNSEEN

    def _mark(self, seq: int, state: int) -> None:
        offset = seq - self.start_seq
        if offset >= len(self.seen):
            self.seen.extend(bytes(offset + 64 - len(self.seen)))
        self.seen[offset] = state

    def deliveries(self, room_last: int) -> Counter:
        """How each expected event of the room reached this phone (after the final sync)."""
        tally = Counter()
        for seq in range(self.start_seq + 1, room_last + 1):
            tally[self._state(seq)] += 1
        return tally

    # ---- acting ---------------------------------------------------------------------

    def idle(self, now: float, spacing: float) -> bool:
        """Free to act without going over the connection's rate limit."""
        return not self.busy and now - self.last_send >= spacing and self.room is not None

    def take(self) -> None:
        """Be busy from the moment the scheduler chooses this phone: the task of its action
        starts later, and a scheduler running late fires several actions before any task
        runs. Two actions of one phone at once would both start from the same dot given
        (two take-backs of one dot: a `conflict` the server rightly answers)."""
        self.busy = True

    async def vote(self) -> None:
        """Give a dot (on an idea nobody is voting on just now), or take back the one given.
        Call on a phone that was idle, after `take`."""
        ideas = self.rec.room_ideas[self.room]
        if self.given is not None:
            idea, delta = self.given, -1
        else:
            candidates = [i for i in ideas if not self.rec.waiting.get(("vote", self.room, i))]
            idea, delta = self.rng.choice(candidates or ideas), 1
        ack = await self._act("vote", {"idea_id": idea, "delta": delta}, ("vote", self.room, idea))
        if ack is not None and ack.get("ok"):
            self.given = idea if ack["mine"] else None

    async def post_idea(self, text: str) -> dict | None:
        return await self._act("post_idea", {"text": text}, ("idea", text))

    async def _act(self, event: str, fields: dict, key: tuple) -> dict | None:
        self.busy = True
        payload = {**fields, "id": str(uuid.uuid4())}
        first = time.perf_counter()
        entry = self.rec.expect(key, first, self.index)
        try:
            for attempt in range(5):
                sent = time.perf_counter()
                self.last_send = sent
                ack = await self.conn.call(event, payload, ACK_TIMEOUT_S)
                if ack is not None:
                    if self.rec.measuring:
                        self.rec.ack_ms.append((time.perf_counter() - sent) * 1000)
                    if ack.get("ok"):
                        self.rec.counts[f"{event} ok"] += 1
                        return ack
                code = (ack or {}).get("error", {}).get("code", "no_answer")
                self.rec.errors[f"{event} {code}"] += 1
                if ack is not None and code not in RETRYABLE:
                    self.rec.forget(key, entry)
                    return ack
                await asyncio.sleep(_wait(ack, attempt, self.rng))
                if self.conn.closed.is_set():
                    await asyncio.sleep(RECONNECT_MAX_S)
            return None
        finally:
            self.busy = False


def _wait(ack: dict | None, attempt: int, rng: random.Random) -> float:
    """A rate_limited ack's retry_after, else exponential back-off from 0.5 s (protocol §2)."""
    after = (ack or {}).get("error", {}).get("retry_after")
    if isinstance(after, int | float):
        return float(after) + rng.random() * 0.1
    ceiling = min(10.0, 0.5 * 2**attempt)
    return ceiling / 2 + rng.random() * ceiling / 2
