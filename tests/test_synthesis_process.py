"""The document process (cocreate/synthesis/maker.py, worker.py): a real child process
makes the same documents as the server would, answers a download as soon as its format
is ready, reports a missing workshop as such, is replaced when it dies or leaves for
being idle, and is stopped when it takes too long."""

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cocreate.extensions import db
from cocreate.services.errors import NotFound
from cocreate.synthesis import formats
from cocreate.synthesis.build import build
from cocreate.synthesis.maker import DocumentMaker, DocumentUnavailable
from tests import synthesis_world
from tests.support import wait_until

PASSWORD = "correct horse battery"


@pytest.fixture
def documents(app):
    """The app's documents made in a child process, stopped after the test."""
    app.config["SYNTHESIS_PROCESS"] = True
    made = DocumentMaker(app)
    app.extensions["cocreate.synthesis"] = made
    yield made
    made.close()


@pytest.fixture
def sample(app, world):
    with app.app_context():
        made = synthesis_world.make(world, "agree")
        db.session.remove()
    return made


def without_time(document: bytes) -> dict:
    data = json.loads(document)
    data.pop("generated_at")
    return data


def test_the_process_makes_what_the_server_would(app, documents, sample):
    asked = list(formats.FORMATS)
    bodies: dict[str, bytes] = {}

    def download(fmt):
        bodies[fmt] = documents.make(sample["id"], fmt)

    threads = [threading.Thread(target=download, args=(fmt,)) for fmt in asked]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    child = documents._child
    assert child is not None and child.alive() and child.process.pid != os.getpid()

    with app.app_context():
        data = build(sample["id"], generated_at=datetime(2025, 10, 1, tzinfo=UTC))
        here = {fmt: formats.render(data, fmt) for fmt in asked}
        db.session.remove()
    assert without_time(bodies["json"]) == without_time(here["json"])
    assert bodies["csv"] == here["csv"]  # the CSV carries no time
    assert bodies["pdf"].startswith(b"%PDF-") and bodies["docx"].startswith(b"PK")
    for fmt in ("md", "html"):
        assert len(bodies[fmt].splitlines()) == len(here[fmt].splitlines())


def test_a_missing_workshop_is_not_found(documents):
    with pytest.raises(NotFound):
        documents.make(987654, "csv")
    assert documents._child.alive()  # and the process carries on


def test_a_dead_process_is_replaced(documents, sample):
    assert documents.make(sample["id"], "csv")
    first = documents._child.process.pid
    os.kill(first, signal.SIGKILL)
    documents._child.process.wait()
    assert documents.make(sample["id"], "csv")
    assert documents._child.process.pid != first


def test_an_idle_process_leaves_and_comes_back(app, documents, sample):
    app.config["SYNTHESIS_PROCESS_IDLE"] = 1
    assert documents.make(sample["id"], "md")
    first = documents._child
    wait_until(lambda: not first.alive(), "the idle document process to leave", 20)
    assert documents.make(sample["id"], "md")
    assert documents._child is not first and documents._child.alive()


def test_a_process_that_takes_too_long_is_stopped(app, documents, sample):
    app.config["SYNTHESIS_TIMEOUT"] = 0.05  # not even time to load its libraries
    with pytest.raises(DocumentUnavailable):
        documents.make(sample["id"], "pdf")
    app.config["SYNTHESIS_TIMEOUT"] = 120
    assert documents.make(sample["id"], "pdf").startswith(b"%PDF-")


def test_the_download_page_starts_the_process_and_downloads_use_it(app, documents, world):
    with app.app_context():
        owner = world.user("owner@example.org")
        workshop = world.workshop(user_id=owner)
        db.session.remove()
    client = app.test_client()
    client.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    assert documents._child is None
    assert client.get(f"/workshops/{workshop['id']}/settings").status_code == 200
    child = documents._child
    assert child is not None and child.alive()  # warming up while the organizer reads
    answer = client.get(f"/workshops/{workshop['id']}/synthesis.json")
    assert answer.status_code == 200 and answer.json["workshop"]["title"] == "Pathways"
    assert documents._child is child


def test_a_failed_document_is_a_503_with_a_message(app, documents, world):
    with app.app_context():
        owner = world.user("owner@example.org")
        workshop = world.workshop(user_id=owner)
        db.session.remove()
    client = app.test_client()
    client.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    app.config["SYNTHESIS_TIMEOUT"] = 0.05
    answer = client.get(f"/workshops/{workshop['id']}/synthesis.pdf")
    assert answer.status_code == 503
    assert "could not be made" in answer.get_data(as_text=True)


def test_the_server_starts_without_the_document_libraries(tmp_path):
    """The PDF and DOCX libraries are imported when a document is first made, not at the
    start that every phone waits out after a restart."""
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, wsgi; print(sorted({'fpdf', 'docx'} & set(sys.modules)))",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env={
            **os.environ,
            "SOCKETIO_ASYNC_MODE": "threading",
            "DATABASE_URL": f"sqlite:///{tmp_path}/start.sqlite",
            "SECRET_KEY": "start",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "[]"
    assert all(callable(formats.renderer(fmt).render) for fmt in formats.FORMATS)
    with pytest.raises(KeyError):
        formats.renderer("exe")
