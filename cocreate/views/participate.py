"""Pages for participants: join by code or QR, then the live room."""

import secrets
from collections.abc import Callable

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from cocreate.extensions import (
    device_key,
    failed,
    joined,
    limiter,
    unknown_code,
    without_device,
)
from cocreate.services import access, participants, workshops
from cocreate.services.errors import DomainError
from cocreate.views.forms import CodeForm, JoinForm

bp = Blueprint("participate", __name__)


def _setting(name: str) -> Callable[[], str]:
    """Read a limit from the settings when a request is checked (operators change them)."""
    return lambda: current_app.config[name]


def _both(*decorators: Callable) -> Callable:
    """Apply several limit decorators as one."""

    def decorate(view):
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return decorate


def bad_code_limits(deduct_when: Callable, methods: list[str] | None = None) -> Callable:
    """Count wrong join codes (every way of trying one shares the count): per device,
    and per address as the cap that keeps guessing slow.

    A whole venue shares one address, so the per-address cap is generous (BAD_CODES_PER_
    ADDRESS, against BAD_CODES_PER_DEVICE for one device); codes have 31^8 values.
    """
    return _both(
        limiter.shared_limit(
            _setting("BAD_CODES_PER_DEVICE"),
            scope="bad-codes-device",
            key_func=device_key,
            exempt_when=without_device,
            methods=methods,
            deduct_when=deduct_when,
            error_message=lambda: _(
                "Too many wrong codes from this device. Wait a minute, check the code on "
                "the screen and try again."
            ),
        ),
        limiter.shared_limit(
            _setting("BAD_CODES_PER_ADDRESS"),
            scope="bad-codes-address",
            methods=methods,
            deduct_when=deduct_when,
            error_message=lambda: _(
                "Too many wrong codes from this network. Wait a minute and try again."
            ),
        ),
    )


def join_limits(deduct_when: Callable, methods: list[str] | None = None) -> Callable:
    """Count joins with a valid code: per device, and per address a cap that a venue of
    1,000 people joining at once stays under but a script making participants does not
    (JOINS_PER_DEVICE, JOINS_PER_ADDRESS)."""
    return _both(
        limiter.shared_limit(
            _setting("JOINS_PER_DEVICE"),
            scope="joins-device",
            key_func=device_key,
            exempt_when=without_device,
            methods=methods,
            deduct_when=deduct_when,
            error_message=lambda: _(
                "This device joined too often in a short time. Wait a minute and try again."
            ),
        ),
        limiter.shared_limit(
            _setting("JOINS_PER_ADDRESS"),
            scope="joins-address",
            methods=methods,
            deduct_when=deduct_when,
            error_message=lambda: _(
                "Too many people joined from this network in a short time. Wait a few "
                "minutes and try again."
            ),
        ),
    )


def device_token(*, create: bool = False) -> str | None:
    """Return this device's token from the signed session cookie, making one if asked."""
    token = session.get("device")
    if token is None and create:
        token = session["device"] = secrets.token_urlsafe(24)
        session.permanent = True
    return token


@bp.route("/", methods=["GET", "POST"])
@bad_code_limits(failed, methods=["POST"])
def home():
    """Type a workshop code, or sign in to run one."""
    form = CodeForm()
    if form.validate_on_submit():
        try:
            workshop = workshops.workshop_by_code(form.code.data)
        except DomainError as error:
            form.code.errors.append(error.message)
            return render_template("participate/home.html", form=form), error.http_status
        return redirect(url_for("participate.join", code=workshop.join_code))
    return render_template("participate/home.html", form=form)


@bp.route("/j/<code>", methods=["GET", "POST"])
@bad_code_limits(unknown_code)
@join_limits(joined, methods=["POST"])
def join(code: str):
    """Join a workshop (the QR code's address); a device that joined before goes straight in."""
    workshop = workshops.workshop_by_code(code)
    if workshop.join_code != code:
        return redirect(url_for("participate.join", code=workshop.join_code))
    if participants.participant_for_device(workshop.id, device_token()) is not None:
        return redirect(url_for("participate.room", code=workshop.join_code))
    form = JoinForm()
    form.offer_roles(workshop.stakeholder_roles)
    if form.validate_on_submit():
        try:
            participants.join_workshop(
                code, device_token(create=True), form.name.data, form.role.data
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("participate.room", code=workshop.join_code))
    return render_template("participate/join.html", form=form, workshop=workshop)


@bp.route("/w/<code>")
@bad_code_limits(unknown_code)  # it tells a workshop's code from a wrong one, too
def room(code: str):
    """The participant's live screen: lobby or breakout room."""
    workshop = workshops.workshop_by_code(code)
    person = participants.participant_for_device(workshop.id, device_token())
    if person is None:
        flash(_("Join the workshop first."), "info")
        return redirect(url_for("participate.join", code=workshop.join_code))
    access.participant(person.id)  # NotAllowed (403) once a moderator removed them
    return render_template("participate/room.html", workshop=workshop)
