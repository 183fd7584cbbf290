"""Stakeholder roles on the way in, and support by role live on the console."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def test_support_by_role_on_the_console(new_context, open_workshop):
    console, join_url = open_workshop(
        "Who supports what", "Where do we agree?", "Together: one room", "random"
    )
    console.get_by_role("button", name="Open breakout rooms").click()

    phones = {}
    for name, role in (("Ines", "Local government"), ("Jo", "Resident / rights-holder")):
        phone = new_context(**PHONE).new_page()
        phone.goto(join_url)
        phone.get_by_label("Your name").fill(name)
        phone.get_by_label("You take part as (optional)").select_option(role)
        phone.get_by_role("button", name="Join the workshop").tap()
        expect(phone.locator("#room-heading")).to_have_text("Together")
        phones[name] = phone

    phones["Ines"].get_by_label("Your idea").fill("Open the town hall at night")
    phones["Ines"].get_by_role("button", name="Post idea").tap()
    console.locator("#all-phase-select").select_option("vote")
    console.get_by_role("button", name="Set the phase in every room").click()
    idea = console.locator("#rooms .idea-list > li").filter(
        has=console.locator(".idea-line", has_text=re.compile("^Open the town hall"))
    )
    phones["Ines"].get_by_role("button", name=re.compile("^Add a dot to")).tap()
    expect(idea.locator(".by-role")).to_have_text("Local government 1")
    phones["Jo"].get_by_role("button", name=re.compile("^Add a dot to")).tap()
    expect(idea.locator(".by-role")).to_have_text(
        "✓ supported by every role in the room · Local government 1 · Resident / rights-holder 1"
    )
    # A reload rebuilds the same picture from the snapshot.
    console.reload()
    expect(idea.locator(".by-role")).to_contain_text("✓ supported by every role in the room")
    phones["Jo"].get_by_role("button", name=re.compile("^Take a dot back")).tap()
    expect(idea.locator(".by-role")).to_have_text("Local government 1")
