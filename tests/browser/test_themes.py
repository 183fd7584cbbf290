"""Themes by hand (issue 8, DESIGN §2 "Cluster"): ideas grouped into named themes by drag
and drop with a mouse on the console and with a finger on a phone, or by the "Move to
theme…" menu with the keyboard alone; every phone in the room sees each move live; the
board passes axe and gives thumb-sized targets on a 360 px phone; a room's view and the
projector show the themes, with their support hidden while the results are.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import AXE, assert_accessible, assert_fits_a_small_phone
from tests.browser.mobility import (
    BIKES,
    BUSES,
    LONG,
    RAMPS,
    SMALL_PHONE,
    create_workshop,
    join,
    post_ideas,
    set_phase,
)

pytestmark = pytest.mark.browser

#: static/js/themes.js SCROLL_EDGE: a drag this close to the window's edge scrolls the page.
SCROLL_EDGE = 56


def board(page: Page):
    """The page's (first) themes board."""
    return page.locator(".themes-board").first


def theme(page: Page, name: str):
    """A theme on the board, by its name."""
    return (
        board(page)
        .locator("li.theme")
        .filter(has=page.locator(".theme-name", has_text=re.compile(f"^{re.escape(name)}$")))
    )


def unthemed(page: Page):
    return board(page).locator(".unthemed")


def idea_in(where, text: str):
    """An idea of the board inside `where` (a theme, the unthemed ideas, the board)."""
    return where.locator(".theme-idea").filter(has_text=text)


def add_theme(page: Page, name: str) -> None:
    page.locator(".themes-board").first.get_by_label("New theme").fill(name)
    page.locator(".themes-board").first.get_by_role("button", name="Add the theme").click()
    expect(theme(page, name)).to_have_count(1)


def box_of(element) -> dict:
    """The element's box once it is on the page: a live event may redraw the board, and
    an element caught between two renders has no box for a moment."""
    for _ in range(50):
        element.wait_for(state="visible")
        box = element.bounding_box()
        if box is not None:
            return box
    raise AssertionError(f"{element} never settled on the page")


def mouse_drag(page: Page, source, target) -> None:
    """Drag `source` onto `target` with the mouse (Pointer Events), checking the drop
    target lights up under the pointer before the button is let go.

    The page is scrolled so that both ends sit between the bands at the window's top and
    bottom where a drag scrolls the page (themes.js SCROLL_EDGE): a drop aimed into that
    band lands wherever the scrolling has got to by the time the button is let go.
    """
    height = page.viewport_size["height"]

    def ends() -> tuple[dict, dict, float, float]:
        start, goal = box_of(source), box_of(target)
        # Near the target's top (as touch_drag does): a tall target's middle may be far.
        return (
            start,
            goal,
            start["y"] + start["height"] / 3,
            goal["y"] + min(goal["height"] / 2, 40),
        )

    board(page).evaluate("(el) => el.scrollIntoView({block: 'start'})")
    _, _, y0, y1 = ends()
    page.evaluate("(dy) => window.scrollBy(0, dy)", (y0 + y1) / 2 - height / 2)
    start, goal, y0, y1 = ends()
    for y in (y0, y1):
        assert SCROLL_EDGE < y < height - SCROLL_EDGE, f"a drag end at y={y} would scroll the page"
    page.mouse.move(start["x"] + start["width"] / 2, y0)
    page.mouse.down()
    page.mouse.move(goal["x"] + goal["width"] / 2, y1, steps=12)
    expect(target).to_have_class(re.compile(r"\bdrop-target\b"))
    expect(page.locator(".drag-ghost")).to_be_visible()
    page.mouse.up()
    expect(page.locator(".drag-ghost")).to_have_count(0)


