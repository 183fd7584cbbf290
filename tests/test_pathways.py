"""Pathways: drafting from a theme or from scratch, editing with the field-level version
check, removing, comments and endorsements; who may in each phase, what is checked, what
everyone sees, and that a retried action changes nothing."""

import secrets

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from cocreate.extensions import db
from cocreate.models import (
    PATHWAY_FIELDS,
    Pathway,
    PathwayComment,
    PathwayEndorsement,
    RoomEvent,
    Workshop,
)
from cocreate.services import (
    ideas,
    moderation,
    participants,
    pathways,
    phases,
    snapshots,
    tags,
    themes,
    votes,
)
from cocreate.services.errors import Conflict, EditConflict, Invalid, NotAllowed, NotFound
from tests.conftest import World, action_id, last_seq, logged

PASSWORD = "correct horse battery"


@pytest.fixture
def room(ctx, world):
    """A breakout room in the cluster phase: a facilitator, two members, three ideas, a
    tagged theme of two of them."""
    w = world.workshop()
    r1 = w["rooms"][0]
    facilitator = world.join(w, "Fay", room=r1)
    member = world.join(w, "Max", room=r1)
    other = world.join(w, "Ana", room=r1)
    phases.appoint_facilitator(w["owner"], w["id"], facilitator)
    idea_ids = [ideas.post_idea(member, f"Idea {n}")["idea"]["id"] for n in range(3)]
    world.phase(w, "cluster")
    theme = themes.create_theme(("user", w["owner"]), "Transport", "", idea_ids[:2], r1)
    theme_id = theme["theme"]["id"]
    active = tags.active_tags(w["id"])
    women, housing = (
        next(t.id for t in active if t.label == label) for label in ("Women", "Housing")
    )
    tags.moderate_tag_theme(w["owner"], w["id"], theme_id, [women])
    return {
        "w": w,
        "r1": r1,
        "fac": ("participant", facilitator),
        "member": member,
        "other": other,
        "mod": ("user", w["owner"]),
        "ideas": idea_ids,
        "theme": theme_id,
        "tags": {"women": women, "housing": housing},
    }


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


STEP = {
    "action": "Free night buses",
    "actor": "City transport",
    "horizon": "short",
    "indicator": "Riders",
}


