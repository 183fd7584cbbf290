"""The servers under load: Cocreate's `python wsgi.py` processes, or the bare server.

Cocreate starts as tests/test_drills.py starts it (tests.phones.Server on a migrated
database from tests.support), with the per-address limits it has: every setting comes
from the environment of `server_environment`, and the join limit per address
(`JOINS_PER_ADDRESS`, 1,200 a minute) is not an environment setting, so the generator
spreads phones over source addresses in 127.0.0.0/8, a thousand per address.
"""

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
import socketio

from tests.phones import PASSWORD, Server, setup_workshop
from tests.support import ROOT, free_port, migrate, scratch_pg_database, server_environment

REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass
class Target:
    """What the phones load: where to join, and the processes to watch."""

    name: str
    urls: list[str]
    code: str
    servers: list  # tests.phones.Server, or BareServer
    workshop_id: int | None = None
    logs: list[Path] = field(default_factory=list)

    def pids(self) -> list[int]:
        return [s.process.pid for s in self.servers if s.process and s.process.poll() is None]


@contextlib.contextmanager
def cocreate(
    processes: int, postgres: bool, rooms: int, settings: dict[str, str]
) -> Iterator[Target]:
    """A migrated database, a dots workshop with `rooms` open breakout rooms (random
    assignment), and its server processes (Redis between them when there are two)."""
    from cocreate import create_app
    from cocreate.extensions import db

    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cocreate-load-")))
        if postgres:
            url = stack.enter_context(scratch_pg_database(f"cocreate_load_{uuid.uuid4().hex[:6]}"))
        else:
            url = f"sqlite:///{folder}/load.sqlite"
        env_settings = {"DATABASE_URL": url, "SECRET_KEY": "load", **settings}
        if processes > 1:
            env_settings["SOCKETIO_MESSAGE_QUEUE"] = REDIS_URL
            env_settings["SOCKETIO_CHANNEL"] = f"cocreate-load-{uuid.uuid4()}"
        env = server_environment(**env_settings)
        migrate(env)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load"})
        workshop = setup_workshop(app, rooms, budget=5)
        with app.app_context():
            db.engine.dispose()
        servers = [Server(env, folder, f"server{n}") for n in range(processes)]
        try:
            for server in servers:
                server.start()
            yield Target(
                name="Cocreate",
                urls=[s.url for s in servers],
                code=workshop["code"],
                servers=servers,
                workshop_id=workshop["id"],
                logs=[s.log_path for s in servers],
            )
        finally:
            for server in servers:
                server.stop()
            for server in servers:
                keep = Path(tempfile.gettempdir()) / f"cocreate-load-{server.log_path.name}"
                if server.log_path.exists():
                    keep.write_text(server.log_path.read_text())


