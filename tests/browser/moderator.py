"""The moderator's commands from a test, over the console's own socket (docs/protocol.md,
section 5), signed in with a browser page's session cookie.

The projector tests drive the workshop this way rather than through the console's
buttons: what they check is the screen, and the console's layout may change under them.
"""

import uuid

import requests
import socketio
from playwright.sync_api import Page

NS = "/moderator"


class Moderator:
    """A moderator's socket for one workshop, as the signed-in page's account."""

    def __init__(self, live_server: str, page: Page, workshop_id: int):
        self.http = requests.Session()
        for cookie in page.context.cookies(live_server):
            self.http.cookies.set(cookie["name"], cookie["value"])
        self.client = socketio.Client(http_session=self.http, reconnection=False)
        self.client.connect(
            live_server,
            namespaces=[NS],
            auth={"workshop": workshop_id},
            transports=["websocket"],
            wait_timeout=10,
        )

    def send(self, event: str, **fields) -> dict:
        """Send one command with a new action id; return the ack's fields (it must be ok)."""
        ack = self.client.call(event, {"id": str(uuid.uuid4()), **fields}, namespace=NS, timeout=30)
        assert ack["ok"], (event, ack)
        return ack

    def snapshot(self) -> dict:
        """The workshop as the console sees it (the moderator's `sync`)."""
        ack = self.client.call("sync", {}, namespace=NS, timeout=30)
        assert ack["ok"], ack
        return ack["snapshot"]

    def close(self) -> None:
        self.client.disconnect()
        self.http.close()
