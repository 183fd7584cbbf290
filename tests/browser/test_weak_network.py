"""Phones on weak venue networks: what a first visit to the room page costs in bytes, that a
repeat visit takes its scripts and styles from the cache, and how long joining and posting
a first idea take on a throttled slow-3G link (WebSocket included).

The figures are printed (run with -s to see them; docs/deployment.md keeps the latest),
never asserted on: a test asserts that it works, the benchmarks say how fast.
"""

import time

import pytest
from playwright.sync_api import expect

from tests.browser.mobility import PHONE

pytestmark = pytest.mark.browser

#: Slow 3G as the issue measures it: 400 kbit/s each way, 400 ms round trip.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 / 8,
    "uploadThroughput": 400 * 1000 / 8,
}
#: What a repeat visit must not download again.
ASSET_TYPES = {"Script", "Stylesheet"}


class Traffic:
    """The page's network, as Chromium's DevTools protocol reports it: each response with
    its type and whether it came from the cache, and the bytes each request took from
    the network (headers and compressed body)."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.responses: dict[str, dict] = {}
        self.bytes: dict[str, int] = {}
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.requestServedFromCache", self._from_memory)

    def _response(self, event):
        response = event["response"]
        seen = self.responses.setdefault(event["requestId"], {})
        seen |= {
            "url": response["url"],
            "type": event["type"],
            "status": response["status"],
            "cached": seen.get("cached", False)  # from memory: said before the response
            or response.get("fromDiskCache", False)
            or response.get("fromPrefetchCache", False),
            "encoding": response["headers"].get("content-encoding")
            or response["headers"].get("Content-Encoding"),
        }

    def _from_memory(self, event):
        self.responses.setdefault(event["requestId"], {})["cached"] = True

    def _finished(self, event):
        self.bytes[event["requestId"]] = int(event["encodedDataLength"])

    def reset(self):
        self.responses.clear()
        self.bytes.clear()

    def transferred(self) -> int:
        """Bytes that came over the network since the last reset."""
        return sum(self.bytes.values())

    def downloaded_assets(self) -> list[str]:
        """Scripts and styles fetched from the server (not the cache) since the last reset."""
        return [
            f"{r['url']} ({r['status']})"
            for r in self.responses.values()
            if r.get("type") in ASSET_TYPES and not r.get("cached")
        ]


@pytest.fixture
def workshop(open_workshop):
    """A live workshop whose phones land straight in a breakout room: (console, join link)."""
    console, join_url = open_workshop(
        "Weak networks", "How do we reach everyone?", "Housing\nWork", assignment="random"
    )
    console.get_by_role("button", name="Open breakout rooms").click()
    expect(console.get_by_role("button", name="Open breakout rooms")).to_be_disabled()
    return console, join_url


def join(phone, join_url: str, name: str) -> None:
    phone.goto(join_url)
    phone.get_by_label("Your name").fill(name)
    phone.get_by_role("button", name="Join the workshop").tap()
    expect(phone.get_by_label("Your idea")).to_be_visible()


def test_first_visit_is_small_and_a_repeat_visit_comes_from_the_cache(workshop, new_context):
    _, join_url = workshop
    phone = new_context(**PHONE).new_page()
    traffic = Traffic(phone)
    phone.goto(join_url)
    expect(phone.get_by_label("Your name")).to_be_visible()
    phone.wait_for_load_state("networkidle")  # the room's modules it preloads, too
    join_bytes = traffic.transferred()
    encodings = {r["encoding"] for r in traffic.responses.values() if r.get("type") != "Other"}
    join(phone, join_url, "Amina")

    # The room page as a first visit: nothing in the cache.
    traffic.cdp.send("Network.clearBrowserCache")
    traffic.reset()
    phone.reload()
    expect(phone.locator("#status")).to_have_text("Live")
    phone.wait_for_load_state("networkidle")
    room_bytes = traffic.transferred()
    print(
        f"\nFirst visit, bytes transferred: join page {join_bytes:,}, room page {room_bytes:,} "
        f"(content encodings {sorted(e or 'none' for e in encodings)})"
    )
    assert encodings - {None}, "nothing came compressed"

    # The same page again: its scripts and styles are not downloaded, nor revalidated.
    traffic.reset()
    phone.goto(phone.url)
    expect(phone.locator("#status")).to_have_text("Live")
    phone.wait_for_load_state("networkidle")
    assert [r for r in traffic.responses.values() if r.get("type") in ASSET_TYPES], (
        "the repeat visit loaded no script or style at all"
    )
    assert traffic.downloaded_assets() == [], traffic.responses
    print(f"Repeat visit of the room page, bytes transferred: {traffic.transferred():,}")


def test_join_and_post_a_first_idea_on_slow_3g(workshop, new_context):
    console, join_url = workshop
    phone = new_context(**PHONE).new_page()
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)

    started = time.monotonic()
    phone.goto(join_url)
    phone.get_by_label("Your name").fill("Bruno")
    phone.get_by_role("button", name="Join the workshop").tap()
    expect(phone.locator("#status")).to_have_text("Live")
    expect(phone.get_by_label("Your idea")).to_be_visible()
    ready = time.monotonic()
    phone.get_by_label("Your idea").fill("Night buses to every district")
    phone.get_by_role("button", name="Post idea").tap()
    expect(phone.locator("#ideas > li.idea:not(.pending)")).to_have_count(1)
    posted = time.monotonic()
    print(
        f"\nSlow 3G (400 kbit/s, 400 ms RTT): join -> room ready {ready - started:.2f} s, "
        f"-> first idea posted {posted - started:.2f} s"
    )
    # The idea went over the throttled socket and reached the console.
    expect(console.locator("#rooms .idea-list > li")).to_have_count(1)


def test_long_polling_still_answers_under_compression(live_server):
    """The Socket.IO fallback transport, as a phone whose network refuses WebSockets uses it."""
    import requests

    answer = requests.get(
        f"{live_server}/socket.io/?EIO=4&transport=polling",
        headers={"Accept-Encoding": "br, gzip"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.text.startswith('0{"sid":'), answer.text[:80]  # decoded, if it was compressed
