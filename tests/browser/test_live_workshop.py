"""A whole workshop in real Chromium: a moderator's console and three phones, live.

The moderator sets Cocreate up, creates a workshop with two rooms and random
assignment, and opens the breakout rooms; the phones join by the console's link,
get spread over the rooms, post ideas and vote, and see each other's changes
without reloading. One phone goes offline, keeps working, and comes back: what it
did arrives exactly once. Every wait is one of Playwright's auto-waiting expects.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.console_rooms import open_every_room

pytestmark = pytest.mark.browser

#: A phone: small screen, touch, high density.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "has_touch": True,
    "is_mobile": True,
    "device_scale_factor": 3,
}

ROOMS = {"Housing": "housing for migrants and refugees", "Work": "access to work for women"}
DOTS_PER_ROOM = 5
NAMES = ["Amina", "Bruno", "Chen"]
ORGANIZER = {
    "name": "Organizer",
    "email": "organizer@example.org",
    "password": "correct horse battery",
}


def console_room(console: Page, name: str):
    """A room's card on the moderator's console."""
    return console.locator("#rooms .room-card").filter(
        has=console.locator(".room-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def expect_members(console: Page, room: str, names: list[str]) -> None:
    """Exactly these people are listed in a room's card (in any order: live, they come
    in the order they arrived; after a reload, in the order they joined)."""
    people = console_room(console, room).locator(".member-list > li.member > .member-name")
    expect(people).to_have_count(len(names))
    for name in names:
        expect(people.filter(has_text=re.compile(f"^{re.escape(name)}$"))).to_have_count(1)


def idea_on_phone(phone: Page, text: str):
    """The posted (not pending) idea with this text on a phone."""
    return phone.locator("#ideas > li.idea:not(.pending)").filter(
        has=phone.locator(".idea-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


def dots(n: int) -> str:
    """How the pages write a number of dots."""
    return f"{n} dot" if n == 1 else f"{n} dots"


def expect_dots_on_phone(phone: Page, text: str, total: int, mine: int) -> None:
    """The idea's total dots, and this phone's own, as the phone shows them."""
    expect(idea_on_phone(phone, text).locator(".tally")).to_have_text(
        f"{dots(total)} (yours: {mine})"
    )


def expect_dots_on_console(console: Page, room: str, text: str, total: int) -> None:
    """The idea appears once in its room's card on the console, with this total."""
    items = (
        console_room(console, room)
        .locator(".idea-list > li")
        .filter(has=console.locator(".idea-line", has_text=re.compile(f"^{re.escape(text)} · ")))
    )
    expect(items).to_have_count(1)
    expect(items.locator(".idea-line")).to_have_text(f"{text} · {dots(total)}")


def post_idea(phone: Page, text: str) -> None:
    """Type an idea and tap "Post idea"."""
    phone.locator("#idea-text").tap()
    phone.locator("#idea-text").fill(text)
    phone.get_by_role("button", name="Post idea").tap()


def add_dot(phone: Page, text: str) -> None:
    """Tap the "+" of an idea."""
    phone.get_by_role("button", name=f"Add a dot to: {text}", exact=True).tap()


def expect_live(page: Page) -> None:
    """The page's socket is connected and nothing waits in its outbox."""
    expect(page.locator("#status")).to_have_attribute("data-state", "online")
    expect(page.locator("#status")).to_have_text("Live")


def create_workshop(console: Page, base_url: str, rooms: dict[str, str]) -> str:
    """From the new-workshop form to the console, with random assignment; return the join URL."""
    expect(console).to_have_url(f"{base_url}/workshops/new")
    console.get_by_label("Title").fill("Pathways to equality")
    console.get_by_label("Guiding question").fill("How do we leave no one behind?")
    console.get_by_label("Dots per participant per room").fill(str(DOTS_PER_ROOM))
    console.get_by_label("Breakout rooms, one per line").fill(
        "\n".join(f"{name}: {topic}" for name, topic in rooms.items())
    )
    console.get_by_label("How people get into breakout rooms").select_option("random")
    console.get_by_role("button", name="Create the workshop").click()
    expect(console).to_have_url(re.compile(rf"^{re.escape(base_url)}/workshops/\d+/moderate$"))
    expect(console.locator("#join-code")).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    code = console.locator("#join-code").inner_text().replace("-", "")
    join_url = console.locator("#join-url").get_attribute("href")
    assert join_url == f"{base_url}/j/{code}"
    expect(console.locator("#join-url")).to_have_text(join_url)
    expect_live(console)
    expect(console.locator("#assignment")).to_have_value("random")
    for name, topic in rooms.items():
        expect(console_room(console, name).locator(".room-topic")).to_have_text(topic)
    open_every_room(console)  # the people and ideas are in the rooms' details
    return join_url


