"""The console as a control room for a real plenary (issue 10): ten rooms with long names,
Korean and long ideas, at 1366x768, 1920x1080 and 2560x1440. The page is never wider than
the screen; every visible control is at least 44 px each way, on the screen and not
covered by anything; a room's detail opens on demand, and the facilitator's star and an
idea's menu (hide, correct, merge) work with a mouse; one Next phase moves every room and
starts its timer; whether results are hidden is said per room and for all."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.plenary import ROOMS, open_plenary

pytestmark = pytest.mark.browser

SCREENS = [
    {"width": 1366, "height": 768},
    {"width": 1920, "height": 1080},
    {"width": 2560, "height": 1440},
]

#: Everything wrong with the page's layout as it is now, in words (an empty list: nothing).
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const width = window.innerWidth;
  const docWidth = document.documentElement.scrollWidth;
  if (docWidth > width) problems.push(`the page is ${docWidth} px wide on a ${width} px screen`);
  const name = (node) => {
    if (!node) return "nothing";
    const text = (node.getAttribute("aria-label") || node.textContent || node.id || "").trim();
    return `<${node.tagName.toLowerCase()} class="${node.className}"> "${text.slice(0, 50)}"`;
  };
  const controls = document.querySelectorAll([
    "main button", "main select", "main input:not([type=hidden])", "main textarea",
    "main a[href]", "main summary", "header.top a[href]", "header.top button",
  ].join(", "));
  for (const control of controls) {
    // Not drawn: hidden, or in a closed <details> (which keeps its boxes, unpainted).
    const drawn = { visibilityProperty: true, contentVisibilityAuto: true };
    if (!control.checkVisibility(drawn)) continue;
    if (control.closest(".visually-hidden")) continue;
    control.scrollIntoView({ block: "center", inline: "nearest" });
    const box = control.getBoundingClientRect();
    if (box.width < 44 || box.height < 44) {
      problems.push(`${name(control)} is ${Math.round(box.width)}x${Math.round(box.height)} px`);
    }
    if (box.left < 0 || box.right > width) problems.push(`${name(control)} is off the side`);
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    const own = hit && (hit === control || control.contains(hit) || hit.control === control);
    if (!own) problems.push(`${name(control)} is covered by ${name(hit)}`);
  }
  window.scrollTo(0, 0);
  return problems;
}"""


def layout_problems(page: Page) -> list[str]:
    return page.evaluate(LAYOUT_PROBLEMS)


def room_name(line: str) -> str:
    """A room's name as the workshop form reads it ("Name: topic")."""
    return line.partition(":")[0].strip()


