"""What a phone on weak venue Wi-Fi downloads: fingerprinted static files it keeps for a
year, and compressed responses.

Fingerprints. Every static file is served under /static/<fingerprint>/..., where the
fingerprint is one hash of the whole static folder's content, computed once when the app
starts. The ES modules import each other by relative path ("./dom.js"), so a nested
import inherits the fingerprint of the page's entry module: a `?v=` on the entry alone
would leave the modules it imports under their old names. Any change to any static file
gives every file a new address, so an address always names the same bytes, and the
browser may keep it without asking again (Cache-Control: immutable). Pages themselves
are never cached (cocreate.register_security_headers), so a page always names the
current files. Processes that serve the same files compute the same fingerprint.

Compression. HTML, CSS, JavaScript, JSON and SVG go out with Brotli or gzip, whichever
the browser takes (a browser on plain HTTP offers gzip only): pages and JSON by
Flask-Compress as they are made, static files at the tightest setting once per process. The
Socket.IO transport never reaches Flask (engine.io answers its own requests, and
compresses its long-polling answers itself). One exception: a page sent to a signed-in
organizer that carries their CSRF token (a form, the sign-out button) goes out
uncompressed. The token does not change between requests and sits next to text that
others can put there (participants' ideas; a query string that the language links
repeat); compressing the two together would let someone who watches the encrypted sizes
and makes the organizer's browser ask for pages of their choosing guess the token a
letter at a time (BREACH). A page without the token has no secret for BREACH to find (the
session cookie travels in the headers, which this does not compress), so an organizer's
token-free page is compressed like a participant's: the projector (its template has no
top bar, hence no sign-out form), whose 24 KB are mostly the scripts' strings. Whether a
page carries the token is known for certain: Flask-WTF makes it on the first
csrf_token() of a request and keeps it in `g`. Scripts, styles and JSON carry no token
and are compressed for everyone.
"""

import gzip
import hashlib
import posixpath
import re
from functools import cache
from pathlib import Path

import brotli
from flask import Flask, Response, current_app, g, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from cocreate.extensions import compress

#: How long a browser keeps a fingerprinted file: a year, the longest HTTP caches honour.
IMMUTABLE = "public, max-age=31536000, immutable"
#: What Flask-Compress compresses (application/javascript is what Flask names .js files).
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]


def fingerprint(folder: Path) -> str:
    """Hash every file's path and content under `folder` into twelve hex digits."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


def static_url_path(folder: Path) -> str:
    """The URL prefix of the static files: /static/<fingerprint of their content>."""
    return f"/static/{fingerprint(folder)}"


#: A static `import ... from "./x.js"` (or `import "./x.js"`) in one of the ES modules.
IMPORT = re.compile(r"""^\s*import\s(?:[^;]*?\sfrom\s)?\s*["'](\.{1,2}/[^"']+)["']""", re.M)


@cache
def _imports(folder: str, module: str) -> tuple[str, ...]:
    """Every module `module` imports, directly or not, in the order first met."""
    found: dict[str, None] = {}
    waiting = [module]
    while waiting:
        current = waiting.pop(0)
        source = (Path(folder) / current).read_text(encoding="utf-8")
        for relative in IMPORT.findall(source):
            name = posixpath.normpath(posixpath.join(posixpath.dirname(current), relative))
            if name not in found and name != module:
                found[name] = None
                waiting.append(name)
    return tuple(found)


def module_script(entry: str, priority: str | None = None) -> Markup:
    """The page's entry module, and a modulepreload link for each module it imports:
    the browser asks for all of them at once instead of one level of imports per
    round trip (seven levels, 400 ms each on a slow 3G link). `priority="low"` lets what
    the page shows before its script runs come first (the projector's QR code)."""
    hint = f' fetchpriority="{escape(priority)}"' if priority else ""
    links = [
        f'<link rel="modulepreload" href="{escape(url_for("static", filename=name))}"{hint}>'
        for name in _imports(current_app.static_folder, entry)
    ]
    script = (
        f'<script type="module" src="{escape(url_for("static", filename=entry))}"{hint}></script>'
    )
    return Markup("\n  ".join([*links, script]))


def prefetch_modules(entry: str) -> Markup:
    """Links that let the browser fetch the next page's modules while this page waits
    for its reader (the join form, while someone types their name). They ask for low
    priority (fetchpriority): on a slow link the page's own style and text come first.
    They stay modulepreloads: the Chromium the browser tests run did not reuse a module
    fetched by <link rel="prefetch"> (with or without crossorigin) when the next page
    imported it, and fetched it again."""
    names = [entry, *_imports(current_app.static_folder, entry)]
    return Markup(
        "\n  ".join(
            f'<link rel="modulepreload" href="{escape(url_for("static", filename=name))}"'
            ' fetchpriority="low">'
            for name in names
        )
    )


def register(app: Flask) -> None:
    """Give the templates module_script and prefetch_modules; compress what goes out
    (registered first among the after-request handlers, so it runs last, on the
    finished response)."""
    app.jinja_env.globals["module_script"] = module_script
    app.jinja_env.globals["prefetch_modules"] = prefetch_modules
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_REGISTER", False)  # compressed() below decides
    compress.init_app(app)

    @app.after_request
    def compressed(response: Response) -> Response:
        if request.endpoint == "static":
            return packed(response)
        if (
            response.mimetype == "text/html"
            and current_user.is_authenticated
            and carries_csrf_token()
        ):
            return response  # BREACH: see the opening comment
        return compress.after_request(response)


def carries_csrf_token() -> bool:
    """Whether this request's response may hold its CSRF token: Flask-WTF keeps the token
    in `g` from the first csrf_token() (or form.hidden_tag()) of a request on."""
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g


#: (address, encoding) → the file compressed at the best ratio, made once per process.
_packed: dict[tuple[str, str], bytes] = {}


def packed(response: Response) -> Response:
    """Send a static file compressed as tightly as Brotli or gzip can (once per process:
    an address names the same bytes for ever, so the result is kept)."""
    response.vary.add("Accept-Encoding")
    encoding = request.accept_encodings.best_match(["br", "gzip"])
    if (
        encoding is None
        or response.status_code != 200  # 304 Not Modified, 206 a range
        or response.mimetype not in COMPRESSED_TYPES
    ):
        return response
    key = (request.path, encoding)
    response.direct_passthrough = False
    if key not in _packed:
        data = response.get_data()
        _packed[key] = (
            brotli.compress(data, quality=11) if encoding == "br" else gzip.compress(data, 9)
        )
    elif hasattr(response.response, "close"):
        response.response.close()  # the file, unread
    response.set_data(_packed[key])
    response.content_encoding = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-{encoding}", weak=weak)
    return response
