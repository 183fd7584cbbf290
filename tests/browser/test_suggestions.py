"""Suggested themes and the "said already?" hint (issue 8), in real Chromium against the
real eventlet server and the real engine: a facilitator asks for suggestions on a phone,
renames one, accepts two and leaves one out; another phone sees the new themes live; a
participant typing a near-duplicate gets "Support this one instead?" and is taken to it;
the moderator's console finds the duplicate and merges it. Axe and the 360 px checks run
on the suggestions."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.checks import assert_accessible, assert_fits_a_small_phone
from tests.browser.mobility import SMALL_PHONE, create_workshop, join, set_phase
from tests.browser.test_themes import theme

pytestmark = pytest.mark.browser

TRANSPORT = [
    "Free buses for students and pupils",
    "More night buses on weekends",
    "Cheaper public transport tickets for low-income families",
    "Trams that run every five minutes at rush hour",
]
HOUSING = [
    "Affordable housing for migrant and refugee families",
    "Cap the rents in the old town",
    "Social housing near the city centre",
    "Stop evictions of families during winter",
]
GREEN = [
    "Plant more trees along the main streets",
    "A community garden in every district",
    "Shade trees and fountains against summer heat",
    "More green parks where children can play",
]


def post(phone, *texts):
    for text in texts:
        phone.get_by_label("Your idea").fill(text)
        phone.get_by_role("button", name="Post idea").tap()
        expect(phone.locator("#ideas > li.idea:not(.pending)").filter(has_text=text)).to_have_count(
            1
        )


def test_a_facilitator_accepts_two_suggested_themes_and_a_phone_sees_them(sign_in, new_context):
    console, join_url = create_workshop(sign_in, new_context)
    amina = join(new_context, join_url, "Amina", device=SMALL_PHONE, bypass_csp=True)
    ben = join(new_context, join_url, "Ben")
    post(amina, *TRANSPORT)
    post(ben, *HOUSING, *GREEN)
    console.get_by_role("button", name="Make Amina the facilitator").click()
    expect(amina.locator("#facilitate")).to_be_visible()
    set_phase(console, "cluster")

    tools = amina.locator(".suggestion-tools")
    tools.get_by_role("button", name="Suggest themes").tap()
    groups = tools.locator(".suggested-group")
    expect(groups).to_have_count(3)
    expect(tools.locator("[id^=suggest-status-]")).to_have_text("3 themes suggested.")
    assert_accessible(amina, "suggested themes on a phone")
    assert_fits_a_small_phone(amina, "suggested themes on a phone")

    first = groups.nth(0)
    expect(first.get_by_role("group")).to_contain_text("Suggestion 1 of 3")
    expect(first.locator(".suggested-ideas li")).to_have_count(4)
    first.get_by_label("Theme name").fill("Transport")
    groups.nth(2).get_by_label("Create this theme").uncheck()
    tools.get_by_role("button", name="Create the checked themes").tap()

    expect(theme(amina, "Transport")).to_have_count(1)
    expect(amina.locator(".theme")).to_have_count(2)
    expect(amina.locator(".suggested-group")).to_have_count(0)
    # Ben sees both themes appear live, Transport with its four ideas.
    expect(theme(ben, "Transport")).to_have_count(1)
    expect(ben.locator(".theme")).to_have_count(2)
    expect(theme(ben, "Transport").locator(".theme-idea")).to_have_count(4)
    # The group left out stays outside any theme.
    expect(ben.locator(".unthemed .theme-idea")).to_have_count(len(GREEN))


def test_typing_a_near_duplicate_shows_it_and_the_console_merges_it(sign_in, new_context):
    console, join_url = create_workshop(sign_in, new_context)
    amina = join(new_context, join_url, "Amina")
    ben = join(new_context, join_url, "Ben", device=SMALL_PHONE, bypass_csp=True)
    post(amina, *TRANSPORT[:2], HOUSING[1])

    ben.get_by_label("Your idea").press_sequentially(
        "Free buses for pupils and students!", delay=10
    )
    hint = ben.locator("#idea-similar")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Support this one instead?")
    expect(hint.locator(".similar-idea")).to_have_count(1)
    expect(hint.locator(".similar-idea")).to_contain_text(TRANSPORT[0])
    assert_accessible(ben, "the similar-idea hint")
    assert_fits_a_small_phone(ben, "the similar-idea hint")
    hint.get_by_role("button", name=f"See this idea: {TRANSPORT[0]}").tap()
    target = ben.locator("#ideas > li.idea").filter(has_text=TRANSPORT[0])
    expect(target).to_have_class(re.compile(r"\bhighlighted\b"))
    expect(target).to_be_focused()
    # Posting is never held up: Ben posts his anyway, and the hint goes.
    ben.get_by_role("button", name="Post idea").tap()
    expect(hint).to_be_hidden()
    expect(ben.locator("#ideas > li.idea:not(.pending)")).to_have_count(4)

    # The moderator finds the pair and merges Ben's into Amina's.
    card = console.locator(".room-card").filter(has_text="Mobility")
    card.locator(".themes-board > summary").click()
    card.get_by_role("button", name="Find duplicates").click()
    pair = card.locator(".duplicate-pair")
    expect(pair).to_have_count(1)
    pair.get_by_role("button", name=re.compile("^Merge ")).click()
    expect(ben.locator("#ideas > li.idea:not(.pending)")).to_have_count(3)
    expect(card.locator(".duplicate-pair")).to_have_count(0)
