"""Migrations keep the data: a populated database goes down to before voting modes and
back up again, on SQLite and PostgreSQL, and nothing is lost on the way."""

import json

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from cocreate import create_app
from cocreate.extensions import db
from cocreate.services import ideas, moderation, votes
from tests.conftest import World, settings
from tests.support import scratch_pg_database

BEFORE_VOTING_MODES = "0008_scribe"
TABLES = ("workshops", "rooms", "participants", "ideas", "idea_revisions", "room_events")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    else:
        with scratch_pg_database("cocreate_migrations") as url:
            yield url


def counts(connection) -> dict[str, int]:
    return {
        table: connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar()
        for table in TABLES
    }


def test_down_before_voting_modes_and_up_again_loses_nothing(database_url):
    app = create_app(settings(database_url))
    with app.app_context():
        upgrade()
        world = World()
        w = world.workshop(dots_per_room=5, max_dots_per_idea=3)
        a, b = (world.join(w, name, room=w["rooms"][0]) for name in ("A", "B"))
        first = ideas.post_idea(a, "Night buses")["idea"]["id"]
        second = ideas.post_idea(b, "Ramps at every stop")["idea"]["id"]
        ideas.edit_idea(a, first, "Night buses, every hour")  # an audit-log row
        world.phase(w, "vote")
        for voter, idea, dots in ((a, first, 2), (b, first, 1), (b, second, 3)):
            for _ in range(dots):
                votes.give_dot(voter, idea, 1)
        moderation.hide_idea(w["owner"], w["id"], second)  # its dots go back
        votes.give_dot(b, first, 1)
        before = counts(db.session.connection())
        dots = sorted(
            db.session.execute(sa.text("SELECT participant_id, idea_id, value FROM votes")).all()
        )
        assert dots == [(a, first, 2), (b, first, 2)]
        db.session.remove()

        downgrade(revision=BEFORE_VOTING_MODES)
        with db.engine.connect() as connection:
            assert counts(connection) == before
            totals = dict(connection.exec_driver_sql("SELECT id, dots FROM ideas").all())
            assert totals == {first: 4, second: 0}

        upgrade()
        with db.engine.connect() as connection:
            assert counts(connection) == before
            rows = connection.exec_driver_sql(
                "SELECT participant_id, idea_id, kind, criterion, value FROM votes"
            ).all()
            assert sorted(rows) == [(a, first, "dots", 0, 2), (b, first, "dots", 0, 2)]
        # The rebuilt table takes new votes (PostgreSQL: its id sequence goes on).
        votes.give_dot(a, first, -1)
        world.phase(w, "propose")
        third = ideas.post_idea(a, "Benches")["idea"]["id"]
        world.phase(w, "vote")
        assert votes.give_dot(a, third, 1)["mine"] == 1
        db.session.remove()
        db.engine.dispose()


def test_session_epochs_go_and_come_back_without_losing_accounts(database_url):
    from cocreate.services import accounts

    app = create_app(settings(database_url))
    with app.app_context():
        upgrade()
        world = World()
        w = world.workshop()
        accounts.end_sessions(w["owner"])
        db.session.remove()

        downgrade(revision="0009_voting_modes")
        with db.engine.connect() as connection:
            columns = [c["name"] for c in sa.inspect(connection).get_columns("users")]
            assert "session_epoch" not in columns
            assert connection.exec_driver_sql("SELECT COUNT(*) FROM memberships").scalar() == 1

        upgrade()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT COUNT(*) FROM memberships").scalar() == 1
            epochs = connection.exec_driver_sql("SELECT session_epoch FROM users").scalars()
            assert list(epochs) == [0]  # every account signs in afresh
        assert accounts.end_sessions(world.user()) == 1  # new accounts start at 0 too
        db.session.remove()
        db.engine.dispose()


def test_tags_go_and_come_back_as_the_defaults_in_every_workshop(database_url):
    from cocreate.services import tags, themes

    app = create_app(settings(database_url))
    with app.app_context():
        upgrade()
        world = World()
        w = world.workshop()
        author = world.join(w, "A", room=w["rooms"][0])
        idea = ideas.post_idea(author, "Rent caps")["idea"]["id"]
        women = next(t.id for t in tags.active_tags(w["id"]) if t.label == "Women")
        tags.tag_idea(author, idea, [women])
        theme = themes.create_theme(("user", w["owner"]), "Homes", "", [idea], w["rooms"][0])
        tags.moderate_tag_theme(w["owner"], w["id"], theme["theme"]["id"], [women])
        tags.update_tags(w["owner"], w["id"], {"groups": ["Women", "Single parents"]})
        before = counts(db.session.connection())
        db.session.remove()

        downgrade(revision="0011_themes")
        with db.engine.connect() as connection:
            assert counts(connection) == before
            names = sa.inspect(connection).get_table_names()
            assert not {"tags", "idea_tags", "theme_tags"} & set(names)

        upgrade()
        with db.engine.connect() as connection:
            assert counts(connection) == before
            rows = connection.exec_driver_sql(
                "SELECT kind, key, label, position, removed FROM tags WHERE workshop_id = "
                f"{w['id']} ORDER BY kind, position"
            ).all()
            assert len(rows) == 48  # the defaults again: the workshop's edits went down
            assert ("rights", "udhr-25", "Art. 25 Adequate standard of living", 24, False) in rows
            assert ("groups", "women", "Women", 0, False) in rows
            for table in ("idea_tags", "theme_tags"):
                assert connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar() == 0
        # The new tables take new rows (PostgreSQL: their sequences work).
        assert tags.tag_idea(author, idea, [tags.active_tags(w["id"])[0].id])["tag_ids"]
        assert len(tags.active_tags(world.workshop()["id"])) == 48
        db.session.remove()
        db.engine.dispose()


