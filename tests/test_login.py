"""Signing in: where it sends you afterwards, what its timing tells, and its limits."""

import pytest

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
