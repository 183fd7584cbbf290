"""Making the synthesis documents without slowing the live rooms.

A download is a build (cocreate.synthesis.build: the workshop's data from the database,
about 0.65 s for 5,000 ideas and 100,000 votes) and a render (0.1 s for CSV up to 1 s
for DOCX). When both ran in the server's own process -- the build on the server's loop,
the render in a thread of its pool -- they took Python's GIL in turns with the loop, and
a dozen downloads at once made the phones' votes wait up to a second for their answer
(tests/test_synthesis_server.py: ack p95 0.9-1.1 s, against 65-300 ms before).

So a server makes its documents in a *document process* of its own
(cocreate/synthesis/worker.py): a child Python process that reads the database itself
and renders, at a lower priority (nice 10) so that on a machine with few cores the live
rooms come first. The server only writes one line to the child's pipe and reads the
documents back; under gevent or eventlet the pipe is green, so the wait costs the loop
nothing. The child is started when an organizer opens the page with the download links
(`warm`) or at the first download, and leaves after SYNTHESIS_PROCESS_IDLE seconds
without work, taking its memory (the renderers' libraries and fonts) with it.

Downloads that arrive together share a job: one build serves every format asked for
while the job waited, and each download is answered as soon as its own format is
rendered (the quickest formats first). A job that started before a download arrived
does not serve it (the job may miss what was committed since): that download waits for
the next job, which starts after it arrived. Jobs run one at a time per server process.

With SYNTHESIS_PROCESS off (the tests' default; forced for an in-memory SQLite database,
which another process cannot see) the same jobs run in this process: the build where the
job runs (on the loop, under gevent or eventlet) and the rendering through
workers.off_loop.
"""

import contextlib
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field

from flask import Flask

from cocreate.extensions import db
from cocreate.models._time import utcnow
from cocreate.synthesis import formats
from cocreate.synthesis.build import build
from cocreate.workers import off_loop

#: The settings the document process must not take over from the server: it sends no
#: socket events, runs no background work, and starts no document process of its own.
CHILD_SETTINGS = {
    "SOCKETIO_ASYNC_MODE": "threading",
    "SOCKETIO_MESSAGE_QUEUE": None,
    "SUGGESTIONS_PREEMBED": False,
    "RATELIMIT_ENABLED": False,
    "SYNTHESIS_PROCESS": False,
}


class DocumentUnavailable(RuntimeError):
    """A document could not be made: the document process failed or took too long."""


@dataclass(eq=False)
class Job:
    """One build of one workshop's synthesis, and the documents made from it."""

    workshop_id: int
    #: format -> set once its document (or the job's failure) is there
    ready: dict[str, threading.Event] = field(default_factory=dict)
    bodies: dict[str, bytes] = field(default_factory=dict)
    error: Exception | None = None

    def formats(self) -> list[str]:
        """The formats asked for, quickest first."""
        return [fmt for fmt in formats.QUICKEST_FIRST if fmt in self.ready]

    def done(self, fmt: str, body: bytes) -> None:
        """Hand one document to the downloads waiting for it."""
        self.bodies[fmt] = body
        self.ready[fmt].set()


class DocumentMaker:
    """Makes one server process's synthesis documents, a job at a time (module docstring)."""

    def __init__(self, app: Flask):
        self.app = app
        self._state = threading.Lock()  # guards everything below
        self._queued: dict[int, Job] = {}  # workshop id -> its next job, oldest first
        self._driving = False
        self._child: Child | None = None

    def in_process(self) -> bool:
        """Whether documents are made in a document process (else in this one)."""
        url = str(self.app.config["SQLALCHEMY_DATABASE_URI"])
        in_memory = url in ("sqlite://", "sqlite:///") or ":memory:" in url
        return bool(self.app.config["SYNTHESIS_PROCESS"]) and not in_memory

    def make(self, workshop_id: int, fmt: str) -> bytes:
        """The synthesis of a workshop as a document of one format.

        Raises DocumentUnavailable when it cannot be made, and the builder's domain
        errors (NotFound for a workshop that is gone).
        """
        with self._state:
            job = self._queued.get(workshop_id)
            if job is None:
                job = self._queued[workshop_id] = Job(workshop_id)
            ready = job.ready.setdefault(fmt, threading.Event())
            if not self._driving:
                self._driving = True
                threading.Thread(target=self._drive, name="synthesis-jobs", daemon=True).start()
        # Past the job's own limit (Child.run) only if the jobs before it took long.
        if not ready.wait(self.app.config["SYNTHESIS_TIMEOUT"] * 3):
            raise DocumentUnavailable("no document process answered in time")
        if fmt in job.bodies:
            return job.bodies[fmt]
        raise job.error or DocumentUnavailable("the document was not made")

    def warm(self) -> None:
        """Start the document process now, so that the first download does not wait for
        it to load its libraries; does nothing when it runs or jobs are under way."""
        if not self.in_process():
            return
        with self._state:
            if not self._driving:
                self._fresh_child()

    def close(self) -> None:
        """Stop the document process (it would leave by itself when idle or orphaned)."""
        with self._state:
            child, self._child = self._child, None
        if child is not None:
            child.stop()

    # ---- the jobs ------------------------------------------------------------------------

    def _drive(self) -> None:
        """Run the queued jobs one after the other, oldest first; stop when none is left."""
        while True:
            with self._state:
                if not self._queued:
                    self._driving = False
                    return
                job = self._queued.pop(next(iter(self._queued)))
            try:
                if self.in_process():
                    self._run_in_child(job)
                else:
                    self._run_here(job)
            except Exception as error:  # handed to the downloads that wait for it
                job.error = error
            finally:
                for event in job.ready.values():
                    event.set()

    def _run_here(self, job: Job) -> None:
        """Build and render in this process (SYNTHESIS_PROCESS off)."""
        with self.app.app_context():
            try:
                data = build(job.workshop_id, generated_at=utcnow())
            finally:
                db.session.remove()
            for fmt in job.formats():
                job.done(fmt, off_loop(self._render_here, data, fmt))

    def _render_here(self, data: dict, fmt: str) -> bytes:
        with self.app.app_context():
            return formats.render(data, fmt)

    def _fresh_child(self) -> "Child":
        """The running document process; a new one if there is none (or it has left)."""
        if self._child is not None and not self._child.alive():
            self._child.stop()  # collect it and close its pipes
            self._child = None
        if self._child is None:
            self._child = Child(self.app)
        return self._child

    def _run_in_child(self, job: Job) -> None:
        """Have the document process make the job's documents; start it (again) if it is
        not running. A process that dies on the way (it may have just left for being
        idle) is replaced once; one that took too long is not tried again."""
        for attempt in (1, 2):
            with self._state:
                child = self._fresh_child()
            try:
                child.run(job, [fmt for fmt in job.formats() if fmt not in job.bodies])
                return
            except ChildGone:
                child.stop()
                with self._state:
                    if self._child is child:
                        self._child = None
                if child.timed_out or attempt == 2:
                    raise DocumentUnavailable("the document process stopped") from None


