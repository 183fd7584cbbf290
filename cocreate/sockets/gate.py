"""The one gate every socket event passes: identity, rate limit, payload, errors → ack."""

import functools
import json
import logging
import time
from collections.abc import Callable
from typing import Annotated, ClassVar

from flask import current_app, request
from flask_babel import gettext as _
from flask_socketio import ConnectionRefusedError, Namespace
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cocreate.extensions import db
from cocreate.services.errors import DomainError
from cocreate.services.validate import MAX_ID

log = logging.getLogger(__name__)


#: The name a packet's event gets when its JSON could not be decoded (never a real name:
#: it starts with a NUL character).
MALFORMED = "\x00malformed"


#: A database id as clients send it: a positive 32-bit integer, nothing bigger.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Payload(BaseModel):
    """Base of every event payload: unknown fields and wrong types are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)

    #: The config key of this payload's size limit (see `event`).
    size_limit: ClassVar[str] = "SOCKET_PAYLOAD_MAX"


class Action(Payload):
    """A payload that changes something: it carries the client's action id (a UUID)."""

    id: str


def refuse(code: str, message: str) -> ConnectionRefusedError:
    """A refused connection: the client's connect_error has .message = code, .data = details."""
    return ConnectionRefusedError(code, {"code": code, "message": message})


def error_ack(code: str, message: str, **details) -> dict:
    """Build an error acknowledgement (`details` such as retry_after go beside the code)."""
    return {"ok": False, "error": {"code": code, "message": message, **details}}


def _encoded_size(data: dict) -> int | None:
    """The payload's size in UTF-8 bytes; None when it holds text that is not Unicode
    (a lone surrogate, which JSON can carry and no database column can store)."""
    try:
        return len(json.dumps(data, ensure_ascii=False, default=str).encode())
    except UnicodeEncodeError:
        return None


class RateLimiter:
    """A token bucket per connection: bursts are fine, floods are refused."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}

    def wait(self, sid: str, burst: int, per_second: float) -> float:
        """Take a token for this connection: 0 when one was left, else the seconds until
        the next one (the client's cue to retry; nothing is taken then)."""
        now = time.monotonic()
        tokens, then = self._buckets.get(sid, (float(burst), now))
        tokens = min(float(burst), tokens + (now - then) * per_second)
        if tokens < 1:
            self._buckets[sid] = (tokens, now)
            return (1 - tokens) / per_second
        self._buckets[sid] = (tokens - 1, now)
        return 0.0

    def forget(self, sid: str) -> None:
        """Drop a closed connection's bucket."""
        self._buckets.pop(sid, None)


limiter = RateLimiter()


def _where(error: ValidationError) -> str:
    first = error.errors()[0]
    return ".".join(str(part) for part in first["loc"]) or "payload"


def event(schema: type[Payload], identify: Callable[[], int | None]):
    """Wrap a namespace's `on_<event>` method with the gate.

    The method receives (self, actor_id, payload) and returns a dict; the client
    gets {ok: true, ...that dict} or {ok: false, error: {code, message}}.
    """

    def decorate(handler):
        @functools.wraps(handler)
        def gated(self, data=None, *extra):
            config = current_app.config
            try:
                wait = limiter.wait(
                    request.sid, config["SOCKET_RATE_BURST"], config["SOCKET_RATE_PER_SECOND"]
                )
                if wait:
                    return error_ack(
                        "rate_limited",
                        _("You are going too fast. Wait a moment and try again."),
                        retry_after=round(wait, 2),
                    )
                if extra or not isinstance(data, dict):
                    return error_ack(
                        "bad_request", _("This request is malformed: send one object.")
                    )
                size = _encoded_size(data)
                if size is None:
                    return error_ack(
                        "bad_request", _("This request holds text that is not valid Unicode.")
                    )
                if size > config[schema.size_limit]:
                    return error_ack("too_large", _("This request is too large."))
                actor = identify()
                if actor is None:
                    return error_ack("not_allowed", _("Join the workshop first."))
                try:
                    payload = schema.model_validate(data)
                except ValidationError as error:
                    return error_ack(
                        "bad_request",
                        _("This request is malformed (%(where)s).", where=_where(error)),
                    )
                return {"ok": True, **handler(self, actor, payload)}
            except DomainError as error:
                return error.to_ack()
            except Exception:
                db.session.rollback()
                log.exception("socket event %s failed", handler.__name__)
                return error_ack("server_error", _("Something went wrong on our side. Try again."))

        return gated

    return decorate


class GatedNamespace(Namespace):
    """A namespace that answers every event, an unknown one included (with an error ack).

    Packets that could not be decoded reach it as MALFORMED (see sockets/packets.py).
    """

    def trigger_event(self, event, *args):
        """Route to `on_<event>`; an event with no handler gets `unknown_event`."""
        if event == MALFORMED:
            return super().trigger_event("malformed", *args)
        if not hasattr(self, f"on_{event or ''}"):
            return super().trigger_event("unknown_event", *args)
        return super().trigger_event(event, *args)

    def on_unknown_event(self, *args):
        """The answer to an event this namespace does not know."""
        return error_ack("unknown_event", _("This request is not known here."))

    def on_malformed(self, *args):
        """The answer to a packet whose JSON could not be read (too deep, a huge number)."""
        return error_ack("bad_request", _("This request is malformed: it is not valid JSON."))
