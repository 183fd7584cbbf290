"""Moderating from the console: hide and restore an idea (its author is told), correct a
typo, lock a room, remove someone."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def idea(phone: Page, text: str):
    return phone.locator("#ideas > li.idea:not(.pending)").filter(
        has=phone.locator(".idea-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


def test_moderating_from_the_console(new_context, open_workshop):
    console, join_url = open_workshop("Safe and fair", "What first?", "Work: jobs\nCare: health")
    console.get_by_role("button", name="Open breakout rooms").click()

    # A locked room cannot be chosen.
    care = console.locator("#rooms .room-card").filter(
        has=console.locator(".room-name", has_text=re.compile("^Care$"))
    )
    care.get_by_role("button", name="Lock this room").click()
    expect(care.get_by_role("button", name="Unlock this room")).to_be_visible()

    author, reader = (new_context(**PHONE).new_page() for _ in range(2))
    for phone, name in ((author, "Ade"), (reader, "Bea")):
        phone.goto(join_url)
        phone.get_by_label("Your name").fill(name)
        phone.get_by_role("button", name="Join the workshop").tap()
        expect(phone.get_by_role("button", name=re.compile("^Care"))).to_be_disabled()
        phone.get_by_role("button", name=re.compile("^Work")).tap()
        expect(phone.locator("#room-heading")).to_have_text("Work")

    author.get_by_label("Your idea").fill("Somthing rude")
    author.get_by_role("button", name="Post idea").tap()
    expect(idea(reader, "Somthing rude")).to_have_count(1)

    console.get_by_role("button", name="Hide: Somthing rude").click()
    expect(idea(reader, "Somthing rude")).to_have_count(0)
    expect(idea(author, "Somthing rude")).to_have_count(0)
    expect(author.locator("#notice")).to_have_text("A moderator hid your idea: Somthing rude")

    console.get_by_role("button", name="Restore: Somthing rude").click()
    expect(idea(reader, "Somthing rude")).to_have_count(1)
    console.once("dialog", lambda dialog: dialog.accept("Something kind"))  # the prompt
    console.get_by_role("button", name="Correct: Somthing rude").click()
    expect(idea(reader, "Something kind")).to_have_count(1)
    expect(idea(author, "Something kind").locator(".meta")).to_have_text("Ade · edited")

    # A duplicate is merged into the idea that is kept.
    reader.get_by_label("Your idea").fill("Something kind, again")
    reader.get_by_role("button", name="Post idea").tap()
    expect(idea(author, "Something kind, again")).to_have_count(1)
    console.get_by_label(
        "Merge this duplicate into another idea: Something kind, again"
    ).select_option(label="Something kind")
    for phone in (author, reader):
        expect(idea(phone, "Something kind, again")).to_have_count(0)
        expect(idea(phone, "Something kind")).to_have_count(1)

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="Remove Bea from the workshop").click()
    expect(reader.locator("#status")).to_have_text("A moderator removed you from this workshop.")
    expect(reader.locator("#room")).to_be_hidden()
    reader.reload()  # the room page itself now refuses, with the reason
    expect(reader.get_by_text("A moderator removed you from this workshop.")).to_be_visible()
    work = console.locator("#rooms .room-card").filter(
        has=console.locator(".room-name", has_text=re.compile("^Work$"))
    )
    expect(work.locator(".room-count")).to_have_text("1 person here")
