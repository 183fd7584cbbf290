"""Reflow at 320 CSS px and text resized to 200 % without loss (issue 12; WCAG 1.4.10,
1.4.4): the join page, the lobby, the room in Propose and in Vote (each voting mode),
the lobby with the outcome after the breakouts, and the outcome page.

Two phones look at every state:
- **320 px**: a viewport 320 CSS px wide (what a 1280 px screen shows at 400 % zoom);
- **200 % text**: a viewport 640 px wide whose browser is set to twice the default text
  size (Chromium's font-size setting, 16 px → 32 px, through the DevTools protocol's
  `Page.setFontSizes`; the root is 106.25 % of it: 17 px → 34 px). Every size in app.css
  is in rem or em, so this is the text-only resize of 1.4.4 as a reader's browser does
  it, not a zoom: each line holds half as many characters as at 100 %.

On each: no sideways scrolling (`scrollWidth <= clientWidth` of the document), no text
cut off (no element that hides its overflow while its content is larger by more than
1 px, except an idea's folded details, whose "Show more" unfolds them), and every control
reachable: inside the page's width, and, scrolled to, the one the finger lands on
(nothing covers it). The texts are long on purpose: a 280-character idea, a word of 80
letters (a web address), long details, a long name and question.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.moderator import Moderator

pytestmark = pytest.mark.browser

NARROW = {"viewport": {"width": 320, "height": 640}, "has_touch": True, "is_mobile": True}
#: 640 px wide, the browser's text size doubled (the module's docstring).
LARGE_TEXT = {"viewport": {"width": 640, "height": 800}, "has_touch": True, "is_mobile": True}
ROOT_PX = 17  # app.css's root font size at the browser's default text size (16 px)
DEFAULT_TEXT_PX = 16
LONG_WORD = "https://example.org/" + "participatory-budgeting" * 3 + "-housing-rights"
QUESTION = f"How do we make {LONG_WORD} work for everyone, migrants and refugees included?"
IDEA = (
    f"Night buses that stop at every shelter, on request, see {LONG_WORD} "
    + "and ramps at every stop so that everyone gets home safe. " * 3
)[:280]
DETAILS = ("Why: people who work at night have no way home but a taxi they cannot pay. " * 8)[:600]
NAME = "Maximiliana-Aurelia-Konstantinopoulou"  # 37 letters, one word

#: The problems of the page as it is now, as sentences (empty: none).
PROBLEMS = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const found = [];
  const say = (what, el) => found.push(`${what}: ${el.outerHTML.slice(0, 120)}`);
  if (root.scrollWidth > width) found.push(`scrolls sideways: ${root.scrollWidth} > ${width}`);
  // Inside a closed <details> only its summary is shown (Chromium still lays the rest out).
  const folded = (el) => { const d = el.parentElement?.closest('details:not([open])');
    return d && !el.closest('summary')?.parentElement?.isSameNode(d); };
  const shown = (el) => el.getClientRects().length > 0 && !folded(el) &&
    getComputedStyle(el).visibility !== 'hidden';
  const hides = (value) => value === 'hidden' || value === 'clip';
  for (const el of document.querySelectorAll('body *')) {
    if (!shown(el) || el.closest('.visually-hidden, .skip-link, script')) continue;
    const style = getComputedStyle(el);
    if (el.classList.contains('folded') && el.parentElement.querySelector('.fold-toggle')) continue;
    if ((hides(style.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
        (hides(style.overflowY) && el.scrollHeight > el.clientHeight + 1)) say('cut off', el);
  }
  const controls = 'a[href], button, input, select, textarea, summary, ' +
    '[tabindex]:not([tabindex="-1"])';
  for (const el of document.querySelectorAll(controls)) {
    if (!shown(el) || el.closest('.skip-link')) continue;
    const box = el.getBoundingClientRect();
    if (box.left < -1 || box.right > width + 1) { say('out of reach sideways', el); continue; }
    el.scrollIntoView({block: 'center', inline: 'nearest', behavior: 'instant'});
    const at = el.getBoundingClientRect();
    const x = at.left + at.width / 2;
    const hit = document.elementFromPoint(x, at.top + Math.min(at.height / 2, 20));
    const label = hit && hit.closest('label');
    const reached = hit && (el === hit || el.contains(hit) || hit.contains(el) ||
      (label && (label.control === el || label.htmlFor === el.id)));
    if (!reached) say(`covered by ${hit ? hit.outerHTML.slice(0, 60) : 'nothing'}`, el);
  }
  window.scrollTo(0, 0);
  return found;
}"""


