"""Fan-out of committed room events to the connections in each room.

Adaptive coalescing, per room: an event of a quiet room goes out at once (on a task of
its own, so the action's ack does not wait for the fan-out), and starts the room's *gap*;
what the room commits during the gap is gathered and sent as one `events` message when
the gap ends. So a quiet room's screens follow each click without delay, and a busy room
costs each phone at most one message per gap, however fast its people vote. The gap
grows with the room's connections in this process (GAP_PER_CONNECTION each: a send to
1,000 phones costs more of the loop than one to 50) and with the process's load (LAG_FACTOR
times how late scheduled sends start: a saturated loop sends fewer, larger batches, which
costs it less, so it catches up), from MIN_GAP, and never exceeds COCREATE_EMIT_INTERVAL,
the longest any event waits (0.5 s by default; reached only under saturation). Batches keep
sequence order; a client that sees a gap in the sequence asks for the missing events.
With an interval of 0 (the tests), events go out at once, in the caller.

A participant whose room changed is told (`moved`), but a client may ignore that, so the
server moves the connections itself: after commit, before the events go out, this
process moves its own connections of those participants (`on_room_change`); the other
processes find out within a second on their clock (sockets/participant.follow_rooms).
"""

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from cocreate.extensions import socketio

log = logging.getLogger(__name__)

PARTICIPANT_NS = "/participant"
MODERATOR_NS = "/moderator"


def room_channel(room_id: int) -> str:
    """Name the Socket.IO room of a workshop room's participants."""
    return f"room:{room_id}"


def workshop_channel(workshop_id: int) -> str:
    """Name the Socket.IO room of a workshop's moderators."""
    return f"workshop:{workshop_id}"


def participant_channel(participant_id: int) -> str:
    """Name the Socket.IO room of one participant's connections (tabs, devices)."""
    return f"participant:{participant_id}"


def _participant_of(channel: str) -> int:
    """The participant id of a participant_channel name."""
    return int(channel.removeprefix("participant:"))


#: Called after commit with the ids of the participants an action moved to another room.
_room_changes: list[Callable[[list[int]], object]] = []


def on_room_change(callback: Callable[[list[int]], object]) -> Callable[[list[int]], object]:
    """Register what to do with this process's connections of participants who moved
    (the participant namespace registers its follow_rooms)."""
    _room_changes.append(callback)
    return callback


#: Called after commit with every batch of committed events (what `publish` gets).
_committed: list[Callable[[list[tuple[int, dict, dict]]], object]] = []


def on_commit(callback: Callable[[list[tuple[int, dict, dict]]], object]) -> Callable:
    """Register a quick, never-raising look at committed events besides sending them
    (theme suggestions embed new ideas' texts ahead of the click)."""
    _committed.append(callback)
    return callback


#: The shortest gap between two batches of one room (at most 50 a second).
MIN_GAP = 0.02
#: How much a room's gap grows for each of its connections in this process.
GAP_PER_CONNECTION = 0.00005
#: A busy process widens every gap to this many times how late its sends start (the
#: loop's lag, smoothed): fewer, larger batches cost less, so a saturated loop catches up.
LAG_FACTOR = 3


