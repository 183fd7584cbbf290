"""Domain errors that services raise and the edges translate (flash, 4xx, error ack)."""


class DomainError(Exception):
    """Base of errors a person can be told about; `message` is already translated."""

    code = "error"
    http_status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def to_ack(self) -> dict:
        """Return the error as a Socket.IO acknowledgement."""
        return {"ok": False, "error": {"code": self.code, "message": self.message}}


class Invalid(DomainError):
    """The input breaks a rule (too long, empty, out of range)."""

    code = "invalid"
    http_status = 400


class NotFound(DomainError):
    """The thing does not exist, or the actor may not know that it does."""

    code = "not_found"
    http_status = 404


class NotAllowed(DomainError):
    """The actor may not do this, here or now."""

    code = "not_allowed"
    http_status = 403


class Conflict(DomainError):
    """The action clashes with the current state (budget used up, name taken)."""

    code = "conflict"
    http_status = 409


class EditConflict(Conflict):
    """An edit of fields someone else changed after the editor's version: nothing was
    saved. `fields` names the clashing fields; `current` is the thing as it is now, for
    the editor to make their change again."""

    def __init__(self, message: str, fields: list[str], current: dict):
        super().__init__(message)
        self.fields = fields
        self.current = current

    def to_ack(self) -> dict:
        """Return the error as an acknowledgement, with `fields` and `current`."""
        ack = super().to_ack()
        ack["error"].update(fields=self.fields, current=self.current)
        return ack


class RateLimited(DomainError):
    """Too many of one action in a short time; `retry_after` says in how many seconds
    the next one may succeed."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after

    def to_ack(self) -> dict:
        """Return the error as an acknowledgement, with `retry_after` when known."""
        ack = super().to_ack()
        if self.retry_after is not None:
            ack["error"]["retry_after"] = self.retry_after
        return ack
