"""`flask` commands: create an organizer account, seed a demo workshop, suggest themes."""

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
        click.echo(f"Account created for {email}. Sign in at /login.")

    @app.cli.command("seed-demo")
    @click.option("--email", default="demo@example.org", show_default=True)
    def seed_demo(email: str) -> None:
        """Create the demo workshop: the plenary played through, from joining to pathways."""
        from cocreate import demo

        seeded = demo.seed(email)
        click.echo(f"Demo workshop ready: join code {workshops.format_code(seeded.code)}")
        click.echo(f"Sign in at /login as {email} with password {seeded.password}")

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
