"""What reaches the namespaces at all: every client packet is an ordinary event.

Two things python-socketio does not guard against, fixed here once for every namespace:

- A packet whose JSON cannot be decoded (nested a thousand deep, an integer literal
  longer than Python converts) raised inside the packet decoder, before any handler,
  so the client waited for an ack that never came. The decoder below reads it as the
  event MALFORMED, which the gate answers with `bad_request` under the packet's ack id.
- A long-polling POST bigger than the transport's limit was never answered: engine.io
  refuses it and then waits, on the same request, for a poll that would carry the
  connection's close. `refuse_oversized_polls` answers it 413 before engine.io sees it.
- A client may send an event named "connect" or "disconnect". python-socketio hands it
  to the same handler as the real connection events, so ["disconnect", null] cleared a
  live connection's rate limit and its place in the removal sweep. Client events with
  a reserved name are renamed so that they reach no connection handler: the namespace
  answers them as unknown events.
"""

import json

from socketio import Server
from socketio.packet import EVENT, Packet

from cocreate.sockets.gate import MALFORMED

#: Event names only the server itself may raise.
RESERVED = frozenset({"connect", "disconnect", "connect_error", "message"})


class LenientJSON:
    """The JSON codec of Socket.IO packets: undecodable text becomes the MALFORMED event."""

    @staticmethod
    def dumps(*args, **kwargs) -> str:
        """Encode as the standard library does."""
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(text, *args, **kwargs):
        """Decode, or return [MALFORMED] when the text is not JSON Python can hold."""
        try:
            return json.loads(text, *args, **kwargs)
        except (ValueError, RecursionError):
            return [MALFORMED]


class GuardedPacket(Packet):
    """Socket.IO packets decoded with LenientJSON (engine.io's own packets are untouched)."""

    json = LenientJSON

    def decode(self, encoded_packet):
        """Decode; a packet that is not Socket.IO at all becomes an unanswerable MALFORMED
        event (it names no ack id) instead of a logged traceback per packet."""
        try:
            return super().decode(encoded_packet)
        except ValueError:
            self.packet_type, self.namespace, self.id, self.data = EVENT, None, None, [MALFORMED]
            return 0


def refuse_oversized_polls(wsgi_app, limit: int):
    """Wrap the WSGI app: a Socket.IO long-polling POST over `limit` bytes gets a 413."""

    def guarded(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith(
            "/socket.io"
        ):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = limit + 1
            if length > limit:
                start_response(
                    "413 Content Too Large",
                    [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")],
                )
                return [b"This request is too large."]
        return wsgi_app(environ, start_response)

    return guarded


def guard(server: Server) -> None:
    """Make this Socket.IO server answer every client event through the namespaces."""
    server.packet_class = GuardedPacket
    handle_event = server._handle_event

    def handle_client_event(eio_sid, namespace, id, data):
        if not (isinstance(data, list) and data and isinstance(data[0], str)):
            data = [MALFORMED]
        elif data[0] in RESERVED:
            data = [f"\x00reserved:{data[0]}", *data[1:]]  # no on_<name> matches it
        return handle_event(eio_sid, namespace, id, data)

    server._handle_event = handle_client_event