class TestOperations:
    def test_draft_from_a_theme_takes_its_name_ideas_and_tags(self, room):
        a, b, _c = room["ideas"]
        seq = last_seq(room["r1"])
        made = pathways.create_pathway(room["fac"], theme_id=room["theme"])["pathway"]
        assert made == {
            "id": made["id"],
            "room_id": room["r1"],
            "theme_id": room["theme"],
            "title": "Transport",
            "challenge": "",
            "vision": "",
            "steps": [],
            "tag_ids": [room["tags"]["women"]],
            "idea_ids": [a, b],
            "version": 1,
            "field_versions": dict.fromkeys(PATHWAY_FIELDS, 1),
            "support": {"dots": 0},
            "endorsements": 0,
            "comments": [],
        }
        [(kind, data, moderator_data)] = logged(room["r1"], seq)
        assert kind == "pathway_saved" and data == {"pathway": made}
        assert moderator_data == {"pathway": {**made, "support": {"dots": 0, "by_role": {}}}}
        # A title given wins over the theme's name.
        named = pathways.create_pathway(room["fac"], "Buses at night", room["theme"])["pathway"]
        assert named["title"] == "Buses at night" and named["idea_ids"] == [a, b]

    def test_draft_from_scratch_needs_a_title(self, room):
        with pytest.raises(Invalid, match="title"):
            pathways.create_pathway(room["fac"])
        with pytest.raises(Invalid, match="empty"):
            pathways.create_pathway(room["fac"], "   ")
        made = pathways.create_pathway(room["mod"], " Homes ", room_id=room["r1"])["pathway"]
        assert (made["title"], made["theme_id"], made["idea_ids"], made["tag_ids"]) == (
            "Homes",
            None,
            [],
            [],
        )

    def test_edit_every_field(self, room):
        a, b, c = room["ideas"]
        made = pathways.create_pathway(room["fac"], theme_id=room["theme"])["pathway"]
        seq = last_seq(room["r1"])
        steps = [STEP, {"action": "Ramps", "actor": "", "horizon": "long", "indicator": ""}]
        edited = pathways.edit_pathway(
            room["fac"],
            made["id"],
            1,
            {
                "title": "Mobility for all",
                "challenge": "Night workers cannot get home",
                "vision": "Every district reachable at any hour",
                "steps": steps,
                "tag_ids": [room["tags"]["housing"], room["tags"]["women"]],
                "idea_ids": [c, a],
            },
        )["pathway"]
        assert edited["version"] == 2
        assert edited["field_versions"] == dict.fromkeys(PATHWAY_FIELDS, 2)
        assert (edited["title"], edited["challenge"], edited["vision"]) == (
            "Mobility for all",
            "Night workers cannot get home",
            "Every district reachable at any hour",
        )
        assert edited["steps"] == steps
        assert edited["tag_ids"] == sorted(room["tags"].values())
        assert edited["idea_ids"] == [a, c]
        assert b not in edited["idea_ids"]
        [(kind, data, _mod)] = logged(room["r1"], seq)
        assert (kind, data) == ("pathway_saved", {"pathway": edited})
        # One field: only it records the new version.
        again = pathways.edit_pathway(room["mod"], made["id"], 2, {"vision": ""})["pathway"]
        assert again["version"] == 3
        assert again["field_versions"] == {**dict.fromkeys(PATHWAY_FIELDS, 2), "vision": 3}
        # Optional step fields may be left out; the horizon may not.
        short = pathways.edit_pathway(
            room["fac"], made["id"], 3, {"steps": [{"action": "Ask", "horizon": "medium"}]}
        )["pathway"]
        assert short["steps"] == [
            {"action": "Ask", "actor": "", "horizon": "medium", "indicator": ""}
        ]

    def test_an_edit_that_changes_nothing_records_nothing(self, room):
        made = pathways.create_pathway(room["fac"], theme_id=room["theme"])["pathway"]
        seq = last_seq(room["r1"])
        same = pathways.edit_pathway(
            room["fac"], made["id"], 1, {"title": " Transport ", "idea_ids": made["idea_ids"]}
        )["pathway"]
        assert same == made
        assert last_seq(room["r1"]) == seq

    def test_remove(self, room):
        made = pathways.create_pathway(room["fac"], "Gone soon")["pathway"]
        kept = pathways.create_pathway(room["fac"], "Stays")["pathway"]
        seq = last_seq(room["r1"])
        assert pathways.remove_pathway(room["fac"], made["id"]) == {"pathway_id": made["id"]}
        assert logged(room["r1"], seq) == [("pathway_removed", {"pathway_id": made["id"]}, None)]
        assert db.session.get(Pathway, made["id"]).removed  # kept for the record
        for call in (
            lambda: pathways.edit_pathway(room["fac"], made["id"], 1, {"title": "Back"}),
            lambda: pathways.remove_pathway(room["mod"], made["id"]),
            lambda: pathways.comment_pathway(room["fac"][1], made["id"], "Hello"),
        ):
            with pytest.raises(NotFound):
                call()
        shown = snapshots.participant_snapshot(room["member"])["pathways"]
        assert [p["id"] for p in shown] == [kept["id"]]

    def test_comments_endorsements_and_hiding(self, room, world):
        made = pathways.create_pathway(room["fac"], "Night buses")["pathway"]
        pid = made["id"]
        phases.set_phase(room["w"]["owner"], room["w"]["id"], "pathway", room["r1"])
        seq = last_seq(room["r1"])
        said = pathways.comment_pathway(room["member"], pid, "  Yes, and trams  ")["comment"]
        assert said == {
            "id": said["id"],
            "pathway_id": pid,
            "text": "Yes, and trams",
            "author": "Max",
            "created_at": said["created_at"],
        }
        participants.set_display_name(room["other"], "")
        anonymous = pathways.comment_pathway(room["other"], pid, "Cheaper tickets")["comment"]
        assert anonymous["author"] is None

        assert pathways.endorse_pathway(room["member"], pid, True) == {
            "pathway_id": pid,
            "endorsed": True,
            "endorsements": 1,
        }
        assert pathways.endorse_pathway(room["member"], pid, True)["endorsements"] == 1
        assert pathways.endorse_pathway(room["other"], pid, True)["endorsements"] == 2
        assert pathways.endorse_pathway(room["other"], pid, False) == {
            "pathway_id": pid,
            "endorsed": False,
            "endorsements": 1,
        }
        assert pathways.endorse_pathway(room["other"], pid, False)["endorsements"] == 1
        assert count(PathwayEndorsement) == 1

        assert pathways.hide_pathway_comment(room["fac"], said["id"]) == {
            "pathway_id": pid,
            "comment_id": said["id"],
        }
        assert pathways.hide_pathway_comment(room["mod"], said["id"])["comment_id"] == said["id"]
        types = [(k, data) for k, data, _m in logged(room["r1"], seq) if k.startswith("pathway")]
        assert [kind for kind, _d in types] == [
            "pathway_commented",
            "pathway_commented",
            "pathway_endorsed",
            "pathway_endorsed",
            "pathway_endorsed",
            "pathway_comment_hidden",
        ]
        assert ("pathway_endorsed", {"pathway_id": pid, "endorsements": 1}) in types
        assert ("pathway_comment_hidden", {"pathway_id": pid, "comment_id": said["id"]}) in types
        view = snapshots.participant_snapshot(room["member"])
        [shown] = view["pathways"]
        assert shown["comments"] == [anonymous] and shown["endorsements"] == 1
        assert view["me"]["endorsed_pathways"] == [pid]
        assert snapshots.participant_snapshot(room["other"])["me"]["endorsed_pathways"] == []


class TestConflicts:
    def test_the_same_field_changed_meanwhile_is_a_conflict_and_nothing_is_saved(self, room):
        made = pathways.create_pathway(room["fac"], "Night buses")["pathway"]
        pid = made["id"]
        first = pathways.edit_pathway(room["mod"], pid, 1, {"title": "Trams"})["pathway"]
        seq = last_seq(room["r1"])
        with pytest.raises(EditConflict) as raised:
            pathways.edit_pathway(
                room["fac"], pid, 1, {"title": "Bikes", "challenge": "Streets are unsafe"}
            )
        error = raised.value
        assert error.fields == ["title"]
        assert "title" in error.message
        # The facilitator gets the pathway as it is now, as participants see it.
        assert error.current == {**first, "support": {"dots": 0}}
        ack = error.to_ack()
        assert ack["error"]["code"] == "conflict"
        assert ack["error"]["fields"] == ["title"] and ack["error"]["current"] == error.current
        # Nothing of it was saved: the challenge stays, no event.
        db.session.expire_all()
        assert db.session.get(Pathway, pid).challenge == ""
        assert db.session.get(Pathway, pid).title == "Trams"
        assert last_seq(room["r1"]) == seq
        # Made again from the current version, it goes through.
        again = pathways.edit_pathway(room["fac"], pid, 2, {"title": "Bikes"})["pathway"]
        assert again["title"] == "Bikes" and again["version"] == 3

    def test_different_fields_both_stand(self, room):
        a, b, c = room["ideas"]
        pid = pathways.create_pathway(room["fac"], theme_id=room["theme"])["pathway"]["id"]
        pathways.edit_pathway(room["fac"], pid, 1, {"challenge": "Unsafe streets"})
        pathways.edit_pathway(room["mod"], pid, 1, {"steps": [STEP]})
        last = pathways.edit_pathway(room["fac"], pid, 1, {"idea_ids": [a, b, c]})["pathway"]
        assert last["challenge"] == "Unsafe streets" and last["steps"] == [STEP]
        assert last["idea_ids"] == [a, b, c]
        assert last["version"] == 4
        assert last["field_versions"] == {
            **dict.fromkeys(PATHWAY_FIELDS, 1),
            "challenge": 2,
            "steps": 3,
            "ideas": 4,
        }

    def test_ideas_and_tags_conflict_as_fields(self, room):
        a, b, c = room["ideas"]
        pid = pathways.create_pathway(room["fac"], theme_id=room["theme"])["pathway"]["id"]
        pathways.edit_pathway(room["mod"], pid, 1, {"idea_ids": [a]})
        with pytest.raises(EditConflict) as raised:
            pathways.edit_pathway(room["fac"], pid, 1, {"idea_ids": [a, b, c], "tag_ids": []})
        assert raised.value.fields == ["ideas"]
        pathways.edit_pathway(room["mod"], pid, 2, {"tag_ids": [room["tags"]["housing"]]})
        with pytest.raises(EditConflict) as raised:
            pathways.edit_pathway(room["fac"], pid, 1, {"idea_ids": [b], "tag_ids": []})
        assert raised.value.fields == ["tags", "ideas"]
        # Sending what is already there is no change, so it never conflicts.
        same = pathways.edit_pathway(room["fac"], pid, 1, {"idea_ids": [a], "vision": "Go"})
        assert same["pathway"]["vision"] == "Go"

    def test_a_version_from_the_future_is_refused(self, room):
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        for version in (2, 0, -1, "1", 1.0, True, None):
            with pytest.raises(Invalid, match="version"):
                pathways.edit_pathway(room["fac"], pid, version, {"title": "Trams"})