def join(phone: Page, join_url: str, name: str) -> None:
    """Open the join link, type a name, tap "Join the workshop": the plenary lobby opens."""
    phone.goto(join_url)
    phone.get_by_label("Your name").tap()
    phone.get_by_label("Your name").fill(name)
    phone.get_by_role("button", name="Join the workshop").tap()
    code = join_url.rsplit("/", 1)[1]
    expect(phone).to_have_url(join_url.replace(f"/j/{code}", f"/w/{code}"))
    expect(phone.locator("#lobby")).to_be_visible()
    expect(phone.locator("#room")).to_be_hidden()
    expect(phone.locator("#lobby-text")).to_have_text(
        "You are in the plenary. The moderator will open the breakout rooms."
    )
    expect_live(phone)


def test_workshop_with_three_phones(live_server, new_context, artifacts):
    # 1. The moderator sets Cocreate up (first run) and creates a workshop with two rooms.
    console = new_context().new_page()
    console.goto(f"{live_server}/setup")
    expect(console.get_by_role("heading", name="Set up Cocreate")).to_be_visible()
    console.get_by_label("Your name").fill(ORGANIZER["name"])
    console.get_by_label("E-mail").fill(ORGANIZER["email"])
    console.get_by_label("Password").fill(ORGANIZER["password"])
    console.get_by_role("button", name="Create the account").click()
    join_url = create_workshop(console, live_server, ROOMS)

    # 2. Three phones join by the link and wait in the plenary lobby.
    phones: dict[str, Page] = {}
    contexts = {}
    for name in NAMES:
        contexts[name] = new_context(**PHONE)
        phone = phones[name] = contexts[name].new_page()
        join(phone, join_url, name)
        # Set in this document only: still there later means the page never reloaded.
        phone.evaluate("window.sameDocument = true")
    plenary = console_room(console, "Plenary")
    expect(plenary.locator(".room-count")).to_have_text("3 people here")
    expect_members(console, "Plenary", NAMES)

    # 3. Breakouts open: random assignment spreads the phones 2 + 1, and each one moves.
    console.locator("#open-breakouts").click()
    expect(console.locator("#open-breakouts")).to_be_disabled()
    expect(console.locator("#close-breakouts")).to_be_enabled()
    rooms_of: dict[str, str] = {}
    for name, phone in phones.items():
        expect(phone.locator("#room")).to_be_visible()
        expect(phone.locator("#lobby")).to_be_hidden()
        heading = phone.locator("#room-heading")
        expect(heading).to_have_text(re.compile(rf"^({'|'.join(ROOMS)})$"))
        rooms_of[name] = heading.inner_text()
        expect(phone.locator("#room-topic")).to_have_text(ROOMS[rooms_of[name]])
        expect(phone.locator("#dots-left")).to_have_text(f"{dots(DOTS_PER_ROOM)} left")
        assert phone.evaluate("window.sameDocument") is True
    members = {room: [n for n in NAMES if rooms_of[n] == room] for room in ROOMS}
    assert sorted(len(people) for people in members.values()) == [1, 2], rooms_of
    shared = next(room for room, people in members.items() if len(people) == 2)
    alone = next(room for room, people in members.items() if len(people) == 1)
    (a_name, b_name), (c_name,) = members[shared], members[alone]
    a, b, c = phones[a_name], phones[b_name], phones[c_name]
    expect(a.locator("#room-people")).to_have_text("2 people here")
    expect(b.locator("#room-people")).to_have_text("2 people here")
    expect(c.locator("#room-people")).to_have_text("1 person here")
    expect(plenary.locator(".room-count")).to_have_text("0 people here")
    for room, people in members.items():
        expect_members(console, room, people)

    # 4. Ideas travel live between the phones of a room and to the console (Propose phase).
    for phone in (a, b, c):
        expect(phone.locator("#phase")).to_have_text("Phase: Propose")
    idea_a, idea_b, idea_c = (f"{n}'s idea for {rooms_of[n]}" for n in (a_name, b_name, c_name))
    post_idea(a, idea_a)
    expect(idea_on_phone(a, idea_a)).to_have_count(1)
    expect(idea_on_phone(b, idea_a)).to_have_count(1)
    expect(idea_on_phone(b, idea_a).locator(".meta")).to_contain_text(a_name)
    post_idea(b, idea_b)
    expect(idea_on_phone(a, idea_b)).to_have_count(1)
    post_idea(c, idea_c)
    expect(idea_on_phone(c, idea_c)).to_have_count(1)
    # Rooms are apart: the lone phone sees only its own room's idea.
    expect(c.locator("#ideas > li")).to_have_count(1)
    # No voting while proposing: the phones show no + buttons.
    expect(a.get_by_role("button", name=re.compile("^Add a dot to"))).to_have_count(0)

    # 5a. B drops off the network, posts an idea, and comes back: it arrives once.
    idea_offline = f"{b_name}'s idea, written offline"
    contexts[b_name].set_offline(True)
    expect(b.locator("#status")).to_have_attribute("data-state", "offline")
    expect(b.locator("#status")).to_have_text(re.compile(r"^Offline"))
    post_idea(b, idea_offline)
    pending = b.locator("#ideas > li.idea.pending")
    expect(pending).to_have_count(1)
    expect(pending.locator(".idea-text")).to_have_text(idea_offline)
    expect(b.locator("#status")).to_have_text(re.compile(r"· 1 waiting to be sent$"))
    expect(idea_on_phone(a, idea_offline)).to_have_count(0)
    contexts[b_name].set_offline(False)
    expect_live(b)
    expect(pending).to_have_count(0)
    expect(idea_on_phone(a, idea_offline)).to_have_count(1)
    expect(idea_on_phone(b, idea_offline)).to_have_count(1)
    expect(a.locator("#ideas > li")).to_have_count(3)
    expect(b.locator("#ideas > li")).to_have_count(3)
    expect(console_room(console, shared).locator(".idea-list > li")).to_have_count(3)

    # 4b. The moderator opens voting in every room with a timer; dots travel live.
    console.locator("#all-phase-select").select_option("vote")
    console.get_by_role("button", name="Set the phase in every room").click()
    console.locator("#all-minutes").fill("10")
    console.get_by_role("button", name="Start the timer in every room").click()
    for phone in (a, b, c):
        expect(phone.locator("#phase")).to_have_text("Phase: Vote")
        expect(phone.locator("#timer")).to_have_text(re.compile(r"^Time left: (10:00|9:\d\d)$"))
        expect(phone.locator("#idea-form")).to_be_hidden()
    expect(console_room(console, shared).locator(".timer")).to_have_text(
        re.compile(r"^Time left: (10:00|9:\d\d)$")
    )
    add_dot(a, idea_b)
    expect_dots_on_phone(a, idea_b, total=1, mine=1)
    expect(a.locator("#dots-left")).to_have_text(f"{dots(DOTS_PER_ROOM - 1)} left")
    expect_dots_on_phone(b, idea_b, total=1, mine=0)
    add_dot(b, idea_a)
    expect_dots_on_phone(b, idea_a, total=1, mine=1)
    expect_dots_on_phone(a, idea_a, total=1, mine=0)
    expect(b.locator("#dots-left")).to_have_text(f"{dots(DOTS_PER_ROOM - 1)} left")
    add_dot(c, idea_c)
    expect_dots_on_phone(c, idea_c, total=1, mine=1)

    expect_dots_on_console(console, shared, idea_a, 1)
    expect_dots_on_console(console, shared, idea_b, 1)
    expect_dots_on_console(console, alone, idea_c, 1)
    expect(console_room(console, alone).locator(".idea-list > li")).to_have_count(1)

    # 5b. B drops off again and votes: the vote is counted once when it is back.
    contexts[b_name].set_offline(True)
    expect(b.locator("#status")).to_have_attribute("data-state", "offline")
    add_dot(b, idea_a)
    expect_dots_on_phone(b, idea_a, total=2, mine=2)
    expect(b.locator("#dots-left")).to_have_text(f"{dots(DOTS_PER_ROOM - 2)} left")
    expect(b.locator("#status")).to_have_text(re.compile(r"· 1 waiting to be sent$"))
    expect_dots_on_phone(a, idea_a, total=1, mine=0)  # nothing has left the phone yet
    contexts[b_name].set_offline(False)
    expect_live(b)
    expect_dots_on_phone(a, idea_a, total=2, mine=0)
    expect_dots_on_phone(b, idea_a, total=2, mine=2)
    expect_dots_on_console(console, shared, idea_offline, 0)
    expect_dots_on_console(console, shared, idea_a, 2)
    expect(console_room(console, shared).locator(".idea-list > li")).to_have_count(3)
    for phone in (a, b, c):
        assert phone.evaluate("window.sameDocument") is True

    # The device cookie is B's identity: after a reload its idea and dots are all there.
    b.reload()
    expect_live(b)
    expect(b.locator("#room-heading")).to_have_text(shared)
    expect(b.locator("#ideas > li")).to_have_count(3)
    expect(idea_on_phone(b, idea_offline)).to_have_count(1)
    expect(b.locator("#phase")).to_have_text("Phase: Vote")
    expect(b.locator("#timer")).to_have_text(re.compile(r"^Time left: (10:00|9:\d\d)$"))
    expect_dots_on_phone(b, idea_a, total=2, mine=2)
    expect_dots_on_phone(b, idea_b, total=1, mine=0)
    expect(b.locator("#dots-left")).to_have_text(f"{dots(DOTS_PER_ROOM - 2)} left")
    # The reload and the reconnect sent nothing twice.
    expect(idea_on_phone(a, idea_offline)).to_have_count(1)
    expect_dots_on_phone(a, idea_a, total=2, mine=0)
    expect_dots_on_console(console, shared, idea_a, 2)
    expect(console_room(console, shared).locator(".idea-list > li")).to_have_count(3)

    b.screenshot(path=str(artifacts / "phone.png"), full_page=True)
    console.screenshot(path=str(artifacts / "console.png"), full_page=True)


