"""Themes by hand: grouping a breakout room's ideas (the cluster phase), who may, what
everyone sees, and how themes stay consistent with moderation."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cocreate.extensions import db
from cocreate.models import Idea, Theme, Workshop
from cocreate.services import ideas, moderation, participants, phases, snapshots, themes
from cocreate.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.conftest import World, action_id, last_seq, logged

PASSWORD = "correct horse battery"


@pytest.fixture
def room(ctx, world):
    """A breakout room in the cluster phase: a facilitator, a member, three ideas."""
    w = world.workshop()
    r1 = w["rooms"][0]
    facilitator = world.join(w, "Fay", room=r1)
    member = world.join(w, "Max", room=r1)
    phases.appoint_facilitator(w["owner"], w["id"], facilitator)
    idea_ids = [ideas.post_idea(member, f"Idea {n}")["idea"]["id"] for n in range(3)]
    world.phase(w, "cluster")
    return {
        "w": w,
        "r1": r1,
        "fac": ("participant", facilitator),
        "member": member,
        "mod": ("user", w["owner"]),
        "ideas": idea_ids,
    }


def theme_ids_of(idea_ids: list[int]) -> list[int | None]:
    db.session.expire_all()
    return [db.session.get(Idea, i).theme_id for i in idea_ids]


class TestOperations:
    def test_create_rename_move_merge_dissolve(self, room):
        a, b, c = room["ideas"]
        r1, fac = room["r1"], room["fac"]
        seq = last_seq(r1)

        made = themes.create_theme(fac, " Transport ", "Buses and trams", [b, a, a])["theme"]
        assert made["name"] == "Transport" and made["description"] == "Buses and trams"
        assert made["idea_ids"] == [a, b] and made["room_id"] == r1 and made["created_at"]
        t1 = made["id"]
        other = themes.create_theme(room["mod"], "Housing", room_id=r1)["theme"]
        t2 = other["id"]
        assert other["idea_ids"] == [] and other["description"] == ""

        renamed = themes.rename_theme(fac, t1, "Mobility")["theme"]
        assert (renamed["name"], renamed["description"]) == ("Mobility", "Buses and trams")
        assert themes.rename_theme(fac, t1, "Mobility", "")["theme"]["description"] == ""

        assert themes.move_idea(fac, c, t2) == {"idea_id": c, "theme_id": t2}
        assert themes.move_idea(fac, b, None) == {"idea_id": b, "theme_id": None}
        assert theme_ids_of([a, b, c]) == [t1, None, t2]

        merged = themes.merge_themes(fac, t1, t2)["theme"]
        assert merged["id"] == t1 and merged["idea_ids"] == [a, c]
        assert db.session.get(Theme, t2) is None

        gone = themes.dissolve_theme(fac, t1)
        assert gone == {"theme_id": t1, "idea_ids": [a, c]}
        assert theme_ids_of([a, b, c]) == [None, None, None]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 0

        events = logged(r1, seq)
        assert [e[0] for e in events] == [
            "theme_created",
            "theme_created",
            "theme_changed",
            "theme_changed",
            "idea_moved",
            "idea_moved",
            "themes_merged",
            "theme_dissolved",
        ]
        assert events[0][1] == {"theme": made}
        assert events[4][1] == {"idea_id": c, "theme_id": t2}
        assert events[5][1] == {"idea_id": b, "theme_id": None}
        assert events[6][1] == {"theme": merged, "merged_id": t2, "idea_ids": [c]}
        assert events[7][1] == {"theme_id": t1, "idea_ids": [a, c]}

    def test_creating_takes_ideas_out_of_their_old_theme_which_stays(self, room):
        a, b, _c = room["ideas"]
        fac = room["fac"]
        t1 = themes.create_theme(fac, "One", idea_ids=[a, b])["theme"]["id"]
        t2 = themes.create_theme(fac, "Two", idea_ids=[a, b])["theme"]["id"]
        assert theme_ids_of([a, b]) == [t2, t2]
        # An empty theme stays until someone dissolves it.
        view = snapshots.participant_snapshot(room["member"])
        assert [(t["id"], t["idea_ids"]) for t in view["themes"]] == [(t1, []), (t2, [a, b])]

    def test_moving_where_it_is_records_nothing(self, room):
        a = room["ideas"][0]
        t1 = themes.create_theme(room["fac"], "One", idea_ids=[a])["theme"]["id"]
        seq = last_seq(room["r1"])
        assert themes.move_idea(room["fac"], a, t1) == {"idea_id": a, "theme_id": t1}
        assert last_seq(room["r1"]) == seq

    def test_bad_values_are_invalid(self, room):
        fac = room["fac"]
        t1 = themes.create_theme(fac, "One")["theme"]["id"]
        for name in ("", "   ", "x" * 81, 5, None):
            with pytest.raises(Invalid):
                themes.create_theme(fac, name)
        with pytest.raises(Invalid):
            themes.create_theme(fac, "Two", "x" * 301)
        with pytest.raises(Invalid):
            themes.create_theme(fac, "Two", idea_ids=["1"])
        with pytest.raises(Invalid):
            themes.rename_theme(fac, t1, "")
        with pytest.raises(Invalid):
            themes.merge_themes(fac, t1, t1)
        assert themes.create_theme(fac, "x" * 80, "y" * 300)["theme"]["name"] == "x" * 80

    def test_unknown_and_gone_things_are_not_found(self, room, world):
        fac, a = room["fac"], room["ideas"][0]
        t1 = themes.create_theme(fac, "One")["theme"]["id"]
        themes.dissolve_theme(fac, t1)
        for call in (
            lambda: themes.move_idea(fac, a, t1),
            lambda: themes.rename_theme(fac, t1, "Again"),
            lambda: themes.dissolve_theme(fac, t1),
            lambda: themes.move_idea(fac, 10**6, None),
            lambda: themes.create_theme(fac, "Two", idea_ids=[a, 10**6]),
            lambda: themes.move_idea(room["mod"], a, t1),
            lambda: themes.rename_theme(room["mod"], t1, "Again"),
        ):
            with pytest.raises(NotFound):
                call()
        # Nothing of the failed create stays behind.
        assert theme_ids_of([a]) == [None]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 0

    def test_retries_return_the_first_result(self, room):
        fac, a, b = room["fac"], *room["ideas"][:2]
        first_id = action_id()
        first = themes.create_theme(fac, "One", idea_ids=[a], action_id=first_id)
        again = themes.create_theme(fac, "One", idea_ids=[a], action_id=first_id)
        assert again == first
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 1
        t1 = first["theme"]["id"]
        move = action_id()
        themes.move_idea(fac, b, t1, action_id=move)
        themes.move_idea(fac, b, None)
        assert themes.move_idea(fac, b, t1, action_id=move) == {"idea_id": b, "theme_id": t1}
        assert theme_ids_of([b]) == [None]  # the retry changed nothing
        dissolve = action_id()
        seq = last_seq(room["r1"])
        assert themes.dissolve_theme(fac, t1, action_id=dissolve) == themes.dissolve_theme(
            fac, t1, action_id=dissolve
        )
        assert last_seq(room["r1"]) == seq + 1
        with pytest.raises(Conflict):  # the same id for another kind of action
            themes.rename_theme(fac, t1, "Other", action_id=dissolve)


class TestWhoMay:
    def test_a_plain_participant_may_not_unless_the_workshop_lets_them(self, room):
        member = ("participant", room["member"])
        with pytest.raises(NotAllowed, match="facilitator or a moderator"):
            themes.create_theme(member, "Mine")
        db.session.get(Workshop, room["w"]["id"]).participants_cluster = True
        db.session.commit()
        t1 = themes.create_theme(member, "Mine", idea_ids=room["ideas"][:1])["theme"]["id"]
        themes.rename_theme(member, t1, "Ours")
        phases.set_phase(room["w"]["owner"], room["w"]["id"], "vote", room["r1"])
        for call in (
            lambda: themes.create_theme(member, "Late"),
            lambda: themes.move_idea(member, room["ideas"][1], t1),
            lambda: themes.dissolve_theme(member, t1),
        ):
            with pytest.raises(NotAllowed, match="Cluster phase"):
                call()

    def test_facilitators_and_moderators_in_any_phase_but_closed(self, room):
        w, r1 = room["w"], room["r1"]
        for phase in ("propose", "vote", "pathway", "lobby"):
            phases.set_phase(w["owner"], w["id"], phase, r1)
            themes.create_theme(room["fac"], f"By the facilitator in {phase}")
            themes.create_theme(room["mod"], f"By a moderator in {phase}", room_id=r1)
        phases.set_phase(w["owner"], w["id"], "closed", r1)
        with pytest.raises(NotAllowed, match="closed"):
            themes.create_theme(room["fac"], "Too late")
        with pytest.raises(NotAllowed, match="closed"):
            themes.create_theme(room["mod"], "Too late", room_id=r1)

    def test_only_in_breakout_rooms_of_ones_own(self, room, world):
        w, r1 = room["w"], room["r1"]
        r2 = w["rooms"][1]
        mine = themes.create_theme(room["fac"], "Mine", idea_ids=[room["ideas"][0]])["theme"]["id"]
        # A facilitator of the other room acts in their own room only.
        neighbour = world.join(w, "Nel", room=r2)
        phases.appoint_facilitator(w["owner"], w["id"], neighbour)
        for call in (
            lambda: themes.rename_theme(("participant", neighbour), mine, "Stolen"),
            lambda: themes.move_idea(("participant", neighbour), room["ideas"][1], mine),
            lambda: themes.move_idea(("participant", neighbour), room["ideas"][0], None),
            lambda: themes.dissolve_theme(("participant", neighbour), mine),
        ):
            with pytest.raises(NotFound):
                call()
        theirs = themes.create_theme(("participant", neighbour), "Theirs")["theme"]
        assert theirs["room_id"] == r2
        # Ideas and themes of two rooms never meet.
        with pytest.raises(NotFound):
            themes.move_idea(room["mod"], room["ideas"][0], theirs["id"])
        with pytest.raises(NotFound):
            themes.merge_themes(room["mod"], mine, theirs["id"])
        with pytest.raises(NotFound):
            themes.create_theme(room["mod"], "Mixed", idea_ids=room["ideas"][:1], room_id=r2)
        # The plenary has no themes.
        waiting = world.join(w, "Wes")
        with pytest.raises(NotAllowed, match="breakout rooms"):
            themes.create_theme(("participant", waiting), "Lobby")
        with pytest.raises(NotFound):
            themes.create_theme(room["mod"], "Lobby", room_id=w["plenary"])
        # Another workshop's moderator, and a removed participant, reach nothing.
        stranger = World().workshop()
        with pytest.raises(NotFound):
            themes.create_theme(("user", stranger["owner"]), "Mine now", room_id=r1)
        with pytest.raises(NotFound):
            themes.dissolve_theme(("user", stranger["owner"]), mine)
        moderation.remove_participant(w["owner"], w["id"], room["fac"][1])
        with pytest.raises(NotAllowed):
            themes.dissolve_theme(room["fac"], mine)
        assert theme_ids_of(room["ideas"][:1]) == [mine]

    def test_a_facilitator_who_left_the_room_may_not(self, room):
        w = room["w"]
        participants.move_participant(w["owner"], w["id"], room["fac"][1], w["rooms"][1])
        with pytest.raises(NotAllowed):
            themes.create_theme(room["fac"], "After the move")


class TestDatabaseGuards:
    def test_an_idea_is_only_in_a_theme_of_its_own_room(self, room, world):
        w = room["w"]
        neighbour = world.join(w, "Nel", room=w["rooms"][1])
        phases.appoint_facilitator(w["owner"], w["id"], neighbour)
        theirs = themes.create_theme(("participant", neighbour), "Theirs")["theme"]["id"]
        db.session.get(Idea, room["ideas"][0]).theme_id = theirs
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()

    def test_a_theme_that_holds_ideas_cannot_be_deleted_behind_the_services(self, room):
        t1 = themes.create_theme(room["fac"], "One", idea_ids=room["ideas"][:1])["theme"]["id"]
        with pytest.raises(IntegrityError):
            db.session.execute(sa.delete(Theme).where(Theme.id == t1))
            db.session.commit()
        db.session.rollback()

    def test_a_pending_idea_has_no_theme(self, room):
        t1 = themes.create_theme(room["fac"], "One", idea_ids=room["ideas"][:1])["theme"]["id"]
        with pytest.raises(IntegrityError):
            db.session.execute(
                sa.update(Idea).where(Idea.id == room["ideas"][0]).values(status="pending")
            )
            db.session.commit()
        db.session.rollback()
        assert theme_ids_of(room["ideas"][:1]) == [t1]


class TestModerationKeepsThemesRight:
    def test_a_hidden_idea_keeps_its_theme_out_of_participants_sight(self, room):
        w, fac, member = room["w"], room["fac"], room["member"]
        a, b, _c = room["ideas"]
        t1 = themes.create_theme(fac, "One", idea_ids=[a, b])["theme"]["id"]
        moderation.hide_idea(w["owner"], w["id"], a)
        assert snapshots.participant_snapshot(member)["themes"][0]["idea_ids"] == [b]
        moderators = snapshots.moderator_snapshot(w["owner"], w["id"])["rooms"][1]
        assert moderators["themes"][0]["idea_ids"] == [a, b]
        assert {i["id"]: i["theme_id"] for i in moderators["ideas"]} == {
            a: t1,
            b: t1,
            room["ideas"][2]: None,
        }
        # Nobody moves a hidden idea; its theme's fate carries it.
        with pytest.raises(NotFound):
            themes.move_idea(room["mod"], a, None)
        seq = last_seq(room["r1"])
        themes.rename_theme(fac, t1, "Renamed")
        [(kind, public, full)] = logged(room["r1"], seq)
        assert public["theme"]["idea_ids"] == [b] and full["theme"]["idea_ids"] == [a, b]
        moderation.restore_idea(w["owner"], w["id"], a)
        assert snapshots.participant_snapshot(member)["themes"][0]["idea_ids"] == [a, b]
        moderation.hide_idea(w["owner"], w["id"], a)
        seq = last_seq(room["r1"])
        assert themes.dissolve_theme(fac, t1) == {"theme_id": t1, "idea_ids": [b]}
        [(kind, public, full)] = logged(room["r1"], seq)
        assert (kind, public["idea_ids"], full["idea_ids"]) == ("theme_dissolved", [b], [a, b])
        assert theme_ids_of([a, b]) == [None, None]

    def test_merged_and_withdrawn_ideas_leave_their_theme(self, room, world):
        w, fac, member = room["w"], room["fac"], room["member"]
        a, b, c = room["ideas"]
        world.phase(w, "propose")
        t1 = themes.create_theme(fac, "One", idea_ids=[a, b, c])["theme"]["id"]
        moderation.merge_ideas(w["owner"], w["id"], a, b)
        ideas.withdraw_idea(member, c)
        assert theme_ids_of([a, b, c]) == [t1, None, None]
        assert snapshots.participant_snapshot(member)["themes"][0]["idea_ids"] == [a]
        themes.move_idea(fac, a, None)
        # The empty theme stays until someone dissolves it.
        assert snapshots.participant_snapshot(member)["themes"][0]["idea_ids"] == []
        assert themes.dissolve_theme(fac, t1)["idea_ids"] == []

    def test_a_merge_of_themes_carries_hidden_ideas_too(self, room):
        w, fac = room["w"], room["fac"]
        a, b, _c = room["ideas"]
        t1 = themes.create_theme(fac, "One", idea_ids=[a])["theme"]["id"]
        t2 = themes.create_theme(fac, "Two", idea_ids=[b])["theme"]["id"]
        moderation.hide_idea(w["owner"], w["id"], b)
        seq = last_seq(room["r1"])
        assert themes.merge_themes(room["mod"], t1, t2)["theme"]["idea_ids"] == [a, b]
        [(_kind, public, full)] = logged(room["r1"], seq)
        assert public == {
            "theme": {**public["theme"], "idea_ids": [a]},
            "merged_id": t2,
            "idea_ids": [],
        }
        assert full["idea_ids"] == [b] and full["theme"]["idea_ids"] == [a, b]
        assert theme_ids_of([a, b]) == [t1, t1]


class TestReplays:
    def test_a_replay_does_not_name_ideas_the_reader_may_no_longer_see(self, room):
        w, fac, member = room["w"], room["fac"], room["member"]
        a, b, _c = room["ideas"]
        seq = last_seq(room["r1"])
        t1 = themes.create_theme(fac, "One", idea_ids=[a])["theme"]["id"]
        themes.move_idea(fac, b, t1)
        themes.move_idea(fac, b, None)
        t2 = themes.create_theme(fac, "Two", idea_ids=[b])["theme"]["id"]
        themes.merge_themes(fac, t1, t2)
        moderation.hide_idea(w["owner"], w["id"], b)
        themes.dissolve_theme(fac, t1)
        replay = snapshots.events_since(room["r1"], seq, member)
        shown = [(e["type"], e["data"]) for e in replay]
        created = shown[0][1]["theme"]
        assert shown[0] == ("theme_created", {"theme": {**created, "idea_ids": [a]}})
        assert shown[1] == ("idea_redacted", {"idea_ids": [b]})
        assert shown[2] == ("idea_redacted", {"idea_ids": [b]})
        assert shown[3][0] == "theme_created" and shown[3][1]["theme"]["idea_ids"] == []
        assert shown[4][0] == "themes_merged"
        assert shown[4][1]["idea_ids"] == [] and shown[4][1]["theme"]["idea_ids"] == [a]
        assert shown[5][0] == "idea_hidden"
        assert shown[6] == ("theme_dissolved", {"theme_id": t1, "idea_ids": [a]})


class TestOverSockets:
    def test_phones_and_consoles(self, app, phone, console):
        with app.app_context():
            world = World()
            owner = world.user("owner@example.org", PASSWORD)
            w = world.workshop(owner, rooms=1, assignment="random")
        desk = console("owner@example.org", PASSWORD, w["id"])
        assert desk.send("open_breakouts")["ok"]
        fay, max_ = phone(w["code"], "Fay"), phone(w["code"], "Max")
        r1 = w["rooms"][0]
        fay_id = fay.snapshot()["me"]["id"]
        assert desk.send("appoint_facilitator", participant_id=fay_id)["ok"]
        idea = max_.send("post_idea", text="Night buses")["idea"]["id"]
        assert desk.send("set_phase", phase="cluster", room_id=r1)["ok"]
        max_.snapshot()
        max_.received()

        ack = fay.send("create_theme", name="Transport", idea_ids=[idea])
        assert ack["ok"] and ack["theme"]["idea_ids"] == [idea]
        theme = ack["theme"]
        assert set(theme) == {
            "id",
            "room_id",
            "name",
            "description",
            "idea_ids",
            "created_at",
            "tag_ids",
        }
        t1 = theme["id"]
        events = [e for batch in max_.received() for e in batch["events"]]
        assert [(e["type"], e["data"]) for e in events] == [("theme_created", {"theme": theme})]

        assert fay.send("rename_theme", theme_id=t1, name="Mobility")["theme"]["name"] == "Mobility"
        assert fay.send("move_idea", idea_id=idea, theme_id=None) == {
            "ok": True,
            "idea_id": idea,
            "theme_id": None,
        }
        made = desk.send("create_theme", room_id=r1, name="Housing", description="Rents")
        assert made["ok"] and made["theme"]["description"] == "Rents"
        t2 = made["theme"]["id"]
        assert desk.send("move_idea", idea_id=idea, theme_id=t2)["theme_id"] == t2
        merged = desk.send("merge_themes", keep_id=t1, merged_id=t2)
        assert merged["ok"] and merged["theme"]["idea_ids"] == [idea]
        assert desk.send("dissolve_theme", theme_id=t1) == {
            "ok": True,
            "theme_id": t1,
            "idea_ids": [idea],
        }
        types = [e["type"] for batch in max_.received() for e in batch["events"]]
        assert types == [
            "theme_changed",
            "idea_moved",
            "theme_created",
            "idea_moved",
            "themes_merged",
            "theme_dissolved",
        ]
        # Max may not; the snapshots carry the themes and each idea's theme.
        refused = max_.send("create_theme", name="Mine")
        assert refused["error"]["code"] == "not_allowed"
        assert fay.send("dissolve_theme", theme_id=t1)["error"]["code"] == "not_found"
        assert max_.send("move_idea", idea_id=idea)["error"]["code"] == "bad_request"
        assert fay.send("create_theme", name="Again", idea_ids=[idea])["ok"]
        snapshot = max_.snapshot()
        assert [t["idea_ids"] for t in snapshot["themes"]] == [[idea]]
        assert snapshot["ideas"][0]["theme_id"] == snapshot["themes"][0]["id"]
        room_view = desk.send("sync", {})["snapshot"]["rooms"][1]
        assert room_view["themes"] == snapshot["themes"]
        assert snapshot["workshop"]["participants_cluster"] is False


def test_the_settings_page_lets_participants_cluster(app, world):
    client = app.test_client()
    with app.app_context():
        owner = world.user("owner@example.org", PASSWORD)
        w = world.workshop(owner)
    client.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    page = client.get(f"/workshops/{w['id']}/settings").get_data(as_text=True)
    assert 'name="participants_cluster"' in page
    form = {
        "title": "Pathways",
        "question": "How do we reach equality?",
        "dots_per_room": "5",
        "max_dots_per_idea": "3",
        "assignment": "choose",
        "voting_mode": "dots",
        "criteria": "",
        "stakeholder_roles": "",
        "participants_cluster": "y",
    }
    assert client.post(f"/workshops/{w['id']}/settings", data=form).status_code == 302
    with app.app_context():
        assert db.session.get(Workshop, w["id"]).participants_cluster is True
        view = world.moderator_view(owner, w["id"])["workshop"]
        assert view["participants_cluster"] is True
    del form["participants_cluster"]
    client.post(f"/workshops/{w['id']}/settings", data=form)
    with app.app_context():
        assert db.session.get(Workshop, w["id"]).participants_cluster is False
