"""A moderator follows an agree / disagree / pass vote: the console's tallies and support
by role, stepping into the room to see it as its participants do, the projector through
hidden results and the reveal, and a vote entered from paper in scribe mode."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_phone_voting import (
    IDEA,
    PHONE,
    agree_tally,
    create_workshop,
    post_idea,
    set_phase,
    stance,
)

pytestmark = pytest.mark.browser


def join_as(new_context, join_url: str, name: str, role: str) -> Page:
    """A phone joins with a stakeholder role; random assignment puts it in the room."""
    phone = new_context(**PHONE).new_page()
    phone.goto(join_url)
    phone.get_by_label("Your name").fill(name)
    phone.get_by_label("You take part as (optional)").select_option(role)
    phone.get_by_role("button", name="Join the workshop").tap()
    expect(phone.locator("#room-heading")).to_have_text("Mobility")
    return phone


def test_the_console_room_view_projector_and_scribe_in_agree_mode(
    live_server, new_context, artifacts
):
    console, join_url = create_workshop(live_server, new_context, "agree")
    ines = join_as(new_context, join_url, "Ines", "Local government")
    jo = join_as(new_context, join_url, "Jo", "Resident / rights-holder")
    post_idea(ines, IDEA)
    set_phase(console, "vote")
    on_console = console.locator("#rooms .idea-list > li").filter(
        has=console.locator(".idea-line", has_text=re.compile(f"^{re.escape(IDEA)}"))
    )

    stance(ines, "Agree").tap()
    stance(jo, "Disagree").tap()
    expect(on_console.locator(".tally")).to_have_text(f" · {agree_tally(1, 1, 0)}")
    expect(on_console.locator(".by-role")).to_have_text(
        "Local government 1 agree · 0 disagree · 0 pass"
        " · Resident / rights-holder 0 agree · 1 disagree · 0 pass"
    )
    stance(jo, "Agree").tap()  # every role now agrees more than it disagrees
    expect(on_console.locator(".by-role")).to_contain_text("✓ supported by every role in the room")

    # Step into the room: what its phones show, live.
    with console.expect_popup() as opened:
        console.get_by_role("link", name="Step into Mobility").click()
    room = opened.value
    expect(room.locator("#room-phase")).to_have_text("Phase: Vote")
    expect(room.locator("#room-help")).to_have_text(
        "Say whether you agree or disagree with each idea, or pass."
    )
    expect(room.locator("#room-ideas .tally")).to_have_text(f" · {agree_tally(2, 0, 0)}")
    with console.expect_popup() as opened:
        console.get_by_role("link", name="Projector screen").click()
    screen = opened.value
    expect(screen.locator(".screen-ideas .tally")).to_have_text(f" · {agree_tally(2, 0, 0)}")

    # Hidden results: the room's view and the projector show no numbers; the console does.
    console.get_by_role("button", name="Hide the results until the reveal").click()
    expect(room.locator("#room-ideas .tally")).to_have_text(" · Results hidden")
    expect(screen.locator(".screen-ideas .tally")).to_have_count(0)
    expect(screen.locator(".room-hidden")).to_have_text("Results hidden")
    stance(ines, "Pass").tap()
    expect(on_console.locator(".tally")).to_have_text(f" · {agree_tally(1, 0, 1)}")
    expect(room.locator("#room-ideas .tally")).to_have_text(" · Results hidden")

    # Scribe mode: a person without a phone says they agree.
    card = console.locator("#rooms .room-card").filter(
        has=console.locator(".room-name", has_text=re.compile("^Mobility$"))
    )
    card.locator("summary", has_text="Scribe").click()
    card.get_by_label("Name of a person without a phone").fill("Mrs Okafor")
    card.get_by_role("button", name="Add the person").click()
    expect(card.locator(".member-list")).to_contain_text("Mrs Okafor")
    card.get_by_label("Their opinion").select_option("agree")
    card.get_by_role("button", name="Enter it").click()
    expect(on_console.locator(".tally")).to_have_text(f" · {agree_tally(2, 0, 1)}")
    expect(on_console).to_contain_text("1 from paper")

    console.get_by_role("button", name="Reveal the results").click()
    expect(room.locator("#room-ideas .tally")).to_have_text(f" · {agree_tally(2, 0, 1)}")
    expect(screen.locator(".screen-ideas .tally")).to_have_text(f" · {agree_tally(2, 0, 1)}")
    room.screenshot(path=artifacts / "room-view.png")
