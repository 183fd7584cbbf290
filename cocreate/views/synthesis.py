"""Downloads of the synthesis in every format, and importing a workshop from its JSON.

Moderators of the workshop only (404 for anyone else, like the other organize pages).

Where a download's work runs, under eventlet (wsgi.py): rendering is most of the CPU (a
5,000-idea PDF takes about two seconds, a DOCX one), so the renderer runs through
workers.off_loop, in a real OS thread, while the loop answers the phones. The data is
built *on the loop* first (cocreate.synthesis.build: about 0.1 s for 600 ideas, 0.4 s
for 5,000, as the outcome page does) and the renderer gets plain dicts, because what
runs off the loop must not wait for a lock (workers.py): it once built there too, and a
dozen downloads at once emptied SQLAlchemy's connection pool (each held two connections,
its request's and its thread's); the threads then waited on the pool's green condition,
whose wake-up cannot reach a real thread ("greenlet.error: Cannot switch to a different
thread"), until its 30 s timeout -- or for ever on the lock the PDF's font cache had
then (it has none now: pdf_fonts.py). On SQLite and PostgreSQL alike: psycopg's green
sockets did work from the thread, the locks did not (tests/test_synthesis_server.py).
RENDERING, a green lock taken on the loop before going off it, lets one document render
at a time per process, so two pool threads never contend for a lock the renderers share
(the HTML template's Jinja cache). Nothing is lost by it: the renderers are mostly
Python and hold the GIL, so two at once would not finish sooner. BUILDING likewise lets
one build run on the loop at a time, so a burst of downloads interleaves with the
phones' votes one build at a time instead of a dozen. The renderers are imported with
this module, at the server's start: the first download must not import the PDF and DOCX
libraries on the loop (about half a second without an answer to any phone).
"""

import re
import threading
import time

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

from cocreate.extensions import db
from cocreate.models._time import utcnow
from cocreate.services import access
from cocreate.services.errors import DomainError
from cocreate.synthesis import (
    importer,
    render_csv,
    render_docx,
    render_html,
    render_json,
    render_markdown,
    render_pdf,
)
from cocreate.synthesis.build import build
from cocreate.views.forms import ImportForm
from cocreate.workers import off_loop

bp = Blueprint("synthesis", __name__, url_prefix="/workshops")

#: One synthesis is built on the loop at a time in this process (see the docstring).
BUILDING = threading.Lock()
#: One document renders at a time in this process; taken on the loop (see the docstring).
RENDERING = threading.Lock()

#: Download extension -> renderer module of cocreate.synthesis, and its media type, in
#: the order the organize page offers them.
FORMATS = {
    "docx": (
        render_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": (render_pdf, "application/pdf"),
    "html": (render_html, "text/html; charset=utf-8"),
    "md": (render_markdown, "text/markdown; charset=utf-8"),
    "csv": (render_csv, "text/csv; charset=utf-8"),
    "json": (render_json, "application/json"),
}


def renderer(fmt: str):
    """The renderer module of a download format, or None for an unknown format."""
    return FORMATS[fmt][0] if fmt in FORMATS else None


def available_formats() -> list[str]:
    """The formats this server makes, in the order the organize page offers them."""
    return list(FORMATS)


#: Per workshop: (when its latest build started, the data) while downloads wait for it.
_built: dict[int, tuple[float, dict]] = {}
_waiting: dict[int, int] = {}


def shared_build(workshop_id: int) -> dict:
    """The workshop's synthesis data, built on the loop one build at a time (BUILDING).

    A burst of downloads shares builds: a build that started after this request arrived
    holds everything committed before it, so it serves this request as well as its own;
    a dozen downloads at once cost two builds, not twelve. The data is kept only while
    some download still waits for it (a 5,000-idea build is tens of megabytes).
    """
    arrived = time.monotonic()
    _waiting[workshop_id] = _waiting.get(workshop_id, 0) + 1
    try:
        with BUILDING:
            latest = _built.get(workshop_id)
            if latest is not None and latest[0] >= arrived:
                return latest[1]
            started = time.monotonic()
            data = build(workshop_id, generated_at=utcnow())
            db.session.rollback()  # the connection goes back to the pool: waiting must not hold it
            _built[workshop_id] = (started, data)
            return data
    finally:
        _waiting[workshop_id] -= 1
        if not _waiting[workshop_id]:
            del _waiting[workshop_id]
            _built.pop(workshop_id, None)


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
    data = shared_build(workshop_id)

    @copy_current_request_context
    def render() -> bytes:
        body = module.render(data)
        return body.encode("utf-8") if isinstance(body, str) else body

    with RENDERING:
        body = off_loop(render)
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
