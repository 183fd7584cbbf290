"""The start-up paths people use: the Procfile's web line and production settings."""

import subprocess
import sys
import time

import requests

from tests.support import ROOT, free_port, migrate, server_environment


def procfile(kind: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == kind:
            return command.strip()
    raise AssertionError(f"no {kind}: line in the Procfile")


def environment(tmp_path, **extra: str) -> dict:
    """A clean environment on a scratch SQLite database."""
    return server_environment(DATABASE_URL=f"sqlite:///{tmp_path}/procfile.sqlite", **extra)


def test_the_procfile_release_and_web_lines_serve_the_app(tmp_path):
    port = free_port()
    env = environment(tmp_path, PORT=str(port), SECRET_KEY="procfile-test")
    subprocess.run(
        ["bash", "-c", procfile("release")], cwd=ROOT, env=env, check=True, capture_output=True
    )
    with subprocess.Popen(
        ["bash", "-c", f"exec {procfile('web')}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            deadline = time.monotonic() + 30
            answer = None
            while time.monotonic() < deadline and answer is None:
                try:
                    answer = requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                except requests.ConnectionError:
                    assert server.poll() is None, server.stdout.read()
                    time.sleep(0.1)
        finally:
            server.terminate()
    assert answer is not None and answer.status_code == 200
    assert "Join a workshop" in answer.text
    assert "Secure" in answer.headers["Set-Cookie"]  # the web line runs in production mode


def test_production_without_a_secret_stops_with_a_message(tmp_path):
    env = environment(tmp_path, PORT=str(free_port()), COCREATE_ENV="production")
    result = subprocess.run(
        [sys.executable, "wsgi.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_wsgi_prints_what_a_first_time_user_needs(tmp_path):
    port = free_port()
    env = environment(tmp_path, PORT=str(port), SECRET_KEY="x")
    migrate(env)
    with subprocess.Popen(
        [sys.executable, "wsgi.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as server:
        try:
            first, second = server.stdout.readline(), server.stdout.readline()
        finally:
            server.terminate()
    assert f"http://127.0.0.1:{port}" in first
    assert f"http://127.0.0.1:{port}/setup" in second