class TestValidation:
    @pytest.mark.parametrize(
        ("changes", "match"),
        [
            ({}, "Say what changes"),
            ({"colour": "red"}, "no field colour"),
            ({"title": "x" * 121}, "at most 120"),
            ({"title": ""}, "empty"),
            ({"title": None}, "empty"),
            ({"title": 7}, "must be text"),
            ({"challenge": "x" * 1001}, "at most 1000"),
            ({"vision": "x" * 1001}, "at most 1000"),
            ({"steps": [STEP] * 21}, "at most 20 steps"),
            ({"steps": STEP}, "must be a list"),
            ({"steps": [{**STEP, "action": "x" * 301}]}, "at most 300"),
            ({"steps": [{**STEP, "action": " "}]}, "empty"),
            ({"steps": [{**STEP, "actor": "x" * 121}]}, "at most 120"),
            ({"steps": [{**STEP, "indicator": "x" * 301}]}, "at most 300"),
            ({"steps": [{**STEP, "horizon": "soon"}]}, "short, medium or long"),
            ({"steps": [{"action": "Ask"}]}, "short, medium or long"),
            ({"steps": [{**STEP, "owner": "me"}]}, "nothing else"),
            ({"steps": ["Ask"]}, "Step 1"),
            ({"tag_ids": list(range(1, 12))}, "at most 10 tags"),
            ({"tag_ids": ["1"]}, "ids"),
            ({"idea_ids": list(range(1, 202))}, "at most 200 ideas"),
            ({"idea_ids": [True]}, "ids"),
        ],
    )
    def test_edits_are_checked(self, room, changes, match):
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        with pytest.raises(Invalid, match=match):
            pathways.edit_pathway(room["fac"], pid, 1, changes)
        assert db.session.get(Pathway, pid).version == 1

    def test_exactly_at_the_limits_is_fine(self, room):
        pid = pathways.create_pathway(room["fac"], "x" * 120)["pathway"]["id"]
        step = {"action": "a" * 300, "actor": "b" * 120, "horizon": "long", "indicator": "c" * 300}
        done = pathways.edit_pathway(
            room["fac"],
            pid,
            1,
            {"challenge": "d" * 1000, "vision": "e" * 1000, "steps": [step] * 20},
        )["pathway"]
        assert len(done["steps"]) == 20 and done["steps"][0] == step

    def test_tags_come_from_the_workshops_lists(self, room):
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        elsewhere = tags.active_tags(World().workshop()["id"])[0].id
        with pytest.raises(Invalid, match="workshop's lists"):
            pathways.edit_pathway(room["fac"], pid, 1, {"tag_ids": [elsewhere]})
        # A tag the organizer took off the list cannot be chosen, and its link stays.
        women = room["tags"]["women"]
        pathways.edit_pathway(room["fac"], pid, 1, {"tag_ids": [women]})
        w = room["w"]
        lists = tags.tag_lists(w["owner"], w["id"])
        tags.update_tags(
            w["owner"], w["id"], {"groups": [g for g in lists["groups"] if g != "Women"]}
        )
        with pytest.raises(Invalid, match="workshop's lists"):
            pathways.edit_pathway(
                room["fac"], pid, 2, {"tag_ids": [women, room["tags"]["housing"]]}
            )
        view = pathways.edit_pathway(room["fac"], pid, 2, {"tag_ids": [room["tags"]["housing"]]})
        assert view["pathway"]["tag_ids"] == [room["tags"]["housing"]]
        tags.update_tags(w["owner"], w["id"], {"groups": lists["groups"]})
        back = snapshots.participant_snapshot(room["member"])["pathways"][0]
        assert back["tag_ids"] == sorted([women, room["tags"]["housing"]])

    def test_ideas_are_visible_ideas_of_the_room(self, room, world):
        a, b, c = room["ideas"]
        w = room["w"]
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        neighbour = world.join(w, "Nel", room=w["rooms"][1])
        phases.set_phase(w["owner"], w["id"], "propose", w["rooms"][1])
        theirs = ideas.post_idea(neighbour, "Elsewhere")["idea"]["id"]
        moderation.hide_idea(w["owner"], w["id"], c)
        for wrong in ([theirs], [c], [a, 2**31 - 1]):
            with pytest.raises(NotFound, match="not in this room"):
                pathways.edit_pathway(room["fac"], pid, 1, {"idea_ids": wrong})
        # A linked idea hidden later keeps its link: moderators see it, participants do
        # not, and an edit of the ideas (by either) leaves it linked.
        moderation.restore_idea(w["owner"], w["id"], c)
        pathways.edit_pathway(room["fac"], pid, 1, {"idea_ids": [a, c]})
        moderation.hide_idea(w["owner"], w["id"], c)
        mod_view = pathways.edit_pathway(room["mod"], pid, 2, {"idea_ids": [a, b, c]})["pathway"]
        assert mod_view["idea_ids"] == [a, b, c]
        public = snapshots.participant_snapshot(room["member"])["pathways"][0]
        assert public["idea_ids"] == [a, b]
        pathways.edit_pathway(room["fac"], pid, 3, {"idea_ids": [b]})
        moderation.restore_idea(w["owner"], w["id"], c)
        back = snapshots.participant_snapshot(room["member"])["pathways"][0]
        assert back["idea_ids"] == [b, c]

    def test_the_theme_is_one_of_the_room(self, room, world):
        w = room["w"]
        theirs = themes.create_theme(room["mod"], "Elsewhere", room_id=w["rooms"][1])
        with pytest.raises(NotFound, match="theme"):
            pathways.create_pathway(room["fac"], theme_id=theirs["theme"]["id"])
        with pytest.raises(NotFound, match="theme"):
            pathways.create_pathway(room["mod"], theme_id=theirs["theme"]["id"], room_id=room["r1"])
        with pytest.raises(Invalid, match="theme"):
            pathways.create_pathway(room["fac"], theme_id="1")

    def test_comments_are_checked(self, room):
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        phases.set_phase(room["w"]["owner"], room["w"]["id"], "pathway", room["r1"])
        for text, match in (
            ("", "empty"),
            ("x" * 501, "at most 500"),
            (None, "empty"),
            (3, "text"),
        ):
            with pytest.raises(Invalid, match=match):
                pathways.comment_pathway(room["member"], pid, text)
        assert pathways.comment_pathway(room["member"], pid, "x" * 500)["comment"]["text"]
        for endorse in (1, "yes", None):
            with pytest.raises(Invalid):
                pathways.endorse_pathway(room["member"], pid, endorse)

    def test_hostile_text_stays_text(self, room):
        hostile = '<img src=x onerror="alert(1)"> & <script>alert(2)</script>'
        made = pathways.create_pathway(room["fac"], hostile[:120])["pathway"]
        edited = pathways.edit_pathway(
            room["fac"],
            made["id"],
            1,
            {
                "challenge": hostile,
                "steps": [
                    {
                        "action": hostile,
                        "actor": "<b>",
                        "horizon": "short",
                        "indicator": "\u202egpj.exe",
                    }
                ],
            },
        )["pathway"]
        assert edited["title"] == hostile[:120] and edited["challenge"] == hostile
        assert edited["steps"][0]["action"] == hostile
        # A bidirectional override is taken out (it would make the text lie on the projector).
        assert edited["steps"][0]["indicator"] == "gpj.exe"
        phases.set_phase(room["w"]["owner"], room["w"]["id"], "pathway", room["r1"])
        said = pathways.comment_pathway(room["member"], made["id"], hostile)["comment"]
        assert said["text"] == hostile
        assert db.session.get(PathwayComment, said["id"]).text == hostile

    def test_limits_on_pathways_and_comments(self, room, monkeypatch):
        monkeypatch.setattr(pathways, "PATHWAYS_PER_ROOM", 2)
        monkeypatch.setattr(pathways, "COMMENTS_PER_PATHWAY", 1)
        first = pathways.create_pathway(room["fac"], "One")["pathway"]["id"]
        pathways.create_pathway(room["fac"], "Two")
        with pytest.raises(Conflict, match="at most 2 pathways"):
            pathways.create_pathway(room["mod"], "Three", room_id=room["r1"])
        pathways.remove_pathway(room["fac"], first)
        pathways.create_pathway(room["fac"], "Three")
        second = snapshots.participant_snapshot(room["member"])["pathways"][0]["id"]
        phases.set_phase(room["w"]["owner"], room["w"]["id"], "pathway", room["r1"])
        pathways.comment_pathway(room["member"], second, "First")
        with pytest.raises(Conflict, match="no more"):
            pathways.comment_pathway(room["other"], second, "Second")


