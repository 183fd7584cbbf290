"""The phone in the vote phase (issue 10): the dots left and the timer stay in view down
to the last of fifteen ideas and are never over the focused control; the ideas can be
sorted (newest, most support once revealed, yours), the order remembered per room and
kept while votes arrive; long details fold; text over the limit is refused whole, with
a message, in the idea form, its details and the editor.

The moderator acts through the console's own socket (the console's cookie), so these
tests do not depend on the console's layout; another person's ideas and dots come from
a phone that follows the protocol (tests.phones.Phone).
"""

import re
import uuid

import pytest
import socketio
from playwright.sync_api import Page, expect

from tests.browser.checks import AXE, assert_accessible, assert_fits_a_small_phone
from tests.browser.mobility import PHONE, SMALL_PHONE, create_workshop, join
from tests.phones import Phone, wait_settled

pytestmark = pytest.mark.browser

BUDGET = 5  # the form's default dots per room
DETAILS = ("Why: people who work at night have no way home but a taxi they cannot pay. " * 12)[:900]
#: Bruno's thirteen ideas (some long, one with long details), posted in this order.
OTHERS = [
    f"Idea {n:02d}: "
    + ", ".join(["a bus line that runs all night through every district"] * (3 if n % 4 else 1))
    for n in range(1, 14)
]
#: Amina's two, posted after Bruno's: the first with long details.
MINE = ["Amina's idea: free night buses", "Amina's idea: ramps at every stop"]


class Moderator:
    """The console's socket, signed in with the console page's cookie."""

    def __init__(self, console: Page, live_server: str):
        self.workshop_id = int(re.search(r"/workshops/(\d+)/", console.url).group(1))
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in console.context.cookies())
        self.client = socketio.Client(reconnection=False)
        self.client.connect(
            live_server,
            headers={"Cookie": cookie},
            namespaces=["/moderator"],
            auth={"workshop": self.workshop_id},
            transports=["websocket"],
            wait_timeout=10,
        )

    def __call__(self, event: str, **payload) -> dict:
        ack = self.client.call(
            event, {"id": str(uuid.uuid4()), **payload}, namespace="/moderator", timeout=30
        )
        assert ack["ok"], ack
        return ack

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def room(live_server, sign_in, new_context):
    """A one-room dots workshop with thirteen ideas of Bruno's and Chen's (the server
    takes at most so many ideas a minute from one person); Amina's phone is the test's.
    Yields (moderator, bruno, join link)."""
    console, join_url = create_workshop(sign_in, new_context)
    moderator = Moderator(console, live_server)
    code = join_url.rsplit("/", 1)[1]
    others = [Phone([live_server], code, name, seed=n) for n, name in enumerate(["Bruno", "Chen"])]
    try:
        for phone in others:
            phone.start()
        wait_settled(others, 30)
        for phone, texts in zip(others, (OTHERS[:7], OTHERS[7:]), strict=True):
            for text in texts:  # one phone after the other: the order posted is known
                details = DETAILS if text.startswith("Idea 03") else ""
                phone.queue("post_idea", text=text, details=details)
            wait_settled(others, 60)
        yield moderator, others[0], join_url
    finally:
        for phone in others:
            phone.stop()
        moderator.close()


def texts(phone: Page) -> list[str]:
    """The ideas' texts in the order the phone lists them."""
    return phone.locator("#ideas > li.idea:not(.pending) .idea-text").all_inner_texts()


