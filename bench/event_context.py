"""Benchmark: the Flask request context every Socket.IO event runs in, with and without
cocreate.sockets.session.EventSessions.

Flask-SocketIO builds a request context from the connection's first request for each
event; Flask opens the session of every new one. This times that context (build, push,
read the session, pop) for an event after the connection's first, once with Flask's own
signed-cookie sessions and once with `EventSessions`, alternating five rounds, in CPU
microseconds per event. No network and no database.

    .venv/bin/python bench/event_context.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

import flask
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.test import EnvironBuilder

from cocreate import create_app
from cocreate.sockets.session import SAVED_SESSION, EventSessions

ROUNDS = 5
EVENTS = 5_000


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench"})
    with app.test_request_context("/"):  # a participant's cookie, as the join sets it
        flask.session.update(participant_id=42, device="d" * 22)
        response = app.response_class()
        app.session_interface.save_session(app, flask.session, response)
        cookie = response.headers["Set-Cookie"].split(";")[0]
    environ = EnvironBuilder(
        path="/socket.io/", query_string="EIO=4&transport=websocket", headers={"Cookie": cookie}
    ).get_environ()
    environ["flask.app"] = app
    with app.request_context(environ):  # what Flask-SocketIO keeps after the first event
        environ[SAVED_SESSION] = SecureCookieSession(dict(flask.session))

    def event() -> None:
        with app.request_context(environ):
            flask.session.get("participant_id")

    kinds = {
        "Flask's cookie session": SecureCookieSessionInterface(),
        "EventSessions": EventSessions(),
    }
    times: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(ROUNDS):
        for name, interface in kinds.items():
            app.session_interface = interface
            for _ in range(300):  # warm up
                event()
            started = time.process_time()
            for _ in range(EVENTS):
                event()
            times[name].append((time.process_time() - started) / EVENTS * 1e6)
    for name, runs in times.items():
        each = ", ".join(f"{t:.0f}" for t in runs)
        print(f"{name}: {statistics.median(runs):.0f} µs CPU per event (rounds: {each})")


if __name__ == "__main__":
    main()