class TestWhoMay:
    def test_facilitators_draft_from_the_cluster_phase_on(self, room):
        w, r1, fac = room["w"], room["r1"], room["fac"]
        for phase in ("lobby", "propose"):
            phases.set_phase(w["owner"], w["id"], phase, r1)
            with pytest.raises(NotAllowed, match="Cluster phase on"):
                pathways.create_pathway(fac, "Early")
        made = []
        for phase in ("cluster", "vote", "pathway"):
            phases.set_phase(w["owner"], w["id"], phase, r1)
            pid = pathways.create_pathway(fac, f"In {phase}")["pathway"]["id"]
            pathways.edit_pathway(fac, pid, 1, {"vision": phase})
            made.append(pid)
        pathways.remove_pathway(fac, made[0])
        phases.set_phase(w["owner"], w["id"], "propose", r1)
        with pytest.raises(NotAllowed, match="Cluster phase on"):
            pathways.edit_pathway(fac, made[1], 2, {"vision": "late"})
        with pytest.raises(NotAllowed, match="Cluster phase on"):
            pathways.remove_pathway(fac, made[1])
        phases.set_phase(w["owner"], w["id"], "closed", r1)
        with pytest.raises(NotAllowed, match="closed"):
            pathways.edit_pathway(fac, made[1], 2, {"vision": "late"})

    def test_moderators_in_every_phase_but_closed(self, room):
        w, r1, mod = room["w"], room["r1"], room["mod"]
        for phase in ("lobby", "propose", "cluster", "vote", "pathway"):
            phases.set_phase(w["owner"], w["id"], phase, r1)
            pid = pathways.create_pathway(mod, f"In {phase}", room_id=r1)["pathway"]["id"]
            pathways.edit_pathway(mod, pid, 1, {"challenge": phase})
        pathways.remove_pathway(mod, pid)
        phases.set_phase(w["owner"], w["id"], "closed", r1)
        with pytest.raises(NotAllowed, match="closed"):
            pathways.create_pathway(mod, "Too late", room_id=r1)

    def test_members_do_not_draft(self, room):
        member = ("participant", room["member"])
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        phases.set_phase(room["w"]["owner"], room["w"]["id"], "pathway", room["r1"])
        db.session.get(Workshop, room["w"]["id"]).participants_cluster = True
        db.session.commit()
        for call in (
            lambda: pathways.create_pathway(member, "Mine"),
            lambda: pathways.edit_pathway(member, pid, 1, {"title": "Mine"}),
            lambda: pathways.remove_pathway(member, pid),
            lambda: pathways.hide_pathway_comment(member, 1),
        ):
            with pytest.raises(NotAllowed, match="facilitator or a moderator"):
                call()

    def test_comments_and_endorsements_in_the_pathway_phase(self, room):
        w, r1 = room["w"], room["r1"]
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        # The facilitator may whenever they draft; the others in the pathway phase only.
        assert pathways.comment_pathway(room["fac"][1], pid, "A note")["comment"]["author"] == "Fay"
        assert pathways.endorse_pathway(room["fac"][1], pid, True)["endorsements"] == 1
        for phase in ("lobby", "propose", "cluster", "vote", "closed"):
            phases.set_phase(w["owner"], w["id"], phase, r1)
            with pytest.raises(NotAllowed):
                pathways.comment_pathway(room["member"], pid, "Too early")
            with pytest.raises(NotAllowed):
                pathways.endorse_pathway(room["member"], pid, True)
        with pytest.raises(NotAllowed, match="closed"):
            pathways.comment_pathway(room["fac"][1], pid, "Too late")
        phases.set_phase(w["owner"], w["id"], "pathway", r1)
        pathways.comment_pathway(room["member"], pid, "Now")
        assert pathways.endorse_pathway(room["member"], pid, True)["endorsements"] == 2

    def test_hiding_comments(self, room):
        w, r1 = room["w"], room["r1"]
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        phases.set_phase(w["owner"], w["id"], "pathway", r1)
        first = pathways.comment_pathway(room["member"], pid, "One")["comment"]["id"]
        second = pathways.comment_pathway(room["member"], pid, "Two")["comment"]["id"]
        with pytest.raises(NotAllowed, match="facilitator or a moderator"):
            pathways.hide_pathway_comment(("participant", room["other"]), first)
        pathways.hide_pathway_comment(room["fac"], first)
        phases.set_phase(w["owner"], w["id"], "closed", r1)
        with pytest.raises(NotAllowed, match="closed"):
            pathways.hide_pathway_comment(room["fac"], second)
        # Moderators take hostile text down in any phase.
        pathways.hide_pathway_comment(room["mod"], second)
        assert db.session.get(PathwayComment, second).hidden
        for missing in (999, "1"):
            with pytest.raises(NotFound):
                pathways.hide_pathway_comment(room["mod"], missing)

    def test_only_in_breakout_rooms_of_ones_own(self, room, world):
        w, r1 = room["w"], room["r1"]
        r2 = w["rooms"][1]
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        phases.set_phase(w["owner"], w["id"], "pathway")
        comment = pathways.comment_pathway(room["member"], pid, "Mine")["comment"]["id"]
        neighbour = world.join(w, "Nel", room=r2)
        phases.appoint_facilitator(w["owner"], w["id"], neighbour)
        them = ("participant", neighbour)
        for call in (
            lambda: pathways.edit_pathway(them, pid, 1, {"title": "Stolen"}),
            lambda: pathways.remove_pathway(them, pid),
            lambda: pathways.comment_pathway(neighbour, pid, "Hi"),
            lambda: pathways.endorse_pathway(neighbour, pid, True),
            lambda: pathways.hide_pathway_comment(them, comment),
        ):
            with pytest.raises(NotFound):
                call()
        assert pathways.create_pathway(them, "Theirs")["pathway"]["room_id"] == r2
        # The plenary has no pathways.
        waiting = world.join(w, "Wes")
        with pytest.raises(NotAllowed, match="breakout rooms"):
            pathways.create_pathway(("participant", waiting), "Lobby")
        with pytest.raises(NotAllowed, match="breakout rooms"):
            pathways.comment_pathway(waiting, pid, "Lobby")
        with pytest.raises(NotFound):
            pathways.create_pathway(room["mod"], "Lobby", room_id=w["plenary"])
        # Another workshop's moderator, and a removed participant, reach nothing.
        stranger = ("user", World().workshop()["owner"])
        for call in (
            lambda: pathways.create_pathway(stranger, "Mine now", room_id=r1),
            lambda: pathways.edit_pathway(stranger, pid, 1, {"title": "Mine now"}),
            lambda: pathways.remove_pathway(stranger, pid),
            lambda: pathways.hide_pathway_comment(stranger, comment),
        ):
            with pytest.raises(NotFound):
                call()
        moderation.remove_participant(w["owner"], w["id"], room["fac"][1])
        with pytest.raises(NotAllowed):
            pathways.edit_pathway(room["fac"], pid, 1, {"title": "After removal"})
        assert db.session.get(Pathway, pid).title == "Night buses"

    def test_a_facilitator_who_left_the_room_may_not(self, room):
        w = room["w"]
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        participants.move_participant(w["owner"], w["id"], room["fac"][1], w["rooms"][1])
        with pytest.raises(NotAllowed):
            pathways.create_pathway(room["fac"], "After the move")
        with pytest.raises(NotAllowed):
            pathways.edit_pathway(room["fac"], pid, 1, {"title": "After the move"})