def idea(phone: Page, text: str):
    return phone.locator("#ideas > li.idea:not(.pending)").filter(
        has=phone.locator(".idea-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


def in_view(phone: Page, selector: str) -> bool:
    """Whether the element is wholly inside the viewport."""
    return phone.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.height > 0 && box.top >= 0 && box.bottom <= innerHeight;
        }""",
        selector,
    )


def clear_of_the_bar(phone: Page) -> dict:
    """Where the focused element is, and the sticky bar's bottom edge."""
    return phone.evaluate(
        """() => ({
            focused: document.activeElement.outerHTML.slice(0, 60),
            top: document.activeElement.getBoundingClientRect().top,
            bottom: document.activeElement.getBoundingClientRect().bottom,
            bar: document.getElementById('room-bar').getBoundingClientRect().bottom,
        })"""
    )


@pytest.mark.parametrize("device", [PHONE, SMALL_PHONE], ids=["390px", "360px"])
def test_dots_left_and_timer_stay_in_view_down_to_the_last_idea(
    room, new_context, artifacts, device
):
    moderator, _, join_url = room
    amina = join(new_context, join_url, "Amina", device=device, bypass_csp=True)
    expect(amina.locator("#ideas > li.idea")).to_have_count(len(OTHERS))
    for text in MINE:
        amina.get_by_label("Your idea").fill(text)
        if text == MINE[0]:
            amina.locator("summary", has_text="Add details").tap()
            amina.get_by_label("Details").fill(DETAILS)
        amina.get_by_role("button", name="Post idea").tap()
        expect(idea(amina, text)).to_have_count(1)

    moderator("set_phase", phase="vote")
    moderator("start_timer", seconds=600)
    expect(amina.locator("#phase")).to_have_text("Phase: Vote")
    expect(amina.locator("#timer")).to_contain_text("left")
    expect(amina.locator("#dots-left")).to_have_text(f"{BUDGET} dots left")

    # At the last idea, the bar is still on screen, though the page scrolled far below it.
    last = amina.locator("#ideas > li.idea").last
    last.scroll_into_view_if_needed()
    amina.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    assert amina.evaluate("() => window.scrollY") > amina.viewport_size["height"]
    assert in_view(amina, "#dots-left") and in_view(amina, "#timer")
    expect(last.locator(".idea-text")).to_have_text(MINE[1])

    # A dot on the last idea: the budget changes where it can be seen.
    plus = amina.get_by_role("button", name=f"Add a dot to: {MINE[1]}", exact=True)
    box = plus.bounding_box()
    under = amina.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).getAttribute('aria-label')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert under == f"Add a dot to: {MINE[1]}", "the + is covered"
    plus.tap()
    expect(amina.locator("#dots-left")).to_have_text(f"{BUDGET - 1} dots left")
    expect(idea(amina, MINE[1]).locator(".tally")).to_have_text("1 dot (yours: 1)")
    assert in_view(amina, "#dots-left") and in_view(amina, "#timer")
    wide = device is PHONE
    amina.screenshot(path=str(artifacts / ("phone-vote.png" if wide else "phone-vote-360.png")))

    # Going back up with the keyboard: every control that gets the focus is clear of the bar.
    plus.focus()
    for _ in range(14):
        amina.keyboard.press("Shift+Tab")
        where = clear_of_the_bar(amina)
        if where["focused"].startswith("<select") or "room-bar" in where["focused"]:
            break
        assert where["top"] >= where["bar"] - 1, f"the bar covers the focused {where}"

    if not wide:
        assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
        assert_accessible(amina, "the room in the vote phase")
        assert_fits_a_small_phone(amina, "the room in the vote phase")


def test_sorting_folding_and_the_order_kept_under_the_thumb(room, new_context):
    moderator, bruno, join_url = room
    amina = join(new_context, join_url, "Amina")
    expect(amina.locator("#ideas > li.idea")).to_have_count(len(OTHERS))
    amina.get_by_label("Your idea").fill(MINE[0])
    amina.locator("summary", has_text="Add details").tap()
    amina.get_by_label("Details").fill(DETAILS)
    amina.get_by_role("button", name="Post idea").tap()
    amina.get_by_label("Your idea").fill(MINE[1])
    amina.get_by_role("button", name="Post idea").tap()
    posted = OTHERS + MINE
    expect(amina.locator("#ideas > li.idea:not(.pending)")).to_have_count(len(posted))
    assert texts(amina) == posted

    # Long details show two lines and "Show more"; it unfolds and folds them again.
    details = idea(amina, MINE[0]).locator(".idea-details")
    more = idea(amina, MINE[0]).get_by_role("button", name="Show more")
    expect(details).to_have_class(re.compile(r"\bfolded\b"))
    folded = details.bounding_box()["height"]
    line = amina.evaluate("() => parseFloat(getComputedStyle(document.body).lineHeight) || 25")
    assert folded <= 2.5 * line, f"folded details are {folded} px high"
    expect(more).to_have_attribute("aria-expanded", "false")
    more.tap()
    less = idea(amina, MINE[0]).get_by_role("button", name="Show less")
    expect(less).to_have_attribute("aria-expanded", "true")
    expect(less).to_be_focused()
    assert details.bounding_box()["height"] > 3 * folded
    less.tap()
    expect(details).to_have_class(re.compile(r"\bfolded\b"))

    moderator("set_results_hidden", hidden=True)
    moderator("set_phase", phase="vote")
    expect(amina.locator("#phase")).to_have_text("Phase: Vote")
    sort = amina.get_by_label("Order")
    # While the results are hidden, ranking by support is not offered.
    expect(sort.locator("option")).to_have_text(
        ["In the order posted", "Newest first", "Yours and your votes first"]
    )

    # Newest first, remembered after a reload.
    sort.select_option(label="Newest first")
    assert texts(amina) == posted[::-1]
    amina.reload()
    expect(amina.locator("#status")).to_have_text("Live")
    expect(amina.get_by_label("Order")).to_have_value("newest")
    expect(amina.locator("#ideas > li.idea:not(.pending)")).to_have_count(len(posted))
    assert texts(amina) == posted[::-1]

    # Yours first: Amina's ideas, then the one she gives a dot (in the order posted).
    amina.get_by_role("button", name=f"Add a dot to: {OTHERS[5]}", exact=True).tap()
    expect(amina.locator("#dots-left")).to_have_text(f"{BUDGET - 1} dots left")
    amina.get_by_label("Order").select_option("mine")
    mine_first = [OTHERS[5], *MINE]
    assert texts(amina) == mine_first + [t for t in posted if t not in mine_first]

    # The reveal offers "Most support first"; Bruno's dots arrive while it is chosen.
    ids = {
        text: amina.locator("#ideas > li.idea").filter(has_text=text).first.get_attribute("data-id")
        for text in (OTHERS[9], OTHERS[10])
    }
    bruno.queue("vote", idea_id=int(ids[OTHERS[9]]), delta=1)
    wait_settled([bruno], 30)
    moderator("set_results_hidden", hidden=False)
    sort = amina.get_by_label("Order")
    expect(sort.locator("option", has_text="Most support first")).to_have_count(1)
    expect(idea(amina, OTHERS[9]).locator(".tally")).to_have_text("1 dot (yours: 0)")
    sort.select_option(label="Most support first")
    by_support = texts(amina)
    assert by_support[:2] == [OTHERS[5], OTHERS[9]]  # a dot each; ties: the oldest first

    # A dot that arrives moves nothing under the thumb: "Sort again" appears instead.
    resort = amina.get_by_role("button", name="Sort again")
    expect(resort).to_be_hidden()
    bruno.queue("vote", idea_id=int(ids[OTHERS[10]]), delta=1)
    bruno.queue("vote", idea_id=int(ids[OTHERS[10]]), delta=1)
    expect(idea(amina, OTHERS[10]).locator(".tally")).to_have_text("2 dots (yours: 0)")
    assert texts(amina) == by_support
    expect(resort).to_be_visible()
    resort.tap()
    assert texts(amina)[:3] == [OTHERS[10], OTHERS[5], OTHERS[9]]
    expect(resort).to_be_hidden()
    expect(amina.get_by_label("Order")).to_be_focused()


