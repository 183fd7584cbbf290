"""The cookie session, opened once per Socket.IO connection rather than once per event.

Flask-SocketIO runs every event in a Flask request context built from the connection's
first request, and Flask opens the session of each new request context from its cookie:
decoding it and checking its signature, about a tenth of a millisecond. But Flask-SocketIO
(`manage_session`, its default) then puts the connection's own copy of the session in its
place, the one it made at the connection's first event and keeps in the connection's
WSGI environ under "saved_session". So every event after the first decoded the cookie
only to throw the result away: on a 2,000-phone plenary, about 2 % of the event loop.

`EventSessions` opens that copy directly when the environ has it. HTTP requests never
do (each has an environ of its own, and Flask-SocketIO sets the key only on a socket's),
so for them, and for a socket's first event, the cookie is opened as before. Should
Flask-SocketIO stop keeping its copy there, every event opens the cookie again, as Flask
does without this class: slower, not wrong.
"""

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

#: Where Flask-SocketIO keeps a connection's session (flask_socketio.SocketIO._handle_event).
SAVED_SESSION = "saved_session"


class EventSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except in a socket event that has its session already."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """The connection's session when Flask-SocketIO keeps one; else the cookie's."""
        saved = request.environ.get(SAVED_SESSION)
        if saved is not None:
            return saved
        return super().open_session(app, request)