class TestSupport:
    def test_dots_added_up_by_role_and_hidden_with_the_results(self, ctx, world):
        w = world.workshop(rooms=1)
        r1 = w["rooms"][0]
        roles = db.session.get(Workshop, w["id"]).stakeholder_roles
        people = [
            participants.join_workshop(w["code"], secrets.token_urlsafe(16), name, role)[
                "participant_id"
            ]
            for name, role in (("A", roles[0]), ("B", roles[1]), ("C", None))
        ]
        for person in people:
            participants.move_participant(w["owner"], w["id"], person, r1)
        a, b, c = (ideas.post_idea(people[0], f"Idea {n}")["idea"]["id"] for n in range(3))
        world.phase(w, "vote")
        for voter, idea, dots in ((people[0], a, 2), (people[1], b, 1), (people[2], c, 3)):
            for _ in range(dots):
                votes.give_dot(voter, idea, 1)
        mod = ("user", w["owner"])
        pid = pathways.create_pathway(mod, "Both", room_id=r1)["pathway"]["id"]
        view = pathways.edit_pathway(mod, pid, 1, {"idea_ids": [a, b]})["pathway"]
        assert view["support"] == {
            "dots": 3,
            "by_role": {roles[0]: {"dots": 2}, roles[1]: {"dots": 1}},
        }
        public = snapshots.participant_snapshot(people[0])["pathways"][0]
        assert public["support"] == {"dots": 3}
        phases.set_results_hidden(w["owner"], w["id"], True, r1)
        hidden = snapshots.participant_snapshot(people[0])["pathways"][0]
        assert hidden["support"] is None
        console = snapshots.moderator_snapshot(w["owner"], w["id"])["rooms"][1]["pathways"][0]
        assert console["support"]["dots"] == 3  # moderators always see it
        # A hidden idea's votes leave the support.
        moderation.hide_idea(w["owner"], w["id"], b)
        console = snapshots.moderator_snapshot(w["owner"], w["id"])["rooms"][1]["pathways"][0]
        assert console["support"] == {"dots": 2, "by_role": {roles[0]: {"dots": 2}}}
        assert console["idea_ids"] == [a, b]

    @pytest.mark.parametrize("mode", ["agree", "scores"])
    def test_other_modes_add_up_like_a_themes_support(self, ctx, world, mode):
        w = world.workshop(rooms=1, voting_mode=mode, criteria=["Impact", "Cost"])
        r1 = w["rooms"][0]
        people = [world.join(w, name, room=r1) for name in ("A", "B")]
        a, b = (ideas.post_idea(people[0], f"Idea {n}")["idea"]["id"] for n in range(2))
        world.phase(w, "vote")
        if mode == "agree":
            votes.give_opinion(people[0], a, "agree")
            votes.give_opinion(people[1], a, "disagree")
            votes.give_opinion(people[0], b, "agree")
            expected = {
                "agree": 2,
                "disagree": 1,
                "pass": 0,
                "consensus": 0.67,
                "divisiveness": 0.67,
            }
        else:
            votes.give_score(people[0], a, 0, 5)
            votes.give_score(people[1], a, 0, 2)
            votes.give_score(people[0], b, 0, 4)
            votes.give_score(people[0], b, 1, 3)
            # Impact: (5 + 2 + 4) / 3; cost: 3; voters counts scorings (A twice).
            expected = {
                "criteria": [{"mean": 3.67, "count": 3}, {"mean": 3.0, "count": 1}],
                "mean": 3.33,
                "voters": 3,
            }
        pid = pathways.create_pathway(("user", w["owner"]), "Both", room_id=r1)["pathway"]["id"]
        pathways.edit_pathway(("user", w["owner"]), pid, 1, {"idea_ids": [a, b]})
        public = snapshots.participant_snapshot(people[0])["pathways"][0]
        assert public["support"] == expected


