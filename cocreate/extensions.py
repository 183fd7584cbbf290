"""Extension instances, initialised by the app factory."""

from flask import session
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
socketio = SocketIO()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def device_key() -> str:
    """Key a limit by the device: the token in its signed session cookie.

    A venue puts hundreds of people behind one address, so the address cannot tell them
    apart; their cookies can. Requests without one are left to the per-address caps
    (see without_device).
    """
    return f"device:{session.get('device', '')}"


def without_device() -> bool:
    """Tell whether the request carries no device cookie (a first visit, or a script
    that drops its cookies): per-device limits cannot count it."""
    return not session.get("device")


def failed(response) -> bool:
    """Count a try against a limit only when it failed (wrong code, wrong password).

    A whole venue may reach the server from one address: successful joins must
    never be throttled, guessing must be.
    """
    return response.status_code in (200, 400, 404)


def unknown_code(response) -> bool:
    """Count a join against the limit only when its code matched no workshop."""
    return response.status_code == 404


def joined(response) -> bool:
    """Count a join against the limit only when it let the device in (the API answers
    200, the join form redirects to the room)."""
    return response.status_code in (200, 302)
