"""Voting modes live (DESIGN §4). The phone: agree / disagree / pass with toggle buttons,
scores 1-5 on the workshop's criteria (with hidden results and the reveal), both usable
with a thumb and a screen reader on a 360 px phone. The moderator: the console's tallies
and support by role, stepping into a room, the projector through hidden results and the
reveal, and a vote entered from paper in scribe mode. Dots: test_live_workshop.py.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import (
    AXE,
    THUMB_PX,
    assert_accessible,
    assert_fits_a_small_phone,
)

pytestmark = pytest.mark.browser

#: A small phone: 360 px wide, touch.
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
IDEA = "Free buses at night"
STANCES = ("Agree", "Disagree", "Pass")
IMPACT, FEASIBILITY = "Impact on equality", "Feasibility"  # the default criteria


def create_workshop(open_workshop, voting_mode: str) -> tuple[Page, str]:
    """A one-room workshop with random assignment in this voting mode, its breakouts
    open; return the console and the join link."""
    console, join_url = open_workshop(
        f"Voting by {voting_mode}",
        "How do we get around fairly?",
        "Mobility: getting around",
        "random",
        voting_mode,
    )
    console.get_by_role("button", name="Open breakout rooms").click()
    expect(console.get_by_role("button", name="Open breakout rooms")).to_be_disabled()
    return console, join_url


def join(new_context, join_url: str, name: str, **options) -> Page:
    """A phone joins; random assignment puts it in the only breakout room."""
    phone = new_context(**PHONE, **options).new_page()
    phone.goto(join_url)
    phone.get_by_label("Your name").fill(name)
    phone.get_by_role("button", name="Join the workshop").tap()
    expect(phone.locator("#room-heading")).to_have_text("Mobility")
    return phone


def post_idea(phone: Page, text: str) -> None:
    phone.get_by_label("Your idea").fill(text)
    phone.get_by_role("button", name="Post idea").tap()
    expect(idea(phone, text)).to_have_count(1)


def set_phase(console: Page, phase: str) -> None:
    """Move every room to a phase from the console."""
    console.locator("#all-phase-select").select_option(phase)
    console.get_by_role("button", name="Set the phase in every room").click()


def idea(phone: Page, text: str):
    """The posted idea with this text on a phone."""
    return phone.locator("#ideas > li.idea:not(.pending)").filter(
        has=phone.locator(".idea-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


def stance(phone: Page, which: str, text: str = IDEA):
    """One of an idea's Agree / Disagree / Pass buttons."""
    return phone.get_by_role("button", name=f"{which}: {text}", exact=True)


def expect_pressed(phone: Page, pressed: str | None, text: str = IDEA) -> None:
    """Exactly this stance button is pressed (None: none is)."""
    for which in STANCES:
        expect(stance(phone, which, text)).to_have_attribute(
            "aria-pressed", "true" if which == pressed else "false"
        )


def agree_tally(agree: int, disagree: int, passed: int, yours: str | None = None) -> str:
    """An agree-mode tally line as the phone writes it."""
    n = agree + disagree + passed
    consensus = round(100 * agree / n) if n else 0
    divisiveness = round(100 * 2 * min(agree, disagree) / n) if n else 0
    line = (
        f"{agree} agree · {disagree} disagree · {passed} pass · "
        f"consensus {consensus}% · divisiveness {divisiveness}%"
    )
    return f"{line} (yours: {yours})" if yours else line


def criterion(phone: Page, name: str, text: str = IDEA):
    """The group of 1-5 radios that scores an idea on one criterion."""
    return phone.get_by_role("group", name=f"{name}: your score for “{text}”")


def score(phone: Page, name: str, value: int, text: str = IDEA) -> None:
    """Tap a score; the phone shows it chosen at once."""
    radio = criterion(phone, name, text).get_by_role("radio", name=str(value), exact=True)
    radio.tap()
    expect(radio).to_be_checked()


