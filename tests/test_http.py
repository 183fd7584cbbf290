"""HTTP routes: set-up, sign-in, workshops and rooms, joining, the JSON API, headers."""

import re

import pytest

from cocreate import create_app
from cocreate.config import ConfigError
from cocreate.realtime import broadcaster
from cocreate.services import snapshots
from tests.conftest import World

PASSWORD = "correct horse battery"


@pytest.fixture
def organizer(app):
    """A signed-in organizer's browser."""
    with app.app_context():
        World().user("org@example.org", PASSWORD)
    client = app.test_client()
    assert (
        client.post("/login", data={"email": "org@example.org", "password": PASSWORD}).status_code
        == 302
    )
    return client


def new_workshop(client, rooms="Housing: for migrants\nWork: for women", **fields):
    data = {
        "title": "Pathways",
        "question": "How do we reach equality?",
        "description": "",
        "dots_per_room": 5,
        "max_dots_per_idea": 3,
        "assignment": "choose",
        "rooms": rooms,
        **fields,
    }
    response = client.post("/workshops/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/workshops/(\d+)/moderate", response.location).group(1))


class TestSetupAndSignIn:
    def test_first_run_setup_then_closed(self, app):
        client = app.test_client()
        assert client.get("/login").location.endswith("/setup")
        response = client.post(
            "/setup", data={"name": "Org", "email": "org@example.org", "password": PASSWORD}
        )
        assert response.location.endswith("/workshops/new")
        assert client.get("/workshops/new").status_code == 200  # signed in
        other = app.test_client()
        assert other.get("/setup").location.endswith("/login")
        other.post("/setup", data={"name": "Eve", "email": "eve@example.org", "password": PASSWORD})
        assert (
            other.post(
                "/login", data={"email": "eve@example.org", "password": PASSWORD}
            ).status_code
            == 200
        )

    def test_wrong_password_is_told(self, app, organizer):
        client = app.test_client()
        page = client.post("/login", data={"email": "org@example.org", "password": "nope"})
        assert "do not match" in page.get_data(as_text=True)

    def test_pages_need_sign_in(self, app):
        assert app.test_client().get("/workshops/").status_code == 302

    def test_next_only_goes_to_local_paths(self, app, organizer):
        client = app.test_client()
        response = client.post(
            "/login?next=https://evil.example/",
            data={"email": "org@example.org", "password": PASSWORD},
        )
        assert response.location == "/workshops/"


class TestWorkshops:
    def test_create_and_see_the_console(self, organizer):
        workshop_id = new_workshop(organizer)
        page = organizer.get(f"/workshops/{workshop_id}/moderate").get_data(as_text=True)
        assert "How do we reach equality?" in page
        assert "http://cocreate.test/j/" in page  # COCREATE_BASE_URL in the join link
        assert re.search(r'class="code" id="join-code">[A-Z2-9]{4}-[A-Z2-9]{4}<', page)

    def test_invalid_settings_are_explained(self, organizer):
        page = organizer.post(
            "/workshops/new",
            data={
                "title": "T",
                "question": "Q",
                "dots_per_room": 2,
                "max_dots_per_idea": 3,
                "assignment": "choose",
                "rooms": "",
            },
        ).get_data(as_text=True)
        assert "between 1 and 2" in page

    def test_rooms_add_rename_remove(self, organizer):
        workshop_id = new_workshop(organizer, rooms="Housing")
        organizer.post(
            f"/workshops/{workshop_id}/rooms", data={"new-name": "Mobility", "new-topic": ""}
        )
        page = organizer.get(f"/workshops/{workshop_id}/settings").get_data(as_text=True)
        ids = [int(n) for n in re.findall(r"/rooms/(\d+)/remove", page)]
        assert len(ids) == 2
        room_id = ids[1]
        organizer.post(
            f"/workshops/{workshop_id}/rooms/{room_id}",
            data={f"room{room_id}-name": "Mobility & access", f"room{room_id}-topic": "Transport"},
        )
        page = organizer.get(f"/workshops/{workshop_id}/settings").get_data(as_text=True)
        assert "Mobility &amp; access" in page
        organizer.post(f"/workshops/{workshop_id}/rooms/{room_id}/remove")
        page = organizer.get(f"/workshops/{workshop_id}/settings").get_data(as_text=True)
        assert "Mobility &amp; access" not in page

    def test_another_account_cannot_open_it(self, app, organizer):
        workshop_id = new_workshop(organizer)
        with app.app_context():
            World().user("eve@example.org", PASSWORD)
        eve = app.test_client()
        eve.post("/login", data={"email": "eve@example.org", "password": PASSWORD})
        for path in ("moderate", "settings", "qr.svg", "screen"):
            assert eve.get(f"/workshops/{workshop_id}/{path}").status_code == 404

    def test_the_projector_screen(self, organizer):
        workshop_id = new_workshop(organizer)
        page = organizer.get(f"/workshops/{workshop_id}/screen").get_data(as_text=True)
        assert f"/workshops/{workshop_id}/qr.svg" in page
        assert "cocreate.test/j/" in page  # written large, without the scheme
        assert "js/screen.js" in page

    def test_stepping_into_a_room(self, app, organizer):
        workshop_id = new_workshop(organizer)
        with app.app_context():
            plenary, housing, _work = [
                room["id"] for room in snapshots.moderator_snapshot(1, workshop_id)["rooms"]
            ]
            World().user("eve@example.org", PASSWORD)
        page = organizer.get(f"/workshops/{workshop_id}/rooms/{housing}/view")
        assert page.status_code == 200
        assert "js/room-view.js" in page.get_data(as_text=True)
        assert organizer.get(f"/workshops/{workshop_id}/rooms/{plenary}/view").status_code == 404
        assert organizer.get(f"/workshops/{workshop_id}/rooms/9999/view").status_code == 404
        eve = app.test_client()
        eve.post("/login", data={"email": "eve@example.org", "password": PASSWORD})
        assert eve.get(f"/workshops/{workshop_id}/rooms/{housing}/view").status_code == 404

    def test_qr_code_is_an_svg_of_the_join_link(self, organizer):
        workshop_id = new_workshop(organizer)
        response = organizer.get(f"/workshops/{workshop_id}/qr.svg")
        assert response.mimetype == "image/svg+xml"
        assert response.data.startswith(b"<?xml") or b"<svg" in response.data[:200]


