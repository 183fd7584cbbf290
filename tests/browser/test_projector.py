"""The projector screen: how to join in the lobby (and in a corner of every later phase),
live results as bars that stay hidden until the moderator reveals them, and the
report-back in the plenary. The ten-room hall is tests/browser/test_projector_hall.py."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import assert_accessible
from tests.browser.moderator import Moderator
from tests.browser.test_projector_hall import axe_screen

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def screen_room(screen: Page, name: str):
    return screen.locator("#screen-grid .screen-room").filter(
        has=screen.locator(".room-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def test_the_projector_shows_the_reveal(
    live_server, new_context, open_workshop, artifacts, sign_in
):
    console, join_url = open_workshop("Plenary", "Which pathway first?", "Housing: homes", "random")
    code = console.locator("#join-code").inner_text()
    workshop_id = int(console.url.split("/workshops/")[1].split("/")[0])
    moderator = Moderator(live_server, console, workshop_id)
    try:
        see_the_reveal(
            console, moderator, join_url, code, live_server, new_context, artifacts, sign_in
        )
    finally:
        moderator.close()


def see_the_reveal(
    console, moderator, join_url, code, live_server, new_context, artifacts, sign_in
):

    # The screen opens in a second window of the moderator's browser.
    screen = console.context.new_page()
    screen.goto(
        live_server + console.get_by_role("link", name="Projector screen").get_attribute("href")
    )
    expect(screen.locator("#status")).to_have_text("Live")
    expect(screen.locator("#screen-join")).to_contain_text(code)
    expect(screen.get_by_role("img", name="QR code to join the workshop")).to_be_visible()
    expect(screen.locator("#joined")).to_have_text("0 people have joined")
    expect(screen.locator("body")).to_have_attribute("data-stage", "lobby")
    checked = axe_screen(sign_in, new_context, screen)
    assert_accessible(checked, "the projector in the lobby")
    checked.close()

    phones = [new_context(**PHONE).new_page() for _ in range(2)]
    for phone, name in zip(phones, ("Rui", "Sara"), strict=True):
        phone.goto(join_url)
        phone.get_by_label("Your name").fill(name)
        phone.get_by_role("button", name="Join the workshop").tap()
    expect(screen.locator("#joined")).to_have_text("2 people have joined")

    # The breakouts open: the way to join moves to its corner, for late arrivals.
    moderator.send("open_breakouts")
    expect(screen.locator("body")).to_have_attribute("data-stage", "rooms")
    expect(screen.locator("#screen-join .code")).to_have_text(code)
    expect(screen.locator("#screen-join .code")).to_be_in_viewport(ratio=1)
    housing = screen_room(screen, "Housing")
    expect(housing.locator(".room-phase")).to_have_text("Phase: Propose")
    for phone, text in zip(phones, ("Shared flats", "Empty homes to families"), strict=True):
        phone.get_by_label("Your idea").fill(text)
        phone.get_by_role("button", name="Post idea").tap()
    expect(housing.locator(".screen-ideas > li")).to_have_count(2)
    expect(housing.locator(".screen-ideas .bar")).to_have_count(0)  # nothing to count yet

    # Voting with hidden results: nobody's screen shows a total until the reveal.
    moderator.send("set_results_hidden", hidden=True)
    moderator.send("set_phase", phase="vote")
    expect(housing.locator(".room-phase")).to_have_text("Phase: Vote")
    expect(housing.locator(".room-hidden")).to_have_text("Results hidden")
    for phone in phones:
        phone.get_by_role("button", name="Add a dot to: Empty homes to families").tap()
    for phone in phones:
        idea = phone.locator("#ideas > li.idea").filter(has_text="Empty homes to families")
        expect(idea.locator(".tally")).to_have_text("Results hidden (yours: 1)")
    expect(housing.locator(".screen-ideas")).not_to_contain_text("dot")
    expect(housing.locator(".screen-ideas .bar")).to_have_count(0)
    expect(screen.locator("#screen-join .code")).to_be_in_viewport(ratio=1)

    moderator.send("set_results_hidden", hidden=False)
    expect(housing.locator(".room-hidden")).to_have_text("")
    top = housing.locator(".screen-ideas > li").first
    expect(top.locator(".idea-text")).to_have_text("Empty homes to families")
    expect(top.locator(".bar-dots")).to_be_visible()
    expect(top.locator(".bar-value")).to_have_text("2 dots")
    for phone in phones:
        idea = phone.locator("#ideas > li.idea").filter(has_text="Empty homes to families")
        expect(idea.locator(".tally")).to_have_text("2 dots (yours: 1)")

    # A theme of the room, gathered into a cross-room theme for the plenary.
    room = next(r for r in moderator.snapshot()["rooms"] if r["name"] == "Housing")
    theme = moderator.send(
        "create_theme",
        room_id=room["id"],
        name="Homes first",
        idea_ids=[idea["id"] for idea in room["ideas"]],
    )["theme"]
    moderator.send("create_cross_theme", name="Right to housing", theme_ids=[theme["id"]])

    # Back in the plenary, the screen shows the cross-room themes, then each room's
    # report-back, a page each.
    moderator.send("close_breakouts")
    expect(screen.locator("#cross-heading")).to_have_text("Across the rooms: 1 theme")
    expect(screen.locator(".screen-cross-item .cross-name")).to_have_text("Right to housing")
    expect(screen.locator("#pager-where")).to_have_text("Themes across the rooms")
    expect(screen.locator("#screen-join .code")).to_be_in_viewport(ratio=1)
    screen.get_by_role("button", name="Next page").click()
    expect(screen.locator("#screen-cross")).to_be_hidden()
    expect(screen.locator("#rooms-heading")).to_have_text("Report-back: each room's top ideas")
    expect(top.locator(".idea-text")).to_have_text("Empty homes to families")
    expect(top.locator(".bar-value")).to_have_text("2 dots")
    expect(screen.locator("#screen-join .code")).to_be_in_viewport(ratio=1)
    screen.screenshot(path=str(artifacts / "screen.png"), full_page=True)
