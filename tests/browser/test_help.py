"""Consistent help (WCAG 3.2.6): every participant page — the join page, the lobby, the
room, the outcome page — offers the same "Help" in the same place: in the top bar, after
the languages, with the same controls before it; it opens with the keyboard and says
whom to ask. The projector's outcome (`?view=screen`) and the organizers' pages have none.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.mobility import PHONE
from tests.browser.moderator import Moderator

pytestmark = pytest.mark.browser

#: What a keyboard meets before the help, in order: each control's text.
BEFORE_HELP = """() => {
  const controls = [...document.querySelectorAll('a[href], button, summary, input, select')];
  const help = document.querySelector('#help > summary');
  return controls.slice(0, controls.indexOf(help)).map((el) => el.textContent.trim());
}"""


def where_help_is(page: Page) -> list[str]:
    expect(page.locator("#help > summary")).to_have_count(1)
    assert page.evaluate(
        "() => document.querySelector('header.top').contains(document.getElementById('help'))"
    )
    return page.evaluate(BEFORE_HELP)


def test_help_is_in_the_same_place_on_every_participant_page(
    live_server, open_workshop, new_context
):
    console, join_url = open_workshop(
        "Getting around", "How do we get around fairly?", "Mobility: getting around", "random"
    )
    workshop_id = int(re.search(r"/workshops/(\d+)/", console.url).group(1))
    code = join_url.rsplit("/", 1)[1]
    moderator = Moderator(live_server, console, workshop_id)
    phone = new_context(**PHONE).new_page()
    try:
        seen = {}
        phone.goto(join_url)
        seen["join"] = where_help_is(phone)
        phone.get_by_label("Your name").fill("Amina")
        phone.get_by_role("button", name="Join the workshop").tap()
        expect(phone.locator("#lobby")).to_be_visible()
        seen["lobby"] = where_help_is(phone)
        moderator.send("open_breakouts")
        expect(phone.locator("#room-heading")).to_have_text("Mobility")
        seen["room"] = where_help_is(phone)

        # It opens from the keyboard and says whom to ask.
        phone.locator("#help > summary").focus()
        phone.keyboard.press("Enter")
        expect(phone.locator("#help")).to_have_attribute("open", "")
        expect(phone.locator("#help .help-body")).to_contain_text("facilitator")

        phone.goto(f"{live_server}/w/{code}/outcome")
        seen["outcome"] = where_help_is(phone)
        assert seen["join"][0] == "Skip to content" and len(seen["join"]) > 2
        assert seen == {page: seen["join"] for page in seen}, seen

        # Not on the projector's outcome, nor on the organizers' console.
        phone.goto(f"{live_server}/w/{code}/outcome?view=screen")
        expect(phone.locator("#outcome")).not_to_be_empty()
        expect(phone.locator("#help")).to_have_count(0)
        expect(console.locator("#help")).to_have_count(0)
    finally:
        moderator.close()
