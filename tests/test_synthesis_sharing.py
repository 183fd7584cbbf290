"""Downloads that arrive together share the synthesis's build (cocreate.views.synthesis
shared_build), and no renderer changes the data it is given (so one build can serve
every format)."""

import copy
import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from cocreate.synthesis import (
    build,
    render_csv,
    render_docx,
    render_html,
    render_json,
    render_markdown,
    render_pdf,
)
from cocreate.views import synthesis as downloads
from tests import synthesis_world


@pytest.mark.parametrize("mode", ["dots", "agree", "scores"])
def test_no_renderer_changes_the_data(ctx, world, mode):
    made = synthesis_world.make(world, mode)
    data = build.build(made["id"], generated_at=datetime(2025, 10, 1, 12, 0, tzinfo=UTC))
    before = copy.deepcopy(data)
    for renderer in (render_json, render_csv, render_markdown, render_html, render_pdf):
        renderer.render(data)
    render_docx.render(data)
    assert data == before


def test_downloads_that_arrive_together_share_a_build(monkeypatch):
    builds: list[float] = []  # when each build started

    def slow_build(workshop_id, generated_at):
        builds.append(time.monotonic())
        time.sleep(0.3)
        return {"workshop_id": workshop_id, "built": builds[-1]}

    monkeypatch.setattr(downloads, "build", slow_build)
    no_database = SimpleNamespace(session=SimpleNamespace(rollback=lambda: None))
    monkeypatch.setattr(downloads, "db", no_database)
    gate = threading.Barrier(8)
    results: list[tuple[float, dict]] = []

    def download():
        gate.wait()
        arrived = time.monotonic()
        results.append((arrived, downloads.shared_build(7)))

    threads = [threading.Thread(target=download) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert len(builds) < 8  # shared: eight downloads, fewer builds
    for arrived, data in results:
        # Fresh enough: every download got a build that started after it arrived (a
        # few microseconds of slack between reading the clock here and in the view).
        assert data["built"] >= arrived - 0.01
    assert downloads._built == {} and downloads._waiting == {}  # nothing kept afterwards
