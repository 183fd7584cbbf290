"""The projector in a real hall (issue 10): ten rooms with long names and long ideas on a
1920 x 1080 screen and on 4:3 projectors (1024 x 768, 1400 x 1050). Every room is
reachable (page by page, by the keyboard, or picked by name), the way to join stays in
view in every phase until the workshop is over and never covers a room, results are bars
in every voting mode and no bar shows while the results are hidden, and nothing scrolls.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import assert_accessible
from tests.browser.conftest import ARTIFACTS
from tests.browser.moderator import Moderator
from tests.browser.plenary import ROOMS, open_plenary
from tests.phones import Phone, wait_settled

pytestmark = pytest.mark.browser

HD = {"width": 1920, "height": 1080}
XGA = {"width": 1024, "height": 768}  # a 4:3 projector
SXGA_PLUS = {"width": 1400, "height": 1050}  # a 4:3 projector, sharper
#: The rooms' names as the console's form reads them ("Name: topic").
NAMES = [line.split(":")[0].strip() for line in ROOMS]
WHERE = re.compile("^Rooms? (\\d+)(?:\u2013(\\d+))? of (\\d+)$")


def open_screen(console: Page, live_server: str, viewport: dict, query: str = "") -> Page:
    """The projector, as the console's link opens it, in a window of this size."""
    screen = console.context.new_page()
    screen.set_viewport_size(viewport)
    href = console.get_by_role("link", name="Projector screen").get_attribute("href")
    screen.goto(live_server + href + query)
    expect(screen.locator("#status")).to_have_text("Live")
    return screen


def axe_screen(sign_in, new_context, screen: Page) -> Page:
    """The same screen in a window that lets axe-core in (bypass_csp: the app's pages need
    no exception, the injected checker does), signed in as the organizer."""
    page = new_context(viewport=screen.viewport_size, bypass_csp=True).new_page()
    sign_in(page)
    page.goto(screen.url)
    expect(page.locator("#status")).to_have_text("Live")
    return page


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def assert_fits(screen: Page, where: str) -> None:
    """Nothing is wider or taller than the screen: the hall never sees a scroll bar."""
    size = screen.evaluate(
        "() => ({scrollWidth: document.documentElement.scrollWidth,"
        " scrollHeight: document.documentElement.scrollHeight,"
        " width: innerWidth, height: innerHeight})"
    )
    assert size["scrollWidth"] <= size["width"], (where, size)
    assert size["scrollHeight"] <= size["height"], (where, size)


def assert_join_in_view(screen: Page, code: str, where: str) -> None:
    """The QR code and the join code are on screen, and no room card is under them."""
    expect(screen.locator(".join-code .code"), where).to_have_text(code)
    expect(screen.locator(".join-code .code"), where).to_be_in_viewport(ratio=1)
    expect(screen.get_by_role("img", name="QR code to join the workshop"), where).to_be_in_viewport(
        ratio=1
    )
    join = screen.locator("#screen-join").bounding_box()
    for card in screen.locator("#screen-grid .screen-room").all():
        assert not boxes_overlap(join, card.bounding_box()), where


def where_am_i(screen: Page) -> tuple[int, int, int]:
    """The pager's "Rooms 1-6 of 10" (an en dash) as (first, last, of)."""
    text = screen.locator("#pager-where").inner_text()
    match = WHERE.match(text)
    assert match, text
    first, last, total = match.groups()
    return int(first), int(last or first), int(total)


def page_through(screen: Page, code: str, viewport: str) -> None:
    """Turn every page with ▶ and see each of the ten rooms, whole, beside the join corner."""
    expect(screen.locator("#screen-pager")).to_be_visible()
    screen.get_by_label("Show a room").select_option(label=NAMES[0])
    expect(screen.locator("#pager-where")).to_have_text(re.compile(r"^Rooms? 1\b"))
    seen = []
    for _turn in range(len(ROOMS)):
        first, last, total = where_am_i(screen)
        assert total == len(ROOMS)
        cards = screen.locator("#screen-grid .screen-room")
        expect(cards).to_have_count(last - first + 1)
        for n, card in enumerate(cards.all()):
            expect(card.locator(".room-name")).to_have_text(NAMES[first - 1 + n])
            expect(card).to_be_in_viewport(ratio=1)
        seen.extend(NAMES[first - 1 : last])
        assert_join_in_view(screen, code, f"{viewport}, rooms {first}-{last}")
        assert_fits(screen, f"{viewport}, rooms {first}-{last}")
        if last == total:
            break
        screen.get_by_role("button", name="Next page").click()
        expect(screen.locator("#pager-where")).not_to_have_text(re.compile(rf"^Rooms? {first}\b"))
    assert seen == NAMES, viewport


