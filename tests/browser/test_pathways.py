"""Pathways toward equality (issue 9, DESIGN §5): a moderator on a laptop and a
facilitator on a phone edit one pathway at once; different fields both stand, and the
same field shows both texts until one person chooses, so nothing is lost; a participant's
phone sees the pathway appear and change live, endorses it and comments; the pathway
phase passes axe and gives thumb-sized targets on a 360 px phone, editor open or not.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import AXE, assert_accessible, assert_fits_a_small_phone
from tests.browser.mobility import (
    BIKES,
    BUSES,
    RAMPS,
    SMALL_PHONE,
    create_workshop,
    join,
    post_ideas,
    set_phase,
)

pytestmark = pytest.mark.browser

WOMEN = "Women"


def board(page: Page):
    """The page's pathways (the phone's section, the console's room card)."""
    return page.locator(".pathways-board").first


def card(page: Page, title: str):
    """A pathway's card, by its title."""
    return (
        board(page)
        .locator("li.pathway")
        .filter(has=page.locator(".pathway-title", has_text=re.compile(f"^{re.escape(title)}$")))
    )


def editor(page: Page):
    return page.locator("#pathway-editor")


def open_editor(page: Page, title: str) -> None:
    card(page, title).get_by_role("button", name=f"Edit the pathway: {title}").click()
    expect(editor(page)).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value(title)


def save(page: Page) -> None:
    editor(page).get_by_role("button", name="Save", exact=True).click()


