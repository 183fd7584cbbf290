"""Start Cocreate with eventlet's server: `python wsgi.py` (port from $PORT)."""

# eventlet must patch the standard library before anything else imports it.
import os

if os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet") == "eventlet":
    os.environ.setdefault("PSYCOPG_IMPL", "python")  # psycopg's C build blocks the loop
    import eventlet

    eventlet.monkey_patch()

from cocreate import create_app
from cocreate.config import ConfigError
from cocreate.extensions import socketio
from cocreate.timers import keep_time

try:
    app = create_app()
except ConfigError as error:
    raise SystemExit(f"Cocreate cannot start: {error}") from None


def main() -> None:
    """Serve on $HOST:$PORT (127.0.0.1:5000 by default) and say where."""
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    base = app.config["COCREATE_BASE_URL"] or f"http://{host}:{port}"
    print(f"Cocreate is running on {base}", flush=True)
    print(f"  First time? Open {base}/setup to create the organizer account", flush=True)
    print("  (or run: .venv/bin/flask --app wsgi create-organizer).", flush=True)
    options = {}
    if app.config["SOCKETIO_ASYNC_MODE"] == "eventlet":
        # eventlet's server takes 1,024 connections unless told otherwise.
        options["max_size"] = app.config["MAX_CONNECTIONS"]
    elif app.config["SOCKETIO_ASYNC_MODE"] == "threading":
        options["allow_unsafe_werkzeug"] = True  # development only: say so in the docs
    socketio.start_background_task(keep_time, app)
    socketio.run(app, host=host, port=port, log_output=False, **options)


if __name__ == "__main__":
    main()
