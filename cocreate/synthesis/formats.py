"""The download formats of the synthesis: each one's renderer and media type."""

from typing import Any

from flask_babel import force_locale

from cocreate.synthesis import (
    render_csv,
    render_docx,
    render_html,
    render_json,
    render_markdown,
    render_pdf,
)

#: Download extension -> (renderer module, media type), in the order the organize page
#: offers them.
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

#: The order a job makes several formats in: the quickest first, so the downloads that
#: wait for a cheap format are answered before the PDF and DOCX are done
#: (bench/synthesis/run.py: CSV 0.1 s ... DOCX 1 s for 5,000 ideas).
QUICKEST_FIRST = ("csv", "md", "json", "html", "pdf", "docx")


def render(data: dict[str, Any], fmt: str) -> bytes:
    """The synthesis data as a document of one format, as bytes.

    Raises KeyError for an unknown format. Needs an app context (the documents' words
    go through gettext). The words and dates are in the workshop's language, whoever
    asks: the document is the workshop's, and it is made without a request anyway (in
    the document process, cocreate/synthesis/worker.py).
    """
    with force_locale(data.get("language") or "en"):
        body = FORMATS[fmt][0].render(data)
    return body.encode("utf-8") if isinstance(body, str) else body