class TestJoining:
    @pytest.fixture
    def code(self, app):
        with app.app_context():
            return World().workshop()["code"]

    def test_join_by_typed_code(self, app, code):
        client = app.test_client()
        typed = f"{code[:4].lower()} {code[4:].lower()}"
        assert client.post("/", data={"code": typed}).location.endswith(f"/j/{code}")
        page = client.post("/", data={"code": "ZZZZ-ZZZZ"}).get_data(as_text=True)
        assert "No workshop has this code" in page

    def test_join_and_come_back_on_the_same_device(self, app, code):
        client = app.test_client()
        assert client.get(f"/w/{code}").status_code == 302  # not joined yet
        assert client.post(f"/j/{code}", data={"name": "Amina"}).location.endswith(f"/w/{code}")
        assert client.get(f"/j/{code}").location.endswith(f"/w/{code}")  # remembered
        first = client.get(f"/api/w/{code}/state").json["snapshot"]["me"]
        again = client.get(f"/api/w/{code}/state").json["snapshot"]["me"]
        assert first == again
        assert first["name"] == "Amina"
        stranger = app.test_client()
        assert stranger.get(f"/api/w/{code}/state").status_code == 403

    def test_names_are_escaped(self, app, code):
        client = app.test_client()
        client.post(f"/j/{code}", data={"name": "<b>bold</b>"})
        page = client.get(f"/w/{code}").get_data(as_text=True)
        assert "<b>bold</b>" not in page

    def test_a_long_name_is_explained(self, app, code):
        page = app.test_client().post(f"/j/{code}", data={"name": "x" * 41}).get_data(as_text=True)
        assert "40" in page

    def test_unknown_code_is_a_clear_404(self, app):
        response = app.test_client().get("/j/ZZZZZZZZ")
        assert response.status_code == 404
        assert "No workshop has this code" in response.get_data(as_text=True)

    def test_api_join(self, app, code):
        client = app.test_client()
        response = client.post("/api/join", json={"code": code, "name": "App"})
        assert response.json["ok"] is True
        assert client.get(f"/api/w/{code}/state").json["snapshot"]["me"]["name"] == "App"
        bad = client.post("/api/join", json={"code": "nope"})
        assert bad.status_code == 404
        assert bad.json["error"]["code"] == "not_found"


