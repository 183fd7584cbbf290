"""Start Cocreate with eventlet's server: `python wsgi.py` (port from $PORT)."""

# eventlet must patch the standard library before anything else imports it.
import os
import warnings

if os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet") == "eventlet":
    # eventlet announces on import that it is in maintenance mode: a notice for people
    # choosing a framework, not for someone starting a workshop. Only that one is hidden.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

    eventlet.monkey_patch()

from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError

from cocreate import commands, create_app
from cocreate.config import ConfigError
from cocreate.extensions import socketio
from cocreate.services import accounts, theme_suggestions
from cocreate.timers import keep_time

try:
    app = create_app()
except ConfigError as error:
    raise SystemExit(f"Cocreate cannot start: {error}") from None
if app.config["SOCKETIO_ASYNC_MODE"] == "eventlet":
    from eventlet import tpool

    # CPU-heavy work (theme suggestions) runs in a real thread, not on the loop.
    app.config["OFF_LOOP_RUNNER"] = tpool.execute


def _seconds(name: str, default: float) -> float:
    """A duration from the environment; stops the start with a message when it is not one."""
    raw = os.environ.get(name) or str(default)
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"Cocreate cannot start: {name} must be seconds, not {raw!r}.") from None


def guarded_protocol():
    """eventlet's HTTP protocol, made to shed connections that never finish a request.

    eventlet's server waits forever for a request's head, so a few thousand connections
    that send half a head and stop (slowloris) took every place in its pool and the
    server stopped answering. Here a connection that is silent for COCREATE_IDLE_TIMEOUT
    seconds between requests is closed; once the first byte of a request comes, the whole
    head must arrive within COCREATE_HEAD_TIMEOUT seconds; and when one address has more
    than COCREATE_HEADS_PER_ADDRESS heads on the way at once, the one that has waited
    longest is closed. A phone's head arrives in one packet, so even a venue of a thousand
    phones behind one address has few on the way at a time, and a new phone's request
    always gets in: only the slow heads make room. A reverse proxy in front does the same
    for its own clients (docs/deployment.md).
    """
    import contextlib
    import socket

    import eventlet.wsgi

    idle = _seconds("COCREATE_IDLE_TIMEOUT", 15)
    head = _seconds("COCREATE_HEAD_TIMEOUT", 10)
    per_address = int(_seconds("COCREATE_HEADS_PER_ADDRESS", 50))

    class HeadTimeout(eventlet.Timeout):
        """The head of a request did not arrive in time."""

    class GuardedProtocol(eventlet.wsgi.HttpProtocol):
        #: address → its connections now sending a request's head, the longest waiting first
        heads: dict[str, dict] = {}
        deadline = None

        def handle_one_request(self):
            try:
                super().handle_one_request()
            except HeadTimeout:
                self.close_connection = 1
            finally:
                self._head_done()

        def _read_request_line(self):
            self.connection.settimeout(idle)
            try:
                if not self.rfile.peek(1):  # the client closed the connection
                    return ""
            except (OSError, ValueError):  # silent for too long, or closed under us
                return ""
            waiting = self.heads.setdefault(self._address(), {})
            while len(waiting) >= per_address:
                slowest = next(iter(waiting))
                slowest._head_done()
                with contextlib.suppress(OSError):  # already gone
                    slowest.connection.shutdown(socket.SHUT_RDWR)  # its read ends now
            waiting[self] = None
            self.deadline = HeadTimeout(head)
            return super()._read_request_line()

        def parse_request(self):
            try:
                return super().parse_request()
            finally:
                self._head_done()

        def _address(self) -> str:
            return self.client_address[0] if self.client_address else ""

        def _head_done(self):
            if self.deadline is None:
                return
            self.deadline.cancel()
            self.deadline = None
            waiting = self.heads.get(self._address(), {})
            waiting.pop(self, None)
            if not waiting:
                self.heads.pop(self._address(), None)

    return GuardedProtocol


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
    mode = app.config["SOCKETIO_ASYNC_MODE"]
    if mode == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.server(
            eventlet.listen((host, port)),
            app,
            # eventlet's server takes 1,024 connections unless told otherwise.
            max_size=app.config["MAX_CONNECTIONS"],
            protocol=guarded_protocol(),
            # Reads and writes of a request under way (a WebSocket hears a ping every 10 s).
            socket_timeout=_seconds("COCREATE_SOCKET_TIMEOUT", 60),
            log_output=False,
            debug=False,  # never send a traceback to the client
        )
    else:
        options = {"allow_unsafe_werkzeug": True} if mode == "threading" else {}
        socketio.run(app, host=host, port=port, log_output=False, **options)


if __name__ == "__main__":
    main()