@pytest.fixture
def plenary(sign_in, new_context, live_server):
    """The ten-room plenary in the vote phase (dots given, results shown), with a
    moderator's socket; its phones and socket stop after the test."""
    scene = open_plenary(sign_in, new_context, live_server, {"width": 1366, "height": 768})
    moderator = None
    try:
        moderator = Moderator(live_server, scene.console, scene.workshop_id)
        yield scene, moderator
    finally:
        if moderator:
            moderator.close()
        scene.stop()


def test_ten_rooms_at_the_back_of_the_hall(plenary, live_server, artifacts, sign_in, new_context):
    scene, moderator = plenary
    # ?rotate=0: the pages turn only when the test turns them.
    screen = open_screen(scene.console, live_server, HD, "?rotate=0")
    cards = screen.locator("#screen-grid .screen-room")

    # 1920 x 1080: the voting rooms as bars of dots, every room a page or two away.
    expect(cards.first.locator(".bar-dots").first).to_be_visible()
    expect(cards.first.locator(".bar-value").first).to_have_text(re.compile(r"^\d+ dots?$"))
    assert where_am_i(screen)[1] >= 4, "a 1920 x 1080 screen holds four rooms at least"
    screen.screenshot(path=str(artifacts / "screen-1920.png"))
    checked = axe_screen(sign_in, new_context, screen)
    expect(checked.locator("#screen-grid .bar-dots").first).to_be_visible()
    assert_accessible(checked, "the projector with ten rooms")
    page_through(screen, scene.code, "1920 x 1080")

    # The keyboard (or a presenter's clicker) turns the pages too, round the end.
    screen.keyboard.press("ArrowRight")
    expect(screen.locator("#pager-where")).to_have_text(re.compile(r"^Rooms? 1\b"))
    screen.keyboard.press("PageDown")
    expect(screen.locator("#pager-where")).not_to_have_text(re.compile(r"^Rooms? 1\b"))
    screen.keyboard.press("ArrowLeft")
    expect(screen.locator("#pager-where")).to_have_text(re.compile(r"^Rooms? 1\b"))

    # A room picked by name comes up, and the pages hold still on it.
    screen.get_by_label("Show a room").select_option(label=NAMES[9])
    expect(cards.filter(has_text=NAMES[9])).to_have_count(1)
    expect(screen.get_by_role("button", name="Pause")).to_have_attribute("aria-pressed", "true")

    # 4:3 projectors: fewer rooms a page, the same reach, still nothing scrolls.
    for viewport, name in ((XGA, "1024 x 768"), (SXGA_PLUS, "1400 x 1050")):
        screen.set_viewport_size(viewport)
        expect(cards.first.locator(".bar-dots").first).to_be_visible()
        if viewport is XGA:  # the first page, as the hall sees it: not paused, no focus ring
            screen.get_by_label("Show a room").select_option(label=NAMES[0])
            screen.get_by_role("button", name="Pause").click()
            screen.evaluate("document.activeElement.blur()")
            screen.screenshot(path=str(artifacts / "screen-1024x768.png"))
        page_through(screen, scene.code, name)
    screen.set_viewport_size(HD)

    # Hidden results: no bar anywhere, the newest ideas instead of a ranking.
    moderator.send("set_results_hidden", hidden=True)
    expect(cards.first.locator(".room-hidden")).to_have_text("Results hidden")
    expect(screen.locator("#screen-grid .bar")).to_have_count(0)
    expect(screen.locator("#screen-grid .screen-ideas").first).to_have_attribute(
        "aria-label", "Newest ideas"
    )
    assert_join_in_view(screen, scene.code, "results hidden")
    expect(checked.locator("#screen-grid .room-hidden").first).to_have_text("Results hidden")
    assert_accessible(checked, "the projector, results hidden")
    checked.close()
    moderator.send("set_results_hidden", hidden=False)
    expect(cards.first.locator(".bar-dots").first).to_be_visible()
    expect(screen.locator("#screen-grid .screen-ideas").first).to_have_attribute(
        "aria-label", "Top ideas"
    )

    # Every phase of the rooms: the way to join stays in its corner.
    for phase in ("propose", "cluster", "pathway", "vote"):
        moderator.send("set_phase", phase=phase)
        expect(cards.first.locator(".room-phase")).to_have_text(re.compile(f"{phase}$", re.I))
        assert_join_in_view(screen, scene.code, f"phase {phase}")
        assert_fits(screen, f"phase {phase}")

    # Back in plenary: the report-back, with its bars, and still the way to join.
    moderator.send("close_breakouts")
    expect(screen.locator("#rooms-heading")).to_have_text("Report-back: each room's top ideas")
    expect(cards.first.locator(".bar-dots").first).to_be_visible()
    assert_join_in_view(screen, scene.code, "report-back")
    page_through(screen, scene.code, "report-back")

    # Every room closed and everyone back in plenary: the workshop is over.
    moderator.send("open_breakouts")
    moderator.send("set_phase", phase="closed")
    expect(cards.first.locator(".room-phase")).to_have_text("Phase: Closed")
    assert_join_in_view(screen, scene.code, "rooms closed, breakouts still open")
    moderator.send("close_breakouts")
    expect(screen.locator("#screen-join")).to_be_hidden()
    expect(cards.first.locator(".bar-dots").first).to_be_visible()


