"""JSON endpoints for clients other than the web pages (apps, load testers)."""

from flask import Blueprint, request

from cocreate.extensions import csrf, limiter, unknown_code
from cocreate.services import participants, snapshots, workshops
from cocreate.views.participate import device_token

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.route("/join", methods=["POST"])
@csrf.exempt  # no cookie to ride on before joining; the answer sets it
@limiter.limit("20/minute", deduct_when=unknown_code)
def join():
    """Join a workshop by code; the response sets the device cookie."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    result = participants.join_workshop(
        str(body.get("code", "")), device_token(create=True), body.get("name"), body.get("role")
    )
    return {
        "ok": True,
        "participant_id": result["participant_id"],
        "returning": result["returning"],
    }


@bp.route("/w/<code>/state")
def state(code: str):
    """This device's view of a workshop: the same snapshot the socket's sync returns."""
    workshop = workshops.workshop_by_code(code)
    person = participants.participant_for_device(workshop.id, device_token())
    # An unknown device gets the same NotAllowed as a participant that left.
    return {"ok": True, "snapshot": snapshots.participant_snapshot(person and person.id)}