def set_phases(base: str, workshop_id: int, phases: dict[int, str]) -> None:
    """Sign in as the workshop's owner and set each room's phase from the console's socket."""
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    http.post(
        f"{base}/login",
        data={"csrf_token": token, "email": "drill@example.org", "password": PASSWORD},
        timeout=30,
    )
    console = socketio.Client(http_session=http, reconnection=False)
    console.connect(
        base,
        namespaces=["/moderator"],
        auth={"workshop": workshop_id},
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        for room_id, phase in phases.items():
            command = {"id": str(uuid.uuid4()), "phase": phase, "room_id": room_id}
            ack = console.call("set_phase", command, namespace="/moderator", timeout=30)
            while not ack["ok"] and ack["error"]["code"] == "rate_limited":  # > 20 rooms
                time.sleep(ack["error"]["retry_after"])
                ack = console.call("set_phase", command, namespace="/moderator", timeout=30)
            assert ack["ok"], ack
    finally:
        console.disconnect()
        http.close()


class BareServer:
    """bench/bare_server.py in a process of its own: python-socketio with no app, in the
    async mode Cocreate's server runs in (`async_mode`; "" for wsgi.py's default)."""

    def __init__(self, rooms: int, batch: float, logs: Path, async_mode: str = ""):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.rooms = rooms
        self.batch = batch
        self.log_path = logs / f"bare-{batch}.log"
        self.async_mode = async_mode
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "bench" / "bare_server.py"),
                    "--port",
                    str(self.port),
                    "--rooms",
                    str(self.rooms),
                    "--batch",
                    str(self.batch),
                ],
                cwd=ROOT,
                env=server_environment(
                    **({"SOCKETIO_ASYNC_MODE": self.async_mode} if self.async_mode else {})
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the bare server exited:\n{self.log_path.read_text()[-2000:]}")
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(self.url + "/", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError("the bare server did not answer")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class DatabaseUsage:
    """CPU seconds of this machine's PostgreSQL processes between two moments: the server
    and its backends, one per connection (a backend that ends meanwhile is not counted)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.cpu0 = self._cpu()

    @staticmethod
    def _cpu() -> dict[int, float]:
        seconds = {}
        for process in psutil.process_iter(["name", "cpu_times"]):
            if process.info["name"] == "postgres" and process.info["cpu_times"] is not None:
                times = process.info["cpu_times"]
                seconds[process.pid] = times.user + times.system
        return seconds

    def finish(self) -> float:
        """PostgreSQL's CPU over the span, in % of one core."""
        wall = time.perf_counter() - self.started
        now = self._cpu()
        used = sum(cpu - self.cpu0.get(pid, 0.0) for pid, cpu in now.items())
        return 100 * used / wall


@contextlib.contextmanager
def bare(rooms: int, batch: float, async_mode: str = "") -> Iterator[Target]:
    with tempfile.TemporaryDirectory(prefix="cocreate-bare-") as folder:
        server = BareServer(rooms, batch, Path(folder), async_mode)
        try:
            server.start()
            name = "bare python-socketio" + (f", batched {batch:g} s" if batch else "")
            yield Target(name=name, urls=[server.url], code="BARE", servers=[server])
        finally:
            server.stop()


class Usage:
    """CPU seconds and memory of processes between two moments (psutil), and of each
    one's main thread: a server's event loop runs there, and its CPU beside the process's
    tells the loop from the theme engine's threads."""

    def __init__(self, pids: list[int]):
        self.processes = [psutil.Process(pid) for pid in pids]
        self.started = time.perf_counter()
        self.cpu0 = [self._cpu(p) for p in self.processes]
        self.main0 = [self._main_thread_cpu(p) for p in self.processes]
        self.peak_rss = [0] * len(self.processes)

    @staticmethod
    def _cpu(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    @staticmethod
    def _main_thread_cpu(process: psutil.Process) -> float:
        """CPU seconds of the process's main thread (whose id is the process's)."""
        with contextlib.suppress(psutil.Error):
            for thread in process.threads():
                if thread.id == process.pid:
                    return thread.user_time + thread.system_time
        return 0.0

    def sample(self) -> None:
        """Note the memory now (called every second; the peak is reported)."""
        for n, process in enumerate(self.processes):
            with contextlib.suppress(psutil.Error):
                self.peak_rss[n] = max(self.peak_rss[n], process.memory_info().rss)

    def finish(self) -> dict:
        """CPU as % of one core per process over the span, and RSS now and at peak (MB)."""
        self.sample()
        wall = time.perf_counter() - self.started
        cpu = [
            100 * (self._cpu(p) - c0) / wall
            for p, c0 in zip(self.processes, self.cpu0, strict=True)
        ]
        main_thread = [
            100 * (self._main_thread_cpu(p) - c0) / wall
            for p, c0 in zip(self.processes, self.main0, strict=True)
        ]
        rss = [p.memory_info().rss / 2**20 for p in self.processes]
        return {
            "cpu_pct": cpu,
            "main_thread_cpu_pct": main_thread,
            "rss_mb": rss,
            "peak_rss_mb": [r / 2**20 for r in self.peak_rss],
        }


class Pinning:
    """A core for each server's event loop alone (Linux CPU affinity), to show what a
    machine with one would give: each server's main thread, where its loop runs, on a
    core of its own from the last one down; everything else the run puts on this machine
    (the generator, the servers' other threads such as the theme engine's, PostgreSQL
    and Redis) on the cores left. New threads and PostgreSQL's backends take their
    parent's cores, so the pinning is applied again every half second while it holds;
    `release` gives every process it touched all the cores back."""

    SHARED = ("postgres", "redis-server")

    def __init__(self, pids: list[int]):
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) <= len(pids):
            raise SystemExit(
                f"--pin-loop needs more cores than server processes ({len(cores)} for {len(pids)})"
            )
        self.all = set(cores)
        self.loops = {pid: {cores[-1 - n]} for n, pid in enumerate(pids)}
        self.rest = set(cores[: len(cores) - len(pids)])
        self.touched: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def __enter__(self) -> "Pinning":
        self.apply()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.release()

    def _hold(self) -> None:
        while not self._stop.wait(0.5):
            self.apply()

    def _pin(self, pid: int, main: set[int], others: set[int]) -> None:
        with contextlib.suppress(OSError):
            for tid in os.listdir(f"/proc/{pid}/task"):
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(int(tid), main if int(tid) == pid else others)
            self.touched.add(pid)

    def _shared(self) -> list[int]:
        found = []
        for process in psutil.process_iter(["name"]):
            if process.info["name"] in self.SHARED:
                found.append(process.pid)
        return found

    def apply(self) -> None:
        for pid, core in self.loops.items():
            self._pin(pid, core, self.rest)
        self._pin(os.getpid(), self.rest, self.rest)
        for pid in self._shared():
            self._pin(pid, self.rest, self.rest)

    def release(self) -> None:
        # PostgreSQL backends started since the last apply took its pinned cores too.
        self.touched.update(self._shared())
        for pid in self.touched:
            self._pin(pid, self.all, self.all)

    def describe(self) -> str:
        loops = ", ".join(str(min(c)) for c in self.loops.values())
        rest = ", ".join(str(c) for c in sorted(self.rest))
        return f"server event loop on core {loops}; everything else on core {rest}"
