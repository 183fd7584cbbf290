"""The projector's first draw is the one its live data keeps: nothing on the screen moves
when the socket's snapshot arrives (no layout shift), in the lobby and while the breakouts
are open. The link is slowed (400 ms round trip) so that the server's draw is painted
well before the live one, as on a venue's network."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

#: A slow link: the page paints from the server's HTML long before the socket answers.
SLOW = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 100_000,
    "uploadThroughput": 100_000,
}

#: Every layout shift since the page started (Layout Instability API), as CLS counts them.
SHIFTS = """() => new Promise((resolve) => {
  const found = [];
  new PerformanceObserver((list) => {
    found.push(...list.getEntries().filter((e) => !e.hadRecentInput).map((e) => ({
      value: e.value,
      nodes: e.sources.map((s) => s.node && (s.node.id || s.node.className || s.node.nodeName)),
    })));
  }).observe({ type: "layout-shift", buffered: true });
  setTimeout(() => resolve(found), 1000);
})"""


def open_screen(console: Page, address: str) -> Page:
    screen = console.context.new_page()
    screen.set_viewport_size({"width": 1280, "height": 720})
    cdp = screen.context.new_cdp_session(screen)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW)
    screen.goto(address)
    return screen


def test_the_live_screen_moves_nothing_the_server_drew(live_server, open_workshop):
    console, _ = open_workshop("First draw", "Which pathway first?", "Housing\nWork", "random")
    address = live_server + console.get_by_role("link", name="Projector screen").get_attribute(
        "href"
    )

    lobby = open_screen(console, address)
    expect(lobby.locator("#joined")).to_have_text("0 people have joined")
    expect(lobby.locator("body")).to_have_attribute("data-stage", "lobby")
    assert lobby.evaluate(SHIFTS) == []
    lobby.close()

    console.get_by_role("button", name="Open breakout rooms").click()
    expect(console.get_by_role("button", name="Open breakout rooms")).to_be_disabled()
    rooms = open_screen(console, address)
    expect(rooms.locator("#screen-grid .screen-room")).to_have_count(2)
    expect(rooms.locator("body")).to_have_attribute("data-stage", "rooms")
    expect(rooms.locator("#rooms-heading")).to_have_text("The rooms, live")
    assert rooms.evaluate(SHIFTS) == []
