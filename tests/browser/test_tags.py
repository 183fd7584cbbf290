"""Human-rights tags (issue 8, DESIGN §7): a participant tags their own idea in two taps
on a phone and another phone sees the chip live; the facilitator tags a theme and an idea
on the board; a moderator tags with the keyboard alone on the console; the picker passes
axe and gives thumb-sized targets on a 360 px phone, and says why a seventh tag can't be
added.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import AXE, assert_accessible, assert_fits_a_small_phone
from tests.browser.mobility import (
    BUSES,
    LONG,
    RAMPS,
    SMALL_PHONE,
    create_workshop,
    join,
    post_ideas,
    set_phase,
)

pytestmark = pytest.mark.browser

MOBILITY = "Mobility and accessibility"


def phone_idea(page: Page, text: str):
    return page.locator("#ideas > li.idea").filter(has_text=text)


def picker(page: Page):
    return page.get_by_role("dialog", name=re.compile("^Tags for: "))


def tag(page: Page, label: str):
    """A tag in the open picker, by its label."""
    return picker(page).get_by_role("button", name=label, exact=True)


def theme(page: Page, name: str):
    return (
        page.locator(".themes-board")
        .first.locator("li.theme")
        .filter(has=page.locator(".theme-name", has_text=re.compile(f"^{re.escape(name)}$")))
    )


def tab_to(page: Page, target, limit: int = 200) -> None:
    """Press Tab until `target` has the focus."""
    for _ in range(limit):
        if target.evaluate("(el) => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_a_participant_tags_their_own_idea_in_two_taps(sign_in, new_context, artifacts):
    console, join_url = create_workshop(sign_in, new_context)
    amina = join(new_context, join_url, "Amina")
    bruno = join(new_context, join_url, "Bruno")
    post_ideas(amina, BUSES)
    expect(phone_idea(bruno, BUSES)).to_have_count(1)
    # Only the author gets the button; the others see the tags.
    expect(phone_idea(bruno, BUSES).get_by_role("button", name=re.compile("tags"))).to_have_count(0)

    amina.get_by_role("button", name=f"Add tags to: {BUSES}").tap()  # tap one
    expect(picker(amina)).to_be_visible()
    expect(amina.locator("#tag-picker-title")).to_be_focused()  # no keyboard pops up
    expect(picker(amina).get_by_role("group", name="Policy domains")).to_be_visible()
    tag(amina, MOBILITY).tap()  # tap two: saved at once
    expect(tag(amina, MOBILITY)).to_have_attribute("aria-pressed", "true")
    expect(amina.locator("#tag-picker-status")).to_have_text(f"Added: {MOBILITY}. 1 of 6 chosen.")
    expect(amina.locator("#tag-picker-status")).to_have_attribute("aria-live", "polite")
    # The other phone sees the chip live, its kind said before its label.
    chips = phone_idea(bruno, BUSES).locator(".tag-chip")
    expect(chips).to_have_text([f"Domain: {MOBILITY}"])
    expect(chips.first).to_have_attribute("data-kind", "domains")
    expect(bruno.locator("#tags-news")).to_have_text(f"Tags changed on “{BUSES}”.")
    amina.screenshot(path=str(artifacts / "phone-tag-picker.png"))

    # Six at most: the seventh says why, and nothing is sent.
    for label in (
        "Persons with disabilities",
        "Older persons",
        "Children and youth",
        "Low-income households",
        "Art. 13 Freedom of movement and residence",
    ):
        tag(amina, label).tap()
    expect(amina.locator("#tag-picker-count")).to_have_text(
        "6 of 6 chosen. An idea has at most 6 tags: take one off to add another."
    )
    expect(tag(amina, "Housing")).to_have_attribute("aria-disabled", "true")
    tag(amina, "Housing").scroll_into_view_if_needed()  # the list scrolls, then a thumb taps
    tag(amina, "Housing").tap(force=True)  # aria-disabled, still there to be tapped
    expect(amina.locator("#tag-picker-status")).to_have_text(
        "An idea has at most 6 tags: take one off to add another."
    )
    expect(tag(amina, "Housing")).to_have_attribute("aria-pressed", "false")
    expect(chips).to_have_count(6)
    tag(amina, "Older persons").tap()  # one off, then another fits
    tag(amina, "Housing").tap()
    expect(chips.filter(has_text="Housing")).to_have_count(1)
    expect(chips.filter(has_text="Older persons")).to_have_count(0)

    # Done closes it, and the focus goes back to the button it came from.
    picker(amina).get_by_role("button", name="Done").tap()
    expect(picker(amina)).to_be_hidden()
    expect(amina.get_by_role("button", name=f"Change tags on: {BUSES}")).to_be_focused()
    expect(phone_idea(amina, BUSES).locator(".tag-chip")).to_have_count(6)
    amina.screenshot(path=str(artifacts / "phone-tags.png"), full_page=True)

    # After the propose phase the author's button goes; the tags stay for everyone.
    set_phase(console, "vote")
    expect(amina.locator("#phase")).to_have_text("Phase: Vote")
    expect(amina.get_by_role("button", name=re.compile("tags on:"))).to_have_count(0)
    expect(phone_idea(amina, BUSES).locator(".tag-chip")).to_have_count(6)
    expect(console.locator("#rooms .idea-list .tag-chip")).to_have_count(6)


def test_the_facilitator_tags_a_theme_and_an_idea_on_the_board(sign_in, new_context, artifacts):
    console, join_url = create_workshop(sign_in, new_context)
    amina = join(new_context, join_url, "Amina")
    bruno = join(new_context, join_url, "Bruno")
    post_ideas(bruno, BUSES, RAMPS)
    console.get_by_role("button", name="Make Amina the facilitator").click()
    expect(amina.locator("#facilitate")).to_be_visible()
    set_phase(console, "cluster")
    board = amina.locator(".themes-board").first
    board.get_by_label("New theme").fill("Transport")
    board.get_by_role("button", name="Add the theme").tap()
    expect(theme(amina, "Transport")).to_have_count(1)

    theme(amina, "Transport").get_by_role("button", name="Add tags to: Transport").tap()
    expect(picker(amina)).to_be_visible()
    expect(amina.locator("#tag-picker-count")).to_have_text("0 of 10 chosen.")
    tag(amina, "Art. 13 Freedom of movement and residence").tap()
    tag(amina, MOBILITY).tap()
    picker(amina).get_by_role("button", name="Done").tap()
    expect(amina.get_by_role("button", name="Change tags on: Transport")).to_be_focused()
    expected = ["Right: Art. 13 Freedom of movement and residence", f"Domain: {MOBILITY}"]
    expect(theme(console, "Transport").locator(".tag-chip")).to_have_text(expected)
    expect(theme(bruno, "Transport").locator(".tag-chip")).to_have_text(expected)
    # Bruno, who doesn't facilitate, sees the tags without a button.
    expect(theme(bruno, "Transport").get_by_role("button", name=re.compile("tags"))).to_have_count(
        0
    )

    # The facilitator tags anyone's idea on the board (the list is hidden while clustering).
    ramps = board.locator(".theme-idea").filter(has_text=RAMPS)
    ramps.get_by_role("button", name=f"Add tags to: {RAMPS}").tap()
    tag(amina, "Persons with disabilities").tap()
    amina.keyboard.press("Escape")
    expect(picker(amina)).to_be_hidden()
    expect(ramps.locator(".tag-chip")).to_have_text(["Group: Persons with disabilities"])
    expect(
        console.locator("#rooms .idea-list .idea").filter(has_text=RAMPS).locator(".tag-chip")
    ).to_have_text(["Group: Persons with disabilities"])
    amina.screenshot(path=str(artifacts / "phone-theme-tags.png"), full_page=True)
    # Stepping into the room from the console shows them too, read-only.
    with console.expect_popup() as opened:
        console.get_by_role("link", name="Step into Mobility").click()
    room = opened.value
    expect(theme(room, "Transport").locator(".tag-chip")).to_have_text(expected)
    expect(room.locator("#room-ideas .tag-chip")).to_have_text(["Group: Persons with disabilities"])
    expect(room.get_by_role("button", name=re.compile("tags"))).to_have_count(0)


def test_keyboard_only_tagging_on_the_console(sign_in, new_context, artifacts):
    console, join_url = create_workshop(sign_in, new_context)
    amina = join(new_context, join_url, "Amina")
    post_ideas(amina, BUSES)
    opener = console.locator("#rooms .idea-list").get_by_role(
        "button", name=f"Add tags to: {BUSES}"
    )
    expect(opener).to_be_visible()
    console.locator("body").focus()
    tab_to(console, opener)
    console.keyboard.press("Enter")
    expect(picker(console)).to_be_visible()
    search = console.get_by_label("Find a tag")
    expect(search).to_be_focused()  # opened from the keyboard: straight to the search
    console.keyboard.type("housing")
    expect(picker(console).locator(".tag-option:visible")).to_have_count(1)
    console.keyboard.press("Tab")
    expect(tag(console, "Housing")).to_be_focused()
    console.keyboard.press("Space")
    expect(tag(console, "Housing")).to_have_attribute("aria-pressed", "true")
    expect(console.locator("#tag-picker-status")).to_have_text("Added: Housing. 1 of 6 chosen.")

    # Back to the search, another word, Enter on the tag; arrows go from tag to tag.
    console.keyboard.press("Shift+Tab")
    expect(search).to_be_focused()
    console.keyboard.press("Control+A")
    console.keyboard.type("art. 2")  # Art. 2 and Art. 20 to 29
    expect(picker(console).locator(".tag-option:visible")).to_have_count(11)
    console.keyboard.press("Tab")
    expect(tag(console, "Art. 2 Freedom from discrimination")).to_be_focused()
    console.keyboard.press("ArrowDown")
    console.keyboard.press("ArrowDown")
    expect(
        tag(console, "Art. 21 Taking part in government; equal access to public service")
    ).to_be_focused()
    console.keyboard.press("ArrowUp")
    console.keyboard.press("Enter")
    expect(tag(console, "Art. 20 Peaceful assembly and association")).to_have_attribute(
        "aria-pressed", "true"
    )
    console.keyboard.press("Shift+Tab")
    console.keyboard.press("Shift+Tab")
    expect(search).to_be_focused()
    console.keyboard.press("Control+A")  # nothing matches: said in words
    console.keyboard.type("zzz")
    expect(picker(console).locator("#tag-picker-none")).to_have_text("No tag matches “zzz”.")

    # Escape closes it; the focus is back on the idea's button.
    console.keyboard.press("Escape")
    expect(picker(console)).to_be_hidden()
    expect(
        console.locator("#rooms .idea-list").get_by_role("button", name=f"Change tags on: {BUSES}")
    ).to_be_focused()
    expected = ["Right: Art. 20 Peaceful assembly and association", "Domain: Housing"]
    expect(console.locator("#rooms .idea-list .tag-chip")).to_have_text(expected)
    expect(phone_idea(amina, BUSES).locator(".tag-chip")).to_have_text(expected)
    console.screenshot(path=str(artifacts / "console-tags.png"))


def test_the_picker_is_accessible_on_a_360px_phone(sign_in, new_context, artifacts):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    _console, join_url = create_workshop(sign_in, new_context)
    phone = join(new_context, join_url, "Emil", SMALL_PHONE, bypass_csp=True)  # axe is injected
    post_ideas(phone, LONG)
    phone.get_by_role("button", name=re.compile("^Add tags to: A shared taxi")).tap()
    expect(picker(phone)).to_be_visible()
    tag(phone, "Women").tap()
    tag(phone, "Art. 25 Adequate standard of living").tap()
    expect(phone.locator("#tag-picker-count")).to_have_text("2 of 6 chosen.")
    assert_accessible(phone, "the tag picker open")
    assert_fits_a_small_phone(phone, "the tag picker open")
    box = picker(phone).bounding_box()
    assert box["width"] <= 360 and box["height"] <= 740, f"the picker is {box}"
    phone.screenshot(path=str(artifacts / "phone-tag-picker-360.png"))

    phone.get_by_label("Find a tag").fill("older")
    expect(picker(phone).locator(".tag-option:visible")).to_have_count(1)
    assert_accessible(phone, "the tag picker, searching")
    picker(phone).get_by_role("button", name="Done").tap()
    expect(phone.locator("#ideas .tag-chip")).to_have_count(2)
    assert_accessible(phone, "an idea with its tags")
    assert_fits_a_small_phone(phone, "an idea with its tags")
    phone.screenshot(path=str(artifacts / "phone-tags-360.png"), full_page=True)
