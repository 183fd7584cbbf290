"""Benchmark: how long `python wsgi.py` takes from its start to its first answer.

After a restart every phone waits out the server's start before its reconnection can
succeed (the --restart target of bench/plenary.py: every phone back within 10 s), and
socket.io's back-off makes a late start cost more than itself. This starts the server
--runs times on a fresh, migrated SQLite database (default async mode, 127.0.0.1 only)
and prints each time until `GET /` answered, in seconds.

    .venv/bin/python bench/start.py --runs 5
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere

from tests.support import free_port, migrate, server_environment  # noqa: E402


def one_start(env: dict[str, str], url: str) -> float:
    """Seconds from starting the server to its first answer (it is stopped after)."""
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "wsgi.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError("the server exited before answering")
            try:
                requests.get(url, timeout=5)
                return time.perf_counter() - started
            except requests.ConnectionError:
                time.sleep(0.01)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cocreate-start-") as folder:
        port = free_port()
        env = server_environment(
            DATABASE_URL=f"sqlite:///{folder}/start.sqlite", SECRET_KEY="start", PORT=str(port)
        )
        migrate(env)
        times = [one_start(env, f"http://127.0.0.1:{port}/") for _ in range(args.runs)]
    each = ", ".join(f"{t:.2f}" for t in times)
    print(f"python wsgi.py answered after {sorted(times)[len(times) // 2]:.2f} s (median; {each})")


if __name__ == "__main__":
    main()
