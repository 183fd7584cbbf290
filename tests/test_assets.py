"""What a weak network carries (cocreate/assets.py): compressed pages and assets, static
files under a fingerprint of their content and cached for a year, and organizers' pages
left uncompressed (BREACH)."""

import gzip

import brotli
from flask import url_for

from cocreate import assets
from tests.conftest import World


def test_pages_and_assets_go_out_compressed_as_the_browser_asks(app):
    client = app.test_client()
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    assert b"<html" in gzip.decompress(page.data)
    assert client.get("/").headers.get("Content-Encoding") is None  # asked for none

    with app.test_request_context():
        script = url_for("static", filename="js/room.js")
    for _ in range(2):  # the second answer is the kept one
        answer = client.get(script, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert answer.headers["Content-Encoding"] == "br"
        assert answer.headers["Cache-Control"] == assets.IMMUTABLE
        assert b"import" in brotli.decompress(answer.data)
        answer.close()


def test_static_addresses_carry_the_content_fingerprint(app, tmp_path):
    with app.test_request_context():
        address = url_for("static", filename="js/room.js")
    assert address == f"/static/{assets.fingerprint(assets.Path(app.static_folder))}/js/room.js"
    (tmp_path / "a.js").write_text("export const a = 1;")
    before = assets.fingerprint(tmp_path)
    (tmp_path / "a.js").write_text("export const a = 2;")
    assert assets.fingerprint(tmp_path) != before


def test_a_page_imports_its_modules_at_once(app):
    with app.test_request_context():
        html = str(assets.module_script("js/room.js"))
        dom = url_for("static", filename="js/dom.js")
        socket = url_for("static", filename="vendor/socket.io/socket.io.esm.min.js")
    # dom.js is imported two levels down, the Socket.IO client from ../vendor/.
    assert f'<link rel="modulepreload" href="{dom}">' in html
    assert f'<link rel="modulepreload" href="{socket}">' in html
    assert html.endswith('<script type="module" src="' + dom.replace("dom", "room") + '"></script>')


def test_an_organizers_pages_are_not_compressed(app):
    with app.app_context():
        workshop = World().workshop(World().user("org@example.org", "correct horse battery"))
    client = app.test_client()
    client.post("/login", data={"email": "org@example.org", "password": "correct horse battery"})
    page = client.get(f"/workshops/{workshop['id']}/moderate", headers={"Accept-Encoding": "br"})
    assert page.status_code == 200
    assert page.headers.get("Content-Encoding") is None
    state = client.get(f"/api/w/{workshop['code']}/state", headers={"Accept-Encoding": "br"})
    assert state.headers.get("Content-Encoding") in (None, "br")  # JSON: no token in it