class TestIdempotency:
    def test_a_retried_action_changes_nothing(self, room):
        fac, member = room["fac"], room["member"]
        made_id = action_id()
        made = pathways.create_pathway(fac, "Night buses", action_id=made_id)
        assert pathways.create_pathway(fac, "Night buses", action_id=made_id) == made
        pid = made["pathway"]["id"]
        edit_id = action_id()
        edited = pathways.edit_pathway(fac, pid, 1, {"title": "Trams"}, action_id=edit_id)
        # The retry is answered as the first time, though the pathway moved on since.
        pathways.edit_pathway(room["mod"], pid, 2, {"vision": "Later"})
        assert pathways.edit_pathway(fac, pid, 1, {"title": "Trams"}, action_id=edit_id) == edited
        phases.set_phase(room["w"]["owner"], room["w"]["id"], "pathway", room["r1"])
        said_id, endorse_id, hide_id = action_id(), action_id(), action_id()
        said = pathways.comment_pathway(member, pid, "Yes", action_id=said_id)
        assert pathways.comment_pathway(member, pid, "Yes", action_id=said_id) == said
        endorsed = pathways.endorse_pathway(member, pid, True, action_id=endorse_id)
        pathways.endorse_pathway(member, pid, False)
        assert pathways.endorse_pathway(member, pid, True, action_id=endorse_id) == endorsed
        comment = said["comment"]["id"]
        hidden = pathways.hide_pathway_comment(fac, comment, action_id=hide_id)
        assert pathways.hide_pathway_comment(fac, comment, action_id=hide_id) == hidden
        removed_id = action_id()
        gone = pathways.remove_pathway(fac, pid, action_id=removed_id)
        assert pathways.remove_pathway(fac, pid, action_id=removed_id) == gone
        assert count(Pathway) == 1 and count(PathwayComment) == 1
        assert count(PathwayEndorsement) == 0
        kinds = [kind for kind, _d, _m in logged(room["r1"]) if kind.startswith("pathway")]
        assert kinds == [
            "pathway_saved",
            "pathway_saved",
            "pathway_saved",
            "pathway_commented",
            "pathway_endorsed",
            "pathway_endorsed",
            "pathway_comment_hidden",
            "pathway_removed",
        ]
        with pytest.raises(Conflict, match="another action"):
            pathways.remove_pathway(fac, pid, action_id=made_id)

    def test_a_refused_edit_is_not_stored_as_the_answer(self, room):
        pid = pathways.create_pathway(room["fac"], "Night buses")["pathway"]["id"]
        pathways.edit_pathway(room["mod"], pid, 1, {"title": "Trams"})
        retry = action_id()
        with pytest.raises(EditConflict):
            pathways.edit_pathway(room["fac"], pid, 1, {"title": "Bikes"}, action_id=retry)
        # The same id may carry the edit made again from the current version.
        done = pathways.edit_pathway(room["fac"], pid, 2, {"title": "Bikes"}, action_id=retry)
        assert done["pathway"]["title"] == "Bikes"


