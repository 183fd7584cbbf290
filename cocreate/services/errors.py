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