def test_two_people_edit_one_pathway_and_a_phone_follows_live(sign_in, new_context, artifacts):
    console, join_url = create_workshop(sign_in, new_context)
    amina = join(new_context, join_url, "Amina")  # she will facilitate, on her phone
    bruno = join(new_context, join_url, "Bruno")
    post_ideas(amina, BUSES, BIKES, RAMPS)
    console.get_by_role("button", name="Make Amina the facilitator").click()
    expect(amina.locator("#facilitate")).to_be_visible()

    # The console groups two ideas into a theme, then drafts a pathway from its card.
    set_phase(console, "cluster")
    room = console.locator('#rooms .room-card[data-phase="cluster"]')
    room.locator(".themes-board").get_by_label("New theme").fill("Transport")
    room.locator(".themes-board").get_by_role("button", name="Add the theme").click()
    for text in (BUSES, BIKES):
        room.get_by_role("button", name=f"Move to theme… {text}").click()
        room.get_by_role("button", name="Transport", exact=True).click()
    expect(room.locator(".themes-board li.theme .theme-meta")).to_have_text("2 ideas")
    # Participants see no pathway before the pathway phase; the facilitator may draft.
    expect(bruno.locator("#pathways")).to_be_hidden()
    expect(board(amina).get_by_role("heading", name="Draft a pathway")).to_be_visible()
    room.locator(".themes-board").get_by_role(
        "button", name="Draft a pathway from “Transport”"
    ).click()
    # The new pathway opens in the editor: the theme's name, ideas and tags came with it.
    expect(editor(console)).to_be_visible()
    expect(console.get_by_label("Title", exact=True)).to_have_value("Transport")
    ideas = editor(console).locator(".pathway-ideas-editor")
    ideas.locator("summary").click()
    expect(ideas.get_by_label(BUSES)).to_be_checked()
    expect(ideas.get_by_label(RAMPS)).not_to_be_checked()
    console.get_by_label("The inequality it addresses").fill("Buses stop at 9 pm.")
    editor(console).get_by_role("button", name="Add a step").click()
    expect(console.get_by_label("What is done")).to_be_focused()
    console.get_by_label("What is done").fill("Run night buses on the main lines")
    console.get_by_label("Who does it").fill("City transport office")
    console.get_by_label("When", exact=True).select_option("medium")
    console.get_by_label("How we see progress").fill("Night riders per month")
    editor(console).get_by_role("button", name="Add a step").click()
    console.locator("#step-1-action").fill("Ask night workers where they go")
    console.get_by_role("button", name="Move up: step 2").click()
    expect(console.get_by_role("button", name="Move down: step 1")).to_be_focused()
    expect(console.locator("#step-0-action")).to_have_value("Ask night workers where they go")
    editor(console).get_by_role("button", name="Add tags to: Transport").click()
    console.locator("dialog.tag-picker .tag-option", has_text=re.compile(f"^{WOMEN}$")).click()
    console.locator("dialog.tag-picker").get_by_role("button", name="Done").click()
    expect(editor(console).locator(".tag-chip")).to_have_text([f"Group: {WOMEN}"])
    save(console)
    expect(editor(console)).to_be_hidden()
    transport = card(amina, "Transport")
    expect(transport.locator(".pathway-step")).to_have_count(2)
    expect(transport.locator(".step-action").first).to_have_text("Ask night workers where they go")

    # The pathway phase: Bruno's phone shows the card, then each change, live.
    set_phase(console, "pathway")
    expect(bruno.locator("#phase")).to_have_text("Phase: Pathway")
    expect(card(bruno, "Transport")).to_contain_text("Buses stop at 9 pm.")
    step = card(bruno, "Transport").locator(".pathway-step").nth(1)
    expect(step).to_contain_text("Run night buses on the main lines")
    expect(step).to_contain_text("City transport office")
    expect(step).to_contain_text("Medium term")
    expect(step).to_contain_text("Night riders per month")
    expect(card(bruno, "Transport").locator(".tag-chip")).to_have_text([f"Group: {WOMEN}"])
    card(bruno, "Transport").locator(".pathway-ideas summary").tap()
    expect(card(bruno, "Transport").locator(".pathway-idea-list li")).to_have_text([BUSES, BIKES])
    expect(card(bruno, "Transport")).to_contain_text("Support: 0 dots")

    # He endorses with one tap, and comments; the others see both.
    endorse = card(bruno, "Transport").get_by_role("button", name="Endorse")
    expect(endorse).to_have_attribute("aria-pressed", "false")
    endorse.tap()
    expect(endorse).to_have_attribute("aria-pressed", "true")
    expect(card(amina, "Transport").locator(".pathway-endorsements")).to_have_text("1 endorsement")
    comment = card(bruno, "Transport").get_by_label("Your comment")
    comment.fill("Also on Sundays")
    expect(card(bruno, "Transport").locator(".comment-form .hint")).to_have_text(
        "485 characters left"
    )
    card(bruno, "Transport").get_by_role("button", name="Comment").tap()
    expect(card(amina, "Transport").locator(".pathway-comment")).to_contain_text("Also on Sundays")
    expect(card(console, "Transport").locator(".pathway-comment")).to_contain_text("Bruno")
    expect(comment).to_have_value("")

    # Two editors at once, different fields: both stand.
    open_editor(console, "Transport")
    open_editor(amina, "Transport")
    console.get_by_label("Where we want to be").fill("Everyone gets home safely.")
    amina.get_by_label("Title", exact=True).fill("Night transport")
    save(amina)
    expect(editor(amina)).to_be_hidden()
    # The console's editor takes the new title in and keeps what is being typed.
    expect(editor(console).locator("#pathway-editor-news")).to_contain_text(
        "Updated by someone else: Title"
    )
    expect(console.get_by_label("Title", exact=True)).to_have_value("Night transport")
    expect(console.get_by_label("Where we want to be")).to_have_value("Everyone gets home safely.")
    save(console)
    expect(editor(console)).to_be_hidden()
    expect(card(bruno, "Night transport")).to_contain_text("Everyone gets home safely.")
    expect(card(bruno, "Night transport").locator(".pathway-step")).to_have_count(2)

    # The same field at once: the second save meets a conflict, shown field by field.
    open_editor(console, "Night transport")
    open_editor(amina, "Night transport")
    console.get_by_label("The inequality it addresses").fill("Night shifts have no bus home.")
    amina.get_by_label("The inequality it addresses").fill("Women walk home alone at night.")
    save(amina)
    expect(card(bruno, "Night transport")).to_contain_text("Women walk home alone at night.")
    expect(editor(console).locator("#pathway-editor-news")).to_contain_text(
        "Someone else also changed The inequality it addresses"
    )
    expect(console.get_by_label("The inequality it addresses")).to_have_value(
        "Night shifts have no bus home."
    )
    save(console)
    panel = editor(console).locator("#pathway-conflict")
    expect(panel).to_be_visible()
    field = panel.locator(".conflict-field")
    expect(field).to_have_count(1)
    expect(field.locator(".conflict-theirs")).to_contain_text("Women walk home alone at night.")
    expect(field.locator(".conflict-mine")).to_contain_text("Night shifts have no bus home.")
    expect(editor(console).get_by_role("button", name="Save", exact=True)).to_be_disabled()
    console.screenshot(path=str(artifacts / "console-pathway-conflict.png"))
    # Nothing was overwritten yet: the phone still shows the saved text.
    expect(card(bruno, "Night transport")).to_contain_text("Women walk home alone at night.")
    panel.get_by_role("button", name="Use mine: The inequality it addresses").click()
    expect(editor(console)).to_be_hidden()
    expect(card(bruno, "Night transport")).to_contain_text("Night shifts have no bus home.")
    expect(card(bruno, "Night transport")).to_contain_text("Everyone gets home safely.")
    expect(card(bruno, "Night transport").locator(".pathway-endorsements")).to_have_text(
        "1 endorsement"
    )
    expect(card(bruno, "Night transport").get_by_role("button", name="Endorse")).to_have_attribute(
        "aria-pressed", "true"
    )
    # What he opened stays open through every redraw those events brought.
    expect(card(bruno, "Night transport").locator("details.pathway-ideas")).to_have_attribute(
        "open", ""
    )
    bruno.screenshot(path=str(artifacts / "phone-pathway.png"), full_page=True)

    # A moderator hides a comment: it leaves every phone.
    card(console, "Night transport").get_by_role(
        "button", name="Hide the comment: Also on Sundays"
    ).click()
    expect(card(bruno, "Night transport").locator(".pathway-comment")).to_have_count(0)


