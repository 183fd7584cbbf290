"""Signing in: where it sends you afterwards, what its timing tells, and its limits."""

import shutil
import uuid

import pytest
from werkzeug.security import check_password_hash

from cocreate import create_app
from cocreate.models import user as user_model
from tests.conftest import World, settings

PASSWORD = "correct horse battery"


@pytest.fixture
def organizer(app):
    """An account that can sign in."""
    with app.app_context():
        return World().user("org@example.org", PASSWORD)


def sign_in(client, email="org@example.org", password=PASSWORD, query=""):
    return client.post(f"/login{query}", data={"email": email, "password": password})


class TestWhereSignInLeads:
    @pytest.mark.parametrize(
        "target",
        [
            "/%09/evil.example/",  # browsers drop the tab: //evil.example/
            "/%0A/evil.example/",
            "/%0D%0A/evil.example/",
            "//evil.example/",
            "/%2F/evil.example/",  # decoded: //evil.example/
            "https://evil.example/",
            "HTTPS:%2F%2Fevil.example",
            "/%5Cevil.example/",  # decoded: /\evil.example (browsers read \ as /)
            "%5C%5Cevil.example",
            "/%5C/evil.example",
            "javascript:alert(1)",
            "%20//evil.example/",
            "/%00/evil.example/",
            "/%C2%85/evil.example/",  # a C1 control (NEL)
            "evil.example",
        ],
    )
    def test_nothing_but_a_path_here_is_followed(self, app, organizer, target):
        response = sign_in(app.test_client(), query=f"?next={target}")
        assert response.status_code == 302
        assert response.location == "/workshops/"

    @pytest.mark.parametrize(
        ("target", "expected"),
        [
            ("/workshops/new", "/workshops/new"),
            ("/workshops/1/settings%3Ftab%3Drooms", "/workshops/1/settings?tab=rooms"),
        ],
    )
    def test_a_path_here_is_followed(self, app, organizer, target, expected):
        response = sign_in(app.test_client(), query=f"?next={target}")
        assert response.location == expected


class TestTiming:
    @pytest.fixture
    def checks(self, monkeypatch):
        """Count the password hash checks, whichever path makes them."""
        made = []

        def counted(pwhash, password):
            made.append(pwhash)
            return check_password_hash(pwhash, password)

        monkeypatch.setattr(user_model, "check_password_hash", counted)
        return made

    @pytest.mark.parametrize(
        ("email", "password", "status"),
        [
            ("nobody@example.org", PASSWORD, 200),  # no such account
            ("org@example.org", "wrong password!", 200),
            ("org@example.org", PASSWORD, 302),
        ],
    )
    def test_one_password_check_whether_or_not_the_account_exists(
        self, app, organizer, checks, email, password, status
    ):
        assert sign_in(app.test_client(), email, password).status_code == status
        assert len(checks) == 1

    def test_the_stand_in_hash_is_made_like_real_ones(self, ctx, organizer):
        from cocreate.extensions import db
        from cocreate.models import User

        real = db.session.get(User, organizer).password_hash
        stand_in = user_model._unused_hash()
        method = lambda h: h.split("$", 1)[0]  # noqa: E731  e.g. "scrypt:32768:8:1"
        assert method(stand_in) == method(real)


@pytest.fixture
def limited(tmp_path, migrated_sqlite):
    """Make an app with the rate limits on (the test settings turn them off)."""

    def make(**extra):
        path = tmp_path / f"limits-{uuid.uuid4().hex}.sqlite"
        shutil.copy(migrated_sqlite, path)
        return create_app(settings(f"sqlite:///{path}", RATELIMIT_ENABLED=True, **extra))

    return make


@pytest.fixture
def quick_hashes(monkeypatch):
    """Cheap password checks: these tests make hundreds of tries."""
    monkeypatch.setattr(user_model, "check_password_hash", lambda pwhash, password: False)


def make_accounts(app, *emails):
    with app.app_context():
        for email in emails:
            World().user(email, PASSWORD)


class TestLimits:
    def test_wrong_passwords_pause_one_account_not_the_venue(self, limited):
        app = limited()
        make_accounts(app, "org@example.org", "colleague@example.org")
        venue = app.test_client()  # one address for everyone
        for _ in range(10):
            assert sign_in(venue, password="wrong password!").status_code == 200
        paused = sign_in(venue)  # even the right password waits now
        assert paused.status_code == 429
        assert (
            "Too many wrong passwords for this account. Try again in 15 minutes."
            in paused.get_data(as_text=True)
        )
        assert sign_in(venue, "colleague@example.org").status_code == 302
        assert sign_in(app.test_client(), "ORG@example.org ").status_code == 429  # same account

    def test_signing_in_starts_the_count_afresh(self, limited):
        app = limited()
        make_accounts(app, "org@example.org")
        client = app.test_client()
        for _ in range(9):
            sign_in(client, password="wrong password!")
        assert sign_in(client).status_code == 302
        for _ in range(9):
            assert sign_in(app.test_client(), password="wrong password!").status_code == 200
        assert sign_in(app.test_client()).status_code == 302

    def test_one_address_trying_many_accounts_is_stopped(self, limited, quick_hashes):
        app = limited()
        make_accounts(app, "org@example.org")
        client = app.test_client()
        answers = [
            sign_in(client, f"guess{n}@example.org", "password123").status_code for n in range(101)
        ]
        assert answers[:100] == [200] * 100
        assert answers[100] == 429
        assert "Too many tries" in sign_in(client, "x@example.org").get_data(as_text=True)

    @pytest.mark.postgres
    def test_the_count_is_shared_by_every_process(self, limited):
        """With Redis as the limits' storage, a fresh app (another process) sees the count.

        (Marked like the scale-out tests, which need the same local PostgreSQL and Redis.)
        """
        storage = {
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "RATELIMIT_KEY_PREFIX": f"cocreate-test-{uuid.uuid4().hex}",
        }
        email = f"org-{uuid.uuid4().hex}@example.org"
        first = limited(**storage)
        make_accounts(first, email)
        for _ in range(10):
            sign_in(first.test_client(), email, "wrong password!")
        second = limited(**storage)
        make_accounts(second, email, "colleague@example.org")
        assert sign_in(second.test_client(), email).status_code == 429
        assert sign_in(second.test_client(), "colleague@example.org").status_code == 302
