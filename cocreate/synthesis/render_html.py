"""The synthesis as one HTML file: printable, offline, no script.

It needs nothing beside itself: the style is in the page (allowed by its own
Content-Security-Policy through a hash, so no other style and no script can run even if a
participant's text were to slip through escaping), the charts are inline SVG. Jinja's
autoescape escapes every participant's text.
"""

import base64
import hashlib
from functools import cache

from flask_babel import gettext, ngettext
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from cocreate.synthesis import charts
from cocreate.synthesis.view import clean, generated, is_rtl, prepare, refs, when

TEMPLATES = __import__("pathlib").Path(__file__).resolve().parents[2] / "templates" / "synthesis"


@cache
def _environment() -> Environment:
    """The documents' own Jinja environment (no app needed: renderers are pure)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters["clean"] = clean
    env.filters["refs"] = refs
    env.filters["when"] = when
    env.globals["generated"] = generated
    env.globals["is_rtl"] = is_rtl
    return env


@cache
def stylesheet() -> tuple[str, str]:
    """The page's CSS and its CSP source ('sha256-…'), for a server that serves the file."""
    css = (TEMPLATES / "document.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return css, f"'sha256-{digest}'"


def content_security_policy() -> str:
    """The policy the document carries: its own style, data: images, nothing else."""
    return f"default-src 'none'; style-src {stylesheet()[1]}; img-src data:"


def render(data: dict) -> bytes:
    """The synthesis as a UTF-8 HTML document."""
    view = prepare(data)
    every = charts.all_charts(view)
    css, _ = stylesheet()
    html = (
        _environment()
        .get_template("document.html")
        .render(
            v=view,
            d=data,
            w=data.get("workshop", {}),
            css=Markup(css),
            csp=content_security_policy(),
            svg={
                "participation": Markup(charts.svg(every["participation"])),
                "pathways": Markup(charts.svg(every["pathways"])),
                "rooms": {k: Markup(charts.svg(c)) for k, c in every["rooms"].items()},
            },
            lang=clean(data.get("language") or "en"),
        )
    )
    return html.encode("utf-8")
