"""Signing out, changing one's password and losing a workshop end what they should:
old cookies open nothing, open consoles are refused and then closed."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
import socketio as socketio_client

from cocreate import create_app
from cocreate.extensions import db, socketio
from cocreate.realtime import MODERATOR_NS
from cocreate.services import accounts
from cocreate.sockets.moderator import disconnect_revoked
from tests.conftest import Console, World, settings
from tests.support import wait_until
from tests.test_scale_out import cluster  # noqa: F401  (two server processes: a fixture)

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a longer, newer passphrase"


@pytest.fixture
def workshop(app):
    """A workshop run by its owner and a co-moderator (who also runs a workshop of their own)."""
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        made = world.workshop(owner, rooms=2)
        helper = world.user("helper@example.org", PASSWORD)
        from cocreate.services import workshops

        workshops.invite_moderator(owner, made["id"], "helper@example.org")
        own = world.workshop(helper, rooms=1)
    return {**made, "helper": helper, "helpers_own": own["id"]}


def sign_in(app, email="owner@example.org", password=PASSWORD):
    """A browser signed in with this account."""
    browser = app.test_client()
    response = browser.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


def only_cookie(app, browser, name):
    """A new browser holding nothing but one cookie copied from `browser`."""
    cookie = browser.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    stranger = app.test_client()
    stranger.set_cookie(name, cookie.value)
    return stranger


def signed_in(browser) -> bool:
    """Tell whether this browser gets the organizer's pages."""
    return browser.get("/workshops/").status_code == 200


def console_on(app, browser, workshop_id):
    """Open the moderator namespace with this browser's cookies."""
    return socketio.test_client(
        app, namespace=MODERATOR_NS, auth={"workshop": workshop_id}, flask_test_client=browser
    )


def opens_nothing(app, browser, workshop) -> None:
    """Pages, a form and the console all refuse this browser."""
    w = workshop["id"]
    for page in ("/workshops/", f"/workshops/{w}/moderate", f"/workshops/{w}/settings"):
        answer = browser.get(page)
        assert answer.status_code == 302 and "/login" in answer.location, page
    added = browser.post(f"/workshops/{w}/rooms", data={"new-name": "Sneaky", "new-topic": ""})
    assert added.status_code == 302 and "/login" in added.location
    with app.app_context():
        names = [r["name"] for r in World().moderator_view(workshop["owner"], w)["rooms"]]
    assert "Sneaky" not in names
    assert not console_on(app, browser, w).is_connected(MODERATOR_NS)


class TestSigningOut:
    def test_the_old_session_cookie_alone_opens_nothing(self, app, workshop):
        browser = sign_in(app)
        stolen = only_cookie(app, browser, "session")
        assert signed_in(stolen)  # the copy works while the account is signed in
        browser.post("/logout")
        assert not signed_in(browser)
        opens_nothing(app, stolen, workshop)

    def test_the_remember_cookie_alone_opens_nothing(self, app, workshop):
        browser = sign_in(app)
        remembered = only_cookie(app, browser, "remember_token")
        assert signed_in(remembered)  # it signs a browser in by itself...
        browser.post("/logout")
        opens_nothing(app, remembered, workshop)  # ...until the account signs out

    def test_signing_out_ends_the_account_s_other_browsers(self, app, workshop):
        laptop, tablet = sign_in(app), sign_in(app)
        other_account = sign_in(app, "helper@example.org")
        laptop.post("/logout")
        assert not signed_in(tablet)
        assert signed_in(other_account)
        again = sign_in(app)  # signing in again works as before
        assert signed_in(again)

    def test_an_open_console_is_refused_then_closed(self, app, workshop):
        console = Console(app, "owner@example.org", PASSWORD, workshop["id"])
        helper = Console(app, "helper@example.org", PASSWORD, workshop["id"])
        assert console.send("sync", {})["ok"]
        console.http.post("/logout")
        for ack in (
            console.send("sync", {}),
            console.send("broadcast", text="Still here?"),
            console.send("set_phase", phase="vote"),
        ):
            assert ack["ok"] is False and ack["error"]["code"] == "not_allowed", ack
        helper.socket.get_received(MODERATOR_NS)
        assert helper.send("sync", {})["ok"]
        with app.app_context():  # nothing the refused console sent was done
            rooms = World().moderator_view(workshop["owner"], workshop["id"])["rooms"]
        assert {room["phase"] for room in rooms[1:]} == {"propose"}
        # Within a second every process closes its consoles of the signed-out account.
        with app.app_context():
            assert disconnect_revoked() == 1
            assert disconnect_revoked() == 0
        assert not console.socket.is_connected(MODERATOR_NS)
        assert helper.socket.is_connected(MODERATOR_NS)

    def test_the_remember_cookie_is_lax_http_only_and_lasts_two_weeks(self, app, workshop):
        browser = app.test_client()
        answer = browser.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
        [header] = [h for h in answer.headers.getlist("Set-Cookie") if "remember_token=" in h]
        assert "HttpOnly" in header and "SameSite=Lax" in header
        expires = browser.get_cookie("remember_token").expires
        assert abs(expires - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=5)