def test_themes_go_and_come_back_without_losing_ideas(database_url):
    from cocreate.services import themes

    app = create_app(settings(database_url))
    with app.app_context():
        upgrade()
        world = World()
        w = world.workshop(participants_cluster=True)
        author = world.join(w, "A", room=w["rooms"][0])
        first = ideas.post_idea(author, "Night buses")["idea"]["id"]
        second = ideas.post_idea(author, "Ramps")["idea"]["id"]
        themes.create_theme(("user", w["owner"]), "Transport", "", [first], w["rooms"][0])
        before = counts(db.session.connection())
        db.session.remove()

        downgrade(revision="0010_session_epoch")
        with db.engine.connect() as connection:
            assert counts(connection) == before
            inspector = sa.inspect(connection)
            assert "themes" not in inspector.get_table_names()
            assert "theme_id" not in [c["name"] for c in inspector.get_columns("ideas")]
            columns = [c["name"] for c in inspector.get_columns("workshops")]
            assert "participants_cluster" not in columns

        upgrade()
        with db.engine.connect() as connection:
            assert counts(connection) == before
            assert connection.exec_driver_sql("SELECT COUNT(*) FROM themes").scalar() == 0
            grouped = connection.exec_driver_sql("SELECT theme_id FROM ideas").scalars()
            assert set(grouped) == {None}
        # The rebuilt tables take new themes and keep their guards (PostgreSQL: sequences).
        again = themes.create_theme(("user", w["owner"]), "Again", "", [second], w["rooms"][0])
        assert again["theme"]["idea_ids"] == [second]
        db.session.remove()
        db.engine.dispose()


def test_cross_room_themes_go_and_come_back_without_losing_room_themes(database_url):
    from cocreate.services import cross_themes, themes

    app = create_app(settings(database_url))
    with app.app_context():
        upgrade()
        world = World()
        w = world.workshop()
        owner = ("user", w["owner"])
        first = themes.create_theme(owner, "Housing", "", [], w["rooms"][0])["theme"]["id"]
        second = themes.create_theme(owner, "Homes", "", [], w["rooms"][1])["theme"]["id"]
        cross_themes.create_cross_theme(w["owner"], w["id"], "Housing", [first, second])
        before = counts(db.session.connection())
        db.session.remove()

        downgrade(revision="0012_tags")
        with db.engine.connect() as connection:
            assert counts(connection) == before
            tables = sa.inspect(connection).get_table_names()
            assert "cross_themes" not in tables and "cross_theme_themes" not in tables
            assert connection.exec_driver_sql("SELECT COUNT(*) FROM themes").scalar() == 2

        upgrade()
        with db.engine.connect() as connection:
            assert counts(connection) == before
            assert connection.exec_driver_sql("SELECT COUNT(*) FROM cross_themes").scalar() == 0
        again = cross_themes.create_cross_theme(w["owner"], w["id"], "Again", [first, second])
        assert again["cross_theme"]["theme_ids"] == sorted([first, second])
        # A room theme is in one cross-room theme at most, and leaves it when deleted.
        themes.dissolve_theme(owner, first)
        assert cross_themes.cross_themes_of(w["id"])[0]["theme_ids"] == [second]
        db.session.remove()
        db.engine.dispose()


