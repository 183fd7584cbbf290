"""The console's notice when the join link names this computer only (issue 10): no phone
can open http://127.0.0.1:…, so the console says so and how to start for the venue's Wi-Fi."""

import socket

import pytest

from cocreate.views import organize
from tests.test_http import PASSWORD, new_workshop, organizer  # noqa: F401 (a fixture)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:5000/j/ABCD2345", True),
        ("http://127.0.1.1/j/ABCD2345", True),
        ("http://localhost:5000/j/ABCD2345", True),
        ("http://LOCALHOST/j/x", True),
        ("http://[::1]:5000/j/ABCD2345", True),
        ("http://192.168.1.20:5000/j/ABCD2345", False),
        ("https://workshops.example.org/j/ABCD2345", False),
        ("http://localhost.example.org/j/x", False),
    ],
)
def test_which_links_only_this_computer_opens(url, loopback):
    assert organize.points_at_loopback(url) is loopback


class FakeSocket:
    """A UDP socket that 'connects' through a given local address (nothing is sent)."""

    def __init__(self, address):
        self.address, self.closed = address, False

    def connect(self, _where):
        if self.address is None:
            raise OSError("Network is unreachable")

    def getsockname(self):
        return (self.address, 40000)

    def close(self):
        self.closed = True


@pytest.mark.parametrize(
    ("local", "found"),
    [("192.168.1.20", "192.168.1.20"), (None, None), ("127.0.0.1", None), ("0.0.0.0", None)],
)
def test_the_lan_address_is_the_default_routes(monkeypatch, local, found):
    probe = FakeSocket(local)
    monkeypatch.setattr(socket, "socket", lambda *_args: probe)
    assert organize.lan_address() == found
    assert probe.closed


def test_the_hint_names_the_command_with_the_laptops_address(monkeypatch):
    monkeypatch.setattr(organize, "lan_address", lambda: "10.0.0.7")
    hint = organize.phone_address_hint("http://127.0.0.1:5000/j/ABCD2345")
    assert hint["command"] == "HOST=0.0.0.0 COCREATE_BASE_URL=http://10.0.0.7:5000 make run"
    monkeypatch.setattr(organize, "lan_address", lambda: None)
    hint = organize.phone_address_hint("http://localhost/j/ABCD2345")
    assert hint["address"] is None
    assert "COCREATE_BASE_URL=http://<this-laptop-address> make run" in hint["command"]
    assert organize.phone_address_hint("http://192.168.1.20:5000/j/ABCD2345") is None


def test_the_console_says_so_only_for_a_loopback_link(app, organizer, monkeypatch):  # noqa: F811
    monkeypatch.setattr(organize, "lan_address", lambda: "192.168.1.20")
    workshop_id = new_workshop(organizer)
    page = organizer.get(f"/workshops/{workshop_id}/moderate").get_data(as_text=True)
    assert 'id="phone-hint"' not in page  # COCREATE_BASE_URL is http://cocreate.test
    app.config["COCREATE_BASE_URL"] = None
    laptop = app.test_client()
    here = {"base_url": "http://127.0.0.1:5000"}
    signed_in = {"email": "org@example.org", "password": PASSWORD}
    assert laptop.post("/login", data=signed_in, **here).status_code == 302
    page = laptop.get(f"/workshops/{workshop_id}/moderate", **here).get_data(as_text=True)
    assert "Phones cannot open this join link" in page
    assert "127.0.0.1 is this computer" in page
    assert "HOST=0.0.0.0 COCREATE_BASE_URL=http://192.168.1.20:5000 make run" in page