def room_tile(console: Page, name: str):
    return console.locator("#rooms .room-card").filter(
        has=console.locator(".room-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def open_detail(tile):
    """Open a room's detail with the mouse; return the tile."""
    tile.locator(".room-detail > summary").click()
    expect(tile.locator(".room-detail")).to_have_attribute("open", "")
    return tile


@pytest.fixture
def plenary(sign_in, new_context, live_server):
    scene = open_plenary(sign_in, new_context, live_server, SCREENS[0])
    try:
        yield scene
    finally:
        scene.stop()


def test_the_console_fits_every_screen_with_ten_rooms(plenary, artifacts):
    console = plenary.console
    expect(console.locator("#rooms .room-card")).to_have_count(len(ROOMS) + 1)  # and the plenary
    expect(console.locator("#all-summary")).to_have_text("Vote: 10 rooms")
    for screen in SCREENS:
        console.set_viewport_size(screen)
        problems = layout_problems(console)
        assert problems == [], "\n".join([str(screen), *problems])
        if screen["width"] in (1366, 1920):
            console.screenshot(path=str(artifacts / f"console-{screen['width']}.png"))
        if screen["width"] == 1366:
            # Above the fold at 1366 x 768: the controls for every room, and the rooms begin
            # (the first line of their tiles).
            for control in ("#all-next-phase", "#reveal-results", "#rooms .room-name"):
                box = console.locator(control).first.bounding_box()
                assert box["y"] + box["height"] <= screen["height"], control

    # One room's detail, open across the grid: its ideas' menus, its people, its themes.
    housing = open_detail(room_tile(console, room_name(ROOMS[0])))
    expect(housing.locator(".idea-actions select.merge").first).to_be_visible()
    for screen in SCREENS:
        console.set_viewport_size(screen)
        if screen["width"] == 1366:
            housing.scroll_into_view_if_needed()
            console.screenshot(path=str(artifacts / "console-1366-room.png"))
        problems = layout_problems(console)
        assert problems == [], "\n".join([str(screen), *problems])
        merge = housing.locator(".idea-actions select.merge").first.bounding_box()
        assert merge["width"] <= 16 * 17 + 1, "the merge menu is as wide as an idea"
        hide = housing.get_by_role("button", name=re.compile("^Hide: ")).first.bounding_box()
        assert hide["height"] < 60, "Hide wraps, one letter a line"


def test_a_room_is_moderated_with_the_mouse(plenary):
    console = plenary.console
    housing = open_detail(room_tile(console, room_name(ROOMS[1])))

    # The facilitator's star: nothing covers it, a click appoints.
    star = housing.get_by_role("button", name=re.compile(r"^Make (.+) the facilitator$")).first
    person = re.match(r"^Make (.+) the facilitator$", star.get_attribute("aria-label")).group(1)
    star.click()
    expect(housing.locator(".room-facilitator")).to_have_text(f"Facilitator: {person}")
    expect(housing.locator(".room-detail")).to_have_attribute("open", "")  # stays open

    ideas = housing.locator(".idea-list > li.idea")
    shown = ideas.count()
    assert shown >= 3
    # Hide.
    first = housing.get_by_role("button", name=re.compile("^Hide: ")).first
    hidden_text = first.get_attribute("aria-label").removeprefix("Hide: ")
    first.click()
    expect(housing.locator(".hidden-idea")).to_have_count(1)
    expect(housing.locator(".hidden-idea .idea-line")).to_contain_text(hidden_text[:40])
    # Correct (the browser asks for the new text).
    console.once("dialog", lambda dialog: dialog.accept("Night buses to every district, all night"))
    housing.get_by_role("button", name=re.compile("^Correct: Night buses")).first.click()
    expect(
        housing.locator(".idea-line", has_text="Night buses to every district, all night")
    ).to_have_count(1)
    # Merge: the menu is there to click (nothing covers it), and merging takes the idea off.
    merge = housing.locator(".idea-actions select.merge").first
    merge.click(trial=True)
    choice = merge.locator("option").nth(1).get_attribute("value")
    merge.select_option(choice)
    expect(housing.locator(".idea-list > li.idea:not(.hidden-idea)")).to_have_count(shown - 2)


def test_next_phase_and_the_reveal_for_every_room(plenary):
    console = plenary.console
    tiles = console.locator("#rooms .room-card[data-phase]:not([data-phase=''])")
    expect(tiles).to_have_count(len(ROOMS))
    # Hidden results are said for all, and on every room's tile.
    console.get_by_role("button", name="Hide the results until the reveal").click()
    expect(console.locator("#results-state")).to_have_text(
        "Hidden from participants in every room, until you reveal them."
    )
    expect(tiles.locator(".room-results", has_text="Results hidden")).to_have_count(len(ROOMS))
    console.get_by_role("button", name="Reveal the results").click()
    expect(console.locator("#results-state")).to_have_text("Shown to participants in every room.")
    expect(tiles.locator(".room-results", has_text="Results shown")).to_have_count(len(ROOMS))

    # One gesture: the next phase and its timer, in every room.
    console.get_by_label("Timer with each next phase (minutes, 0: none)").fill("5")
    next_phase = console.get_by_role("button", name="Next phase in every room: Pathway, 5 min")
    next_phase.click()
    expect(tiles.locator(".phase-badge", has_text="Pathway")).to_have_count(len(ROOMS))
    timers = tiles.locator(".timer", has_text=re.compile(r"^Time left: (5:00|4:\d\d)$"))
    expect(timers).to_have_count(len(ROOMS))
    expect(console.locator("#all-summary")).to_have_text("Pathway: 10 rooms")
    # And per room: Closed, without a timer.
    first = tiles.first
    first.get_by_role("button", name=re.compile("^Next: Closed")).click()
    expect(first.locator(".phase-badge")).to_have_text("Closed")


def test_the_console_says_phones_cannot_open_a_loopback_link(open_workshop):
    # The tests' server listens on 127.0.0.1 with no COCREATE_BASE_URL.
    console, join_url = open_workshop("Loopback", "Which pathway first?", "Homes: housing")
    assert join_url.startswith("http://127.0.0.1:")
    hint = console.locator("#phone-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("127.0.0.1 is this computer's own address")
    expect(hint.locator(".phone-command")).to_contain_text("HOST=0.0.0.0 COCREATE_BASE_URL=http://")


def test_reopening_rooms_after_closing_them_brings_back_their_phase(open_workshop):
    console, _join = open_workshop("Reopen", "Which pathway first?", "Homes: housing\nWork: jobs")
    console.get_by_role("button", name="Open breakout rooms").click()
    homes, work = room_tile(console, "Homes"), room_tile(console, "Work")
    homes.locator(".room-phase").select_option("vote")
    expect(homes.locator(".phase-badge")).to_have_text("Vote")
    console.locator("#all-phase-select").select_option("closed")
    console.get_by_role("button", name="Set the phase in every room").click()
    expect(work.locator(".phase-badge")).to_have_text("Closed")
    expect(homes.locator(".phase-badge")).to_have_text("Closed")
    expect(console.locator("#all-next-phase")).to_have_text("Every room is closed")
    expect(console.locator("#all-next-phase")).to_be_disabled()
    console.get_by_role("button", name="Close breakouts: everyone to the plenary").click()
    console.get_by_role("button", name="Open breakout rooms").click()
    expect(homes.locator(".phase-badge")).to_have_text("Vote")
    expect(work.locator(".phase-badge")).to_have_text("Propose")
