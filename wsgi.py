"""Start Cocreate: `python wsgi.py` (port from $PORT), on gevent's server unless
SOCKETIO_ASYNC_MODE says eventlet (or threading, for development)."""

# The async library must patch the standard library before anything else imports it.
import os
import warnings

if os.environ.setdefault("SOCKETIO_ASYNC_MODE", "gevent") == "gevent":
    if os.environ.get("PSYCOPG_IMPL") != "python":
        # psycopg's C build blocks the loop for each round trip, so a transaction holding
        # a room's lock runs to its commit without yielding (cocreate/database.py). Under
        # gevent psycopg would wait cooperatively instead, and at 100 votes/s on
        # PostgreSQL votes then waited seconds on each other's locks (docs/deployment.md).
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_c")
    from gevent import monkey

    monkey.patch_all()
elif os.environ["SOCKETIO_ASYNC_MODE"] == "eventlet":
    # eventlet announces on import that it is in maintenance mode: a notice for people
    # choosing a framework, not for someone starting a workshop. Only that one is hidden.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

    eventlet.monkey_patch()

import contextlib
import socket
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError

from cocreate import collector, commands, create_app
from cocreate.config import ConfigError
from cocreate.extensions import socketio
from cocreate.services import accounts, theme_suggestions
from cocreate.timers import keep_time

MODE = os.environ["SOCKETIO_ASYNC_MODE"]
try:
    app = create_app()
except ConfigError as error:
    raise SystemExit(f"Cocreate cannot start: {error}") from None
# CPU-heavy work (theme suggestions) runs in a real thread, not on the loop.
if MODE == "gevent":
    import gevent

    def _in_pool_thread(work, *args):
        """Run `work(*args)` in one of gevent's pool threads; the loop goes on meanwhile."""
        return gevent.get_hub().threadpool.apply(work, args)

    app.config["OFF_LOOP_RUNNER"] = _in_pool_thread
elif MODE == "eventlet":
    from eventlet import tpool

    app.config["OFF_LOOP_RUNNER"] = tpool.execute


def _seconds(name: str, default: float) -> float:
    """A duration from the environment; stops the start with a message when it is not one."""
    raw = os.environ.get(name) or str(default)
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"Cocreate cannot start: {name} must be seconds, not {raw!r}.") from None


class HeadGuard:
    """What both servers need to shed connections that never finish a request's head.

    Neither eventlet's nor gevent's server has a limit on how long a request's head may
    take, so a few thousand connections that send half a head and stop (slowloris) took
    every place in the pool and the server stopped answering. With this guard, a
    connection that is silent for COCREATE_IDLE_TIMEOUT seconds between requests is
    closed; once the first byte of a request comes, the whole head must arrive within
    COCREATE_HEAD_TIMEOUT seconds; and when one address has more than
    COCREATE_HEADS_PER_ADDRESS heads on the way at once, the one that has waited longest
    is closed. A phone's head arrives in one packet, so even a venue of a thousand phones
    behind one address has few on the way at a time, and a new phone's request always
    gets in: only the slow heads make room. A reverse proxy in front does the same for its
    own clients (docs/deployment.md).

    Mixed into each server's connection handler, which calls `_head_started` before it
    reads a request's first line and `_head_done` once the head is read (or given up).
    """

    idle = _seconds("COCREATE_IDLE_TIMEOUT", 15)
    head = _seconds("COCREATE_HEAD_TIMEOUT", 10)
    per_address = int(_seconds("COCREATE_HEADS_PER_ADDRESS", 50))
    #: address → its connections now sending a request's head, the longest waiting first
    heads: dict[str, dict] = {}
    deadline = None
    #: Closed to make room for another head (its read then fails: no one to answer).
    shed = False

    def _head_started(self, sock, rfile, start_timeout) -> bool:
        """Wait (up to `idle`) for a request; then start its head's clock with
        `start_timeout(seconds)`. False when the connection closed or stayed silent."""
        sock.settimeout(self.idle)
        try:
            if not rfile.peek(1):  # the client closed the connection
                return False
        except (OSError, ValueError):  # silent for too long, or closed under us
            return False
        waiting = self.heads.setdefault(self._address(), {})
        while len(waiting) >= self.per_address:
            slowest = next(iter(waiting))
            slowest._head_done()
            slowest.shed = True
            with contextlib.suppress(OSError):  # already gone
                slowest._socket().shutdown(socket.SHUT_RDWR)  # its read ends now
        waiting[self] = None
        self.deadline = start_timeout(self.head)
        return True

    def _head_done(self) -> None:
        if self.deadline is None:
            return
        self.deadline.cancel()
        self.deadline = None
        waiting = self.heads.get(self._address(), {})
        waiting.pop(self, None)
        if not waiting:
            self.heads.pop(self._address(), None)

    def _address(self) -> str:
        return self.client_address[0] if self.client_address else ""

    def _socket(self):
        raise NotImplementedError