def expect_scores(phone: Page, mine: dict[str, int | None], text: str = IDEA) -> None:
    """The phone shows exactly these scores of its own chosen (None: none on that one)."""
    for name, value in mine.items():
        group = criterion(phone, name, text)
        expect(group.get_by_role("radio", checked=True)).to_have_count(0 if value is None else 1)
        if value is not None:
            expect(group.get_by_role("radio", name=str(value), exact=True)).to_be_checked()
        expect(group.get_by_role("button", name="Clear")).to_have_count(0 if value is None else 1)


def test_agree_disagree_pass_live_on_two_phones(live_server, open_workshop, new_context, artifacts):
    console, join_url = create_workshop(open_workshop, "dots")
    a = join(new_context, join_url, "Amina")
    b = join(new_context, join_url, "Bruno")
    post_idea(a, IDEA)
    expect(idea(b, IDEA)).to_have_count(1)

    # The organizer switches to agree / disagree / pass before voting opens: the phones follow.
    workshop_id = re.search(r"/workshops/(\d+)/", console.url).group(1)
    settings = console.context.new_page()
    settings.goto(f"{live_server}/workshops/{workshop_id}/settings")
    expect(settings.get_by_label("How participants vote")).to_have_value("dots")
    settings.get_by_label("How participants vote").select_option("agree")
    settings.get_by_role("button", name="Save", exact=True).click()
    for phone in (a, b):
        expect(idea(phone, IDEA).locator(".tally")).to_have_text(agree_tally(0, 0, 0))

    set_phase(console, "vote")
    for phone in (a, b):
        expect(phone.locator("#phase")).to_have_text("Phase: Vote")
        expect(phone.locator("#phase-help")).to_have_text(
            "Say whether you agree or disagree with each idea, or pass."
        )
        expect(phone.locator("#dots-left")).to_be_hidden()
        expect(phone.get_by_role("button", name=re.compile("^Add a dot to"))).to_have_count(0)
        expect_pressed(phone, None)

    # A agrees, B disagrees: both phones show the split.
    expect(a.locator("#vote-progress")).to_have_text("Opinions given: 0 of 1")
    stance(a, "Agree").tap()
    expect_pressed(a, "Agree")
    expect(a.locator("#vote-progress")).to_have_text("Opinions given: 1 of 1")
    stance(b, "Disagree").tap()
    expect_pressed(b, "Disagree")
    expect(idea(a, IDEA).locator(".tally")).to_have_text(agree_tally(1, 1, 0, "Agree"))
    expect(idea(b, IDEA).locator(".tally")).to_have_text(agree_tally(1, 1, 0, "Disagree"))
    assert agree_tally(1, 1, 0) == (
        "1 agree · 1 disagree · 0 pass · consensus 50% · divisiveness 100%"
    )

    # B changes their mind: A sees it live.
    stance(b, "Agree").tap()
    expect_pressed(b, "Agree")
    expect(idea(a, IDEA).locator(".tally")).to_have_text(agree_tally(2, 0, 0, "Agree"))

    # Pressing the pressed button takes the opinion back.
    stance(a, "Agree").tap()
    expect_pressed(a, None)
    expect(idea(a, IDEA).locator(".tally")).to_have_text(agree_tally(1, 0, 0))
    expect(idea(b, IDEA).locator(".tally")).to_have_text(agree_tally(1, 0, 0, "Agree"))
    stance(a, "Pass").tap()
    expect_pressed(a, "Pass")
    expect(idea(b, IDEA).locator(".tally")).to_have_text(agree_tally(1, 0, 1, "Agree"))
    a.screenshot(path=str(artifacts / "phone-agree.png"), full_page=True)

    # A reload shows each phone its own opinion again.
    for phone, mine in ((a, "Pass"), (b, "Agree")):
        phone.reload()
        expect(phone.locator("#status")).to_have_text("Live")
        expect_pressed(phone, mine)
        expect(idea(phone, IDEA).locator(".tally")).to_have_text(agree_tally(1, 0, 1, mine))

    # Voting closes: only the tally line stays.
    set_phase(console, "pathway")
    for phone, mine in ((a, "Pass"), (b, "Agree")):
        expect(phone.locator("#phase")).to_have_text("Phase: Pathway")
        expect(idea(phone, IDEA).locator(".stance-button")).to_have_count(0)
        expect(idea(phone, IDEA).locator(".tally")).to_have_text(agree_tally(1, 0, 1, mine))


