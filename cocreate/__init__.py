"""Cocreate: a self-hosted, real-time workshop tool."""

from pathlib import Path

from flask import Flask, request
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, ValidationError

from cocreate import assets, languages
from cocreate import config as settings
from cocreate.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
from cocreate.views.script_messages import script_messages

ROOT = Path(__file__).resolve().parent.parent

#: The most bytes one Socket.IO message or long-polling POST may carry.
TRANSPORT_MAX = 64 * 1024


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app; `test_config` overrides settings read from the environment.

    Raises config.ConfigError when the environment cannot run the app safely.
    """
    app = Flask(
        __name__,
        instance_path=str(settings.INSTANCE_DIR),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        # Fingerprinted: each address names the same bytes for ever (cocreate/assets.py).
        static_url_path=assets.static_url_path(ROOT / "static"),
    )
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_socket_namespaces()
    register_error_handlers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Initialise every extension; the order matters only for SocketIO (last, needs the app)."""
    from cocreate import (
        database,
        models,  # noqa: F401  (registers the tables for migrations)
    )
    from cocreate.realtime import GAP_PER_CONNECTION, MIN_GAP, broadcaster
    from cocreate.sockets.packets import guard as guard_packets
    from cocreate.sockets.packets import refuse_oversized_polls
    from cocreate.sockets.session import EventSessions

    db.init_app(app)
    with app.app_context():  # creates the engine; connects to nothing yet
        database.read_in_autocommit(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=languages.select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    languages.register(app)
    app.jinja_env.globals["script_messages"] = script_messages
    limiter.init_app(app)
    assets.register(app)
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        channel=app.config["SOCKETIO_CHANNEL"],
        # A participant's action is small; anything bigger is refused by the transport.
        max_http_buffer_size=TRANSPORT_MAX,
        ping_interval=10,
        ping_timeout=10,
    )
    guard_packets(socketio.server)
    # A socket event reuses its connection's session instead of decoding the cookie again.
    app.session_interface = EventSessions()
    app.wsgi_app = refuse_oversized_polls(app.wsgi_app, TRANSPORT_MAX)
    min_gap = app.config.get("COCREATE_EMIT_MIN_GAP")
    per_connection = app.config.get("COCREATE_EMIT_GAP_PER_CONNECTION")
    broadcaster.configure(
        app.config["COCREATE_EMIT_INTERVAL"],
        MIN_GAP if min_gap is None else min_gap,
        GAP_PER_CONNECTION if per_connection is None else per_connection,
    )

    # Sessions name "account id:session epoch"; a signed-out epoch loads no one.
    from cocreate.services.accounts import load_session_user

    login_manager.user_loader(load_session_user)


class DatabaseId(IntegerConverter):
    """An id in a URL: a whole number that fits the database's integer columns.

    A bigger one matches no route (404) instead of overflowing the database driver.
    """

    def to_python(self, value: str) -> int:
        """Read the id; raises ValidationError (no match) past 2**31 - 1."""
        number = super().to_python(value)
        if number > 2**31 - 1:
            raise ValidationError()
        return number


def register_url_converters(app: Flask) -> None:
    """Make `<int:...>` in every route a database id (before the blueprints use it)."""
    app.url_map.converters["int"] = DatabaseId


def register_blueprints(app: Flask) -> None:
    """Attach the HTTP views."""
    from cocreate.views import api, auth, organize, outcome, participate, synthesis

    app.register_blueprint(auth.bp)
    app.register_blueprint(organize.bp)
    app.register_blueprint(participate.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(outcome.bp)
    app.register_blueprint(synthesis.bp)


def register_socket_namespaces() -> None:
    """Attach the Socket.IO namespaces (one per concern)."""
    from cocreate.realtime import MODERATOR_NS, PARTICIPANT_NS
    from cocreate.sockets.moderator import ModeratorNamespace
    from cocreate.sockets.participant import ParticipantNamespace

    socketio.on_namespace(ParticipantNamespace(PARTICIPANT_NS))
    socketio.on_namespace(ModeratorNamespace(MODERATOR_NS))


def register_error_handlers(app: Flask) -> None:
    """Answer errors as HTML pages or JSON, rolling back what failed."""
    from cocreate.views import errors

    errors.register(app)


#: Headers every response carries (OWASP ASVS 4.0 level 2, V14.4).
SECURITY_HEADERS = {
    # Every script and style comes from the app; nothing may frame a page.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # for browsers older than frame-ancestors
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def register_security_headers(app: Flask) -> None:
    """Send the security headers; HSTS in production; nothing but assets is cached, and
    they for a year (their addresses are fingerprinted: cocreate/assets.py)."""

    @app.after_request
    def secure(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["PRODUCTION"]:
            # Production runs behind HTTPS (its cookies are Secure): browsers stay on it.
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint == "static":
            response.headers["Cache-Control"] = assets.IMMUTABLE
        else:
            # Pages and state JSON carry someone's workshop: no shared or back-button cache.
            response.headers["Cache-Control"] = "no-store"
        return response


def register_commands(app: Flask) -> None:
    """Add the `flask` commands: create-organizer, seed-demo."""
    from cocreate import commands

    commands.register(app)
