"""The shared outcome page (issue 9) on a phone: it follows the rooms live, every phone
shows it with thanks once the moderator closes the breakouts, and it passes axe without
sideways scrolling at 360 px."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.checks import assert_accessible, assert_fits_a_small_phone
from tests.browser.mobility import (
    BIKES,
    BUSES,
    PHONE,
    SMALL_PHONE,
    create_workshop,
    join,
    post_ideas,
    set_phase,
)
from tests.browser.test_themes import add_theme

pytestmark = pytest.mark.browser

#: The page asks every 15 s with its ETag; the server builds a changed outcome at most
#: every 2 s. An expectation waits for the next turn.
POLL_WAIT_MS = 25_000


def test_the_outcome_follows_the_rooms_and_greets_everyone_back(sign_in, new_context, artifacts):
    console, join_url = create_workshop(sign_in, new_context)
    outcome_url = join_url.replace("/j/", "/w/") + "/outcome"
    phone = join(new_context, join_url, "Amina", bypass_csp=True)  # axe is injected
    post_ideas(phone, BUSES, BIKES)
    set_phase(console, "cluster")
    add_theme(console, "Transport")

    # A visitor without a session reads it, drawn by the server.
    visitor = new_context(**PHONE).new_page()
    visitor.goto(outcome_url)
    rooms = visitor.locator("#outcome .outcome-room")
    expect(rooms).to_have_count(1)
    expect(rooms.first.locator(".outcome-theme-name")).to_have_text(["Transport"])
    expect(visitor.locator("#outcome-status")).to_have_text("This page updates by itself.")

    # A new theme in the room reaches the open page by itself.
    add_theme(console, "Access")
    expect(rooms.first.locator(".outcome-theme-name")).to_have_text(
        ["Transport", "Access"], timeout=POLL_WAIT_MS
    )
    expect(visitor.locator("#outcome-status")).to_have_text("Updated with the latest results.")

    # The moderator closes the breakouts: the phone says thanks and shows the outcome.
    console.get_by_role("button", name="Close breakouts: everyone to the plenary").click()
    expect(phone.locator("#lobby-text")).to_have_text(
        "Thank you for taking part! Here is what the rooms made together."
    )
    lobby = phone.locator("#lobby-outcome-body")
    expect(lobby.locator(".outcome-theme-name")).to_have_text(["Transport", "Access"])
    share = phone.get_by_role("link", name="Open the outcome page to keep or share it")
    expect(share).to_have_attribute("href", urlsplit(outcome_url).path)
    phone.screenshot(path=str(artifacts / "phone-outcome-lobby.png"), full_page=True)

    small = new_context(**SMALL_PHONE, bypass_csp=True).new_page()
    small.goto(outcome_url)
    expect(small.locator("#outcome .outcome-theme-name")).to_have_count(2)
    assert_accessible(small, "the outcome page at 360 px")
    assert_fits_a_small_phone(small, "the outcome page")
    assert_accessible(phone, "the phone's lobby with the outcome")
    small.screenshot(path=str(artifacts / "outcome-360.png"), full_page=True)
