"""`flask` commands: create an organizer account, seed a demo workshop, suggest themes."""

import contextlib
import secrets
import uuid

import click
from flask import Flask

from cocreate.services import accounts, ideas, participants, snapshots, votes, workshops
from cocreate.services.errors import DomainError

DEMO_QUESTION = (
    "How can our city build local pathways toward equality, so that no one is left "
    "behind by poverty and inequalities?"
)
DEMO_ROOMS = [
    ("Housing", "Housing for migrants and refugees"),
    ("Work", "Access to work for women victims of violence"),
    ("Digital", "Education through technologies and digital innovation"),
]
DEMO_IDEAS: dict[str, list[str]] = {
    "Housing": [
        "A city guarantee fund so landlords rent to refugee families",
        "One-stop housing desk with interpreters",
    ],
    "Work": [
        "Paid traineeships in city services, with childcare included",
        "Anonymous job applications in all municipal hiring",
    ],
    "Digital": [
        "Free refurbished laptops through public libraries",
        "Digital skills classes in community centres, in several languages",
    ],
}


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
        """Create a demo workshop: the plenary's question, three rooms, ideas and votes."""
        password = secrets.token_urlsafe(9)
        try:
            user_id = accounts.create_user(email, "Demo organizer", password)
        except DomainError:
            user_id = accounts.user_by_email(email).id
            password = "(unchanged: the account already existed)"
        workshop_id = workshops.create_workshop(
            user_id,
            workshops.WorkshopSettings(
                title="Human Rights Cities responding to poverty and inequalities",
                question=DEMO_QUESTION,
                description="Demo workshop seeded by `make seed`.",
                assignment="random",
            ),
            DEMO_ROOMS,
        )
        participants.open_breakouts(user_id, workshop_id)
        code = snapshots.moderator_snapshot(user_id, workshop_id)["workshop"]["code"]
        people = [
            participants.join_workshop(code, secrets.token_urlsafe(12), name)["participant_id"]
            for name in ["Amina", "Jonas", None, "Mei", "Carlos", None]
        ]
        posted = []
        waiting_by_room = {room: list(texts) for room, texts in DEMO_IDEAS.items()}
        for person in people:
            room_name = snapshots.participant_snapshot(person)["room"]["name"]
            waiting = waiting_by_room.get(room_name, [])
            if waiting:
                text = waiting.pop(0)
                posted.append(ideas.post_idea(person, text, action_id=str(uuid.uuid4()))["idea"])
        for person in people:
            for idea in posted:
                with contextlib.suppress(DomainError):  # ideas of other rooms are out of reach
                    votes.give_dot(person, idea["id"], 1, action_id=str(uuid.uuid4()))
        click.echo(f"Demo workshop ready: join code {workshops.format_code(code)}")
        click.echo(f"Sign in at /login as {email} with password {password}")

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
