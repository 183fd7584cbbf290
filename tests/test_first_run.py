"""A first run as the README tells it: `make run` starts quietly and names the README's
commands, the organizer who set up gets the demo of `make seed` with its votes, and the
command asks rather than guesses when the owner is not clear."""

import re
import subprocess
import sys
import threading

import pytest

from cocreate import commands
from cocreate.demo import TITLE
from cocreate.services import accounts, snapshots
from tests.support import ROOT, free_port, migrate, server_environment

PASSWORD = "correct horse battery"


def seed(app, *args: str, **options):
    """Run `flask seed-demo` with these arguments; return click's result."""
    return app.test_cli_runner().invoke(args=["seed-demo", *args], **options)


def signed_in(app, email: str):
    """A browser signed in as this account."""
    browser = app.test_client()
    answer = browser.post("/login", data={"email": email, "password": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return browser


def test_the_organizer_who_set_up_gets_the_demo_with_its_votes(app):
    setup = app.test_client().post(
        "/setup", data={"email": "Ana@Example.org", "name": "Ana", "password": PASSWORD}
    )
    assert setup.status_code == 302
    result = seed(app)
    assert result.exit_code == 0, result.output
    assert (
        f"The demo workshop '{TITLE}' belongs to ana@example.org: "
        "sign in at http://cocreate.test/login"
    ) in result.output
    assert "password" not in result.output  # no account was made

    page = signed_in(app, "ana@example.org").get("/workshops/").get_data(as_text=True)
    assert TITLE in page and "No workshops yet" not in page
    with app.app_context():
        assert accounts.user_by_email("demo@example.org") is None
        owner = accounts.user_by_email("ana@example.org")
        workshop_id = int(re.search(r"/workshops/(\d+)/moderate", page).group(1))
        rooms = snapshots.moderator_snapshot(owner.id, workshop_id)["rooms"]
    for room in [room for room in rooms if room["kind"] == "breakout"]:
        assert room["results_hidden"] is False
        tallies = [idea["tally"] for idea in room["ideas"]]
        assert sum(t["agree"] + t["disagree"] + t["pass"] for t in tallies) > 0, room["name"]


def test_several_organizers_and_none_named_the_command_lists_them_and_makes_nothing(app, world):
    with app.app_context():
        world.user("ana@example.org")
        world.user("ben@example.org")
    result = seed(app)
    assert result.exit_code != 0
    assert "2 organizer accounts exist and none was named" in result.output
    assert "make seed EMAIL=ana@example.org" in result.output
    assert "make seed EMAIL=ben@example.org" in result.output
    assert "join code" not in result.output
    for email in ("ana@example.org", "ben@example.org"):
        page = signed_in(app, email).get("/workshops/").get_data(as_text=True)
        assert "No workshops yet" in page


def test_a_named_organizer_gets_the_demo(app, world):
    with app.app_context():
        world.user("ana@example.org")
        world.user("ben@example.org")
    result = seed(app, "--email", "Ben@Example.org")
    assert result.exit_code == 0, result.output
    assert "belongs to ben@example.org" in result.output
    assert TITLE in signed_in(app, "ben@example.org").get("/workshops/").get_data(as_text=True)
    page = signed_in(app, "ana@example.org").get("/workshops/").get_data(as_text=True)
    assert TITLE not in page


def test_a_named_account_that_does_not_exist_is_not_made_beside_the_others(app, world):
    with app.app_context():
        world.user("ana@example.org")
    result = seed(app, "--email", "anna@example.org")  # a typo
    assert result.exit_code != 0
    assert "No account has the e-mail anna@example.org" in result.output
    assert "make seed EMAIL=ana@example.org" in result.output
    assert "make organizer" in result.output
    with app.app_context():
        assert accounts.user_by_email("anna@example.org") is None


def test_with_no_account_someone_at_the_terminal_is_asked_for_theirs(app, monkeypatch):
    monkeypatch.setattr(commands, "_at_a_terminal", lambda: True)
    answers = f"ana@example.org\nAna\n{PASSWORD}\n{PASSWORD}\n"
    result = seed(app, input=answers)
    assert result.exit_code == 0, result.output
    assert "No organizer account yet. Create yours" in result.output
    assert "belongs to ana@example.org" in result.output
    assert "password " not in result.output.split("belongs to")[1]  # theirs, not shown
    assert TITLE in signed_in(app, "ana@example.org").get("/workshops/").get_data(as_text=True)


def test_with_no_account_and_no_one_to_ask_the_demo_gets_an_account_of_its_own(app):
    result = seed(app)
    assert result.exit_code == 0, result.output
    assert "belongs to demo@example.org" in result.output
    password = re.search(r"with the password (\S+)", result.output).group(1)
    with app.app_context():
        assert accounts.authenticate("demo@example.org", password) is not None
    assert "make organizer" in result.output


def make_targets() -> set[str]:
    """The targets the Makefile defines."""
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w.-]*):", text, flags=re.MULTILINE))


def make_commands(text: str) -> set[str]:
    """Every `make <target>` a text names."""
    return set(re.findall(r"\bmake ([a-z][\w-]*)", text))


def readme_commands() -> set[str]:
    """Every `make <target>` in the README's code (blocks and `spans`), not its prose."""
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return make_commands("\n".join(blocks + re.findall(r"`([^`\n]+)`", prose)))


def test_every_make_command_the_readme_names_exists():
    named = readme_commands()
    assert {"run", "seed", "organizer", "test"} <= named
    assert named <= make_targets()


@pytest.fixture
def started(tmp_path):
    """Start `python wsgi.py` as `make run` does (migrated first); return a function that
    gives what it printed on stdout and stderr once it has said where it runs."""
    servers = []

    def start(*, with_account: bool) -> tuple[str, str]:
        env = server_environment(
            DATABASE_URL=f"sqlite:///{tmp_path}/first-run.sqlite",
            SECRET_KEY="first-run",
            PORT=str(free_port()),
        )
        migrate(env)
        if with_account:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "flask",
                    "--app",
                    "cocreate",
                    "create-organizer",
                    "--email",
                    "ana@example.org",
                    "--name",
                    "Ana",
                ],
                cwd=ROOT,
                env=env,
                input=f"{PASSWORD}\n{PASSWORD}\n",
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            )
        server = subprocess.Popen(
            [sys.executable, "wsgi.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        servers.append(server)
        guard = threading.Timer(60, server.kill)  # a start that hangs fails, not blocks
        guard.start()
        lines = [server.stdout.readline()]
        while lines[-1] and not lines[-1].rstrip().endswith("make run"):
            lines.append(server.stdout.readline())
        guard.cancel()
        server.terminate()
        out, err = server.communicate(timeout=30)
        return "".join(lines) + out, err

    yield start
    for server in servers:
        if server.poll() is None:
            server.kill()


@pytest.mark.parametrize("with_account", [False, True], ids=["first-time", "set-up"])
def test_make_run_starts_quietly_and_names_the_readmes_commands(started, with_account):
    out, err = started(with_account=with_account)
    said = out + err
    assert "DeprecationWarning" not in said and "deprecated" not in said.lower()
    assert "Traceback" not in said
    assert "--app wsgi" not in said
    assert "make organizer" in out and "make seed" in out
    assert ("/setup" in out) is not with_account
    assert ("/login" in out) is with_account
    assert "COCREATE_BASE_URL=" in out  # 127.0.0.1: phones need the laptop's address
    assert make_commands(out) <= make_targets()
    assert make_commands(out) <= readme_commands()
