"""Benchmark: Lighthouse 12 at its mobile settings on the pages a phone and a projector load:
join, room, projector and outcome. Prints each page's performance, accessibility and
best-practices scores (targets 100 / 100 / 100) and the bytes it transferred (target under
100 KB for the room page).

Starts `python wsgi.py` (eventlet, as in production) on a fresh SQLite database, sets up
an organizer and a workshop with one breakout room open, and joins one phone through a
headless Chromium (Playwright), so that the room and the projector are seen by someone
allowed to see them: Lighthouse gets that person's cookies. Lighthouse comes from npm
(`package.json`), and runs Debian's Chromium (CHROME_PATH, headless, --no-sandbox).

    make bench-pages
    .venv/bin/python bench/pages.py --pages room outcome --json test-artifacts/lighthouse
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from tests.support import ROOT, free_port, migrate, server_environment, wait_until

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ["performance", "accessibility", "best-practices"]
ORGANIZER = {"name": "Bench", "email": "bench@example.org", "password": "bench password 1"}


def start_server(workdir: Path) -> tuple[subprocess.Popen, str]:
    """Migrate a fresh database and serve it with `python wsgi.py`; return (process, URL)."""
    port = free_port()
    env = server_environment(
        DATABASE_URL=f"sqlite:///{workdir / 'cocreate.sqlite'}",
        SECRET_KEY="bench-secret",
        PORT=str(port),
        HOST="127.0.0.1",
    )
    migrate(env)
    server = subprocess.Popen(
        [sys.executable, "wsgi.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "server.err", "w"),  # noqa: SIM115 (closed with the process)
    )
    base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return requests.get(base, timeout=2).ok
        except requests.ConnectionError:
            return False

    wait_until(answers, "the server", timeout=30)
    return server, base


def set_up_workshop(base: str) -> dict[str, tuple[str, str]]:
    """Create the organizer, a workshop with its breakout room open and a phone in it;
    return each page's (address, Cookie header of who looks at it)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        desk = browser.new_page()
        desk.goto(f"{base}/setup")
        desk.get_by_label("Your name").fill(ORGANIZER["name"])
        desk.get_by_label("E-mail").fill(ORGANIZER["email"])
        desk.get_by_label("Password").fill(ORGANIZER["password"])
        desk.get_by_role("button", name="Create the account").click()
        desk.get_by_label("Title").fill("Local pathways toward equality")
        desk.get_by_label("Guiding question").fill("How can everyone get around the city?")
        desk.get_by_label("Breakout rooms, one per line").fill("Mobility: buses and ramps")
        desk.get_by_label("How people get into breakout rooms").select_option("random")
        desk.get_by_role("button", name="Create the workshop").click()
        expect(desk.locator("#status")).to_have_text("Live")
        join_url = desk.locator("#join-url").get_attribute("href")
        desk.get_by_role("button", name="Open breakout rooms").click()
        expect(desk.get_by_role("button", name="Open breakout rooms")).to_be_disabled()
        workshop = desk.url.rstrip("/").removesuffix("/moderate")

        phone = browser.new_page()
        phone.goto(join_url)
        phone.get_by_label("Your name").fill("Amina")
        phone.get_by_role("button", name="Join the workshop").click()
        phone.get_by_label("Your idea").fill("Ramps at every bus stop")
        phone.get_by_role("button", name="Post idea").click()
        expect(phone.locator("#ideas > li.idea:not(.pending)")).to_have_count(1)
        room_url = phone.url

        def cookie(page) -> str:
            return "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())

        pages = {
            "join": (join_url, ""),
            "room": (room_url, cookie(phone)),
            "projector": (f"{workshop}/screen", cookie(desk)),
            "outcome": (f"{room_url}/outcome", ""),
        }
        browser.close()
    return pages


def lighthouse(url: str, cookie: str, output: Path | None) -> dict:
    """Run Lighthouse at its mobile defaults on one page; return its report."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        "--output-path=stdout",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    done = subprocess.run(
        command,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(done.stdout)
    if output:
        output.write_text(done.stdout)
    return report


def main() -> None:
    """Parse the options, measure each page, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="+", default=["join", "room", "projector", "outcome"])
    parser.add_argument("--json", type=Path, help="a folder for each page's whole report")
    options = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: run `npm ci` (make bench-pages does)")
    if options.json:
        options.json.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as workdir:
        server, base = start_server(Path(workdir))
        try:
            pages = set_up_workshop(base)
            print(f"{'page':<10} {'perf':>5} {'a11y':>5} {'best':>5} {'bytes':>9}  failing audits")
            for name in options.pages:
                url, cookie = pages[name]
                started = time.monotonic()
                report = lighthouse(url, cookie, options.json and options.json / f"{name}.json")
                scores = [round(100 * report["categories"][c]["score"]) for c in CATEGORIES]
                weight = int(report["audits"]["total-byte-weight"]["numericValue"])
                failing = sorted(
                    audit_id
                    for category in CATEGORIES
                    for ref in report["categories"][category]["auditRefs"]
                    if ref["weight"] > 0
                    and (audit_id := ref["id"])
                    and (score := report["audits"][audit_id]["score"]) is not None
                    and score < 1
                )
                print(
                    f"{name:<10} {scores[0]:>5} {scores[1]:>5} {scores[2]:>5} {weight:>9,}  "
                    f"{' '.join(failing) or '-'}  ({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