def test_pathways_go_and_come_back_without_losing_workshops(database_url):
    from cocreate.models import Workshop
    from cocreate.services import pathways, phases, tags, themes

    app = create_app(settings(database_url))
    with app.app_context():
        upgrade()
        world = World()
        w = world.workshop()
        r1 = w["rooms"][0]
        fay = world.join(w, "Fay", room=r1)
        phases.appoint_facilitator(w["owner"], w["id"], fay)
        idea = ideas.post_idea(fay, "Night buses")["idea"]["id"]
        theme = themes.create_theme(("user", w["owner"]), "Transport", "", [idea], r1)
        world.phase(w, "pathway")
        pid = pathways.create_pathway(("participant", fay), theme_id=theme["theme"]["id"])
        pid = pid["pathway"]["id"]
        women = next(t.id for t in tags.active_tags(w["id"]) if t.label == "Women")
        pathways.edit_pathway(("participant", fay), pid, 1, {"tag_ids": [women]})
        pathways.comment_pathway(fay, pid, "Every hour")
        pathways.endorse_pathway(fay, pid, True)
        workshop = db.session.get(Workshop, w["id"])
        workshop.time_zones, workshop.organizers = ["Europe/Paris"], ["City of Lyon"]
        db.session.commit()
        before = counts(db.session.connection())
        db.session.remove()

        downgrade(revision="0013_cross_room_themes")
        with db.engine.connect() as connection:
            assert counts(connection) == before
            inspector = sa.inspect(connection)
            assert not {t for t in inspector.get_table_names() if t.startswith("pathway")}
            columns = [c["name"] for c in inspector.get_columns("workshops")]
            assert not {"starts_at", "ends_at", "time_zones", "organizers"} & set(columns)
            titles = connection.exec_driver_sql("SELECT title FROM workshops").scalars()
            assert list(titles) == ["Pathways"]

        upgrade()
        with db.engine.connect() as connection:
            assert counts(connection) == before
            for table in ("pathways", "pathway_ideas", "pathway_tags", "pathway_comments"):
                assert connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar() == 0
            row = connection.exec_driver_sql(
                "SELECT starts_at, ends_at, time_zones, organizers FROM workshops"
            ).one()
            assert row[:2] == (None, None)
            assert [json.loads(v) if isinstance(v, str) else v for v in row[2:]] == [[], []]
        # The new tables take new rows (PostgreSQL: their sequences work).
        again = pathways.create_pathway(("participant", fay), theme_id=theme["theme"]["id"])
        pid = again["pathway"]["id"]
        assert again["pathway"]["idea_ids"] == [idea]
        assert pathways.comment_pathway(fay, pid, "Again")["comment"]["id"] == 1
        assert pathways.endorse_pathway(fay, pid, True)["endorsements"] == 1
        db.session.remove()
        db.engine.dispose()


def test_head_counts_are_counted_on_the_way_up(database_url):
    from cocreate.services import participants

    app = create_app(settings(database_url))
    with app.app_context():
        upgrade()
        world = World()
        w = world.workshop(rooms=2)
        first, second = w["rooms"]
        people = [world.join(w, name, room=first) for name in ("A", "B", "C")]
        world.join(w, "D", room=second)
        world.join(w, "E")  # in the lobby
        moderation.remove_participant(w["owner"], w["id"], people[0])
        before = counts(db.session.connection())
        db.session.remove()

        downgrade(revision="0015_workshop_language")
        with db.engine.connect() as connection:
            assert counts(connection) == before
            inspector = sa.inspect(connection)
            assert "head_count" not in [c["name"] for c in inspector.get_columns("rooms")]
            indexes = [i["name"] for i in inspector.get_indexes("participants")]
            assert "ix_participants_room_id_on_paper" not in indexes

        upgrade()
        with db.engine.connect() as connection:
            assert counts(connection) == before
            heads = connection.exec_driver_sql("SELECT id, head_count FROM rooms ORDER BY id")
            assert list(heads) == [(w["plenary"], 1), (first, 2), (second, 1)]
        # The counts go on from there.
        participants.move_participant(w["owner"], w["id"], people[1], second)
        with db.engine.connect() as connection:
            heads = connection.exec_driver_sql("SELECT id, head_count FROM rooms ORDER BY id")
            assert list(heads) == [(w["plenary"], 1), (first, 1), (second, 2)]
        db.session.remove()
        db.engine.dispose()


def test_vote_counts_are_counted_on_the_way_up(database_url):
    from cocreate.services import participants, scribe
    from tests.test_vote_counts import counted, kept

    app = create_app(settings(database_url))
    with app.app_context():
        upgrade()
        world = World()
        w = world.workshop(rooms=1, voting_mode="scores", criteria=["Impact", "Cost"])
        room = w["rooms"][0]
        people = []
        for name, role in (("A", "Local government"), ("B", None), ("C", "Local government")):
            joined = participants.join_workshop(w["code"], f"device-{name}", name, role)
            participants.move_participant(w["owner"], w["id"], joined["participant_id"], room)
            people.append(joined["participant_id"])
        paper = scribe.add_paper_person(("user", w["owner"]), room, "On paper")["member"]["id"]
        idea = ideas.post_idea(people[0], "Rent caps")["idea"]["id"]
        world.phase(w, "vote")
        for person, criterion, score in ((0, 0, 4), (0, 1, 2), (1, 0, 5), (2, 0, 3)):
            votes.give_score(people[person], idea, criterion, score)
        scribe.give_score(("user", w["owner"]), paper, idea, 1, 1)
        before = kept(w["id"])
        assert before == counted(w["id"])
        db.session.remove()

        downgrade(revision="0016_room_head_count")
        with db.engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert "vote_counts" not in inspector.get_table_names()
            indexes = [i["name"] for i in inspector.get_indexes("votes")]
            assert "ix_votes_participant_id" in indexes
            assert "ix_votes_participant_id_room_id" not in indexes

        upgrade()
        assert kept(w["id"]) == before
        # The counts go on from there.
        votes.give_score(people[2], idea, 1, 5)
        assert kept(w["id"]) == counted(w["id"]) != before
        db.session.remove()
        db.engine.dispose()