class TestChangingPassword:
    def test_ends_the_other_sessions_and_keeps_this_one(self, app, workshop):
        here, elsewhere = sign_in(app), sign_in(app)
        remembered = only_cookie(app, elsewhere, "remember_token")
        console = Console(app, "owner@example.org", PASSWORD, workshop["id"])
        answer = here.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
        )
        assert answer.status_code == 302
        assert signed_in(here)
        assert signed_in(only_cookie(app, here, "remember_token"))  # renewed, not ended
        assert not signed_in(elsewhere)
        assert not signed_in(remembered)
        assert console.send("sync", {})["error"]["code"] == "not_allowed"
        with app.app_context():
            assert disconnect_revoked() == 1
        assert not console.socket.is_connected(MODERATOR_NS)
        assert (
            app.test_client()
            .post("/login", data={"email": "owner@example.org", "password": PASSWORD})
            .status_code
            == 200
        )
        sign_in(app, password=NEW_PASSWORD)

    @pytest.mark.parametrize(
        ("current", "new", "confirm", "message"),
        [
            ("wrong password!", NEW_PASSWORD, NEW_PASSWORD, "current password is not right"),
            (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "two new passwords are not the same"),
            (PASSWORD, "short", "short", "at least 10 characters"),
        ],
    )
    def test_mistakes_are_told_and_change_nothing(
        self, app, workshop, current, new, confirm, message
    ):
        here, elsewhere = sign_in(app), sign_in(app)
        page = here.post(
            "/account/password",
            data={"current_password": current, "new_password": new, "confirm": confirm},
        )
        assert page.status_code == 200
        assert message in page.get_data(as_text=True)
        assert signed_in(here) and signed_in(elsewhere)
        sign_in(app)  # the old password still works

    def test_the_page_is_a_labelled_form_for_signed_in_accounts_only(self, app, workshop):
        assert "/login" in app.test_client().get("/account/password").location
        page = sign_in(app).get("/account/password").get_data(as_text=True)
        for field in ("current_password", "new_password", "confirm"):
            assert f'<label for="{field}">' in page
            assert f'id="{field}"' in page and 'type="password"' in page


class TestRemovedCoModerator:
    def test_their_console_is_refused_then_closed_and_hears_nothing(self, app, workshop):
        owner = Console(app, "owner@example.org", PASSWORD, workshop["id"])
        helper = Console(app, "helper@example.org", PASSWORD, workshop["id"])
        helper_elsewhere = Console(app, "helper@example.org", PASSWORD, workshop["helpers_own"])
        assert helper.send("sync", {})["ok"]
        removed = owner.http.post(
            f"/workshops/{workshop['id']}/moderators/{workshop['helper']}/remove"
        )
        assert removed.status_code == 302
        ack = helper.send("broadcast", text="I am still here")
        assert ack["ok"] is False and ack["error"]["code"] == "not_allowed"
        with app.app_context():
            assert disconnect_revoked() == 1
        assert not helper.socket.is_connected(MODERATOR_NS)
        # The owner's console and the helper's own workshop go on.
        assert owner.socket.is_connected(MODERATOR_NS)
        assert helper_elsewhere.socket.is_connected(MODERATOR_NS)
        assert helper_elsewhere.send("sync", {})["ok"]
        # Their browser still has the account, but not this workshop.
        assert helper.http.get(f"/workshops/{workshop['id']}/moderate").status_code == 404
        assert not console_on(app, helper.http, workshop["id"]).is_connected(MODERATOR_NS)

    def test_the_sweep_asks_once_for_every_console_of_the_process(self, app, workshop):
        consoles = [Console(app, "owner@example.org", PASSWORD, workshop["id"]) for _ in range(2)]
        helpers = [Console(app, "helper@example.org", PASSWORD, workshop["id"]) for _ in range(2)]
        with app.app_context():
            from cocreate.services import workshops

            assert disconnect_revoked() == 0
            workshops.remove_moderator(workshop["owner"], workshop["id"], workshop["helper"])
            accounts.end_sessions(workshop["owner"])
            assert disconnect_revoked() == 4
        assert not any(c.socket.is_connected(MODERATOR_NS) for c in consoles + helpers)


