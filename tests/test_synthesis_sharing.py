"""Downloads that arrive together share the synthesis's build (cocreate.synthesis.maker),
and no renderer changes the data it is given (so one build can serve every format)."""

import copy
import json
import threading
import time
from datetime import UTC, datetime

import pytest

from cocreate.synthesis import (
    build,
    formats,
    maker,
    render_csv,
    render_docx,
    render_html,
    render_json,
    render_markdown,
    render_pdf,
)
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


def test_downloads_that_arrive_together_share_a_build(app, monkeypatch):
    builds: list[float] = []  # when each build started

    def slow_build(workshop_id, generated_at):
        builds.append(time.monotonic())
        time.sleep(0.3)
        return {"workshop_id": workshop_id, "built": builds[-1]}

    def render(data, fmt):
        return json.dumps({**data, "format": fmt}).encode()

    monkeypatch.setattr(maker, "build", slow_build)
    monkeypatch.setattr(formats, "render", render)
    documents = maker.DocumentMaker(app)
    assert not documents.in_process()  # the tests' settings: made in this process
    gate = threading.Barrier(8)
    results: list[tuple[float, str, dict]] = []

    def download(fmt):
        gate.wait()
        arrived = time.monotonic()
        results.append((arrived, fmt, json.loads(documents.make(7, fmt))))

    asked = ["pdf", "csv", "docx", "json", "md", "html", "pdf", "csv"]
    threads = [threading.Thread(target=download, args=(fmt,)) for fmt in asked]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert len(builds) < 8  # shared: eight downloads, fewer builds
    for arrived, fmt, data in results:
        assert data["format"] == fmt and data["workshop_id"] == 7
        # Fresh enough: every download got a build that started after it arrived (a
        # few microseconds of slack between reading the clock here and in the maker).
        assert data["built"] >= arrived - 0.01
    assert documents._queued == {} and not documents._driving  # nothing kept afterwards


def test_a_failed_build_answers_every_download_that_waited_for_it(app, monkeypatch):
    from cocreate.services.errors import NotFound

    def gone(workshop_id, generated_at):
        time.sleep(0.1)
        raise NotFound("That workshop does not exist.")

    monkeypatch.setattr(maker, "build", gone)
    documents = maker.DocumentMaker(app)
    errors: list[Exception] = []

    def download(fmt):
        try:
            documents.make(3, fmt)
        except NotFound as error:
            errors.append(error)

    threads = [threading.Thread(target=download, args=(fmt,)) for fmt in ("csv", "pdf", "md")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 3
    # The next download is a new job, and works once the build does.
    monkeypatch.setattr(maker, "build", lambda workshop_id, generated_at: {"id": workshop_id})
    monkeypatch.setattr(formats, "render", lambda data, fmt: b"ok")
    assert documents.make(3, "csv") == b"ok"