def test_only_an_edited_idea_says_edited(live_server, new_context, sign_in):
    """A new idea shows its author alone; "edited" appears once the author changes it.

    Runs on the same server as the scenario above, so it signs in when set-up is done.
    """
    console = new_context().new_page()
    sign_in(console, ORGANIZER)
    join_url = create_workshop(console, live_server, {"Solo": "one room for everyone"})
    writer, reader = (new_context(**PHONE).new_page() for _ in range(2))
    join(writer, join_url, "Dana")
    join(reader, join_url, "Emil")
    console.locator("#open-breakouts").click()
    for phone in (writer, reader):
        expect(phone.locator("#room-heading")).to_have_text("Solo")

    post_idea(writer, "Plant trees")
    for phone in (writer, reader):
        expect(idea_on_phone(phone, "Plant trees").locator(".meta")).to_have_text("Dana")

    # The editor replaces the idea's text: hold on to the item by its id.
    idea_id = idea_on_phone(writer, "Plant trees").get_attribute("data-id")
    idea = writer.locator(f'#ideas > li[data-id="{idea_id}"]')
    idea.get_by_role("button", name="Edit").tap()
    idea.locator("textarea").first.fill("Plant more trees")
    idea.get_by_role("button", name="Save").tap()
    for phone in (writer, reader):
        edited = idea_on_phone(phone, "Plant more trees")
        expect(edited.locator(".meta")).to_have_text("Dana · edited")