class TestReplays:
    def test_a_replay_shows_what_the_reader_may_see_now(self, room):
        w, r1 = room["w"], room["r1"]
        a, b, _c = room["ideas"]
        seq = last_seq(r1)
        pid = pathways.create_pathway(room["fac"], theme_id=room["theme"])["pathway"]["id"]
        phases.set_phase(w["owner"], w["id"], "pathway", r1)
        said = pathways.comment_pathway(room["member"], pid, "Rude words")["comment"]["id"]
        kept = pathways.comment_pathway(room["other"], pid, "Fine words")["comment"]["id"]
        pathways.edit_pathway(room["fac"], pid, 1, {"vision": "Later"})
        pathways.hide_pathway_comment(room["mod"], said)
        moderation.hide_idea(w["owner"], w["id"], b)
        phases.set_results_hidden(w["owner"], w["id"], True, r1)
        replay = snapshots.events_since(r1, seq, room["member"])
        shown = [(e["type"], e["data"]) for e in replay if e["type"].startswith("pathway")]
        assert shown[0][0] == "pathway_saved"
        assert (
            shown[0][1]["pathway"]["idea_ids"] == [a] and shown[0][1]["pathway"]["support"] is None
        )
        assert shown[1] == ("pathway_comment_hidden", {"pathway_id": pid, "comment_id": said})
        assert shown[2][0] == "pathway_commented" and shown[2][1]["comment"]["id"] == kept
        assert [c["id"] for c in shown[3][1]["pathway"]["comments"]] == [kept]
        assert shown[4] == ("pathway_comment_hidden", {"pathway_id": pid, "comment_id": said})
        # The log itself keeps what was said when.
        stored = db.session.scalars(
            sa.select(RoomEvent).where(
                RoomEvent.room_id == r1, RoomEvent.type == "pathway_commented"
            )
        ).first()
        assert stored.data["comment"]["text"] == "Rude words"


class TestSnapshots:
    def test_pathways_in_both_snapshots_in_creation_order(self, room):
        w, r1 = room["w"], room["r1"]
        first = pathways.create_pathway(room["fac"], "First")["pathway"]
        second = pathways.create_pathway(room["mod"], "Second", room_id=r1)["pathway"]
        other = pathways.create_pathway(room["mod"], "Elsewhere", room_id=w["rooms"][1])
        view = snapshots.participant_snapshot(room["member"])
        assert view["pathways"] == [first, {**second, "support": {"dots": 0}}]
        console = snapshots.moderator_snapshot(w["owner"], w["id"])
        by_room = {r["id"]: r["pathways"] for r in console["rooms"]}
        assert [p["id"] for p in by_room[r1]] == [first["id"], second["id"]]
        assert by_room[w["rooms"][1]] == [other["pathway"]]
        assert by_room[w["plenary"]] == []
        assert console["rooms"][0]["pathways"] == []
        lobby = World().join(w, "Wes")
        assert snapshots.participant_snapshot(lobby)["pathways"] == []

    def test_the_snapshot_reads_pathways_in_a_fixed_number_of_queries(self, room, ctx):
        w, r1 = room["w"], room["r1"]

        def queries() -> int:
            seen = []
            listener = lambda *args: seen.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                db.session.expire_all()
                snapshots.moderator_snapshot(w["owner"], w["id"])
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            return len(seen)

        pid = pathways.create_pathway(room["mod"], "One", room_id=r1)["pathway"]["id"]
        pathways.edit_pathway(room["mod"], pid, 1, {"idea_ids": room["ideas"]})
        one = queries()
        for n in range(5):
            made = pathways.create_pathway(room["mod"], f"More {n}", room_id=w["rooms"][n % 2])
            pathways.edit_pathway(room["mod"], made["pathway"]["id"], 1, {"idea_ids": []})
        assert queries() == one