def check(phones: dict[str, Page], what: str) -> None:
    """Assert that every phone shows this state without loss (the module's docstring)."""
    problems = {name: phone.evaluate(PROBLEMS) for name, phone in phones.items()}
    assert problems == {name: [] for name in phones}, f"{what}: {problems}"


@pytest.fixture
def phones(new_context) -> dict[str, Page]:
    """The 320 px phone and the 200 % text phone."""
    large = new_context(**LARGE_TEXT).new_page()
    double = {"standard": 2 * DEFAULT_TEXT_PX, "fixed": 2 * 13}  # Chromium's defaults, twice
    large.context.new_cdp_session(large).send("Page.setFontSizes", {"fontSizes": double})
    return {"320 px": new_context(**NARROW).new_page(), "200 % text": large}


@pytest.mark.parametrize("voting_mode", ["dots", "agree", "scores"])
def test_every_participant_page_reflows_at_320px_and_200_percent_text(
    voting_mode, live_server, open_workshop, phones
):
    console, join_url = open_workshop(
        "Getting around, fairly", QUESTION, "Mobility: getting around", "random", voting_mode
    )
    workshop_id = int(re.search(r"/workshops/(\d+)/", console.url).group(1))
    code = join_url.rsplit("/", 1)[1]
    moderator = Moderator(live_server, console, workshop_id)
    try:
        for phone in phones.values():
            phone.goto(join_url)
        # The page follows the browser's text size: twice the text, twice the root.
        root = "() => getComputedStyle(document.documentElement).fontSize"
        assert [phone.evaluate(root) for phone in phones.values()] == [
            f"{ROOT_PX}px",
            f"{2 * ROOT_PX}px",
        ]
        large = phones["200 % text"]
        check(phones, "the join page")

        for phone in phones.values():
            phone.get_by_label("Your name").fill(NAME)
            phone.get_by_role("button", name="Join the workshop").tap()
            expect(phone.locator("#lobby")).to_be_visible()
            expect(phone.locator("#status")).to_have_attribute("data-state", "online")
        check(phones, "the lobby")

        moderator.send("open_breakouts")
        for phone in phones.values():
            expect(phone.locator("#room-heading")).to_have_text("Mobility")
        narrow = phones["320 px"]
        narrow.get_by_label("Your idea").fill(IDEA)
        narrow.locator("summary", has_text="Add details").tap()
        narrow.get_by_label("Details").fill(DETAILS)
        narrow.get_by_role("button", name="Post idea").tap()
        large.get_by_label("Your idea").fill(LONG_WORD)
        large.get_by_role("button", name="Post idea").tap()
        for phone in phones.values():
            expect(phone.locator("#ideas > li.idea:not(.pending)")).to_have_count(2)
        # The details fold: the check above allows it only with its "Show more".
        expect(narrow.locator(".idea-details.folded")).to_have_count(1)
        check(phones, "the room in Propose")

        moderator.send("set_phase", phase="vote")
        moderator.send("start_timer", seconds=600, next_phase="closed")
        for phone in phones.values():
            expect(phone.locator("body")).to_have_attribute("data-phase", "vote")
            expect(phone.locator("#timer")).to_be_visible()
        check(phones, f"the room in Vote ({voting_mode})")
        for name, phone in phones.items():
            # The sticky bar (dots left, timer) leaves most of the screen to the ideas.
            bar = phone.locator("#room-bar").bounding_box()["height"]
            assert bar <= phone.viewport_size["height"] / 3, f"{name}: the bar is {bar} px high"
        narrow.get_by_role("button", name="Show more").tap()
        check(phones, f"the room in Vote ({voting_mode}), details unfolded")

        moderator.send("close_breakouts")
        for phone in phones.values():
            expect(phone.locator("#lobby-outcome")).to_be_visible()
            expect(phone.locator("#lobby-outcome-body")).not_to_be_empty()
        check(phones, "the lobby with the outcome")

        for phone in phones.values():
            phone.goto(f"{live_server}/w/{code}/outcome")
            expect(phone.locator("#outcome")).not_to_be_empty()
        check(phones, "the outcome page")
    finally:
        moderator.close()
