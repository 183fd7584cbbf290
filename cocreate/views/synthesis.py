"""Downloads of the synthesis in every format, and importing a workshop from its JSON.

Moderators of the workshop only (404 for anyone else, like the other organize pages).
Building and rendering run through workers.off_loop: a 5,000-idea synthesis takes about
a second of CPU, which must not hold every phone's connection under eventlet.
"""

import importlib
import re

from flask import (
    Blueprint,
    Response,
    abort,
    copy_current_request_context,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from cocreate.models._time import utcnow
from cocreate.services import access
from cocreate.services.errors import DomainError
from cocreate.synthesis import importer
from cocreate.synthesis.build import build
from cocreate.views.forms import ImportForm
from cocreate.workers import off_loop

bp = Blueprint("synthesis", __name__, url_prefix="/workshops")

#: Download extension -> renderer module of cocreate.synthesis, and its media type.
FORMATS = {
    "json": ("render_json", "application/json"),
    "csv": ("render_csv", "text/csv; charset=utf-8"),
    "md": ("render_markdown", "text/markdown; charset=utf-8"),
    "html": ("render_html", "text/html; charset=utf-8"),
    "pdf": ("render_pdf", "application/pdf"),
    "docx": (
        "render_docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


def renderer(fmt: str):
    """The renderer module of a download format, or None when there is none (yet)."""
    if fmt not in FORMATS:
        return None
    try:
        return importlib.import_module(f"cocreate.synthesis.{FORMATS[fmt][0]}")
    except ModuleNotFoundError:
        return None


def available_formats() -> list[str]:
    """The formats this server can make, in the order the organize page offers them."""
    return [fmt for fmt in ("docx", "pdf", "html", "md", "csv", "json") if renderer(fmt)]


def filename(title: str, fmt: str) -> str:
    """An ASCII file name for a download: the title's letters and digits."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:60] or "workshop"
    return f"{slug}-synthesis.{fmt}"


@bp.route("/<int:workshop_id>/synthesis.<fmt>")
@login_required
def download(workshop_id: int, fmt: str):
    """The synthesis in one format, as a file."""
    workshop = access.workshop_for_moderator(current_user.id, workshop_id)
    module = renderer(fmt)
    if module is None:
        abort(404)
    title = workshop.title

    @copy_current_request_context
    def make() -> bytes:
        body = module.render(build(workshop_id, generated_at=utcnow()))
        return body.encode("utf-8") if isinstance(body, str) else body

    body = off_loop(make)
    return Response(
        body,
        mimetype=FORMATS[fmt][1],
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
