"""Two or more people edit one pathway at once, and no edit is silently lost.

Real threads, each with its own database session, start together at a barrier, on SQLite
and on PostgreSQL, as tests/test_themes_concurrency.py does. The room lock serialises
them and the field-level version check decides: of edits of the same field made from the
same version one stands and the others are told (EditConflict, with the pathway as it is
now); edits of different fields all stand. The last test takes the check away and shows
that the first one then fails: an edit vanishes without anyone being told.
"""

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import PATHWAY_FIELDS, Pathway, RoomEvent
from cocreate.services import ideas, pathways, phases, tags
from cocreate.services.errors import EditConflict
from tests.conftest import World, action_id
from tests.test_themes_concurrency import race

ROUNDS = 3
EDITORS = 6


def setup_pathway(app) -> dict:
    """A breakout room in the pathway phase with a facilitator, ideas and one pathway."""
    with app.app_context():
        world = World()
        w = world.workshop(rooms=1)
        r1 = w["rooms"][0]
        facilitator = world.join(w, "Fay", room=r1)
        phases.appoint_facilitator(w["owner"], w["id"], facilitator)
        idea_ids = [ideas.post_idea(facilitator, f"Idea {n}")["idea"]["id"] for n in range(3)]
        world.phase(w, "pathway")
        fac = ("participant", facilitator)
        pid = pathways.create_pathway(fac, "Night buses")["pathway"]["id"]
        found = {
            "editors": [fac, ("user", w["owner"])],
            "room": r1,
            "pathway": pid,
            "ideas": idea_ids,
            "tags": [t.id for t in tags.active_tags(w["id"])[:2]],
        }
        db.session.remove()
    return found


def stored(app, pathway_id: int) -> Pathway:
    with app.app_context():
        pathway = db.session.get(Pathway, pathway_id)
        db.session.expunge(pathway)
        db.session.remove()
    return pathway


def saved_events(app, room_id: int) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(RoomEvent)
            .where(RoomEvent.room_id == room_id, RoomEvent.type == "pathway_saved")
            .order_by(RoomEvent.seq)
        )
        found = [event.data["pathway"] for event in rows]
        db.session.remove()
    return found


def same_field_round(app, setup: dict, round_: int) -> None:
    """EDITORS people change the title from the same version at once: one stands, every
    other one gets a conflict showing the title that stood, and the log says the same."""
    pid, editors = setup["pathway"], setup["editors"]
    before = stored(app, pid)
    logged = len(saved_events(app, setup["room"]))
    titles = [f"Round {round_}, editor {n}" for n in range(EDITORS)]
    outcomes = race(
        app,
        [
            (
                lambda n=n: pathways.edit_pathway(
                    editors[n % 2], pid, before.version, {"title": titles[n]}, action_id=action_id()
                )
            )
            for n in range(EDITORS)
        ],
    )
    for outcome in outcomes:
        assert isinstance(outcome, dict | EditConflict), repr(outcome)
    stood = [o["pathway"]["title"] for o in outcomes if isinstance(o, dict)]
    told = [o for o in outcomes if isinstance(o, EditConflict)]
    after = stored(app, pid)
    assert len(stood) == 1, f"{len(stood)} edits of one field from one version all stood"
    assert after.title == stood[0]
    assert after.version == before.version + 1
    assert len(told) == EDITORS - 1
    for conflict in told:
        assert conflict.fields == ["title"]
        assert conflict.current["title"] == after.title
        assert conflict.current["version"] == after.version
    saved = saved_events(app, setup["room"])[logged:]
    assert [p["title"] for p in saved] == stood


def test_the_same_field_at_once_one_stands_and_the_others_are_told(any_app):
    setup = setup_pathway(any_app)
    for round_ in range(ROUNDS):
        same_field_round(any_app, setup, round_)


def test_different_fields_at_once_all_stand(any_app):
    setup = setup_pathway(any_app)
    pid, editors = setup["pathway"], setup["editors"]
    for round_ in range(ROUNDS):
        before = stored(any_app, pid)
        logged = len(saved_events(any_app, setup["room"]))
        wanted = {
            "title": f"Title {round_}",
            "challenge": f"Challenge {round_}",
            "vision": f"Vision {round_}",
            "steps": [{"action": f"Step {round_}", "horizon": "medium"}],
            "tag_ids": setup["tags"][: 1 + round_ % 2],
            "idea_ids": setup["ideas"][: 1 + round_],
        }
        outcomes = race(
            any_app,
            [
                (
                    lambda n=n, key=key, value=value, version=before.version: pathways.edit_pathway(
                        editors[n % 2], pid, version, {key: value}, action_id=action_id()
                    )
                )
                for n, (key, value) in enumerate(wanted.items())
            ],
        )
        assert all(isinstance(o, dict) for o in outcomes), outcomes
        after = stored(any_app, pid)
        assert after.version == before.version + len(wanted)
        assert (after.title, after.challenge, after.vision) == (
            wanted["title"],
            wanted["challenge"],
            wanted["vision"],
        )
        assert after.steps == [
            {"action": f"Step {round_}", "actor": "", "horizon": "medium", "indicator": ""}
        ]
        # Each edit took the next version, and each field records the version that changed it.
        versions = sorted(after.field_versions[f] for f in PATHWAY_FIELDS)
        assert versions == list(range(before.version + 1, after.version + 1))
        saved = saved_events(any_app, setup["room"])[logged:]
        assert [p["version"] for p in saved] == versions
        last = saved[-1]
        assert last["tag_ids"] == wanted["tag_ids"] and last["idea_ids"] == wanted["idea_ids"]
        assert last["title"] == wanted["title"] and last["steps"] == after.steps


def test_without_the_version_check_an_edit_is_silently_lost(any_app, monkeypatch):
    # No field is checked: the same race lets every edit through, each over the last.
    monkeypatch.setattr(pathways, "PATHWAY_FIELDS", ())
    setup = setup_pathway(any_app)
    with pytest.raises(AssertionError, match="all stood"):
        same_field_round(any_app, setup, 0)