def test_text_over_the_limit_is_refused_not_cut(room, new_context):
    _, _, join_url = room
    amina = join(new_context, join_url, "Amina")
    expect(amina.locator("#ideas > li.idea")).to_have_count(len(OTHERS))
    field = amina.get_by_label("Your idea")
    pasted = ("Every bus stop gets a ramp, a bench, shade and light, " * 6)[:299] + "."
    field.focus()
    amina.keyboard.insert_text(pasted)  # as a paste does: all at once
    assert field.input_value() == pasted  # nothing cut
    message = "Your idea is 300 characters; the limit is 280. Shorten it to post."
    expect(amina.locator("#idea-limit")).to_have_text(message)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    amina.get_by_role("button", name="Post idea").tap()
    expect(field).to_be_focused()
    expect(amina.locator("#ideas > li.idea")).to_have_count(len(OTHERS))  # nothing sent
    expect(amina.locator("#status")).to_have_text("Live")  # nothing waits in the outbox
    assert len(field.input_value()) == 300
    # Shortened at once after a refused Post, the text is not called too long again when
    # the message is said again (a moment later, so that screen readers announce it).
    field.evaluate(
        """(field) => {
            field.form.requestSubmit();
            field.value = field.value.slice(0, 280);
            field.dispatchEvent(new Event("input", { bubbles: true }));
        }"""
    )
    amina.evaluate("() => new Promise((done) => setTimeout(done, 100))")  # after its timer
    expect(amina.locator("#idea-limit")).to_have_text("")
    field.fill(pasted)
    expect(amina.locator("#idea-limit")).to_have_text(message)

    # Details over 1,000 are refused the same way; shortened, both go through.
    amina.locator("summary", has_text="Add details").tap()
    details = amina.get_by_label("Details")
    details.fill("d" * 1001)
    short = pasted[:280].strip()
    field.fill(short)
    expect(amina.locator("#idea-limit")).to_have_text("")
    left = 280 - len(short)
    expect(amina.locator("#idea-count")).to_have_text(f"{left} character{'s' * (left != 1)} left")
    amina.get_by_role("button", name="Post idea").tap()
    expect(amina.locator("#idea-details-limit")).to_have_text(
        "The details are 1,001 characters; the limit is 1,000. Shorten them to post."
    )
    expect(details).to_be_focused()
    expect(amina.locator("#ideas > li.idea")).to_have_count(len(OTHERS))
    details.fill("d" * 1000)
    amina.get_by_role("button", name="Post idea").tap()
    expect(idea(amina, short)).to_have_count(1)

    # Editing: the same refusal, and the editor stays open with the whole text.
    idea_id = idea(amina, short).get_attribute("data-id")
    mine = amina.locator(f"#ideas > li[data-id='{idea_id}']")  # the editor replaces its text
    mine.get_by_role("button", name="Edit").tap()
    editor = mine.get_by_label("Your idea")
    editor.fill(pasted + " more")
    mine.get_by_role("button", name="Save").tap()
    expect(mine).to_contain_text(
        "Your idea is 305 characters; the limit is 280. Shorten it to save."
    )
    expect(editor).to_be_focused()
    assert len(editor.input_value()) == 305
    expect(amina.locator("#status")).to_have_text("Live")
