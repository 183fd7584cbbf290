"""Downloads of the synthesis in every format, and importing a workshop from its JSON.

Moderators of the workshop only (404 for anyone else, like the other organize pages).
The documents are made by cocreate.synthesis.maker, in a process of its own, so that
a burst of downloads does not slow the live rooms (its docstring says how).
"""

import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from cocreate.services import access
from cocreate.services.errors import DomainError
from cocreate.synthesis import importer
from cocreate.synthesis.formats import FORMATS
from cocreate.synthesis.maker import DocumentUnavailable, maker_for
from cocreate.views.forms import ImportForm

bp = Blueprint("synthesis", __name__, url_prefix="/workshops")


def available_formats() -> list[str]:
    """The formats this server makes, in the order the organize page offers them."""
    return list(FORMATS)


def warm_up() -> None:
    """Get the document process ready: an organizer is looking at the download links."""
    maker_for(current_app._get_current_object()).warm()


def filename(title: str, fmt: str) -> str:
    """An ASCII file name for a download: the title's letters and digits."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:60] or "workshop"
    return f"{slug}-synthesis.{fmt}"


@bp.route("/<int:workshop_id>/synthesis.<fmt>")
@login_required
def download(workshop_id: int, fmt: str):
    """The synthesis in one format, as a file."""
    workshop = access.workshop_for_moderator(current_user.id, workshop_id)
    if fmt not in FORMATS:
        abort(404)
    title = workshop.title
    try:
        body = maker_for(current_app._get_current_object()).make(workshop_id, fmt)
    except DocumentUnavailable:
        current_app.logger.exception("A synthesis document could not be made")
        abort(503, _("The document could not be made just now. Please try again."))
    return Response(
        body,
        content_type=FORMATS[fmt][1],  # as written: mimetype= would add a second charset
        headers={
            "Content-Disposition": f'attachment; filename="{filename(title, fmt)}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_workshop():
    """Make a new workshop from a synthesis JSON file, as a template or an archive."""
    request.max_content_length = importer.MAX_BYTES  # an archive is larger than a form
    form = ImportForm()
    if form.validate_on_submit():
        raw = form.file.data.read(importer.MAX_BYTES + 1)
        try:
            data = importer.load(raw)
            workshop_id = importer.import_workshop(current_user.id, data, form.mode.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The workshop is imported."), "info")
            return redirect(url_for("organize.settings", workshop_id=workshop_id))
    return render_template("organize/import.html", form=form)
