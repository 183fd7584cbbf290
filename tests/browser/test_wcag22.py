"""WCAG 2.2 AA on every page and state, in every language: axe-core (with the 2.2 rules:
target size) finds nothing on the public pages, the sign-in and set-up pages, an error
page, the phone's lobby and its room in every phase and voting mode, the console, the
projector, a room's view, the participation page, the settings and the outcome, each
shown in English, Korean, Spanish and French (`?lang=`).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import AXE, axe_violations
from tests.browser.mobility import LAPTOP, SMALL_PHONE

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "ko", "es", "fr"]
#: The test injects axe-core; the app's own pages need no exception to the CSP.
AXE_ALLOWED = {"bypass_csp": True}


def settled(page: Page) -> None:
    """Wait until a live page is connected (its status says so) and its requests are done."""
    page.wait_for_load_state("networkidle")
    if page.locator("#status").count():
        expect(page.locator("#status")).to_have_attribute(
            "data-state", re.compile("^(online|live)$")
        )


def violations_in_every_language(page: Page, what: str) -> list[str]:
    """Show the page in each language (?lang= is remembered, then English again) and
    return axe-core's findings, each named by its page, state and language."""
    found = []
    address = page.url.split("?")[0]
    for code in [*LANGUAGES[1:], "en"]:
        page.goto(f"{address}?lang={code}")
        expect(page.locator("html")).to_have_attribute("lang", code)
        settled(page)
        found += [f"{what} [{code}]: {v}" for v in axe_violations(page)]
    return found


def set_phase(console: Page, phase: str) -> None:
    console.locator("#all-phase-select").select_option(phase)
    console.locator("#all-phase-select").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()


@pytest.mark.parametrize("voting_mode", ["dots", "agree", "scores"])
def test_every_page_and_state_in_every_language(voting_mode, live_server, sign_in, new_context):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    found: list[str] = []
    tour = voting_mode == "dots"  # the pages that do not depend on the voting mode, once

    visitor = new_context(**SMALL_PHONE, **AXE_ALLOWED).new_page()
    if tour:
        for path, what in [
            ("/", "home"),
            ("/setup", "first-run set-up"),  # the first test on this server: no account yet
            ("/login", "sign-in"),
            ("/w/NO-SUCH-CODE", "error page (404)"),
        ]:
            visitor.goto(live_server + path)
            found += violations_in_every_language(visitor, what)

    console = new_context(**LAPTOP, **AXE_ALLOWED).new_page()
    sign_in(console)
    if tour:
        found += violations_in_every_language(console, "new workshop")
    console.get_by_label("Title").fill(f"Access for all ({voting_mode})")
    console.get_by_label("Guiding question").fill("How does everyone take part?")
    console.get_by_label("Breakout rooms, one per line").fill("Mobility: getting around")
    console.get_by_label("How people get into breakout rooms").select_option("random")
    console.get_by_label("How participants vote").select_option(voting_mode)
    console.get_by_role("button", name="Create the workshop").click()
    expect(console.locator("#status")).to_have_text("Live")
    moderate = console.url
    join_url = console.locator("#join-url").get_attribute("href")
    console.get_by_role("button", name="Open breakout rooms").click()
    expect(console.get_by_role("button", name="Open breakout rooms")).to_be_disabled()

    phone = new_context(**SMALL_PHONE, **AXE_ALLOWED).new_page()
    phone.goto(join_url)
    if tour:
        found += violations_in_every_language(phone, "join")
    phone.get_by_label("Your name").fill("Amina")
    phone.get_by_role("button", name="Join the workshop").tap()
    phone.get_by_label("Your idea").fill("Ramps at every bus stop")
    phone.get_by_role("button", name="Post idea").tap()
    expect(phone.locator("#ideas > li.idea:not(.pending)")).to_have_count(1)

    phases = ["propose", "cluster", "vote", "pathway", "closed"] if tour else ["vote"]
    for phase in phases:
        console.goto(moderate)
        settled(console)
        set_phase(console, phase)
        phone.goto(phone.url)
        expect(phone.locator("body")).to_have_attribute("data-phase", phase)
        found += violations_in_every_language(phone, f"room, {phase}, {voting_mode}")

    console.goto(moderate)
    found += violations_in_every_language(console, f"console, {voting_mode}")
    if tour:
        workshop = moderate.rstrip("/").removesuffix("/moderate")
        for path, what in [
            ("/screen", "projector"),
            ("/participation", "participation"),
            ("/settings", "settings"),
        ]:
            console.goto(workshop + path)
            found += violations_in_every_language(console, what)
        console.goto(f"{live_server}/workshops/")
        found += violations_in_every_language(console, "workshop list")
        console.goto(f"{live_server}/account/password")
        found += violations_in_every_language(console, "password")
        visitor.goto(join_url.replace("/j/", "/w/") + "/outcome")
        found += violations_in_every_language(visitor, "outcome")
    assert found == [], "\n".join(found)