def test_the_pages_turn_by_themselves_until_paused(plenary, live_server):
    scene, _moderator = plenary
    # ?rotate=1: a page a second, so that the test does not wait the default 15 s.
    screen = open_screen(scene.console, live_server, HD, "?rotate=1")
    expect(screen.locator("#pager-where")).to_have_text(re.compile(r"^Rooms? 1\b"))
    expect(screen.locator("#pager-where")).not_to_have_text(re.compile(r"^Rooms? 1\b"))
    expect(screen.locator("#pager-where")).to_have_text(re.compile(r"^Rooms? 1\b"))
    pause = screen.get_by_role("button", name="Pause")
    pause.click()
    expect(pause).to_have_attribute("aria-pressed", "true")
    pause.click()
    expect(pause).to_have_attribute("aria-pressed", "false")


MODES = {
    # mode: (the vote each phone gives, what a bar shows)
    "agree": (("opinion", {"stance": "agree"}), "bar-stack"),
    "scores": (("score", {"criterion": 0, "score": 4}), "bar-score"),
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_bars_in_every_voting_mode(mode, live_server, open_workshop):
    console, _join = open_workshop(
        "Plenary", "Which pathway first?", "Homes: housing\nMoving: transport", "random", mode
    )
    workshop_id = int(console.url.split("/workshops/")[1].split("/")[0])
    moderator = Moderator(live_server, console, workshop_id)
    phones = []
    try:
        moderator.send("open_breakouts")
        code = console.locator("#join-code").inner_text().strip()
        for n in range(4):
            phone = Phone([live_server], code, f"Person {n + 1}", seed=n)
            phones.append(phone)
            phone.start()
        wait_settled(phones, 60)
        for n, phone in enumerate(phones):
            phone.queue("post_idea", text=f"Night buses to district {n + 1}")
        wait_settled(phones, 60)
        moderator.send("set_phase", phase="vote")
        for phone in phones:
            phone.sync_now()
        wait_settled(phones, 60)
        (event, vote), part = MODES[mode]
        for phone in phones:
            for idea in list((phone.view or {}).get("ideas", {})):
                phone.queue(event, idea_id=int(idea), **vote)
        wait_settled(phones, 60)

        screen = open_screen(console, live_server, HD)
        cards = screen.locator("#screen-grid .screen-room")
        expect(cards).to_have_count(2)
        first = cards.locator(".screen-ideas > li").first
        expect(first.locator(f".{part}")).to_have_count(1 if mode == "agree" else 2)
        if mode == "agree":
            expect(first.locator(".bar-agree")).to_be_visible()
            expect(first.locator(".bar-words")).to_contain_text("consensus 100%")
        else:
            expect(first.locator(".bar-label")).to_have_text(["Impact on equality", "Feasibility"])
            expect(first.locator(".bar-value").first).to_have_text("4.0")
            expect(first.locator(".bar-words")).to_contain_text("4.0 out of 5")
        assert_fits(screen, mode)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)  # not for docs/: screen-1920.png is
        screen.screenshot(path=str(ARTIFACTS / f"screen-{mode}.png"))

        moderator.send("set_results_hidden", hidden=True)
        expect(screen.locator("#screen-grid .bar")).to_have_count(0)
        expect(screen.locator("#screen-grid")).not_to_contain_text(
            "consensus" if mode == "agree" else "out of 5"
        )
    finally:
        for phone in phones:
            phone.stop()
        moderator.close()
