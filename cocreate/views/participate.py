"""Pages for participants: join by code or QR, then the live room."""

import secrets

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from cocreate.extensions import failed, limiter, unknown_code
from cocreate.services import participants, workshops
from cocreate.services.errors import DomainError
from cocreate.views.forms import CodeForm, JoinForm

bp = Blueprint("participate", __name__)


def device_token(*, create: bool = False) -> str | None:
    """Return this device's token from the signed session cookie, making one if asked."""
    token = session.get("device")
    if token is None and create:
        token = session["device"] = secrets.token_urlsafe(24)
        session.permanent = True
    return token


@bp.route("/", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"], deduct_when=failed)
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
@limiter.limit("20/minute", deduct_when=unknown_code)
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
def room(code: str):
    """The participant's live screen: lobby or breakout room."""
    workshop = workshops.workshop_by_code(code)
    if participants.participant_for_device(workshop.id, device_token()) is None:
        flash(_("Join the workshop first."), "info")
        return redirect(url_for("participate.join", code=workshop.join_code))
    return render_template("participate/room.html", workshop=workshop)
