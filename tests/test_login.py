"""Signing in: where it sends you afterwards, what its timing tells, and its limits."""

import pytest
from werkzeug.security import check_password_hash

from cocreate.models import user as user_model
from tests.conftest import World

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
