"""Every flow with the keyboard alone (issue 12; WCAG 2.2 AA 2.1.1 Keyboard, 2.4.7 Focus
Visible, 2.4.11 Focus Not Obscured): join, post, vote in each mode, cluster, moderate and
download, where the person's part is done only with `page.keyboard` — Tab and Shift+Tab to
move, Enter and Space to press, arrow keys in menus and selects, and typing.

The scene (the workshops, the phases) is set up with the mouse and the moderator's
socket; that is not what is tested. Every Tab is checked: the control that gets the focus
is on the screen, shows a focus indicator, and nothing covers it (the phone's sticky vote
bar included). The flows share one dots workshop and run in order, each starting where
the one before left the phone and the console; agree / disagree / pass and scores get a
one-room workshop each (a workshop's voting mode is fixed once voting opens).

Enter presses buttons in the flows; Space presses the vote buttons on its way down, so a
live redraw of the idea before the key comes up does not lose the press (tested).
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import EXPECT_TIMEOUT_MS, signed_in
from tests.browser.console_rooms import open_every_room
from tests.browser.mobility import LAPTOP, PHONE
from tests.browser.moderator import Moderator

pytestmark = pytest.mark.browser

BUSES, RUDE = "Free buses at night", "Somthing rude"
IMPACT, FEASIBILITY = "Impact on equality", "Feasibility"

#: Where the focused element stands after a key, read in the page: the element (or, for
#: a visually hidden radio, the label drawn in its place), its box, what is at the centre
#: of its visible part, and its focus indicator.
FOCUS_REPORT = """async () => {
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const describe = (node) => node ? node.outerHTML.slice(0, 100) : 'nothing';
    let shown = el;
    const own = el.getBoundingClientRect();
    if ((own.width <= 1 || own.height <= 1) && el.labels && el.labels.length) shown = el.labels[0];
    const box = shown.getBoundingClientRect();
    const problems = [];
    const left = Math.max(box.left, 0), right = Math.min(box.right, innerWidth);
    const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, innerHeight);
    if (box.width === 0 || box.height === 0) problems.push('has no size');
    else if (right <= left || bottom <= top) problems.push('is off the screen');
    else {
        const hit = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
        if (!hit || !(el.contains(hit) || shown.contains(hit))) {
            problems.push(`is covered by ${describe(hit)}`);
        }
    }
    const ring = (node) => {
        const style = getComputedStyle(node);
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        return outline || style.boxShadow !== 'none';
    };
    if (!ring(el) && !ring(shown)) problems.push('shows no focus indicator');
    return {element: describe(el), problems};
}"""


def check_focus(page: Page) -> str:
    """Assert that the focused element is visible, not covered and shows its focus;
    return what it is."""
    report = page.evaluate(FOCUS_REPORT)
    assert report is not None, "the focus is on nothing (the page's body)"
    assert report["problems"] == [], f"{report['element']} {'; '.join(report['problems'])}"
    return report["element"]


def tab_to(page: Page, target: Locator, limit: int = 80, back: bool = False) -> None:
    """Press Tab (Shift+Tab when `back`) until `target` has the focus, checking every
    stop on the way; fail if it is not reached within `limit` presses."""
    expect(target).to_be_visible()
    seen = []
    for _ in range(limit):
        if target.evaluate("(el) => el === document.activeElement"):
            check_focus(page)
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
        seen.append(
            check_focus(page)
            if page.evaluate("document.activeElement !== document.body")
            else "body"
        )
    if target.evaluate("(el) => el === document.activeElement"):
        return
    raise AssertionError(
        f"{target} is not reached in {limit} presses of {'Shift+Tab' if back else 'Tab'}; "
        f"the last stops: {seen[-8:]}"
    )


def idea(page: Page, text: str) -> Locator:
    """A posted idea on the phone."""
    return page.locator("#ideas > li.idea:not(.pending)").filter(
        has=page.locator(".idea-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


def join(phone: Page, server: str, code: str, name: str) -> None:
    """Join with the keyboard: the code on the home page, a name, the first role."""
    phone.goto(f"{server}/")
    tab_to(phone, phone.get_by_label("Workshop code"))
    phone.keyboard.type(code)
    phone.keyboard.press("Enter")
    tab_to(phone, phone.get_by_label("Your name"))
    phone.keyboard.type(name)
    role = phone.get_by_label("You take part as (optional)")
    tab_to(phone, role)
    phone.keyboard.press("ArrowDown")  # the first role
    expect(role).not_to_have_value("")
    tab_to(phone, phone.get_by_role("button", name="Join the workshop"))
    phone.keyboard.press("Enter")
    expect(phone.locator("#status")).to_have_text("Live")


def post(phone: Page, text: str) -> None:
    """Post an idea with the keyboard."""
    tab_to(phone, phone.get_by_label("Your idea"))
    phone.keyboard.type(text)
    tab_to(phone, phone.get_by_role("button", name="Post idea"))
    phone.keyboard.press("Enter")
    expect(idea(phone, text)).to_have_count(1)


@dataclass
class Workshop:
    """A workshop made on the console with the mouse, its moderator's socket and code."""

    server: str
    console: Page
    moderator: Moderator
    workshop_id: int
    code: str

    def set_phase(self, phase: str, *phones: Page) -> None:
        self.moderator.send("set_phase", phase=phase)
        for phone in phones:
            expect(phone.locator("body")).to_have_attribute("data-phase", phase)


