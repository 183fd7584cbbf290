"""The download formats of the synthesis: each one's renderer and media type."""

import importlib
from types import ModuleType
from typing import Any

from flask_babel import force_locale

#: Download extension -> (renderer module, media type), in the order the organize page
#: offers them. The renderers are imported when a document is first made: the PDF and
#: DOCX libraries took a fifth of a server's start (0.3 s), which every phone waits out
#: after a restart, and by default documents are made in a process of their own.
FORMATS = {
    "docx": (
        "render_docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": ("render_pdf", "application/pdf"),
    "html": ("render_html", "text/html; charset=utf-8"),
    "md": ("render_markdown", "text/markdown; charset=utf-8"),
    "csv": ("render_csv", "text/csv; charset=utf-8"),
    "json": ("render_json", "application/json"),
}


def renderer(fmt: str) -> ModuleType:
    """The module that renders one format (imported now if it was not). Raises KeyError
    for an unknown format."""
    return importlib.import_module(f"cocreate.synthesis.{FORMATS[fmt][0]}")


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
        body = renderer(fmt).render(data)
    return body.encode("utf-8") if isinstance(body, str) else body