def test_a_session_token_without_epoch_or_from_an_earlier_one_loads_nobody(ctx, world):
    user_id = world.user("someone@example.org")
    assert accounts.load_session_user(f"{user_id}:0").id == user_id
    for token in (str(user_id), f"{user_id}:1", f"{user_id}:-1", "x:0", "", f"{user_id}:0:0"):
        assert accounts.load_session_user(token) is None, token
    assert accounts.end_sessions(user_id) == 1
    assert accounts.load_session_user(f"{user_id}:0") is None
    assert accounts.load_session_user(f"{user_id}:1").id == user_id


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def _browser(base: str, email: str) -> requests.Session:
    """A browser signed in on one server process."""
    browser = requests.Session()
    token = _csrf(browser.get(f"{base}/login", timeout=5).text)
    answer = browser.post(
        f"{base}/login",
        data={"csrf_token": token, "email": email, "password": PASSWORD},
        timeout=5,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    return browser


def _console(browser: requests.Session, base: str, workshop_id: int) -> socketio_client.Client:
    """A console connected to one server process with the browser's cookies."""
    client = socketio_client.Client(http_session=browser, reconnection=False)
    client.connect(
        base,
        namespaces=[MODERATOR_NS],
        auth={"workshop": workshop_id},
        transports=["websocket"],
        wait_timeout=10,
    )
    return client


@pytest.mark.postgres
def test_every_process_closes_its_consoles_within_a_second_or_so(cluster):  # noqa: F811
    """Two real server processes: a sign-out or a removal made through one closes the
    consoles held by the other (each process's clock sweeps its own)."""
    a, b = cluster["urls"]
    app = create_app(settings(cluster["database"]))
    with app.app_context():
        world = World()
        owner = world.user("boss@example.org", PASSWORD)
        helper = world.user("aide@example.org", PASSWORD)
        w = world.workshop(owner, rooms=1)
        from cocreate.services import workshops

        workshops.invite_moderator(owner, w["id"], "aide@example.org")
        db.engine.dispose()
    boss_on_a, aide = _browser(a, "boss@example.org"), _browser(b, "aide@example.org")
    boss_console_on_b = _console(_browser(b, "boss@example.org"), b, w["id"])
    aide_consoles = [_console(aide, base, w["id"]) for base in (a, b)]
    try:
        settings_page = boss_on_a.get(f"{a}/workshops/{w['id']}/settings", timeout=5).text
        removed = boss_on_a.post(
            f"{a}/workshops/{w['id']}/moderators/{helper}/remove",
            data={"csrf_token": _csrf(settings_page)},
            timeout=5,
            allow_redirects=False,
        )
        assert removed.status_code == 302
        wait_until(
            lambda: not any(c.connected for c in aide_consoles),
            "both processes to close the removed co-moderator's consoles",
            timeout=5,
        )
        assert boss_console_on_b.connected
        signed_out = boss_on_a.post(
            f"{a}/logout", data={"csrf_token": _csrf(settings_page)}, timeout=5
        )
        assert signed_out.ok
        wait_until(
            lambda: not boss_console_on_b.connected,
            "process B to close the console of the account that signed out on A",
            timeout=5,
        )
    finally:
        for client in [boss_console_on_b, *aide_consoles]:
            client.disconnect()