def make_workshop(server: str, laptop, rooms: str, assignment: str, mode: str) -> Workshop:
    """Create a workshop on a new page of the signed-in laptop, with the mouse, and open
    its breakouts."""
    console = laptop.new_page()
    console.goto(f"{server}/workshops/new")
    console.get_by_label("Title").fill(f"Keyboard only ({mode})")
    console.get_by_label("Guiding question").fill("What would make the city fair?")
    console.get_by_label("Breakout rooms, one per line").fill(rooms)
    console.get_by_label("How people get into breakout rooms").select_option(assignment)
    console.get_by_label("How participants vote").select_option(mode)
    console.get_by_role("button", name="Create the workshop").click()
    expect(console.locator("#status")).to_have_text("Live")
    console.get_by_role("button", name="Open breakout rooms").click()
    expect(console.get_by_role("button", name="Open breakout rooms")).to_be_disabled()
    open_every_room(console)
    workshop_id = int(re.search(r"/workshops/(\d+)/", console.url).group(1))
    code = console.locator("#join-code").inner_text()
    return Workshop(server, console, Moderator(server, console, workshop_id), workshop_id, code)


@pytest.fixture(scope="module")
def laptop(browser, live_server):
    """The organizer's signed-in laptop (set up with the mouse)."""
    context = browser.new_context(**LAPTOP)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    console = context.new_page()
    signed_in(console, live_server)
    console.close()
    yield context
    context.close()


