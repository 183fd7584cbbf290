"""The console shows every room as a tile; a room's detail (its people, ideas, themes,
pathways, scribe) opens on demand. Tests that moderate inside the rooms open them all."""

from playwright.sync_api import Page, expect


def open_every_room(console: Page) -> None:
    """Open the detail of every room on the console, with the mouse (they stay open when
    the rooms are drawn again)."""
    summaries = console.locator("#rooms .room-detail:not([open]) > summary")
    expect(console.locator("#rooms .room-card").first).to_be_visible()
    while summaries.count():
        summaries.first.click()
    expect(console.locator("#rooms .room-detail:not([open])")).to_have_count(0)