class TestSafety:
    def test_forms_need_the_csrf_token(self, tmp_path, migrated_sqlite):
        import shutil

        from tests.conftest import settings

        path = tmp_path / "csrf.sqlite"
        shutil.copy(migrated_sqlite, path)
        app = create_app(settings(f"sqlite:///{path}", WTF_CSRF_ENABLED=True))
        client = app.test_client()
        response = client.post(
            "/setup", data={"name": "A", "email": "a@example.org", "password": PASSWORD}
        )
        assert response.status_code == 400
        assert "Reload the page" in response.get_data(as_text=True)
        assert client.get("/login").location.endswith("/setup")

    def test_security_headers(self, app):
        response = app.test_client().get("/")
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"

    def test_no_inline_scripts_in_pages(self, app, organizer):
        workshop_id = new_workshop(organizer)
        page = organizer.get(f"/workshops/{workshop_id}/moderate").get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", page):
            assert "src=" in tag or 'type="application/json"' in tag

    def test_join_form_is_rate_limited(self, tmp_path, migrated_sqlite):
        import shutil

        from tests.conftest import settings

        path = tmp_path / "limit.sqlite"
        shutil.copy(migrated_sqlite, path)
        # (tests/test_venue_limits.py checks each limit at its real value)
        limits = {"BAD_CODES_PER_ADDRESS": "20 per minute"}
        app = create_app(settings(f"sqlite:///{path}", RATELIMIT_ENABLED=True, **limits))
        client = app.test_client()
        with app.app_context():
            code = World().workshop()["code"]
        # A whole venue behind one address joins freely...
        for _ in range(30):
            assert app.test_client().post(f"/j/{code}", data={"name": ""}).status_code == 302
            assert app.test_client().post("/api/join", json={"code": code}).status_code == 200
        # ...but guessing codes is stopped, with a clear message.
        codes = [client.post("/", data={"code": "ZZZZZZZZ"}).status_code for _ in range(21)]
        assert codes[:20] == [404] * 20
        assert codes[-1] == 429
        assert "Too many wrong codes" in client.post("/", data={"code": "ZZZZZZZZ"}).get_data(
            as_text=True
        )
        guesses = [client.get("/j/ZZZZZZZZ").status_code for _ in range(21)]
        assert guesses[-1] == 429

    def test_production_refuses_to_start_without_a_secret(self, monkeypatch):
        monkeypatch.setenv("COCREATE_ENV", "production")
        monkeypatch.delenv("SECRET_KEY", raising=False)
        with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
            create_app()


def test_the_fan_out_gaps_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/gaps.sqlite")
    monkeypatch.setenv("COCREATE_EMIT_MIN_GAP", "0.05")
    monkeypatch.setenv("COCREATE_EMIT_GAP_PER_CONNECTION", "0.0002")
    create_app()
    try:
        assert (broadcaster.min_gap, broadcaster.per_connection) == (0.05, 0.0002)
    finally:
        broadcaster.configure(0)  # as the tests' apps have it
    monkeypatch.setenv("COCREATE_EMIT_MIN_GAP", "fast")
    with pytest.raises(ConfigError, match="COCREATE_EMIT_MIN_GAP must be a number of seconds"):
        create_app()


def test_demo_seed_command(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "join code" in result.output
    result = app.test_cli_runner().invoke(
        args=["create-organizer", "--email", "x@example.org", "--name", "X"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output


def test_roles_on_the_join_page_and_the_participation_page(app, organizer):
    assert "Civil society organisation" in organizer.get("/workshops/new").get_data(as_text=True)
    workshop_id = new_workshop(
        organizer, stakeholder_roles="Local government\nCivil society organisation\nExpert"
    )
    with app.app_context():
        code = World().moderator_view(1, workshop_id)["workshop"]["code"]
    phone = app.test_client()
    page = phone.get(f"/j/{code}").get_data(as_text=True)
    assert "You take part as (optional)" in page
    assert "Civil society organisation" in page
    phone.post(f"/j/{code}", data={"name": "Ana", "role": "Expert"})
    assert phone.get(f"/w/{code}").status_code == 200
    bad = app.test_client().post(f"/j/{code}", data={"name": "X", "role": "Astronaut"})
    assert bad.status_code == 200  # the form again, with its error
    assert "Not a valid choice" in bad.get_data(as_text=True)
    page = organizer.get(f"/workshops/{workshop_id}/participation").get_data(as_text=True)
    assert "<td>Expert</td>" in page
    organizer.post(
        f"/workshops/{workshop_id}/settings",
        data={
            "title": "Pathways",
            "question": "Q?",
            "dots_per_room": 5,
            "max_dots_per_idea": 3,
            "assignment": "choose",
            "stakeholder_roles": "City hall\nNGO",
        },
    )
    page = phone.get(f"/j/{code}")  # joined already: straight to the room
    assert page.status_code == 302
    page = app.test_client().get(f"/j/{code}").get_data(as_text=True)
    assert "City hall" in page and "Civil society organisation" not in page


def test_co_moderators(app, organizer):
    workshop_id = new_workshop(organizer)
    with app.app_context():
        World().user("co@example.org", PASSWORD)
    co = app.test_client()
    co.post("/login", data={"email": "co@example.org", "password": PASSWORD})
    assert co.get(f"/workshops/{workshop_id}/moderate").status_code == 404
    page = organizer.post(
        f"/workshops/{workshop_id}/moderators",
        data={"invite-email": "nobody@example.org"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "No account has this e-mail" in page
    organizer.post(f"/workshops/{workshop_id}/moderators", data={"invite-email": "CO@example.org"})
    assert co.get(f"/workshops/{workshop_id}/moderate").status_code == 200
    # A co-moderator runs the workshop but cannot invite or remove moderators.
    page = co.post(
        f"/workshops/{workshop_id}/moderators",
        data={"invite-email": "org@example.org"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Only the workshop&#39;s owner" in page
    with app.app_context():
        from cocreate.services import accounts

        co_id = accounts.user_by_email("co@example.org").id
    organizer.post(f"/workshops/{workshop_id}/moderators/{co_id}/remove")
    assert co.get(f"/workshops/{workshop_id}/moderate").status_code == 404