@pytest.fixture(scope="module")
def phone(browser):
    """Amina's phone, the keyboard's (a phone with a keyboard attached)."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def scene(live_server, laptop):
    """The workshop the flows share: two breakout rooms people choose, dots."""
    workshop = make_workshop(live_server, laptop, "Work: jobs\nCare: health", "choose", "dots")
    yield workshop
    workshop.moderator.close()


@pytest.fixture
def voting_in(live_server, browser, laptop):
    """A one-room workshop in a voting mode, in the vote phase, with Amina's idea in it,
    on a phone of its own."""
    opened = []

    def make(mode: str) -> Page:
        workshop = make_workshop(live_server, laptop, "Work: jobs", "random", mode)
        opened.append(workshop)
        context = browser.new_context(**PHONE)
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        opened.append(context)
        phone = context.new_page()
        join(phone, live_server, workshop.code, "Amina")
        expect(phone.locator("#room-heading")).to_have_text("Work")
        post(phone, BUSES)
        post(phone, RUDE)
        workshop.set_phase("vote", phone)
        return phone

    yield make
    for thing in opened:
        if isinstance(thing, Workshop):
            thing.moderator.close()
            thing.console.close()
        else:
            thing.close()


def card(console: Page, name: str) -> Locator:
    """A room's tile on the console."""
    return console.locator("#rooms .room-card").filter(
        has=console.locator(".room-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def test_join_by_code_name_role_and_room(scene, phone):
    join(phone, scene.server, scene.code, "Amina")
    expect(phone.locator("#lobby-heading")).to_be_visible()
    tab_to(phone, phone.get_by_role("button", name=re.compile("^Work")))
    phone.keyboard.press("Enter")
    expect(phone.locator("#room-heading")).to_have_text("Work")


def test_post_an_idea(scene, phone):
    for text in (BUSES, RUDE):
        post(phone, text)
    expect(phone.get_by_label("Your idea")).to_have_value("")


def test_cluster_with_the_move_menu_on_the_console(scene, phone):
    console = scene.console
    scene.set_phase("cluster", phone)
    work = card(console, "Work")
    field = work.get_by_label("New theme")
    tab_to(console, field, limit=150)
    console.keyboard.type("Transport")
    console.keyboard.press("Enter")
    expect(work.locator("li.theme .theme-name")).to_have_text(["Transport"])
    move = work.get_by_role("button", name=f"Move to theme… {BUSES}")
    tab_to(console, move, limit=150)
    console.keyboard.press("Enter")
    menu = console.locator(f"#{move.get_attribute('aria-controls')}")
    expect(menu.get_by_role("button", name="Transport")).to_be_focused()
    check_focus(console)
    console.keyboard.press("Enter")
    moved = work.locator("li.theme").filter(has_text="Transport").locator(".theme-idea")
    expect(moved.filter(has_text=BUSES)).to_have_count(1)
    phone_theme = phone.locator(".themes-board li.theme").filter(has_text="Transport")
    expect(phone_theme.locator(".theme-idea").filter(has_text=BUSES)).to_have_count(1)


def test_vote_with_dots(scene, phone):
    scene.set_phase("vote", phone)
    add = phone.get_by_role("button", name=f"Add a dot to: {BUSES}")
    take = phone.get_by_role("button", name=f"Take a dot back from: {BUSES}")
    tab_to(phone, add)
    phone.keyboard.press("Enter")
    expect(phone.locator("#dots-left")).to_have_text("4 dots left")
    expect(idea(phone, BUSES).locator(".mine")).to_have_text("(yours: 1)")
    expect(add).to_be_focused()  # the idea drawn again keeps the keyboard where it was
    phone.keyboard.press("Enter")
    expect(phone.locator("#dots-left")).to_have_text("3 dots left")
    tab_to(phone, take, back=True)
    phone.keyboard.press("Enter")
    expect(phone.locator("#dots-left")).to_have_text("4 dots left")
    expect(idea(phone, BUSES).locator(".mine")).to_have_text("(yours: 1)")
    expect(phone.locator("#status")).to_have_text("Live")  # nothing waits to be sent


def test_space_presses_a_dot_button_while_others_vote(scene, phone):
    """A button acts when Space comes up; a vote from someone else that draws the idea
    again between the key going down and up must not lose the press (the vote buttons
    act on the way down), nor count it twice."""
    work = next(room for room in scene.moderator.snapshot()["rooms"] if room["name"] == "Work")
    buses = next(item for item in work["ideas"] if item["text"] == BUSES)
    paper = scene.moderator.send("add_paper_person", room_id=work["id"], name="Mrs Okafor")
    add = phone.get_by_role("button", name=f"Add a dot to: {BUSES}")
    tab_to(phone, add)
    tally = idea(phone, BUSES).locator(".tally")
    expect(tally).to_have_text("1 dot (yours: 1)")
    phone.keyboard.down(" ")
    scene.moderator.send(
        "scribe_vote", paper_id=paper["member"]["id"], idea_id=buses["id"], delta=1
    )
    # Her dot drawn on the phone, the key still down (a press that acts on the key going
    # down has given Amina's second dot already).
    expect(tally).to_have_text(re.compile(r"^(2 dots \(yours: 1\)|3 dots \(yours: 2\))$"))
    phone.keyboard.up(" ")
    expect(phone.locator("#dots-left")).to_have_text("3 dots left")
    expect(tally).to_have_text("3 dots (yours: 2)")


def test_vote_agree_disagree_pass(voting_in):
    phone = voting_in("agree")
    # Enter: Space acts when the key comes up, and a live redraw in between loses it
    # (test_space_presses_a_dot_button_while_others_vote).
    for which in ("Disagree", "Agree", "Pass"):
        button = phone.get_by_role("button", name=f"{which}: {BUSES}", exact=True)
        tab_to(phone, button, back=which == "Agree")
        phone.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(idea(phone, BUSES).locator(".mine")).to_have_text(f"(yours: {which})")
    expect(phone.locator("#vote-progress")).to_have_text("Opinions given: 1 of 2")


def test_vote_with_scores(voting_in):
    phone = voting_in("scores")
    for name, value in ((IMPACT, 4), (FEASIBILITY, 2)):
        group = phone.get_by_role("group", name=f"{name}: your score for “{BUSES}”")
        # Tab lands on the first score, none chosen; each arrow chooses the next.
        tab_to(phone, group.get_by_role("radio", name="1", exact=True))
        for _ in range(value - 1):
            phone.keyboard.press("ArrowRight")
            check_focus(phone)
        chosen = group.get_by_role("radio", name=str(value), exact=True)
        expect(chosen).to_be_checked()
        expect(chosen).to_be_focused()
    expect(phone.locator("#vote-progress")).to_have_text("Ideas scored: 1 of 2")
    expect(phone.locator("#status")).to_have_text("Live")  # nothing waits to be sent


#: Counts the moderator's commands the console sends, by name, from inside the page.
COUNT_COMMANDS = """() => {
    window.commandsSent = {};
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
        const name = /^\\d+\\/moderator,\\d*\\["([a-z_]+)"/.exec(String(data));
        if (name) window.commandsSent[name[1]] = (window.commandsSent[name[1]] || 0) + 1;
        return send.call(this, data);
    };
}"""


def test_moderate_hide_star_and_move(scene, phone):
    console = scene.console
    console.evaluate(COUNT_COMMANDS)
    work = card(console, "Work")
    hide = work.get_by_role("button", name=f"Hide: {RUDE}")
    tab_to(console, hide, limit=150)
    console.keyboard.press("Enter")
    expect(idea(phone, RUDE)).to_have_count(0)
    # The room's tile is drawn again: the keyboard stays with the idea.
    expect(work.get_by_role("button", name=f"Restore: {RUDE}")).to_be_focused()
    check_focus(console)

    star = work.get_by_role("button", name="Make Amina the facilitator")
    tab_to(console, star, limit=150, back=True)
    console.keyboard.press("Enter")
    expect(phone.locator("#facilitate")).to_be_visible()
    expect(star).to_have_count(0)
    move = work.get_by_label("Move Amina to")
    expect(move).to_be_focused()  # the person's row, where the ★ was
    check_focus(console)

    # Stepping through the rooms with the arrows moves her once, to the room chosen.
    console.keyboard.press("ArrowUp")  # the plenary (the rooms: plenary, Work, Care)
    console.keyboard.press("ArrowDown")
    console.keyboard.press("ArrowDown")
    console.keyboard.press("Enter")
    expect(phone.locator("#room-heading")).to_have_text("Care")
    expect(card(console, "Care").locator(".member-name")).to_have_text(["Amina"])
    assert console.evaluate("window.commandsSent") == {
        "hide_idea": 1,
        "appoint_facilitator": 1,
        "move_participant": 1,
    }


def test_download_the_synthesis(scene):
    console = scene.console
    tab_to(console, console.get_by_role("link", name="Settings and rooms"), limit=150, back=True)
    console.keyboard.press("Enter")
    expect(console.get_by_role("heading", name="Synthesis")).to_be_visible()
    link = console.get_by_role("link", name="Download CSV")
    tab_to(console, link, limit=150)
    with console.expect_download() as started:
        console.keyboard.press("Enter")
    download = started.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as csv:
        assert BUSES in csv.read()
