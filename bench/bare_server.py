"""The framework's floor: python-socketio with no app behind it, on gevent or eventlet
(SOCKETIO_ASYNC_MODE, as Cocreate's wsgi.py; gevent unless told).

bench/plenary.py runs the same load against this server as against Cocreate. It speaks
the part of docs/protocol.md the load uses, and does nothing else: `POST /api/join`
gives a cookie and places the phone in a room at random; the `/participant` namespace
connects by that cookie; `sync` answers the room's events since a `seq` (kept in memory)
or a snapshot of the room's ideas; `vote` and `post_idea` record one event in the room's
log and ack. Events go to the room at once, one message each (`--batch 0`), or gathered
per room and sent every `--batch` seconds as Cocreate's broadcaster does. No database, no
validation, no authorization: whatever Cocreate spends beyond this is its own.

    .venv/bin/python bench/bare_server.py --port 5001 --rooms 10 --batch 0
"""

import os

ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE") or "gevent"
if ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
else:
    import eventlet

    eventlet.monkey_patch()

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
from collections import defaultdict  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from http.cookies import SimpleCookie  # noqa: E402

import socketio  # noqa: E402

NS = "/participant"
SYNC_EVENTS_MAX = 500


def now() -> str:
    return datetime.now(UTC).isoformat()


class Floor:
    """The rooms' logs and tallies, and the handlers that change them."""

    def __init__(self, rooms: int, batch: float):
        self.sio = socketio.Server(async_mode=ASYNC_MODE, ping_interval=10, ping_timeout=10)
        self.rooms = list(range(1, rooms + 1))
        self.batch = batch
        self.rng = random.Random(1)
        self.people = itertools.count(1)
        self.idea_ids = itertools.count(1)
        self.room_of: dict[int, int] = {}  # participant → room
        self.heads: dict[int, int] = dict.fromkeys(self.rooms, 0)
        self.log: dict[int, list[dict]] = {room: [] for room in self.rooms}
        self.ideas: dict[int, dict[int, dict]] = {room: {} for room in self.rooms}
        self.dots: dict[tuple[int, int], int] = defaultdict(int)  # (participant, idea)
        self.pending: dict[int, list[dict]] = defaultdict(list)
        self.connections: dict[str, int] = {}  # sid → participant
        self.sio.on("connect", self.on_connect, namespace=NS)
        self.sio.on("disconnect", self.on_disconnect, namespace=NS)
        self.sio.on("sync", self.on_sync, namespace=NS)
        self.sio.on("vote", self.on_vote, namespace=NS)
        self.sio.on("post_idea", self.on_post_idea, namespace=NS)
        if batch > 0:
            self.sio.start_background_task(self.flush_forever)

    # ---- HTTP ---------------------------------------------------------------------------

    def http(self, environ, start_response):
        if environ["PATH_INFO"] == "/api/join" and environ["REQUEST_METHOD"] == "POST":
            person = next(self.people)
            # Balanced as Cocreate's random placement: the emptiest room, ties at random.
            fewest = min(self.heads.values())
            room = self.rng.choice([r for r, n in self.heads.items() if n == fewest])
            self.heads[room] += 1
            self.room_of[person] = room
            body = json.dumps({"ok": True, "participant_id": person, "returning": False})
            start_response(
                "200 OK",
                [
                    ("Content-Type", "application/json"),
                    ("Set-Cookie", f"session={person}; Path=/; HttpOnly"),
                ],
            )
            return [body.encode()]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"bare python-socketio server\n"]

    # ---- the namespace ------------------------------------------------------------------

    def on_connect(self, sid, environ, auth):
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        try:
            person = int(cookie["session"].value)
        except (KeyError, ValueError):
            raise socketio.exceptions.ConnectionRefusedError("not_joined") from None
        if person not in self.room_of:
            raise socketio.exceptions.ConnectionRefusedError("not_joined")
        self.connections[sid] = person
        self.sio.enter_room(sid, f"room:{self.room_of[person]}", namespace=NS)

    def on_disconnect(self, sid, *reason):
        self.connections.pop(sid, None)

    def on_sync(self, sid, data):
        room = self.room_of[self.connections[sid]]
        log = self.log[room]
        since = data.get("since") if isinstance(data, dict) else None
        if (
            isinstance(since, int)
            and data.get("room_id") == room
            and 0 <= since <= len(log)
            and len(log) - since <= SYNC_EVENTS_MAX
        ):
            return {"ok": True, "room_id": room, "events": log[since:], "me": {}, "now": now()}
        snapshot = {
            "room": {"id": room, "seq": len(log), "phase": "vote"},
            "ideas": list(self.ideas[room].values()),
            "now": now(),
        }
        return {"ok": True, "room_id": room, "snapshot": snapshot}

    def on_vote(self, sid, data):
        person = self.connections[sid]
        room = self.room_of[person]
        idea = self.ideas[room].get(data.get("idea_id"))
        if idea is None:
            return {"ok": False, "error": {"code": "not_found", "message": "No such idea."}}
        delta = 1 if data.get("delta") == 1 else -1
        if self.dots[(person, idea["id"])] + delta < 0:
            return {"ok": False, "error": {"code": "conflict", "message": "No dot to take back."}}
        self.dots[(person, idea["id"])] += delta
        idea["tally"]["dots"] += delta
        self.record(room, "votes_changed", {"idea_id": idea["id"], "tally": dict(idea["tally"])})
        mine = self.dots[(person, idea["id"])]
        return {"ok": True, "idea_id": idea["id"], "mine": mine, "dots_left": 5 - mine}

    def on_post_idea(self, sid, data):
        person = self.connections[sid]
        room = self.room_of[person]
        idea = {
            "id": next(self.idea_ids),
            "room_id": room,
            "text": str(data.get("text", "")),
            "details": "",
            "author": None,
            "tally": {"dots": 0},
        }
        self.ideas[room][idea["id"]] = idea
        self.record(room, "idea_posted", {"idea": dict(idea)})
        return {"ok": True, "idea": idea}

    # ---- fan-out --------------------------------------------------------------------------

    def record(self, room: int, kind: str, data: dict) -> None:
        event = {"room_id": room, "seq": len(self.log[room]) + 1, "type": kind, "data": data}
        self.log[room].append(event)
        if self.batch > 0:
            self.pending[room].append(event)
        else:
            self.send(room, [event])

    def send(self, room: int, events: list[dict]) -> None:
        batch = {"room_id": room, "events": events, "now": now()}
        self.sio.emit("events", batch, to=f"room:{room}", namespace=NS)

    def flush_forever(self) -> None:
        while True:
            self.sio.sleep(self.batch)
            pending, self.pending = self.pending, defaultdict(list)
            for room, events in pending.items():
                self.send(room, events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--batch", type=float, default=0.0, help="seconds between batches")
    args = parser.parse_args()
    floor = Floor(args.rooms, args.batch)
    app = socketio.WSGIApp(floor.sio, floor.http)
    if ASYNC_MODE == "gevent":
        from gevent import pywsgi
        from geventwebsocket.handler import WebSocketHandler

        pywsgi.WSGIServer(
            ("127.0.0.1", args.port), app, handler_class=WebSocketHandler, log=None
        ).serve_forever()
    else:
        import eventlet.wsgi

        eventlet.wsgi.server(
            eventlet.listen(("127.0.0.1", args.port)),
            app,
            max_size=10000,
            log_output=False,
            debug=False,
        )


if __name__ == "__main__":
    main()