def touch_drag(page: Page, handle, target) -> None:
    """Drag by a handle onto `target` with a finger: real touch input through the
    Chrome DevTools Protocol, which Chromium turns into pointer events of type touch."""
    cdp = page.context.new_cdp_session(page)
    handle.scroll_into_view_if_needed()
    start = box_of(handle)
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2

    def touch(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", x0, y0)
    goal = box_of(target)
    x1, y1 = goal["x"] + goal["width"] / 2, goal["y"] + min(goal["height"] / 2, 40)
    for step in range(1, 13):
        touch("touchMove", x0 + (x1 - x0) * step / 12, y0 + (y1 - y0) * step / 12)
    expect(target).to_have_class(re.compile(r"\bdrop-target\b"))
    touch("touchEnd", x1, y1)
    expect(page.locator(".drag-ghost")).to_have_count(0)
    cdp.detach()


def test_drag_and_drop_with_a_mouse_on_the_console(sign_in, new_context, artifacts):
    console, join_url = create_workshop(sign_in, new_context)
    phone = join(new_context, join_url, "Amina")
    post_ideas(phone, BUSES, BIKES, RAMPS)
    set_phase(console, "cluster")
    expect(phone.locator("#phase")).to_have_text("Phase: Cluster")
    # A participant who may not group sees the board, without its controls.
    expect(board(phone)).to_contain_text("you see every move live")
    expect(board(phone).get_by_role("button")).to_have_count(0)
    expect(idea_in(unthemed(phone), BUSES)).to_have_count(1)

    card = console.locator("#rooms .room-card").filter(has_text="Mobility")
    expect(card.locator(".themes-board")).to_have_attribute(
        "open", ""
    )  # the cluster phase opens it
    add_theme(console, "Transport")
    add_theme(console, "Access")
    expect(theme(phone, "Transport")).to_have_count(1)

    # A mouse drags an idea (from its text, not only its handle) onto a theme.
    mouse_drag(
        console,
        idea_in(unthemed(console), BUSES).locator(".idea-text"),
        theme(console, "Transport"),
    )
    expect(idea_in(theme(console, "Transport"), BUSES)).to_have_count(1)
    expect(idea_in(theme(phone, "Transport"), BUSES)).to_have_count(1)  # live on the phone
    mouse_drag(
        console, idea_in(unthemed(console), RAMPS).locator(".drag-handle"), theme(console, "Access")
    )
    mouse_drag(
        console,
        idea_in(unthemed(console), BIKES).locator(".idea-text"),
        theme(console, "Transport"),
    )
    expect(idea_in(theme(phone, "Access"), RAMPS)).to_have_count(1)
    expect(idea_in(theme(phone, "Transport"), BIKES)).to_have_count(1)
    expect(theme(console, "Transport").locator(".theme-meta")).to_have_text("2 ideas")
    console.screenshot(path=str(artifacts / "console-themes.png"))

    # …and back out of any theme; a drop outside every theme changes nothing.
    mouse_drag(
        console,
        idea_in(theme(console, "Transport"), BIKES).locator(".idea-text"),
        unthemed(console),
    )
    expect(idea_in(unthemed(phone), BIKES)).to_have_count(1)
    source = box_of(idea_in(theme(console, "Access"), RAMPS).locator(".idea-text"))
    console.mouse.move(source["x"] + 5, source["y"] + 5)
    console.mouse.down()
    console.mouse.move(5, 5, steps=8)
    console.mouse.up()
    expect(idea_in(theme(console, "Access"), RAMPS)).to_have_count(1)

    # Rename, merge and dissolve.
    theme(console, "Access").get_by_role("button", name="Rename the theme Access").click()
    expect(console.get_by_label("Theme name")).to_be_focused()
    console.get_by_label("Theme name").fill("Accessible stops")
    console.get_by_label("Description (optional)").fill("Getting on and off")
    board(console).get_by_role("button", name="Save", exact=True).click()
    expect(theme(phone, "Accessible stops")).to_contain_text("Getting on and off")
    theme(console, "Accessible stops").get_by_role(
        "button", name="Merge the theme Accessible stops into another"
    ).click()
    theme(console, "Accessible stops").get_by_role("button", name="Transport", exact=True).click()
    expect(theme(console, "Accessible stops")).to_have_count(0)
    expect(idea_in(theme(phone, "Transport"), RAMPS)).to_have_count(1)
    console.once("dialog", lambda dialog: dialog.accept())
    theme(console, "Transport").get_by_role("button", name="Dissolve the theme Transport").click()
    expect(theme(phone, "Transport")).to_have_count(0)
    expect(unthemed(phone).locator(".theme-idea")).to_have_count(3)


def test_touch_drag_on_a_phone_and_another_phone_sees_it_live(sign_in, new_context, artifacts):
    console, join_url = create_workshop(sign_in, new_context, participants_cluster=True)
    amina = join(new_context, join_url, "Amina")
    bruno = join(new_context, join_url, "Bruno")
    post_ideas(amina, BUSES, BIKES, LONG)
    set_phase(console, "cluster")
    for phone in (amina, bruno):  # everyone in the room groups, as the workshop allows
        expect(board(phone).get_by_label("New theme")).to_be_visible()
    expect(amina.locator("#ideas")).to_be_hidden()  # the themes hold every idea now
    add_theme(amina, "Transport")
    expect(theme(bruno, "Transport")).to_have_count(1)

    # A finger drags an idea by its handle onto the theme.
    touch_drag(
        amina, idea_in(unthemed(amina), BUSES).locator(".drag-handle"), theme(amina, "Transport")
    )
    expect(idea_in(theme(amina, "Transport"), BUSES)).to_have_count(1)
    # The other phone sees it live, and a screen reader hears it, politely.
    expect(idea_in(theme(bruno, "Transport"), BUSES)).to_have_count(1)
    expect(bruno.locator("#themes-news")).to_contain_text(f"“{BUSES}” moved to Transport")
    expect(bruno.locator("#themes-news")).to_have_attribute("aria-live", "polite")
    expect(amina.locator("#themes-news")).to_have_text("Moved to Transport")  # not "… moved to"
    # A finger on an idea's text scrolls the page: only the handle drags.
    expect(idea_in(unthemed(amina), BIKES).locator(".drag-handle")).to_have_css(
        "touch-action", "none"
    )

    # The long idea folds; its menu has the same width as a short one's.
    long_idea = idea_in(unthemed(amina), LONG[:40])
    expect(long_idea.locator("details.fold")).to_have_count(1)
    widths = {
        round(
            box_of(
                idea_in(board(amina), text).get_by_role("button", name=re.compile("^Move to theme"))
            )["width"]
        )
        for text in (BIKES, LONG[:40])
    }
    assert len(widths) == 1, (
        f"the Move to theme… buttons' widths depend on the ideas' texts: {widths}"
    )
    touch_drag(
        bruno,
        idea_in(unthemed(bruno), LONG[:40]).locator(".drag-handle"),
        theme(bruno, "Transport"),
    )
    expect(idea_in(theme(amina, "Transport"), LONG[:40])).to_have_count(1)
    amina.screenshot(path=str(artifacts / "phone-themes.png"), full_page=True)

    # The vote: no more grouping; the phone lists the themes with their support.
    set_phase(console, "vote")
    expect(amina.locator("#ideas")).to_be_visible()
    expect(amina.locator(".themes-summary")).to_contain_text("Transport · 2 ideas · 0 dots")
    amina.get_by_role("button", name=f"Add a dot to: {BUSES}").tap()
    expect(bruno.locator(".themes-summary")).to_contain_text("Transport · 2 ideas · 1 dot")


def test_the_move_menu_with_the_keyboard_alone(sign_in, new_context):
    console, join_url = create_workshop(sign_in, new_context)
    phone = join(new_context, join_url, "Amina")
    post_ideas(phone, BUSES, BIKES)
    set_phase(console, "cluster")
    console.get_by_role("button", name="Make Amina the facilitator").click()  # she groups
    expect(phone.locator("#facilitate")).to_be_visible()

    # Name two themes without a mouse: Tab to the field, type, Enter.
    field = board(phone).get_by_label("New theme")
    expect(field).to_be_visible()
    phone.locator("body").focus()
    for _ in range(40):
        phone.keyboard.press("Tab")
        if field.evaluate("(el) => el === document.activeElement"):
            break
    expect(field).to_be_focused()
    for name in ("Transport", "Safety"):
        phone.keyboard.type(name)
        phone.keyboard.press("Enter")
        expect(theme(phone, name)).to_have_count(1)
        expect(field).to_be_focused()

    # Tab to an idea's "Move to theme…": its name says which idea.
    move = phone.get_by_role("button", name=f"Move to theme… {BIKES}")
    for _ in range(40):
        phone.keyboard.press("Tab")
        if move.evaluate("(el) => el === document.activeElement"):
            break
    expect(move).to_be_focused()
    expect(move).to_have_attribute("aria-expanded", "false")
    phone.keyboard.press("Enter")
    expect(move).to_have_attribute("aria-expanded", "true")
    menu = phone.locator(f"#{move.get_attribute('aria-controls')}")
    expect(menu.get_by_role("button", name="Transport")).to_be_focused()
    phone.keyboard.press("Escape")  # closes, back on the button
    expect(menu).to_be_hidden()
    expect(move).to_be_focused()
    phone.keyboard.press("Space")
    phone.keyboard.press("ArrowDown")
    expect(menu.get_by_role("button", name="Safety")).to_be_focused()
    phone.keyboard.press("ArrowDown")  # round to the first
    expect(menu.get_by_role("button", name="Transport")).to_be_focused()
    phone.keyboard.press("ArrowUp")
    phone.keyboard.press("Enter")
    expect(idea_in(theme(phone, "Safety"), BIKES)).to_have_count(1)
    expect(phone.locator("#themes-news")).to_have_text("Moved to Safety")
    # The keyboard stays with the idea in its new place; the console shows it there too.
    expect(phone.get_by_role("button", name=f"Move to theme… {BIKES}")).to_be_focused()
    expect(idea_in(theme(console, "Safety"), BIKES)).to_have_count(1)
    # Out of any theme again, from the same menu.
    phone.keyboard.press("Enter")
    phone.keyboard.press("End")
    expect(phone.get_by_role("button", name="Out of any theme")).to_be_focused()
    phone.keyboard.press("Enter")
    expect(idea_in(unthemed(phone), BIKES)).to_have_count(1)
    expect(idea_in(unthemed(console), BIKES)).to_have_count(1)


def test_themes_are_accessible_on_a_360px_phone(sign_in, new_context, artifacts):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    console, join_url = create_workshop(sign_in, new_context, participants_cluster=True)
    phone = join(new_context, join_url, "Emil", SMALL_PHONE, bypass_csp=True)  # axe is injected
    post_ideas(phone, BUSES, LONG, RAMPS)
    set_phase(console, "cluster")
    add_theme(phone, "Transport " * 5 + "with a long name")
    add_theme(phone, "Access")
    phone.get_by_role("button", name=f"Move to theme… {BUSES}").tap()
    phone.get_by_role("button", name="Access", exact=True).tap()
    expect(idea_in(theme(phone, "Access"), BUSES)).to_have_count(1)
    phone.get_by_role("button", name=f"Move to theme… {RAMPS}").tap()  # a menu open
    expect(phone.get_by_role("button", name="Out of any theme")).to_have_count(0)
    assert_accessible(phone, "the themes while clustering, a menu open")
    assert_fits_a_small_phone(phone, "the themes while clustering, a menu open")
    handles = phone.locator(".drag-handle")
    for i in range(handles.count()):
        box = handles.nth(i).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, f"a drag handle is {box}"
    phone.screenshot(path=str(artifacts / "phone-themes-360.png"), full_page=True)

    theme(phone, "Access").get_by_role("button", name="Rename the theme Access").tap()
    assert_accessible(phone, "renaming a theme")
    assert_fits_a_small_phone(phone, "renaming a theme")

    # The room's view and the projector show the themes; support stays hidden with the results.
    console.get_by_role("button", name="Hide the results until the reveal").click()
    set_phase(console, "vote")
    expect(phone.locator(".themes-summary")).to_contain_text("Access · 1 idea")
    expect(phone.locator(".themes-summary")).not_to_contain_text("dot")
    assert_accessible(phone, "the themes while voting")
    assert_fits_a_small_phone(phone, "the themes while voting")
    with console.expect_popup() as opened:
        console.get_by_role("link", name="Step into Mobility").click()
    room = opened.value
    expect(theme(room, "Access")).to_contain_text("Support: Results hidden")
    expect(idea_in(theme(room, "Access"), BUSES)).to_have_count(1)
    with console.expect_popup() as opened:
        console.get_by_role("link", name="Projector screen").click()
    screen = opened.value
    expect(screen.locator(".screen-themes li")).to_have_count(2)
    expect(screen.locator(".screen-themes")).not_to_contain_text("dot")
    console.get_by_role("button", name="Reveal the results").click()
    expect(theme(room, "Access")).to_contain_text("Support: 0 dots")
    expect(screen.locator(".screen-themes")).to_contain_text("Access · 1 idea · 0 dots")
    screen.screenshot(path=str(artifacts / "screen-themes.png"), full_page=True)
