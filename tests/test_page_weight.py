"""What the projector and the join page send first (cocreate/assets.py, templates): the
projector goes out compressed because it carries no CSRF token, while an organizer's page
with a token stays uncompressed (BREACH); the projector's first draw is the stage its
script will draw; the join page preloads the room's modules behind its own style."""

import re

import brotli
import pytest
from flask import url_for

from cocreate import assets
from cocreate.services import participants
from tests.conftest import World

PASSWORD = "correct horse battery"


@pytest.fixture
def organizer(app):
    """A signed-in organizer's browser and their workshop (two breakout rooms)."""
    with app.app_context():
        workshop = World().workshop(World().user("org@example.org", PASSWORD))
    client = app.test_client()
    client.post("/login", data={"email": "org@example.org", "password": PASSWORD})
    return client, workshop


def test_the_projector_goes_out_compressed_with_no_token_in_it(organizer):
    client, workshop = organizer
    screen = client.get(f"/workshops/{workshop['id']}/screen", headers={"Accept-Encoding": "br"})
    assert screen.status_code == 200
    assert screen.headers["Content-Encoding"] == "br"
    page = brotli.decompress(screen.data).decode()
    assert "csrf_token" not in page
    assert "Sign out" not in page
    assert "js/screen.js" in page

    # The same organizer's console has a form with the token: it stays uncompressed.
    console = client.get(f"/workshops/{workshop['id']}/moderate", headers={"Accept-Encoding": "br"})
    assert console.status_code == 200
    assert console.headers.get("Content-Encoding") is None
    assert 'name="csrf_token"' in console.text


def test_a_request_carries_a_token_from_its_first_csrf_token_on(app):
    from flask_wtf.csrf import generate_csrf

    with app.test_request_context():
        assert not assets.carries_csrf_token()
        generate_csrf()
        assert assets.carries_csrf_token()


def stage_of(page: str) -> str:
    return re.search(r'<body class="screen"[^>]*data-stage="(\w+)"', page).group(1)


def test_the_projectors_first_draw_is_the_stage_its_script_draws(app, organizer):
    client, workshop = organizer
    lobby = client.get(f"/workshops/{workshop['id']}/screen").text
    assert stage_of(lobby) == "lobby"
    assert re.search(r'<section id="screen-rooms"[^>]* hidden>', lobby)

    with app.app_context():
        participants.open_breakouts(workshop["owner"], workshop["id"])
    rooms = client.get(f"/workshops/{workshop['id']}/screen").text
    assert stage_of(rooms) == "rooms"
    section = re.search(r'<section id="screen-rooms"[^>]*>\s*<h2[^>]*>([^<]*)</h2>', rooms)
    assert "hidden" not in section.group(0)
    assert section.group(1) == "The rooms, live"


def test_the_join_page_preloads_the_rooms_modules_at_low_priority(app):
    with app.app_context():
        workshop = World().workshop()
    page = app.test_client().get(f"/j/{workshop['code']}").text
    with app.test_request_context():
        room = url_for("static", filename="js/room.js")
        socket = url_for("static", filename="vendor/socket.io/socket.io.esm.min.js")
    assert f'<link rel="modulepreload" href="{room}" fetchpriority="low">' in page
    assert f'<link rel="modulepreload" href="{socket}" fetchpriority="low">' in page
    preloads = re.findall(r'<link rel="modulepreload"[^>]*>', page)
    assert preloads and all('fetchpriority="low"' in link for link in preloads)


def test_every_prefetched_module_exists(app):
    with app.test_request_context():
        html = str(assets.prefetch_modules("js/room.js"))
        addresses = re.findall(r'href="([^"]+)"', html)
    client = app.test_client()
    assert len(addresses) > 5
    for address in addresses:
        answer = client.get(address)
        assert answer.status_code == 200, address
        answer.close()
