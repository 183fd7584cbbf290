"""The projector screen: how to join in the lobby, live results that stay hidden until the
moderator reveals them, and the report-back in the plenary."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def screen_room(screen: Page, name: str):
    return screen.locator("#screen-grid .screen-room").filter(
        has=screen.locator(".room-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def test_the_projector_shows_the_reveal(live_server, new_context, open_workshop, artifacts):
    console, join_url = open_workshop("Plenary", "Which pathway first?", "Housing: homes", "random")
    code = console.locator("#join-code").inner_text()

    # The screen opens in a second window of the moderator's browser.
    screen = console.context.new_page()
    screen.goto(
        live_server + console.get_by_role("link", name="Projector screen").get_attribute("href")
    )
    expect(screen.locator("#status")).to_have_text("Live")
    expect(screen.locator("#screen-join")).to_contain_text(code)
    expect(screen.get_by_role("img", name="QR code to join the workshop")).to_be_visible()
    expect(screen.locator("#joined")).to_have_text("0 people have joined")

    phones = [new_context(**PHONE).new_page() for _ in range(2)]
    for phone, name in zip(phones, ("Rui", "Sara"), strict=True):
        phone.goto(join_url)
        phone.get_by_label("Your name").fill(name)
        phone.get_by_role("button", name="Join the workshop").tap()
    expect(screen.locator("#joined")).to_have_text("2 people have joined")

    console.get_by_role("button", name="Open breakout rooms").click()
    expect(screen.locator("#screen-join")).to_be_hidden()
    housing = screen_room(screen, "Housing")
    expect(housing.locator(".room-phase")).to_have_text("Phase: Propose")
    for phone, text in zip(phones, ("Shared flats", "Empty homes to families"), strict=True):
        phone.get_by_label("Your idea").fill(text)
        phone.get_by_role("button", name="Post idea").tap()
    expect(housing.locator(".screen-ideas > li")).to_have_count(2)

    # Voting with hidden results: nobody's screen shows a total until the reveal.
    console.get_by_role("button", name="Hide the results until the reveal").click()
    console.locator("#all-phase-select").select_option("vote")
    console.get_by_role("button", name="Set the phase in every room").click()
    expect(housing.locator(".room-phase")).to_have_text("Phase: Vote")
    expect(housing.locator(".room-hidden")).to_have_text("Results hidden")
    for phone in phones:
        phone.get_by_role("button", name="Add a dot to: Empty homes to families").tap()
    for phone in phones:
        idea = phone.locator("#ideas > li.idea").filter(has_text="Empty homes to families")
        expect(idea.locator(".tally")).to_have_text("Results hidden (yours: 1)")
    expect(housing.locator(".screen-ideas")).not_to_contain_text("dot")
    # The console sees the count all along.
    console_idea = console.locator("#rooms .idea-list > li").filter(
        has=console.locator(".idea-line", has_text=re.compile("^Empty homes"))
    )
    expect(console_idea.locator(".idea-line")).to_have_text("Empty homes to families · 2 dots")

    console.get_by_role("button", name="Reveal the results").click()
    expect(housing.locator(".room-hidden")).to_have_text("")
    expect(housing.locator(".screen-ideas > li").first).to_have_text(
        "Empty homes to families · 2 dots"
    )
    for phone in phones:
        idea = phone.locator("#ideas > li.idea").filter(has_text="Empty homes to families")
        expect(idea.locator(".tally")).to_have_text("2 dots (yours: 1)")

    # Back in the plenary, the screen shows each room's report-back.
    console.get_by_role("button", name="Close breakouts: everyone to the plenary").click()
    expect(screen.locator("#rooms-heading")).to_have_text("Report-back: each room's top ideas")
    expect(housing.locator(".screen-ideas > li").first).to_have_text(
        "Empty homes to families · 2 dots"
    )
    screen.screenshot(path=str(artifacts / "screen.png"), full_page=True)