def test_scores_stay_hidden_until_the_reveal(open_workshop, new_context, artifacts):
    console, join_url = create_workshop(open_workshop, "scores")
    a = join(new_context, join_url, "Chen")
    b = join(new_context, join_url, "Dana")
    post_idea(a, IDEA)
    expect(idea(b, IDEA).locator(".tally")).to_have_text("not scored yet")

    console.get_by_role("button", name="Hide the results until the reveal").click()
    set_phase(console, "vote")
    for phone in (a, b):
        expect(phone.locator("#phase-help")).to_have_text(
            "Score each idea from 1 (low) to 5 (high) on each criterion."
        )
        expect(phone.locator("#dots-left")).to_be_hidden()
        expect(idea(phone, IDEA).locator(".tally")).to_have_text("Results hidden")
        expect(idea(phone, IDEA).locator("fieldset legend")).to_have_text([IMPACT, FEASIBILITY])
        expect_scores(phone, {IMPACT: None, FEASIBILITY: None})

    # A changes their mind and clears a score before choosing again.
    score(a, IMPACT, 5)
    expect(a.locator("#vote-progress")).to_have_text("Ideas scored: 0 of 1")  # one criterion of two
    score(a, FEASIBILITY, 2)
    expect_scores(a, {IMPACT: 5, FEASIBILITY: 2})
    expect(a.locator("#vote-progress")).to_have_text("Ideas scored: 1 of 1")
    criterion(a, FEASIBILITY).get_by_role("button", name="Clear").tap()
    expect_scores(a, {IMPACT: 5, FEASIBILITY: None})
    score(a, FEASIBILITY, 3)
    score(b, IMPACT, 4)
    score(b, FEASIBILITY, 4)
    # Every score is counted (nothing waits to be sent), yet the phones show no number.
    for phone in (a, b):
        expect(phone.locator("#status")).to_have_text("Live")
        expect(idea(phone, IDEA).locator(".tally")).to_have_text("Results hidden")
    a.reload()
    expect(a.locator("#status")).to_have_text("Live")
    expect_scores(a, {IMPACT: 5, FEASIBILITY: 3})
    expect(idea(a, IDEA).locator(".tally")).to_have_text("Results hidden")

    # The reveal: impact (5 + 4) / 2, feasibility (3 + 4) / 2, and their mean.
    console.get_by_role("button", name="Reveal the results").click()
    revealed = "4.0 out of 5 (Impact on equality: 4.5 · Feasibility: 3.5) · 2 people scored"
    for phone in (a, b):
        expect(idea(phone, IDEA).locator(".tally")).to_have_text(revealed)
    expect_scores(b, {IMPACT: 4, FEASIBILITY: 4})

    # Shown results follow every change live.
    score(b, FEASIBILITY, 2)
    expect(idea(a, IDEA).locator(".tally")).to_have_text(
        "3.5 out of 5 (Impact on equality: 4.5 · Feasibility: 2.5) · 2 people scored"
    )
    b.screenshot(path=str(artifacts / "phone-scores.png"), full_page=True)

    # Voting closes: the tally stays, with each phone's own scores.
    set_phase(console, "pathway")
    expect(idea(b, IDEA).locator("fieldset")).to_have_count(0)
    expect(idea(b, IDEA).locator(".tally")).to_have_text(
        "3.5 out of 5 (Impact on equality: 4.5 · Feasibility: 2.5) · 2 people scored"
        " (yours: Impact on equality: 4 · Feasibility: 2)"
    )


