"""`flask` commands: create an organizer account, seed a demo workshop, suggest themes;
and the address the terminal shows (here and in wsgi.py)."""

import os
import sys
from urllib.parse import urlsplit

import click
from flask import Flask

from cocreate.services import accounts, workshops
from cocreate.services.errors import DomainError


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""

    @app.cli.command("import-workshop")
    @click.argument("file", type=click.File("rb"))
    @click.option("--email", required=True, help="The organizer account that will own it.")
    @click.option(
        "--mode",
        type=click.Choice(["template", "archive"]),
        default="archive",
        show_default=True,
        help="template: question, method, rooms and tags; archive: also everything that happened.",
    )
    def import_workshop(file, email: str, mode: str) -> None:
        """Make a new workshop from a synthesis JSON file (docs/synthesis.md, "Import")."""
        from cocreate.synthesis import importer

        user = accounts.user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account has the e-mail {email}.")
        try:
            workshop_id = importer.import_workshop(user.id, importer.load(file.read()), mode)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        click.echo(f"Imported as workshop {workshop_id} ({mode}), owned by {email}.")

    @app.cli.command("create-organizer")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.password_option()
    def create_organizer(email: str, name: str, password: str) -> None:
        """Create an organizer account (works any time, unlike the /setup page)."""
        try:
            accounts.create_user(email, name, password)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        click.echo(f"Account created for {email}. Sign in at {served_at(app.config)}/login")

    @app.cli.command("seed-demo")
    @click.option(
        "--email",
        help="The organizer account that will own the demo (left out: the only account).",
    )
    def seed_demo(email: str | None) -> None:
        """Create the demo workshop, the plenary played through, for an organizer account."""
        from cocreate import demo

        email = _demo_owner(email, demo.account_emails())
        try:
            seeded = demo.seed(email or demo.DEMO_EMAIL)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        base = served_at(app.config)
        click.echo(f"Demo workshop ready: join code {workshops.format_code(seeded.code)}")
        click.echo(
            f"The demo workshop '{demo.TITLE}' belongs to {seeded.email}: sign in at {base}/login"
        )
        if seeded.password:
            click.echo(f"with the password {seeded.password} (an account made for the demo;")
            click.echo("your own: make organizer, then make seed EMAIL=you@example.org).")

    @app.cli.command("suggest-themes")
    def suggest_themes() -> None:
        """Read {"id", "text"} JSON lines on stdin; print {"id", "theme", "label"} per idea."""
        import json
        import sys

        from cocreate.services import suggestions

        ideas = []
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                ideas.append((int(record["id"]), str(record["text"])))
            except (ValueError, KeyError, TypeError) as error:
                raise click.ClickException(f"line {number}: {error}") from None
        for theme, group in enumerate(suggestions.suggest(ideas), start=1):
            for idea_id in group.idea_ids:
                row = {"id": idea_id, "theme": theme, "label": group.label}
                click.echo(json.dumps(row, ensure_ascii=False))


def _demo_owner(email: str | None, emails: list[str]) -> str | None:
    """The e-mail of the account that will own the demo; None when there is no account
    and none was named (the demo makes its own). Asks for the first account when there
    is none and someone is at the terminal. Raises ClickException when the choice is
    not clear: several accounts and none named, or a named one that does not exist."""
    if email is not None:
        email = email.strip().lower()
        if emails and email not in emails:
            raise click.ClickException(
                f"No account has the e-mail {email}. The demo can belong to:\n"
                f"{_choose_from(emails)}\nor create that account first: make organizer"
            )
        return email
    if len(emails) == 1:
        return emails[0]
    if emails:
        raise click.ClickException(
            f"{len(emails)} organizer accounts exist and none was named: which one will "
            f"own the demo?\n{_choose_from(emails)}"
        )
    if not _at_a_terminal():
        return None
    click.echo("No organizer account yet. Create yours: it will own the demo workshop.")
    email = click.prompt("E-mail")
    name = click.prompt("Name")
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        accounts.create_user(email, name, password)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    return email.strip().lower()


def _choose_from(emails: list[str], shown: int = 10) -> str:
    """The commands that give the demo to one of these accounts (the first `shown`)."""
    lines = [f"  make seed EMAIL={email}" for email in emails[:shown]]
    if len(emails) > shown:
        lines.append(f"  ... and {len(emails) - shown} more accounts")
    lines.append(f"(or: .venv/bin/flask --app cocreate seed-demo --email {emails[0]})")
    return "\n".join(lines)


def _at_a_terminal() -> bool:
    """Whether a person can answer questions (a script or test gets no prompt)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def served_at(config) -> str:
    """The address to print for people at this computer: COCREATE_BASE_URL, else where
    `python wsgi.py` listens (HOST and PORT; 127.0.0.1 when HOST means every address)."""
    if config.get("COCREATE_BASE_URL"):
        return config["COCREATE_BASE_URL"]
    host = os.environ.get("HOST", "127.0.0.1")
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{os.environ.get('PORT', '5000')}"


def names_this_computer_only(url: str) -> bool:
    """Whether a link names this computer only (localhost, 127.x.x.x, ::1): no phone opens it."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.endswith(".localhost") or host.startswith("127.")