class Broadcaster:
    """Collects committed events and sends them in per-room batches (module docstring)."""

    def __init__(self) -> None:
        self.interval = 0.0
        self.min_gap = MIN_GAP
        self.per_connection = GAP_PER_CONNECTION
        #: (workshop id, room id) → [(participants' message, moderators' message)]
        self._pending: dict[tuple[int, int], list[tuple[dict, dict]]] = defaultdict(list)
        self._lock = threading.Lock()
        #: Rooms whose send is scheduled, and when each room's last batch went out.
        self._scheduled: set[tuple[int, int]] = set()
        self._last_sent: dict[tuple[int, int], float] = {}
        #: Bumped by configure: a send scheduled under an older setting does nothing.
        self._generation = 0
        #: How late scheduled sends start, smoothed: the event loop's lag under load.
        self.lag = 0.0

    def configure(
        self, interval: float, min_gap: float = MIN_GAP, per_connection: float = GAP_PER_CONNECTION
    ) -> None:
        """Set the longest an event may wait, in seconds (0 sends at once, in the caller),
        the shortest gap between two batches of a room, and how much the gap grows for
        each of the room's connections in this process.

        Sends scheduled under the old setting do nothing when their time comes; their
        events go out with the room's next batch (or `flush`).
        """
        with self._lock:
            self.interval = interval
            self.min_gap = min(min_gap, interval) if interval > 0 else 0.0
            self.per_connection = per_connection
            self._generation += 1
            self._scheduled.clear()
            self._last_sent.clear()

    def publish(self, messages: list[tuple[int, dict, dict]], notices: list) -> None:
        """Queue committed events (workshop id, participants' and moderators' message) and
        send personal notices. Moved participants' connections change rooms first, so no
        event of their old room sent after this reaches them."""
        moved = [_participant_of(channel) for _ns, channel, name, _d in notices if name == "moved"]
        for callback in _room_changes if moved else ():
            try:
                callback(moved)
            except Exception:  # committed already: the clock puts the connections right
                log.exception("could not move the connections of participants who moved")
        for namespace, channel, name, data in notices:
            socketio.emit(name, data, to=channel, namespace=namespace)
        if not messages:
            return
        now = time.monotonic()
        due: list[tuple[tuple[int, int], float]] = []
        with self._lock:
            for workshop_id, message, for_moderators in messages:
                key = (workshop_id, message["room_id"])
                self._pending[key].append((message, for_moderators))
                if self.interval > 0 and key not in self._scheduled:
                    self._scheduled.add(key)
                    due.append((key, self._wait(key, now)))
            generation = self._generation
        if self.interval <= 0:
            self.flush()
        for key, wait in due:
            socketio.start_background_task(self._send_later, key, wait, generation)

    def _wait(self, key: tuple[int, int], now: float) -> float:
        """How long a room's new events wait: until its gap since the last batch ends."""
        connections = len(
            socketio.server.manager.rooms.get(PARTICIPANT_NS, {}).get(room_channel(key[1]), ())
        )
        gap = min(
            self.interval,
            max(self.min_gap, self.per_connection * connections, LAG_FACTOR * self.lag),
        )
        return max(0.0, self._last_sent.get(key, -gap) + gap - now)

    def _send_later(self, key: tuple[int, int], wait: float, generation: int) -> None:
        due = time.monotonic() + wait
        if wait > 0:
            socketio.sleep(wait)
        late = max(0.0, time.monotonic() - due)
        with self._lock:
            self.lag += 0.2 * (late - self.lag)
            if generation != self._generation:
                return  # configured anew meanwhile (see configure)
            self._scheduled.discard(key)
            pairs = self._pending.pop(key, None)
            self._last_sent[key] = time.monotonic()
        if not pairs:
            return
        try:
            self._send(key, pairs, _now())
        except Exception:  # the next batch goes out anyway; clients resync on the gap
            log.exception("could not send a batch of room events")

    def flush(self) -> int:
        """Send every room's gathered events now; return how many batches went out."""
        with self._lock:
            pending, self._pending = self._pending, defaultdict(list)
            sent = time.monotonic()
            for key in pending:
                self._last_sent[key] = sent
        now = _now()
        for key, pairs in pending.items():
            self._send(key, pairs, now)
        return len(pending)

    def _send(self, key: tuple[int, int], pairs: list[tuple[dict, dict]], now: str) -> None:
        """One room's gathered events as one message to its participants and moderators."""
        workshop_id, room_id = key
        pairs.sort(key=lambda pair: pair[0]["seq"])
        for audience, channel, namespace in (
            (0, room_channel(room_id), PARTICIPANT_NS),
            (1, workshop_channel(workshop_id), MODERATOR_NS),
        ):
            batch = {"room_id": room_id, "events": [p[audience] for p in pairs], "now": now}
            socketio.emit("events", batch, to=channel, namespace=namespace)


def _now() -> str:
    """The server's time for a batch: lets phones count timers on the server's clock."""
    return datetime.now(UTC).isoformat()


broadcaster = Broadcaster()


def publish(messages: list[tuple[int, dict, dict]], notices: list) -> None:
    """Hand committed events to the broadcaster (called by the write path only)."""
    broadcaster.publish(messages, notices)
    for callback in _committed if messages else ():
        try:
            callback(messages)
        except Exception:  # committed and sent already: a side look must not fail the action
            log.exception("an after-commit hook failed")
