"""The one-room "Getting around" workshop the themes, tags and pathways browser tests
share: a laptop console, phones that join it, their ideas, and the phase control."""

from playwright.sync_api import Page, expect

from tests.browser.console_rooms import open_every_room

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
BUSES, BIKES, RAMPS = (
    "Free buses at night",
    "Safe bike lanes to every school",
    "Ramps at every stop",
)
LONG = " ".join(["A shared taxi service for people who cannot use the buses, with a long name"] * 3)


def create_workshop(sign_in, new_context, *, participants_cluster=False) -> tuple[Page, str]:
    """A one-room workshop on a 1366 x 768 laptop, random assignment, breakouts open;
    participants group ideas too when `participants_cluster`. Returns (console, join link)."""
    console = new_context(**LAPTOP).new_page()
    sign_in(console)
    console.get_by_label("Title").fill("Getting around")
    console.get_by_label("Guiding question").fill("How do we get around fairly?")
    console.get_by_label("Breakout rooms, one per line").fill("Mobility: getting around")
    console.get_by_label("How people get into breakout rooms").select_option("random")
    if participants_cluster:
        console.get_by_label("Participants group ideas into themes too").check()
    console.get_by_role("button", name="Create the workshop").click()
    expect(console.locator("#status")).to_have_text("Live")
    console.get_by_role("button", name="Open breakout rooms").click()
    expect(console.get_by_role("button", name="Open breakout rooms")).to_be_disabled()
    open_every_room(console)  # where the moderation is (closed by default)
    return console, console.locator("#join-url").get_attribute("href")


def join(new_context, join_url: str, name: str, device=PHONE, **options) -> Page:
    """A phone joins; random assignment puts it in the only breakout room."""
    phone = new_context(**device, **options).new_page()
    phone.goto(join_url)
    phone.get_by_label("Your name").fill(name)
    phone.get_by_role("button", name="Join the workshop").tap()
    expect(phone.locator("#room-heading")).to_have_text("Mobility")
    return phone


def post_ideas(phone: Page, *texts: str) -> None:
    """Post ideas from a phone and wait until they are all shown."""
    for text in texts:
        phone.get_by_label("Your idea").fill(text)
        phone.get_by_role("button", name="Post idea").tap()
    expect(phone.locator("#ideas > li.idea:not(.pending)")).to_have_count(len(texts))


def set_phase(console: Page, phase: str) -> None:
    """Move every room to a phase from the console."""
    console.locator("#all-phase-select").select_option(phase)
    console.get_by_role("button", name="Set the phase in every room").click()
