"""JSON endpoints for clients other than the web pages (apps, load testers)."""

from flask import Blueprint, request
from flask_babel import gettext as _

from cocreate.extensions import csrf, joined, unknown_code
from cocreate.services import participants, snapshots, workshops
from cocreate.services.errors import Invalid
from cocreate.views.participate import bad_code_limits, device_token, join_limits

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.route("/join", methods=["POST"])
@csrf.exempt  # no cookie to ride on before joining; the answer sets it
@bad_code_limits(unknown_code)
@join_limits(joined)
def join():
    """Join a workshop by code; the response sets the device cookie.

    Raises Invalid for a code, name or role that is not text (or null).
    """
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    code = body.get("code", "")
    if not isinstance(code, str):
        raise Invalid(_("The join code must be text."))
    result = participants.join_workshop(
        code, device_token(create=True), body.get("name"), body.get("role")
    )
    return {
        "ok": True,
        "participant_id": result["participant_id"],
        "returning": result["returning"],
    }


@bp.route("/w/<code>/state")
@bad_code_limits(unknown_code)  # it tells a workshop's code from a wrong one, too
def state(code: str):
    """This device's view of a workshop: the same snapshot the socket's sync returns."""
    workshop = workshops.workshop_by_code(code)
    person = participants.participant_for_device(workshop.id, device_token())
    # An unknown device gets the same NotAllowed as a participant that left.
    return {"ok": True, "snapshot": snapshots.participant_snapshot(person and person.id)}
