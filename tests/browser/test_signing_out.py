"""Signing out in one tab ends the console open in another, and the console says why."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_console_open_when_its_account_signs_out_stops_and_says_why(open_workshop):
    console, _join_url = open_workshop("Sign-out", "Does it end?", "Room: one")
    other_tab = console.context.new_page()
    other_tab.goto(console.url)
    other_tab.get_by_role("button", name="Sign out").click()
    # The server closes the console within a second and refuses it when it asks again.
    expect(console.locator("#status")).to_have_text(
        "Sign in with an account that runs this workshop.", timeout=10_000
    )
    console.reload()
    expect(console).to_have_url(re.compile(r"/login"))
