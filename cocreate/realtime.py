"""Fan-out of committed room events to the connections in each room.

Events are coalesced per room: a flusher sends what a room gathered every
COCREATE_EMIT_INTERVAL seconds as one `events` message, so a burst of votes
costs each phone a few messages a second, not one per click. Batches keep
sequence order; a client that sees a gap asks for the missing events.
With an interval of 0 (the tests), events go out at once.

A participant whose room changed is told (`moved`), but a client may ignore that, so the
server moves the connections itself: after commit, before the events go out, this
process moves its own connections of those participants (`on_room_change`); the other
processes find out within a second on their clock (sockets/participant.follow_rooms).
"""

import logging
import threading
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


class Broadcaster:
    """Collects committed events and sends them in per-room batches."""

    def __init__(self) -> None:
        self.interval = 0.0
        #: (workshop id, room id) → [(participants' message, moderators' message)]
        self._pending: dict[tuple[int, int], list[tuple[dict, dict]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._flusher_started = False
        #: Bumped by configure: a flusher of an older setting stops instead of flushing.
        self._generation = 0

    def configure(self, interval: float) -> None:
        """Set the batching interval in seconds (0 sends at once).

        A flusher started under the old interval ends when it next wakes, without
        flushing (the next event starts one that keeps the new interval): it would
        otherwise flush on the old schedule, or spin with no pause once the interval is 0.
        """
        with self._lock:
            self.interval = interval
            self._generation += 1
            self._flusher_started = False

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
        with self._lock:
            for workshop_id, message, for_moderators in messages:
                self._pending[(workshop_id, message["room_id"])].append((message, for_moderators))
            start = self.interval > 0 and not self._flusher_started
            if start:
                self._flusher_started = True
            generation = self._generation
        if self.interval <= 0:
            self.flush()
        elif start:
            socketio.start_background_task(self._run, generation)

    def flush(self) -> int:
        """Send every room's gathered events now; return how many batches went out."""
        with self._lock:
            pending, self._pending = self._pending, defaultdict(list)
        now = datetime.now(UTC).isoformat()  # lets phones count timers on the server's clock
        for (workshop_id, room_id), pairs in pending.items():
            pairs.sort(key=lambda pair: pair[0]["seq"])
            for audience, channel, namespace in (
                (0, room_channel(room_id), PARTICIPANT_NS),
                (1, workshop_channel(workshop_id), MODERATOR_NS),
            ):
                batch = {"room_id": room_id, "events": [p[audience] for p in pairs], "now": now}
                socketio.emit("events", batch, to=channel, namespace=namespace)
        return len(pending)

    def _run(self, generation: int) -> None:
        while True:
            socketio.sleep(self.interval)
            if generation != self._generation:
                return  # configured anew meanwhile (see configure)
            try:
                self.flush()
            except Exception:  # keep flushing: one failed emit must not silence the rooms
                log.exception("could not send a batch of room events")


broadcaster = Broadcaster()


def publish(messages: list[tuple[int, dict, dict]], notices: list) -> None:
    """Hand committed events to the broadcaster (called by the write path only)."""
    broadcaster.publish(messages, notices)
    for callback in _committed if messages else ():
        try:
            callback(messages)
        except Exception:  # committed and sent already: a side look must not fail the action
            log.exception("an after-commit hook failed")
