"""Languages on a phone: the switch in one tap, the choice remembered; a Korean phone, the
console and the projector of a Korean workshop, photographed (room-ko.png, console-ko.png,
screen-ko.png)."""

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from tests.browser.mobility import PHONE
from tests.support import ROOT

pytestmark = pytest.mark.browser

TRANSLATIONS = ROOT / "cocreate" / "translations"


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """The compiled catalogs (`make translations`), before the server reads them."""
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(TRANSLATIONS)],
        check=True,
        capture_output=True,
    )


def korean(message: str) -> str:
    """A message as the Korean catalog says it (English until it is translated)."""
    with open(TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.po", "rb") as file:
        entry = read_po(file).get(message)
    return entry.string if entry is not None and entry.string else message


def test_switch_to_korean_in_one_tap_and_it_is_remembered(live_server, new_context):
    phone = new_context(**PHONE, locale="en-US").new_page()
    phone.goto(f"{live_server}/")
    html = phone.locator("html")
    expect(html).to_have_attribute("lang", "en")
    switch = phone.get_by_role("navigation", name="Language")
    links = switch.get_by_role("link")
    expect(links).to_have_text(["English", "한국어", "Español", "Français"])
    korean_link = switch.get_by_role("link", name="한국어")
    box = korean_link.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box  # a thumb's target
    assert box["x"] + box["width"] <= 390, box  # on the screen, not past its edge

    korean_link.tap()

    expect(html).to_have_attribute("lang", "ko")
    assert "lang=" not in phone.url  # one address per page, whatever the language
    switch = phone.get_by_role("navigation", name=korean("Language"))
    expect(switch.get_by_role("link", name="한국어")).to_have_attribute("aria-current", "true")
    # The next page, and the next visit, stay in Korean.
    phone.goto(f"{live_server}/setup")
    expect(html).to_have_attribute("lang", "ko")
    assert phone.evaluate("document.body.scrollWidth") <= 390  # no sideways scrolling


def test_room_console_and_projector_in_korean(open_workshop, live_server, new_context, artifacts):
    console, join_url = open_workshop(
        "인권 도시 포럼", "이주민과 난민의 주거권을 어떻게 보장할까요?", "주거\n일자리"
    )
    workshop_path = re.search(r"/workshops/\d+", console.url).group(0)

    # The workshop speaks Korean: its projector does, though this laptop asks for English.
    console.goto(f"{live_server}{workshop_path}/settings")
    console.get_by_label("Language of the projector and the synthesis").select_option("ko")
    console.get_by_role("button", name="Save", exact=True).click()
    screen = console.context.new_page()
    screen.set_viewport_size({"width": 1920, "height": 1080})
    screen.goto(f"{live_server}{workshop_path}/screen")
    expect(screen.locator("html")).to_have_attribute("lang", "ko")
    expect(screen.get_by_role("heading", level=1)).to_have_text("인권 도시 포럼")

    # A phone whose browser asks for Korean joins in Korean.
    phone = new_context(**PHONE, locale="ko-KR").new_page()
    phone.goto(join_url)
    expect(phone.locator("html")).to_have_attribute("lang", "ko")
    phone.get_by_role("button", name=korean("Join the workshop")).tap()
    expect(phone.locator("#status")).to_have_text(korean("Live"))
    expect(phone.locator("html")).to_have_attribute("lang", "ko")
    expect(screen.locator("#joined")).not_to_be_empty()

    # The organizer switches their own console to Korean.
    console.goto(f"{live_server}{workshop_path}/moderate?lang=ko")
    expect(console.locator("html")).to_have_attribute("lang", "ko")
    expect(console.locator("#status")).to_have_text(korean("Live"))

    phone.screenshot(path=str(artifacts / "room-ko.png"), full_page=True)
    console.screenshot(path=str(artifacts / "console-ko.png"))
    screen.screenshot(path=str(artifacts / "screen-ko.png"))