class ChildGone(Exception):
    """The document process closed its pipe before the job was done."""


class Child:
    """The document process, seen from the server: a pipe in, a pipe out.

    The protocol is private to this module and worker.py: the server writes the settings
    as one JSON line, then one JSON line per job, {"workshop": id, "formats": [...]};
    the child writes {"ready": true} once it has loaded, then per job, for each format
    in order, either {"format": f, "size": n} followed by n bytes, or {"error": {...}}
    for the whole job, and at the end {"done": true}.
    """

    def __init__(self, app: Flask):
        self.timeout = app.config["SYNTHESIS_TIMEOUT"]
        self.timed_out = False
        self.loaded = False
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cocreate.synthesis.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        # Through the pipe, not the command line or the environment: the secret key and
        # the database's password stay out of the process list.
        self._send({**_serializable(app.config), **CHILD_SETTINGS})

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, job: Job, wanted: list[str]) -> None:
        """Make the documents of `wanted` for the job, handing each to it as it comes.

        Raises ChildGone when the process ends (or is stopped for taking longer than
        SYNTHESIS_TIMEOUT) before the job is done, and the builder's domain errors.
        """
        deadline = threading.Timer(self.timeout, self._too_slow)
        deadline.start()
        try:
            if not self.loaded:
                if self._line() != {"ready": True}:
                    raise ChildGone()
                self.loaded = True
            self._send({"workshop": job.workshop_id, "formats": wanted})
            error = None
            while (reply := self._line()) != {"done": True}:
                if "error" in reply:
                    error = _error(reply["error"])
                else:
                    job.done(reply["format"], self._exactly(reply["size"]))
            if error is not None:
                raise error
        finally:
            deadline.cancel()

    def stop(self) -> None:
        """End the process and collect it."""
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
        if self.alive():
            self.process.kill()
        self.process.wait()

    def _too_slow(self) -> None:
        self.timed_out = True
        self.process.kill()

    def _send(self, message: dict) -> None:
        try:
            self.process.stdin.write(json.dumps(message).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):  # ValueError: the pipe is closed
            raise ChildGone() from None

    def _line(self) -> dict:
        try:
            line = self.process.stdout.readline()
        except (ValueError, OSError):
            raise ChildGone() from None
        if not line:
            raise ChildGone()
        return json.loads(line)

    def _exactly(self, size: int) -> bytes:
        chunks, left = [], size
        while left:
            try:
                chunk = self.process.stdout.read(left)
            except (ValueError, OSError):
                raise ChildGone() from None
            if not chunk:
                raise ChildGone()
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


def _serializable(config) -> dict:
    """The settings that can travel as JSON (callables, dates and the like stay here)."""
    kept = {}
    for key, value in config.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        kept[key] = value
    return kept


def _error(error: dict) -> Exception:
    """The exception the document process reported, as this process raises it."""
    from cocreate.services import errors

    kinds = {"not_found": errors.NotFound, "not_allowed": errors.NotAllowed}
    if error.get("code") in kinds:
        return kinds[error["code"]](error.get("message", ""))
    return DocumentUnavailable(error.get("message") or "the document could not be made")


_lock = threading.Lock()


def maker_for(app: Flask) -> DocumentMaker:
    """The app's document maker, made on first use."""
    with _lock:
        if "cocreate.synthesis" not in app.extensions:
            app.extensions["cocreate.synthesis"] = DocumentMaker(app)
        return app.extensions["cocreate.synthesis"]
