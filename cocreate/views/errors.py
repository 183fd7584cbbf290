"""One place that turns errors into pages or JSON."""

from flask import Flask, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from cocreate.extensions import db
from cocreate.services.errors import DomainError


def wants_json() -> bool:
    """Tell whether the client asked for JSON (the API) rather than a page."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _answer(status: int, code: str, message: str):
    if wants_json():
        return {"ok": False, "error": {"code": code, "message": message}}, status
    if request_ctx.url_adapter is None:
        # The request named a host no URL can be built for (refused, or not a host name):
        # the page's links cannot be made, so the message goes alone.
        return message, status, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    """Register the handlers for domain errors, HTTP errors and crashes."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return _answer(error.http_status, error.code, error.message)

    @app.errorhandler(RateLimitExceeded)
    def too_many(error):
        # A limit with a message of its own (views/participate.py) says which limit it was.
        if error.limit.error_message:
            return _answer(429, "rate_limited", error.description)
        return _answer(429, "rate_limited", _("Too many tries. Wait a minute and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            400: _("The request could not be understood. Reload the page and try again."),
            403: _("You may not open this page."),
            404: _("This page does not exist."),
            405: _("This page cannot be used that way."),
            413: _("This request is too large."),
        }
        return _answer(
            error.code or 500,
            "http_" + str(error.code),
            messages.get(error.code, error.description),
        )

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _answer(500, "server_error", _("Something went wrong on our side. Try again."))