def guarded_protocol():
    """eventlet's HTTP protocol with the HeadGuard."""
    import eventlet.wsgi

    class HeadTimeout(eventlet.Timeout):
        """The head of a request did not arrive in time."""

    class GuardedProtocol(HeadGuard, eventlet.wsgi.HttpProtocol):
        def handle_one_request(self):
            try:
                super().handle_one_request()
            except HeadTimeout:
                self.close_connection = 1
            finally:
                self._head_done()

        def _read_request_line(self):
            if not self._head_started(self.connection, self.rfile, HeadTimeout):
                return ""
            return super()._read_request_line()

        def parse_request(self):
            try:
                return super().parse_request()
            finally:
                self._head_done()

        def _socket(self):
            return self.connection

    return GuardedProtocol


def guarded_handler(socket_timeout: float):
    """gevent's WSGI handler (with WebSockets, gevent-websocket's) with the HeadGuard;
    once a head is read, the connection's reads and writes time out after `socket_timeout`."""
    import gevent
    from geventwebsocket.handler import WebSocketHandler

    class HeadTimeout(gevent.Timeout):
        """The head of a request did not arrive in time."""

    class Shed(BaseException):  # gevent's handler answers any Exception with a 400
        """Close this connection without an answer."""

    class GuardedHandler(HeadGuard, WebSocketHandler):
        def handle(self):
            with contextlib.suppress(OSError):  # a vanished client: no one to answer
                super().handle()

        def handle_one_request(self):
            try:
                return super().handle_one_request()
            except (HeadTimeout, Shed):
                return None  # the connection closes
            finally:
                self._head_done()

        def read_requestline(self):
            if not self._head_started(self.socket, self.rfile, HeadTimeout.start_new):
                return ""
            return super().read_requestline()

        def read_request(self, raw_requestline):
            try:
                request = super().read_request(raw_requestline)
            except Exception as error:
                if self.shed or isinstance(error, OSError):  # made room for, or went silent
                    raise Shed from error
                raise
            finally:
                self._head_done()
            self.socket.settimeout(socket_timeout)
            return request

        def _socket(self):
            return self.socket

        def log_request(self):
            pass  # no access log, as with eventlet (log_output=False)

    return GuardedHandler


def welcome() -> list[str]:
    """What the start prints: where to open Cocreate and what to do first, in the README's
    commands; and, while its links name this computer only, how phones can reach it."""
    base = commands.served_at(app.config)
    try:
        with app.app_context():
            first_time = not accounts.has_accounts()
    except SQLAlchemyError as error:  # not migrated yet, or the database is away
        raise SystemExit(
            f"Cocreate cannot start: its database cannot be read ({getattr(error, 'orig', error)})."
            "\nApply the migrations with: make migrate"
        ) from None
    lines = [f"Cocreate is running on {base}"]
    if first_time:
        lines.append(f"  First time? Open {base}/setup to create your organizer account")
        lines.append("  (or run: make organizer), then `make seed` adds a demo workshop you own.")
    else:
        lines.append(f"  Sign in at {base}/login. Another account: make organizer;")
        lines.append("  a demo workshop for your account: make seed.")
    if commands.names_this_computer_only(base):
        port = urlsplit(base).port or 80
        lines.append("  Phones cannot open this address. For the venue's Wi-Fi, start with:")
        lines.append(f"  HOST=0.0.0.0 COCREATE_BASE_URL=http://<laptop-address>:{port} make run")
    return lines


def main() -> None:
    """Serve on $HOST:$PORT (127.0.0.1:5000 by default) and say where."""
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print("\n".join(welcome()), flush=True)
    socketio.start_background_task(keep_time, app)
    # The theme suggestions' model loads in a real thread meanwhile: the start waits for nothing.
    socketio.start_background_task(theme_suggestions.warm_up, app)
    if app.config["GC_SETTLE"]:
        collector.settle()  # last before serving: what the start made stays out of every scan
    # Reads and writes of a request under way (a WebSocket hears a ping every 10 s).
    socket_timeout = _seconds("COCREATE_SOCKET_TIMEOUT", 60)
    if MODE == "gevent":
        from gevent.pywsgi import WSGIServer

        WSGIServer(
            (host, port),
            app,
            spawn=app.config["MAX_CONNECTIONS"],  # at most this many connections at once
            handler_class=guarded_handler(socket_timeout),
            log=None,
        ).serve_forever()
    elif MODE == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.server(
            eventlet.listen((host, port)),
            app,
            # eventlet's server takes 1,024 connections unless told otherwise.
            max_size=app.config["MAX_CONNECTIONS"],
            protocol=guarded_protocol(),
            socket_timeout=socket_timeout,
            log_output=False,
            debug=False,  # never send a traceback to the client
        )
    else:
        socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