@pytest.mark.parametrize("voting_mode", ["agree", "scores"])
def test_voting_is_accessible_on_a_360px_phone(open_workshop, new_context, voting_mode):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    console, join_url = create_workshop(open_workshop, voting_mode)
    phone = join(new_context, join_url, "Emil", bypass_csp=True)  # lets the test inject axe
    post_idea(phone, " ".join(["A night bus line to every district, with a long name"] * 3))
    post_idea(phone, IDEA)
    set_phase(console, "vote")
    expect(phone.locator("#phase")).to_have_text("Phase: Vote")

    # The keyboard keeps its place while the idea is drawn again after each choice.
    if voting_mode == "agree":
        stance(phone, "Disagree").focus()
        phone.keyboard.press("Enter")
        expect_pressed(phone, "Disagree")
        expect(stance(phone, "Disagree")).to_be_focused()
        targets = phone.locator(".stance-button")
        expect(targets).to_have_count(2 * len(STANCES))
        rows = [targets.nth(i * 3 + j) for i in range(2) for j in range(3)]
    else:
        scale = criterion(phone, FEASIBILITY)
        scale.get_by_role("radio", name="3", exact=True).focus()
        phone.keyboard.press("Space")
        phone.keyboard.press("ArrowRight")
        expect(scale.get_by_role("radio", name="4", exact=True)).to_be_checked()
        expect(scale.get_by_role("radio", name="4", exact=True)).to_be_focused()
        expect(scale.get_by_role("button", name="Clear")).to_be_visible()
        expect(phone.locator("#status")).to_have_text("Live")
        targets = phone.locator(".score-choice label")
        expect(targets).to_have_count(2 * 2 * 5)
        rows = [targets.nth(i) for i in range(20)]
    assert_accessible(phone, f"the breakout room, voting by {voting_mode}")
    assert_fits_a_small_phone(phone, f"the breakout room, voting by {voting_mode}")

    boxes = [target.bounding_box() for target in rows]
    small = [box for box in boxes if box["width"] < THUMB_PX or box["height"] < THUMB_PX]
    assert small == [], f"targets smaller than {THUMB_PX} x {THUMB_PX} px: {small}"
    per_row = len(STANCES) if voting_mode == "agree" else 5
    for first in range(0, len(boxes), per_row):
        tops = {round(box["y"]) for box in boxes[first : first + per_row]}
        assert len(tops) == 1, f"one idea's choices wrap onto more than one row: {tops}"


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
    open_workshop, new_context, artifacts
):
    console, join_url = create_workshop(open_workshop, "agree")
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
    # The projector draws bars, with the figures beside them.
    expect(screen.locator(".screen-ideas .bars-agree .bar-stack")).to_have_count(1)
    expect(screen.locator(".screen-ideas .bar-words")).to_have_text(
        "2 agree · 0 disagree · 0 pass · consensus 100%"
    )

    # Hidden results: the room's view and the projector show no numbers; the console does.
    console.get_by_role("button", name="Hide the results until the reveal").click()
    expect(room.locator("#room-ideas .tally")).to_have_text(" · Results hidden")
    expect(screen.locator(".screen-ideas .bars")).to_have_count(0)
    expect(screen.locator(".room-hidden")).to_have_text("Results hidden")
    stance(ines, "Pass").tap()
    expect(on_console.locator(".tally")).to_have_text(f" · {agree_tally(1, 0, 1)}")
    expect(room.locator("#room-ideas .tally")).to_have_text(" · Results hidden")

    # Scribe mode: a person without a phone says they agree.
    card = console.locator("#rooms .room-card").filter(
        has=console.locator(".room-name", has_text=re.compile("^Mobility$"))
    )
    expect(card.locator(".room-activity")).to_have_text("Active now")
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
    expect(screen.locator(".screen-ideas .bar-words")).to_have_text(
        "2 agree · 0 disagree · 1 pass · consensus 67%"
    )
    room.screenshot(path=artifacts / "room-view.png")
