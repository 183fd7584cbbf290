"""Cross-room themes in the plenary: the moderator asks for suggestions, keeps one, renames
it, and the projector shows it with its rooms and support."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def room_card(console: Page, name: str):
    return console.locator("#rooms .room-card").filter(
        has=console.locator(".room-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def add_theme(console: Page, room: str, name: str) -> None:
    board = room_card(console, room).locator(".themes-board")
    board.get_by_label("New theme").fill(name)
    board.get_by_role("button", name="Add the theme").click()
    expect(board.locator(".theme-name", has_text=name)).to_have_count(1)


def test_suggest_keep_rename_and_the_projector_shows_it(live_server, open_workshop, artifacts):
    console, _join = open_workshop(
        "Plenary", "Which pathway first?", "Homes: housing\nMoving: transport", "random"
    )
    console.set_viewport_size({"width": 1366, "height": 768})
    screen = console.context.new_page()
    screen.goto(
        live_server + console.get_by_role("link", name="Projector screen").get_attribute("href")
    )
    expect(screen.locator("#status")).to_have_text("Live")

    console.get_by_role("button", name="Open breakout rooms").click()
    console.locator("#all-phase-select").select_option("cluster")
    console.get_by_role("button", name="Set the phase in every room").click()
    expect(room_card(console, "Homes").locator(".themes-board")).to_have_attribute("open", "")
    add_theme(console, "Homes", "Affordable housing")
    add_theme(console, "Homes", "Night buses")
    add_theme(console, "Moving", "Housing for everyone")
    add_theme(console, "Moving", "Public transport")
    console.get_by_role("button", name="Close breakouts: everyone to the plenary").click()

    # The panel fits a 1366-pixel console; everything is reachable by the keyboard.
    suggest = console.get_by_role("button", name="Suggest cross-room themes")
    suggest.focus()
    console.keyboard.press("Enter")
    suggestions = console.get_by_role("list", name="Suggested cross-room themes")
    expect(suggestions.locator("> li")).to_have_count(2)
    housing = suggestions.locator("> li").filter(has_text="Affordable housing (Homes)")
    expect(housing).to_contain_text("Housing for everyone (Moving)")
    expect(housing.locator(".cross-rooms")).to_have_text("Rooms: Homes · Moving")
    box = console.locator(".cross-themes-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1366

    housing.get_by_role("button", name=re.compile("^Keep")).click()
    kept = console.locator("#cross-kept > li").filter(has_text="Affordable housing")
    expect(kept).to_have_count(1)
    expect(kept.locator(".cross-rooms")).to_have_text("Rooms: Homes · Moving")
    expect(suggestions.locator("> li")).to_have_count(1)

    # Rename it (and see its room themes as checkboxes).
    kept.get_by_role("button", name=re.compile("^Rename or change themes")).click()
    name = kept.get_by_label("Name of the cross-room theme")
    expect(name).to_be_focused()
    expect(console.get_by_label("Affordable housing (Homes)")).to_be_checked()
    expect(console.get_by_label("Night buses (Homes)")).not_to_be_checked()
    name.fill("Right to housing")
    name.press("Enter")
    renamed = console.locator("#cross-kept > li").filter(has_text="Right to housing")
    expect(renamed).to_have_count(1)

    # The projector, back in plenary: the theme, its rooms and its support.
    expect(screen.locator("#cross-heading")).to_have_text("Across the rooms: 1 theme")
    item = screen.locator(".screen-cross-item")
    expect(item.locator(".cross-name")).to_have_text("Right to housing")
    expect(item.locator(".cross-rooms")).to_have_text("Homes · Moving")
    expect(item.locator(".cross-support")).to_have_text("0 dots")
    expect(item.locator("meter")).to_have_count(1)
    screen.screenshot(path=str(artifacts / "cross-themes-projector.png"), full_page=True)
    console.screenshot(path=str(artifacts / "cross-themes-console.png"), full_page=True)
