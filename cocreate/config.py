"""Settings from the environment, with safe defaults for development."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """Raised when the environment cannot run Cocreate safely."""


def _float_or_none(name: str) -> float | None:
    """Read a setting in seconds, None when unset; raises ConfigError when it is not a number."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}.") from exc


def _int(name: str, default: int) -> int:
    """Read an integer setting; raises ConfigError when it is not a number."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from exc


def _database_url(url: str) -> str:
    """Point plain postgres URLs at psycopg 3 (the only PostgreSQL driver installed)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


#: Names this machine always answers to.
LOCAL_HOSTS = ["localhost", "127.0.0.1", "::1"]


def _trusted_hosts(base_url: str | None) -> list[str]:
    """The host names requests may carry: this machine's, the base URL's, HOST when it names
    one address, and COCREATE_TRUSTED_HOSTS (comma-separated; ".example.org" takes its
    subdomains). Any other Host header is refused, so no link follows a forged one."""
    hosts = list(LOCAL_HOSTS)
    if base_url and urlsplit(base_url).hostname:
        hosts.append(urlsplit(base_url).hostname)
    bound = os.environ.get("HOST", "")
    if bound and bound not in ("0.0.0.0", "::"):
        hosts.append(bound)
    listed = os.environ.get("COCREATE_TRUSTED_HOSTS", "")
    hosts.extend(host.strip() for host in listed.split(",") if host.strip())
    return hosts


def from_environment() -> dict:
    """Build the app's settings from environment variables.

    Raises ConfigError when production mode lacks a SECRET_KEY.
    """
    production = os.environ.get("COCREATE_ENV", "development") == "production"
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. In production Cocreate refuses to start without it: "
                "set SECRET_KEY to a long random string, for example the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        secret = _development_secret()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        # SQLite makes the file, not the folder
        INSTANCE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        database_url = f"sqlite:///{INSTANCE_DIR / 'cocreate.sqlite'}"
    base_url = os.environ.get("COCREATE_BASE_URL", "").rstrip("/") or None
    return {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(database_url),
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # The Redis channel shared by the processes of one deployment.
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL", "cocreate"),
        "SOCKETIO_ASYNC_MODE": os.environ.get("SOCKETIO_ASYNC_MODE") or "threading",
        "COCREATE_BASE_URL": base_url,
        "TRUSTED_HOSTS": _trusted_hosts(base_url),
        "COCREATE_EMIT_INTERVAL": float(os.environ.get("COCREATE_EMIT_INTERVAL", "0.5")),
        # Seconds a busy room's batches are apart, at least, and per connection of the room
        # (None: cocreate.realtime's MIN_GAP and GAP_PER_CONNECTION).
        "COCREATE_EMIT_MIN_GAP": _float_or_none("COCREATE_EMIT_MIN_GAP"),
        "COCREATE_EMIT_GAP_PER_CONNECTION": _float_or_none("COCREATE_EMIT_GAP_PER_CONNECTION"),
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # How many reverse proxies stand in front (X-Forwarded-For/-Proto/-Host are trusted
        # from that many hops); 0 when the app is reached directly.
        "PROXY_HOPS": _int("COCREATE_PROXY_HOPS", 0),
        "MAX_CONNECTIONS": _int("COCREATE_MAX_CONNECTIONS", 5000),
        # Embed each new idea's text in the background after commit, so a theme suggestion
        # only clusters (services/theme_suggestions.preembed); 0 turns it off.
        "SUGGESTIONS_PREEMBED": _int("COCREATE_SUGGESTIONS_PREEMBED", 1) != 0,
        # Make the synthesis documents in a process of their own (synthesis/maker.py),
        # which leaves after this many seconds without a download; 0 makes them here.
        "SYNTHESIS_PROCESS": _int("COCREATE_SYNTHESIS_PROCESS", 1) != 0,
        "SYNTHESIS_PROCESS_IDLE": _int("COCREATE_SYNTHESIS_IDLE", 600),
        # Set Python's cycle collector for short pauses when the server starts
        # (cocreate/collector.py); 0 leaves Python's defaults.
        "GC_SETTLE": _int("COCREATE_GC_SETTLE", 1) != 0,
        "PRODUCTION": production,
    }


def _development_secret() -> str:
    """Keep one random development secret under instance/ so sessions survive restarts.

    The file is readable by its owner only: anyone who reads it can sign any cookie,
    an organizer's session included (a laptop at a venue runs in development mode).
    """
    path = INSTANCE_DIR / "dev-secret-key"
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)  # made by an older version with the default permissions
        return path.read_text().strip()
    except FileNotFoundError:
        INSTANCE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        value = secrets.token_hex(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(value)
        return value


DEFAULTS = {
    # No form or JSON body of Cocreate comes near this; a bigger one is refused (413)
    # before it is read.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # No SQLAlchemy pool_pre_ping (a round trip before every action): cocreate/database.py
    # finds a pooled PostgreSQL connection the server ended by reading what has arrived.
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
    # The session cookie is sent only when the session changed. Sent on every request, a
    # request that started before a change (a page's fetch still on its way when the
    # person switched language) answered with the old session after it and undid the
    # change (tests/browser/test_wcag22.py: the page came back in English).
    "SESSION_REFRESH_EACH_REQUEST": False,
    # An account's "stay signed in" cookie: two weeks from sign-in, never sent cross-site
    # (Secure in production, from_environment). Signing out ends it at once anyway.
    "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 14,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "BABEL_DEFAULT_LOCALE": "en",
    # The interface's languages, the fallback first: each has its catalog under
    # cocreate/translations/<code>/ (README "Languages" adds one).
    "LANGUAGES": ["en", "ko", "es", "fr"],
    "WTF_CSRF_TIME_LIMIT": None,
    # Limits a participant meets, each with its own error message.
    "IDEA_TEXT_MAX": 280,
    "IDEA_DETAILS_MAX": 1000,
    "DISPLAY_NAME_MAX": 40,
    "SOCKET_PAYLOAD_MAX": 8 * 1024,
    # An edit of a whole pathway (edit_pathway); under the transport's 64 KiB.
    "PATHWAY_PAYLOAD_MAX": 56 * 1024,
    "SOCKET_RATE_BURST": 20,
    "SOCKET_RATE_PER_SECOND": 5.0,
    "SYNC_EVENTS_MAX": 500,
    # Seconds a synthesis document may take before its process is stopped (maker.py).
    "SYNTHESIS_TIMEOUT": 120,
    # Limits that fit a venue, where a room of 1,000 people may share one address: per
    # device (its cookie) or participant first, per address only as a cap on scripts.
    "SOCKETS_PER_PARTICIPANT": 5,  # open connections of one device, per server process
    "IDEAS_PER_MINUTE": 10,  # per participant; a person on paper counts as one
    "BAD_CODES_PER_DEVICE": "10 per minute",
    "BAD_CODES_PER_ADDRESS": "300 per minute",
    "JOINS_PER_DEVICE": "10 per minute",
    "JOINS_PER_ADDRESS": "1200 per minute;4000 per hour",
}
