"""The phone's outbox in real Chromium: a burst past the rate limit is paced, not lost.

A phone that goes offline keeps every action in its outbox; when it is back, it sends
them all at once. The gate allows a burst of 20 events per connection, then 5 a second:
the actions past the burst are refused with `rate_limited`, which settles nothing. The
outbox keeps them and sends them again (same ids) when the server says a token is free,
so every one is applied exactly once and none is shown as failed.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.console_rooms import open_every_room

pytestmark = pytest.mark.browser

#: A phone: small screen, touch, high density.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "has_touch": True,
    "is_mobile": True,
    "device_scale_factor": 3,
}
IDEA = "Rent guarantee fund"
#: More than the gate's burst of 20 (SOCKET_RATE_BURST), fewer than the budget.
TAPS = 30
BUDGET = 40


def create_workshop(console: Page, sign_in) -> str:
    """A one-room dots workshop with a budget big enough for TAPS dots on one idea,
    breakouts open; return the join link."""
    sign_in(console)
    console.get_by_label("Title").fill("Outbox")
    console.get_by_label("Guiding question").fill("What would make housing fair?")
    console.get_by_label("Dots per participant per room").fill(str(BUDGET))
    console.get_by_label("Most dots one participant may put on one idea").fill(str(BUDGET))
    console.get_by_label("Breakout rooms, one per line").fill("Housing: rents")
    console.get_by_label("How people get into breakout rooms").select_option("random")
    console.get_by_role("button", name="Create the workshop").click()
    expect(console.locator("#status")).to_have_text("Live")
    console.get_by_role("button", name="Open breakout rooms").click()
    expect(console.get_by_role("button", name="Open breakout rooms")).to_be_disabled()
    open_every_room(console)  # the people and ideas are in the rooms' details
    return console.locator("#join-url").get_attribute("href")


def dots(n: int) -> str:
    """How the pages write a number of dots."""
    return f"{n} dot" if n == 1 else f"{n} dots"


def tally(phone: Page):
    """The idea's tally line on the phone."""
    return phone.locator("#ideas > li.idea:not(.pending)").filter(has_text=IDEA).locator(".tally")


def test_a_burst_past_the_rate_limit_is_applied_exactly_once(live_server, sign_in, new_context):
    console = new_context(viewport={"width": 1280, "height": 900}).new_page()
    join_url = create_workshop(console, sign_in)
    code = join_url.rsplit("/", 1)[1]

    context = new_context(**PHONE)
    phone = context.new_page()
    phone.goto(join_url)
    phone.get_by_label("Your name").fill("Amina")
    phone.get_by_role("button", name="Join the workshop").tap()
    expect(phone.locator("#room-heading")).to_have_text("Housing")
    phone.get_by_label("Your idea").fill(IDEA)
    phone.get_by_role("button", name="Post idea").tap()
    expect(tally(phone)).to_have_text("0 dots (yours: 0)")

    console.locator("#all-phase-select").select_option("vote")
    console.get_by_role("button", name="Set the phase in every room").click()
    expect(phone.locator("#phase")).to_have_text("Phase: Vote")

    # Offline, the phone queues more actions than one connection's burst allows.
    context.set_offline(True)
    expect(phone.locator("#status")).to_have_attribute("data-state", "offline")
    add = phone.get_by_role("button", name=f"Add a dot to: {IDEA}", exact=True)
    for n in range(1, TAPS + 1):
        add.tap()
        expect(tally(phone)).to_have_text(f"{dots(n)} (yours: {n})")
    expect(phone.locator("#status")).to_have_text(re.compile(rf"· {TAPS} waiting to be sent$"))

    # Back online: the outbox drains; what the gate refused for now is sent again. The
    # status says "Live" at once (a wait shows only past 2 s): the drain is done when the
    # outbox kept in localStorage is empty.
    context.set_offline(False)
    expect(phone.locator("#status")).to_have_attribute("data-state", "online")
    phone.wait_for_function(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('cocreate:outbox:'))"
        ".every((k) => JSON.parse(localStorage.getItem(k)).length === 0)"
    )
    expect(phone.locator("#status")).to_have_text("Live")
    expect(tally(phone)).to_have_text(f"{TAPS} dots (yours: {TAPS})")
    expect(phone.locator("#notice")).to_be_hidden()  # nothing was shown as failed

    # The server counted every dot once, and the outbox kept in localStorage is empty.
    state = phone.request.get(f"{live_server}/api/w/{code}/state").json()["snapshot"]
    (idea,) = state["ideas"]
    assert idea["tally"] == {"dots": TAPS}
    assert state["me"]["votes"] == {str(idea["id"]): TAPS}
    assert state["me"]["dots_left"] == BUDGET - TAPS
    outboxes = phone.evaluate(
        "Object.keys(localStorage).filter((k) => k.startsWith('cocreate:outbox:'))"
        ".map((k) => JSON.parse(localStorage.getItem(k)))"
    )
    assert outboxes == [[]]
    line = console.locator("#rooms .room-card .idea-line").filter(has_text=IDEA)
    expect(line).to_have_text(f"{IDEA} · {TAPS} dots")