def test_pathways_are_accessible_on_a_360px_phone(sign_in, new_context, artifacts):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    console, join_url = create_workshop(sign_in, new_context)
    emil = join(new_context, join_url, "Emil", SMALL_PHONE, bypass_csp=True)  # axe is injected
    fatou = join(new_context, join_url, "Fatou", SMALL_PHONE, bypass_csp=True)
    post_ideas(emil, BUSES, RAMPS)
    console.get_by_role("button", name="Make Emil the facilitator").click()
    set_phase(console, "pathway")
    expect(emil.locator("#phase")).to_have_text("Phase: Pathway")

    # The facilitator drafts one from a title, on his phone: the editor opens.
    emil.get_by_label("Title of a new pathway").fill("Step-free stops")
    board(emil).get_by_role("button", name="Draft a pathway", exact=True).tap()
    expect(editor(emil)).to_be_visible()
    emil.get_by_label("The inequality it addresses").fill(
        "Wheelchair users cannot get on most buses. " * 8
    )
    editor(emil).get_by_role("button", name="Add a step").tap()
    emil.get_by_label("What is done").fill("Raise the kerb at every stop")
    editor(emil).locator(".pathway-ideas-editor summary").tap()
    editor(emil).get_by_label(RAMPS).check()
    assert_accessible(emil, "the pathway editor")
    assert_fits_a_small_phone(emil, "the pathway editor")
    emil.screenshot(path=str(artifacts / "phone-pathway-editor-360.png"))
    save(emil)
    expect(editor(emil)).to_be_hidden()

    # A participant reads it, endorses it, comments.
    expect(card(fatou, "Step-free stops")).to_contain_text("Raise the kerb at every stop")
    expect(card(fatou, "Step-free stops").locator("details.fold")).to_have_count(
        1
    )  # long text folds
    card(fatou, "Step-free stops").get_by_role("button", name="Endorse").tap()
    card(fatou, "Step-free stops").get_by_label("Your comment").fill("Benches too, please")
    card(fatou, "Step-free stops").get_by_role("button", name="Comment").tap()
    expect(card(emil, "Step-free stops").locator(".pathway-comment")).to_have_count(1)
    expect(card(fatou, "Step-free stops").locator(".pathway-endorsements")).to_have_text(
        "1 endorsement"
    )
    card(fatou, "Step-free stops").locator(".pathway-ideas summary").tap()
    assert_accessible(fatou, "a participant's pathways")
    assert_fits_a_small_phone(fatou, "a participant's pathways")
    assert_accessible(emil, "the facilitator's pathways")
    assert_fits_a_small_phone(emil, "the facilitator's pathways")
    fatou.screenshot(path=str(artifacts / "phone-pathway-360.png"), full_page=True)
