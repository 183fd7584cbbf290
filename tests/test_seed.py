"""The demo workshop of `flask seed-demo` (cocreate/demo.py): a whole plenary played
through the services, whose synthesis builds and renders in every download format."""

import csv
import io
import json
import shutil

import pypdf
import pytest
import sqlalchemy as sa
from docx import Document

from cocreate import create_app
from cocreate.extensions import db
from cocreate.models import Participant, Workshop
from cocreate.services import workshops
from cocreate.synthesis.build import build
from cocreate.synthesis.formats import FORMATS, render
from tests.conftest import logged, settings


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, migrated_sqlite):
    """One app on its own database, for the whole module (seeding takes a few seconds)."""
    path = tmp_path_factory.mktemp("seed") / "cocreate.sqlite"
    shutil.copy(migrated_sqlite, path)
    app = create_app(settings(f"sqlite:///{path}"))
    yield app
    with app.app_context():
        db.engine.dispose()


def seed(app) -> tuple[int, str]:
    """Run `flask seed-demo`; return the workshop's id and what the command printed."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    code = result.output.split("join code ")[1].split()[0]
    with app.app_context():
        return workshops.workshop_by_code(code).id, result.output


@pytest.fixture(scope="module")
def demo(demo_app):
    """The demo's id, the command's output and its synthesis (built at the event's end)."""
    workshop_id, output = seed(demo_app)
    with demo_app.app_context():
        ends_at = db.session.get(Workshop, workshop_id).ends_at
        data = build(workshop_id, generated_at=ends_at)
    return {"id": workshop_id, "output": output, "data": data}


def test_the_command_says_how_to_join_and_whose_the_demo_is(demo):
    assert "Demo workshop ready: join code " in demo["output"]
    # No account existed: one is made for the demo, and its password is shown once.
    assert (
        "The demo workshop 'Human Rights Cities responding to poverty and inequalities' "
        "belongs to demo@example.org: sign in at http://cocreate.test/login"
    ) in demo["output"]
    assert "with the password " in demo["output"]


def test_votes_are_cast_in_the_vote_phase_and_revealed_afterwards(demo, demo_app):
    with demo_app.app_context():
        rooms = db.session.get(Workshop, demo["id"]).rooms
        for room in [room for room in rooms if room.kind == "breakout"]:
            events = logged(room.id)
            types = [kind for kind, _data, _moderators in events]
            phases = [data["phase"] for kind, data, _m in events if kind == "phase_changed"]
            votes = [n for n, kind in enumerate(types) if kind == "votes_changed"]
            assert phases == ["cluster", "vote", "pathway", "closed"]
            vote_phase = [n for n, kind in enumerate(types) if kind == "phase_changed"][1]
            assert vote_phase < types.index("results_hidden") < votes[0]
            assert votes[-1] < types.index("results_revealed")
    for room in demo["data"]["rooms"]:
        ideas = [idea for idea in demo["data"]["ideas"] if idea["room_id"] == room["id"]]
        counted = sum(idea["results"][k] for idea in ideas for k in ("agree", "disagree", "pass"))
        assert room["voters"] > 0 and counted > 0, room["name"]


def test_the_demo_is_the_concept_notes_plenary_with_its_schedule(demo):
    workshop = demo["data"]["workshop"]
    assert workshop["question"].startswith("How can our city build local pathways")
    assert workshop["time_zones"] == ["Asia/Seoul", "Europe/Madrid"]
    assert workshop["times"][0]["starts"] == "2023-10-05T16:00:00+09:00"
    assert workshop["times"][0]["ends"] == "2023-10-05T18:30:00+09:00"
    assert workshop["times"][1]["starts"] == "2023-10-05T09:00:00+02:00"
    assert workshop["organizers"] == ["WHRCF International Steering Committee"]
    assert workshop["stakeholder_roles"] == [
        "Local government",
        "Civil society",
        "Resident / rights-holder",
        "Expert",
    ]
    assert workshop["method"]["voting_mode"] == "agree"
    assert [room["name"] for room in demo["data"]["rooms"]] == [
        "Housing",
        "Work",
        "Digital",
        "Mobility",
    ]


def test_people_are_named_anonymous_on_paper_and_of_every_role(demo):
    data = demo["data"]
    figures = data["participation"]
    assert 15 <= figures["people"] <= 30
    assert figures["paper"] == 2
    assert 0 < figures["voters"] < figures["people"]  # some came and did not vote
    assert {row["role"] for row in figures["by_role"] if row["people"]} == {
        *data["workshop"]["stakeholder_roles"],
        None,
    }
    authors = [idea["author"] for idea in data["ideas"]]
    assert None in authors and "Amina" in authors
    assert any(idea["paper"] for idea in data["ideas"])


def test_every_room_has_ideas_in_several_languages_tagged_and_voted_on(demo):
    data = demo["data"]
    for room in data["rooms"]:
        assert 5 <= room["ideas"] <= 8
        assert room["phase"] == "closed"
        assert room["themes"] and all(theme["tag_ids"] for theme in room["themes"])
    texts = " ".join(idea["text"] for idea in data["ideas"])
    assert "스마트폰" in texts and "logements" in texts and "Autobuses" in texts
    assert all(idea["tag_ids"] for idea in data["ideas"])
    kinds = {tag["id"]: tag["kind"] for tag in data["tags"]}
    assert {kinds[t] for idea in data["ideas"] for t in idea["tag_ids"]} == {
        "rights",
        "groups",
        "domains",
    }
    assert data["participation"]["votes"] == len(data["ballots"]) > 0
    assert {ballot["value"] for ballot in data["ballots"]} == {1, -1, 0}  # agree, disagree, pass
    assert any(idea["results"]["divisiveness"] > 0 for idea in data["ideas"])  # dissent shows


def test_pathways_have_steps_tags_ideas_support_comments_and_endorsements(demo):
    pathways = demo["data"]["pathways"]
    rooms = [p["room"] for p in pathways]
    assert set(rooms) == {"Housing", "Work", "Digital", "Mobility"}
    assert all(1 <= rooms.count(room) <= 2 for room in rooms)
    for pathway in pathways:
        assert pathway["challenge"] and pathway["vision"]
        assert len(pathway["steps"]) >= 3
        assert {step["horizon"] for step in pathway["steps"]} <= {"short", "medium", "long"}
        assert pathway["tag_ids"] and pathway["idea_ids"] and pathway["theme_id"]
        assert pathway["support"]["voters"] > 0
        assert pathway["endorsements"] > 0
    assert sum(len(p["comments"]) for p in pathways) >= 5
    assert any(c["author"] is None for p in pathways for c in p["comments"])


def test_cross_room_themes_gather_themes_of_different_rooms(demo):
    crosses = demo["data"]["cross_themes"]
    assert crosses
    for cross in crosses:
        assert len({theme["room_id"] for theme in cross["themes"]}) >= 2
        assert cross["support"]["voters"] > 0


def test_the_breakouts_are_closed(demo, demo_app):
    with demo_app.app_context():
        workshop = db.session.get(Workshop, demo["id"])
        assert workshop.breakouts_open is False
        breakouts = [room for room in workshop.rooms if room.kind == "breakout"]
        assert {room.phase for room in breakouts} == {"closed"}
        plenary = next(room for room in workshop.rooms if room.is_plenary)
        phones = db.session.scalars(
            sa.select(Participant).where(
                Participant.workshop_id == workshop.id, Participant.on_paper.is_(False)
            )
        ).all()
        assert phones and {p.room_id for p in phones} == {plenary.id}


def test_a_second_run_makes_a_second_demo_with_the_same_content(demo, demo_app):
    again, output = seed(demo_app)
    assert again != demo["id"]
    assert "belongs to demo@example.org" in output  # the only account, again
    assert "password" not in output
    with demo_app.app_context():
        second = build(again, generated_at=db.session.get(Workshop, again).ends_at)
    first = demo["data"]

    def content(data: dict) -> list:
        return [
            [(idea["text"], idea["results"], idea["author"]) for idea in data["ideas"]],
            [(p["title"], p["support"], p["endorsements"]) for p in data["pathways"]],
            [(c["name"], c["support"]) for c in data["cross_themes"]],
            data["participation"]["by_role"],
        ]

    assert content(second) == content(first)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_synthesis_renders_in_every_format(demo, fmt):
    data = demo["data"]
    blob = render(data, fmt)
    titles = [pathway["title"] for pathway in data["pathways"]]
    if fmt == "json":
        assert json.loads(blob)["pathways"][0]["title"] == titles[0]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(blob.decode("utf-8-sig"))))
        assert len(rows) == len(data["ideas"])
        assert any("스마트폰" in row["text"] for row in rows)
    elif fmt == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(blob))
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert all(title in text for title in titles)
        assert "Cross-room themes" in text
    elif fmt == "docx":
        document = Document(io.BytesIO(blob))
        text = "\n".join(paragraph.text for paragraph in document.paragraphs)
        assert all(title in text for title in titles)
    else:  # md, html
        text = blob.decode("utf-8")
        assert data["workshop"]["question"].split(",")[0] in text
        assert "스마트폰" in text