class TestOverSockets:
    def test_phones_and_consoles(self, app, phone, console):
        from cocreate.realtime import MODERATOR_NS

        with app.app_context():
            world = World()
            owner = world.user("owner@example.org", PASSWORD)
            w = world.workshop(owner, rooms=1, assignment="random")
        desk = console("owner@example.org", PASSWORD, w["id"])
        assert desk.send("open_breakouts")["ok"]
        fay, max_ = phone(w["code"], "Fay"), phone(w["code"], "Max")
        r1 = w["rooms"][0]
        assert desk.send("appoint_facilitator", participant_id=fay.snapshot()["me"]["id"])["ok"]
        idea = max_.send("post_idea", text="Night buses")["idea"]["id"]
        theme = desk.send("create_theme", room_id=r1, name="Transport", idea_ids=[idea])
        assert desk.send("set_phase", phase="cluster", room_id=r1)["ok"]
        max_.snapshot()
        max_.received()
        desk.socket.get_received(MODERATOR_NS)

        made = fay.send("create_pathway", theme_id=theme["theme"]["id"])
        assert made["ok"], made
        pathway = made["pathway"]
        assert set(pathway) == {
            "id",
            "room_id",
            "theme_id",
            "title",
            "challenge",
            "vision",
            "steps",
            "tag_ids",
            "idea_ids",
            "version",
            "field_versions",
            "support",
            "endorsements",
            "comments",
        }
        assert (pathway["title"], pathway["idea_ids"]) == ("Transport", [idea])
        pid = pathway["id"]
        events = [e for batch in max_.received() for e in batch["events"]]
        assert [(e["type"], e["data"]) for e in events] == [("pathway_saved", {"pathway": pathway})]
        consoles = [
            e
            for m in desk.socket.get_received(MODERATOR_NS)
            if m["name"] == "events"
            for e in m["args"][0]["events"]
        ]
        assert consoles[-1]["type"] == "pathway_saved"
        assert consoles[-1]["data"]["pathway"]["support"] == {"dots": 0, "by_role": {}}

        # Two editors: different fields merge, the same field is a conflict.
        step = {"action": "Buses every 20 minutes", "horizon": "short"}
        fay_edit = fay.send(
            "edit_pathway", pathway_id=pid, version=1, changes={"title": "Buses", "steps": [step]}
        )
        assert fay_edit["ok"] and fay_edit["pathway"]["version"] == 2
        assert fay_edit["pathway"]["steps"] == [{**step, "actor": "", "indicator": ""}]
        desk_edit = desk.send(
            "edit_pathway", pathway_id=pid, version=1, changes={"vision": "Home safely"}
        )
        assert desk_edit["ok"] and desk_edit["pathway"]["title"] == "Buses"
        clash = desk.send("edit_pathway", pathway_id=pid, version=1, changes={"title": "Trams"})
        assert clash["ok"] is False
        assert clash["error"]["code"] == "conflict" and clash["error"]["fields"] == ["title"]
        assert clash["error"]["current"]["title"] == "Buses"
        assert clash["error"]["current"]["version"] == 3
        assert clash["error"]["message"]

        # The gate checks shapes; the service checks the rest.
        for bad in (
            {"pathway_id": pid, "version": 3, "changes": {"colour": "red"}},
            {"pathway_id": pid, "version": "3", "changes": {"title": "x"}},
            {"pathway_id": pid, "version": 3, "changes": {"title": None}},
            {"pathway_id": pid, "version": 3, "changes": {"steps": [{"action": "x"}]}},
            {"pathway_id": pid, "version": 3, "changes": {"tag_ids": [0]}},
            {"pathway_id": pid, "version": True, "changes": {}},
        ):
            assert fay.send("edit_pathway", bad)["error"]["code"] == "bad_request", bad
        long_title = fay.send(
            "edit_pathway", pathway_id=pid, version=3, changes={"title": "x" * 121}
        )
        assert long_title["error"]["code"] == "invalid"
        bad_horizon = fay.send(
            "edit_pathway",
            pathway_id=pid,
            version=3,
            changes={"steps": [{"action": "x", "horizon": "soon"}]},
        )
        assert bad_horizon["error"]["code"] == "invalid"
        # A whole pathway at every limit, in Korean (3 bytes a character), is one edit;
        # other events keep the 8 KiB limit.
        full = {"action": "가" * 300, "actor": "나" * 120, "horizon": "long"}
        full["indicator"] = "다" * 300
        whole = {"title": "길" * 120, "challenge": "불" * 1000, "vision": "꿈" * 1000}
        korean = fay.send(
            "edit_pathway", pathway_id=pid, version=3, changes={**whole, "steps": [full] * 20}
        )
        assert korean["ok"], korean
        assert korean["pathway"]["steps"] == [full] * 20
        too_long = fay.send("create_pathway", title="가" * 4000)
        assert too_long["error"]["code"] == "too_large"
        assert max_.send("create_pathway", title="Mine")["error"]["code"] == "not_allowed"
        assert max_.send("comment_pathway", pathway_id=pid, text="Early")["error"]["code"] == (
            "not_allowed"
        )

        # The pathway phase: comments, endorsements, hiding.
        assert desk.send("set_phase", phase="pathway", room_id=r1)["ok"]
        max_.received()
        hostile = "<script>alert(1)</script> & <b>bold</b>"
        said = max_.send("comment_pathway", pathway_id=pid, text=hostile)
        assert said["ok"] and said["comment"]["text"] == hostile
        assert said["comment"]["author"] == "Max"
        retry = {"id": action_id(), "pathway_id": pid, "endorse": True}
        endorsed = max_.send("endorse_pathway", retry)
        assert endorsed == {"ok": True, "pathway_id": pid, "endorsed": True, "endorsements": 1}
        assert max_.send("endorse_pathway", retry) == endorsed
        assert max_.send("endorse_pathway", pathway_id=pid, endorse="yes")["error"]["code"] == (
            "bad_request"
        )
        assert max_.snapshot()["me"]["endorsed_pathways"] == [pid]
        assert (
            max_.send("hide_pathway_comment", comment_id=said["comment"]["id"])["error"]["code"]
            == "not_allowed"
        )
        hidden = fay.send("hide_pathway_comment", comment_id=said["comment"]["id"])
        assert hidden == {"ok": True, "pathway_id": pid, "comment_id": said["comment"]["id"]}
        again = desk.send("hide_pathway_comment", comment_id=said["comment"]["id"])
        assert again["ok"]
        # Moderators do not comment or endorse: they are not the room's participants.
        assert desk.send("comment_pathway", pathway_id=pid, text="Hi")["error"]["code"] == (
            "unknown_event"
        )
        events = [e for batch in max_.received() for e in batch["events"]]
        assert [e["type"] for e in events] == [
            "pathway_commented",
            "pathway_endorsed",
            "pathway_comment_hidden",
        ]
        assert events[0]["data"]["comment"]["text"] == hostile  # text, for textContent

        snapshot = max_.snapshot()
        [shown] = snapshot["pathways"]
        assert shown["comments"] == [] and shown["endorsements"] == 1
        room_view = desk.send("sync", {})["snapshot"]["rooms"][1]
        assert [p["id"] for p in room_view["pathways"]] == [pid]

        assert fay.send("remove_pathway", pathway_id=pid) == {"ok": True, "pathway_id": pid}
        assert desk.send("remove_pathway", pathway_id=pid)["error"]["code"] == "not_found"
        assert max_.snapshot()["pathways"] == []
        made = desk.send("create_pathway", room_id=r1, title="From the console")
        assert made["ok"] and made["pathway"]["room_id"] == r1
        assert desk.send("create_pathway", title="Where?")["error"]["code"] == "bad_request"
        assert desk.send("remove_pathway", pathway_id=made["pathway"]["id"])["ok"]
