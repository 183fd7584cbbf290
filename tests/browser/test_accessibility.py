"""Everyone can use it: axe-core finds no WCAG 2.1 A/AA violation, and a 360 px phone
needs no sideways scrolling and gets thumb-sized buttons.

axe-core comes from npm (`package.json`; `make test` installs it).
"""

import pytest
from playwright.sync_api import expect

from tests.browser.checks import AXE, assert_accessible, assert_fits_a_small_phone
from tests.browser.console_rooms import open_every_room

pytestmark = pytest.mark.browser

SMALL_PHONE = {
    "viewport": {"width": 360, "height": 640},
    "has_touch": True,
    "is_mobile": True,
    "device_scale_factor": 2,
    "bypass_csp": True,  # lets the test inject axe-core; the app's own pages need no exception
}
ORGANIZER = {"name": "Ana Organizer", "email": "a11y@example.org", "password": "long password 1"}
#: The thumb: WCAG 2.5.5 asks 44 by 44 CSS pixels for a target.


def test_every_page_is_accessible_and_fits_a_360px_phone(live_server, new_context):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    desk = new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    desk.goto(f"{live_server}/setup")
    assert_accessible(desk, "the set-up page")
    desk.get_by_label("Your name").fill(ORGANIZER["name"])
    desk.get_by_label("E-mail").fill(ORGANIZER["email"])
    desk.get_by_label("Password").fill(ORGANIZER["password"])
    desk.get_by_role("button", name="Create the account").click()
    expect(desk).to_have_url(f"{live_server}/workshops/new")
    assert_accessible(desk, "the new-workshop form")
    desk.get_by_label("Title").fill("Pathways")
    desk.get_by_label("Guiding question").fill("How do we leave no one behind?")
    desk.get_by_label("Breakout rooms, one per line").fill("Housing: homes for all\nWork: jobs")
    desk.get_by_role("button", name="Create the workshop").click()
    expect(desk.locator("#status")).to_have_text("Live")
    join_url = desk.locator("#join-url").get_attribute("href")
    desk.get_by_role("button", name="Open breakout rooms").click()
    expect(desk.get_by_role("button", name="Open breakout rooms")).to_be_disabled()
    open_every_room(desk)  # the people and ideas are in the rooms' details

    phone = new_context(**SMALL_PHONE).new_page()
    phone.goto(f"{live_server}/")
    assert_accessible(phone, "the home page")
    assert_fits_a_small_phone(phone, "the home page")
    phone.goto(join_url)
    assert_accessible(phone, "the join page")
    assert_fits_a_small_phone(phone, "the join page")
    phone.get_by_label("Your name").fill("Bruno")
    phone.get_by_role("button", name="Join the workshop").tap()
    expect(phone.locator("#lobby")).to_be_visible()
    expect(phone.get_by_role("button", name="Housing")).to_be_visible()
    assert_accessible(phone, "the lobby")
    assert_fits_a_small_phone(phone, "the lobby")
    phone.get_by_role("button", name="Housing").tap()
    expect(phone.locator("#room-heading")).to_have_text("Housing")
    phone.get_by_label("Your idea").fill("A rent guarantee fund with a very long name " * 5)
    phone.get_by_role("button", name="Post idea").tap()
    expect(phone.locator("#ideas > li.idea:not(.pending)")).to_have_count(1)
    assert_accessible(phone, "the breakout room, proposing")
    desk.locator("#all-phase-select").select_option("vote")
    desk.get_by_role("button", name="Set the phase in every room").click()
    desk.get_by_role("button", name="Make Bruno the facilitator").click()
    expect(phone.locator("#facilitate")).to_be_visible()
    phone.get_by_role("button", name="Add a dot to:").first.tap()
    expect(phone.locator("#dots-left")).to_have_text("4 dots left")
    assert_accessible(phone, "the breakout room, voting, facilitated")
    assert_fits_a_small_phone(phone, "the breakout room, voting, facilitated")

    expect(desk.locator("#rooms .idea-list > li")).to_have_count(1)
    assert_accessible(desk, "the console")
    desk.goto(live_server + desk.get_by_role("link", name="Projector screen").get_attribute("href"))
    expect(desk.locator("#status")).to_have_text("Live")
    assert_accessible(desk, "the projector screen")
    desk.goto(f"{live_server}/workshops/")
    assert_accessible(desk, "the workshop list")
    desk.get_by_role("link", name="Settings and rooms").click()
    assert_accessible(desk, "the settings page")
