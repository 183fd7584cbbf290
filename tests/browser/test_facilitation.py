"""A facilitator drives their room from a phone; the console drives a single room; a
broadcast message reaches every phone."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def room_card(console: Page, name: str):
    """A room's card on the console."""
    return console.locator("#rooms .room-card").filter(
        has=console.locator(".room-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def join(phone: Page, join_url: str, name: str) -> None:
    phone.goto(join_url)
    phone.get_by_label("Your name").fill(name)
    phone.get_by_role("button", name="Join the workshop").tap()
    expect(phone.locator("#lobby")).to_be_visible()


def test_a_facilitator_drives_one_room_alone(new_context, open_workshop, artifacts):
    console, join_url = open_workshop(
        "Local pathways",
        "What would make our city fairer?",
        "Mobility: access\nHealth: care",
        "manual",
    )

    lead, member, other = (new_context(**PHONE).new_page() for _ in range(3))
    for phone, name in ((lead, "Lea"), (member, "Moses"), (other, "Olga")):
        join(phone, join_url, name)
    console.get_by_role("button", name="Open breakout rooms").click()
    console.get_by_label("Move Lea to").select_option(label="Mobility")
    console.get_by_label("Move Moses to").select_option(label="Mobility")
    console.get_by_label("Move Olga to").select_option(label="Health")
    for phone, room in ((lead, "Mobility"), (member, "Mobility"), (other, "Health")):
        expect(phone.locator("#room-heading")).to_have_text(room)
        expect(phone.locator("#phase")).to_have_text("Phase: Propose")
    expect(lead.locator("#facilitate")).to_be_hidden()

    # The moderator appoints Lea; only her phone shows the controls.
    console.get_by_role("button", name="Make Lea the facilitator").click()
    expect(lead.locator("#facilitate")).to_be_visible()
    expect(member.locator("#facilitate")).to_be_hidden()
    mobility = room_card(console, "Mobility")
    expect(mobility.locator(".room-facilitator")).to_have_text("Facilitator: Lea")

    # Lea moves her room to Vote and starts a timer: her room follows, the other does not.
    lead.get_by_label("Phase", exact=True).select_option("vote")
    lead.get_by_role("button", name="Set phase").tap()
    lead.get_by_label("Timer (minutes)").fill("3")
    lead.get_by_label("At zero").select_option("closed")
    lead.get_by_role("button", name="Start timer").tap()
    for phone in (lead, member):
        expect(phone.locator("#phase")).to_have_text("Phase: Vote")
        expect(phone.locator("#timer")).to_have_text(
            re.compile(r"^Time left: (3:00|2:\d\d) · then Closed$")
        )
    expect(other.locator("#phase")).to_have_text("Phase: Propose")
    expect(other.locator("#timer")).to_be_hidden()
    expect(mobility.locator(".room-phase")).to_have_value("vote")
    expect(mobility.locator(".timer")).to_have_text(re.compile(r"^Time left: (3:00|2:\d\d)"))

    # The console drives a single room too, and a message reaches every phone.
    health = room_card(console, "Health")
    health.locator(".room-phase").select_option("closed")
    expect(other.locator("#phase")).to_have_text("Phase: Closed")
    expect(other.locator("#idea-form")).to_be_hidden()
    console.get_by_label("Message to everyone").fill("Five minutes left: choose your top 3")
    console.get_by_role("button", name="Send").click()
    for phone in (lead, member, other):
        expect(phone.locator("#room-notice")).to_have_text("Five minutes left: choose your top 3")

    # Lea stops the timer; a phone that reloads sees the room as it is now.
    lead.get_by_role("button", name="Stop timer").tap()
    expect(member.locator("#timer")).to_be_hidden()
    member.reload()
    expect(member.locator("#phase")).to_have_text("Phase: Vote")
    expect(member.locator("#room-notice")).to_have_text("Five minutes left: choose your top 3")
    lead.screenshot(path=str(artifacts / "facilitator.png"), full_page=True)
    console.screenshot(path=str(artifacts / "console-phases.png"), full_page=True)
