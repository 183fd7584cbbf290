"""The shared outcome page: a stable public link (the workshop's code) that anyone may
open and share, as a page readable without JavaScript and as JSON with an ETag.

What it shows and why it is cheap to ask for again: cocreate.services.outcome.
"""

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from cocreate.extensions import unknown_code
from cocreate.services import outcome as outcomes
from cocreate.views.participate import bad_code_limits

bp = Blueprint("outcome", __name__)

#: How often an open page asks for the outcome again, in seconds (with its ETag).
POLL_SECONDS = 15


@bp.route("/w/<code>/outcome")
@bad_code_limits(unknown_code)  # it tells a workshop's code from a wrong one, too
def page(code: str):
    """The outcome page; `?view=screen` draws it in the projector's large type."""
    workshop_id, join_code = outcomes.workshop_for_code(code)
    if join_code != code:  # one link per workshop, whatever was typed
        return redirect(url_for("outcome.page", code=join_code, **request.args))
    outcome, etag = outcomes.outcome_of(workshop_id, join_code)
    return render_template(
        "participate/outcome.html",
        outcome=outcome,
        etag=etag,
        screen=request.args.get("view") == "screen",
        poll_seconds=POLL_SECONDS,
        describe=describe_support,
        horizon=horizon_name,
    )


@bp.route("/api/w/<code>/outcome")
@bad_code_limits(unknown_code)
def data(code: str):
    """The outcome as JSON ({"ok", "outcome"}) with an ETag; 304 when it is unchanged."""
    outcome, etag = outcomes.outcome_of(*outcomes.workshop_for_code(code))
    if etag in request.if_none_match:
        response = jsonify()  # make_conditional turns it into a bodiless 304
    else:
        response = jsonify({"ok": True, "outcome": outcome})
    response.set_etag(etag)
    return response.make_conditional(request)


# ---- words for the page (static/js/tallies.js says the same in the browser) -------------


def describe_support(workshop: dict[str, Any], support: dict[str, Any] | None) -> str:
    """Say a support (a tally in the workshop's voting mode) in words; "" when hidden."""
    if support is None:
        return ""
    mode = workshop.get("voting_mode")
    if mode == "agree":
        return " · ".join(
            [
                _(
                    "%(agree)d agree · %(disagree)d disagree · %(pass)d pass",
                    agree=support["agree"],
                    disagree=support["disagree"],
                    **{"pass": support["pass"]},
                ),
                _("consensus %(percent)d%%", percent=round(support["consensus"] * 100)),
                _("divisiveness %(percent)d%%", percent=round(support["divisiveness"] * 100)),
            ]
        )
    if mode == "scores":
        if support.get("mean") is None:
            return _("not scored yet")
        criteria = " · ".join(
            _("%(criterion)s: %(mean)s", criterion=c.get("criterion", ""), mean=_mean(c["mean"]))
            for c in support.get("criteria", [])
        )
        voters = support.get("voters", 0)
        return (
            _("%(mean)s out of 5", mean=_mean(support["mean"]))
            + (f" ({criteria})" if criteria else "")
            + " · "
            + ngettext("%(num)d person scored", "%(num)d people scored", voters)
        )
    return ngettext("%(num)d dot", "%(num)d dots", support.get("dots", 0))


def _mean(mean: float | None) -> str:
    return "-" if mean is None else f"{mean:.1f}"


def horizon_name(horizon: str) -> str:
    """A pathway step's time horizon in words."""
    return {
        "short": _("Short term"),
        "medium": _("Medium term"),
        "long": _("Long term"),
    }.get(horizon, horizon)
