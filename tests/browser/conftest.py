"""Browser fixtures: the real server process (eventlet, as in production) and Debian's Chromium.

Playwright's own browsers are never downloaded: the tests drive the system Chromium
through Playwright's sync API (no pytest-playwright plugin).
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import ROOT, free_port, migrate, server_environment

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("COCREATE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 30
#: How long an expect() waits for the page to get there (real sockets, batched events).
EXPECT_TIMEOUT_MS = 15_000


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="module")
def live_server(request, tmp_path_factory):
    """Migrate a fresh SQLite database, run `python wsgi.py` on a free port, yield its URL."""
    workdir = tmp_path_factory.mktemp("server")
    port = free_port()
    env = server_environment(
        DATABASE_URL=f"sqlite:///{workdir / 'cocreate.sqlite'}",
        SECRET_KEY="test-secret",
        PORT=str(port),
        HOST="127.0.0.1",
    )
    migrate(env)

    out_path, err_path = workdir / "server.out", workdir / "server.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        server = subprocess.Popen(
            [sys.executable, "wsgi.py"], cwd=ROOT, env=env, stdout=out, stderr=err
        )
    base_url = f"http://127.0.0.1:{port}"
    failed_before = request.session.testsfailed
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(f"{base_url}/"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"The server did not answer on {base_url} within {START_TIMEOUT_S} s "
                    f"(exit code {server.poll()}).\n--- stdout ---\n{_read(out_path)}"
                    f"\n--- stderr ---\n{_read(err_path)}"
                )
            time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if request.session.testsfailed > failed_before:
            capture = request.config.pluginmanager.getplugin("capturemanager")
            with capture.global_and_fixture_disabled():
                print(f"\n--- server stdout ---\n{_read(out_path)}", flush=True)
                print(f"--- server stderr ---\n{_read(err_path)}", flush=True)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright's sync API."""
    # Imported here so that collecting the other tests needs no Playwright.
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser):
    """Open browser contexts (one per device); every one is closed after the test."""
    contexts = []

    def open_context(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    """The folder for screenshots: test-artifacts/ (gitignored), or docs/img/ for the
    documentation when COCREATE_SCREENSHOTS=docs (`make screenshots`)."""
    folder = (
        ROOT / "docs" / "img" if os.environ.get("COCREATE_SCREENSHOTS") == "docs" else ARTIFACTS
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


#: The organizer every browser test's server is set up with.
ORGANIZER = {"name": "Organizer", "email": "organizer@example.org", "password": "long password 1"}


def signed_in(page, server: str, organizer: dict = ORGANIZER) -> None:
    """Bring a desktop page to the new-workshop form: set the server up on its first run
    (with this organizer), sign in on later ones."""
    import re

    from playwright.sync_api import expect

    page.goto(f"{server}/setup")  # the sign-in page once the account exists
    if page.url.endswith("/setup"):
        page.get_by_label("Your name").fill(organizer["name"])
    page.get_by_label("E-mail").fill(organizer["email"])
    page.get_by_label("Password").fill(organizer["password"])
    page.locator("main form button[type=submit]").click()
    # Set-up leads to the new-workshop form, signing in to the list of workshops.
    expect(page).to_have_url(re.compile(rf"^{re.escape(server)}/workshops/(new)?$"))
    if not page.url.endswith("/new"):
        page.goto(f"{server}/workshops/new")


@pytest.fixture
def sign_in(live_server):
    """signed_in on this test's server: sign_in(page) or sign_in(page, organizer)."""

    def go(page, organizer: dict = ORGANIZER) -> None:
        signed_in(page, live_server, organizer)

    return go


@pytest.fixture
def open_workshop(sign_in, new_context):
    """Create a workshop in a desktop browser (setting the server up on its first run)
    and return (the console's page, the join link)."""
    from playwright.sync_api import expect

    from tests.browser.console_rooms import open_every_room

    def create(
        title: str,
        question: str,
        rooms: str,
        assignment: str | None = None,
        voting_mode: str | None = None,
    ):
        console = new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(console)
        console.get_by_label("Title").fill(title)
        console.get_by_label("Guiding question").fill(question)
        console.get_by_label("Breakout rooms, one per line").fill(rooms)
        if assignment:
            console.get_by_label("How people get into breakout rooms").select_option(assignment)
        if voting_mode:  # the default criteria stay: impact on equality, feasibility
            console.get_by_label("How participants vote").select_option(voting_mode)
        console.get_by_role("button", name="Create the workshop").click()
        expect(console.locator("#status")).to_have_text("Live")
        open_every_room(console)  # where the moderation is (closed by default)
        return console, console.locator("#join-url").get_attribute("href")

    return create
