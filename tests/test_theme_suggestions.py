"""Suggested themes, likely duplicates and the typing hint (issue 8): who may ask, in
which phase, the answers' shapes, that the same ideas give the same answer, and that
asking stores nothing. The real engine (multilingual-e5-small) runs: these are its
answers on ideas people could write, not a stub's."""

import threading

import pytest
import sqlalchemy as sa
from flask import current_app

from cocreate.extensions import db
from cocreate.models import Participant, User, Workshop
from cocreate.services import ideas, moderation, participants, phases, theme_suggestions, themes
from cocreate.services.errors import NotAllowed, NotFound, RateLimited

PASSWORD = "correct horse battery"

TRANSPORT = [
    "Free buses for students and pupils",
    "More night buses on weekends",
    "Cheaper public transport tickets for low-income families",
    "Trams that run every five minutes at rush hour",
]
HOUSING = [
    "Affordable housing for migrant and refugee families",
    "Cap the rents in the old town",
    "Social housing near the city centre",
    "Stop evictions of families during winter",
]
#: Two ways of saying one thing, and something else.
PARAPHRASE = (
    "We need more cycle lanes in the centre of town",
    "More bike lanes in the city centre",
)


@pytest.fixture
def room(ctx, world):
    """A breakout room in the cluster phase: a facilitator, a member, eight ideas."""
    w = world.workshop()
    r1, r2 = w["rooms"]
    facilitator = world.join(w, "Fay", room=r1)
    members = [world.join(w, f"M{n}", room=r1) for n in range(2)]
    outsider = world.join(w, "Oz", room=r2)
    lobby = world.join(w, "Lo")
    phases.appoint_facilitator(w["owner"], w["id"], facilitator)
    posted = [
        ideas.post_idea(members[n % 2], text)["idea"]["id"]
        for n, text in enumerate(TRANSPORT + HOUSING)
    ]
    world.phase(w, "cluster")
    return {
        "w": w,
        "r1": r1,
        "r2": r2,
        "fac": facilitator,
        "member": members[0],
        "outsider": outsider,
        "lobby": lobby,
        "ideas": posted,
        "transport": posted[:4],
        "housing": posted[4:],
    }


def everything() -> dict[str, list[str]]:
    """Every row of every table: what "stores nothing" is checked against."""
    db.session.expire_all()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(sa.select(table)))
        for table in db.metadata.sorted_tables
    }


class TestSuggestThemes:
    def test_groups_the_ideas_in_no_theme_and_stores_nothing(self, room):
        before = everything()
        answer = theme_suggestions.suggest_themes(("participant", room["fac"]))
        assert everything() == before
        assert answer["room_id"] == room["r1"]
        assert set(answer) == {"room_id", "groups", "alone"}
        grouped = [i for g in answer["groups"] for i in g["idea_ids"]]
        # every unthemed idea once: in a group, or alone
        assert sorted(grouped + answer["alone"]) == sorted(room["ideas"])
        for group in answer["groups"]:
            assert set(group) == {"label", "representative_id", "idea_ids"}
            assert isinstance(group["label"], str) and 0 < len(group["label"]) <= 48
            assert len(group["idea_ids"]) >= 2 and group["idea_ids"] == sorted(group["idea_ids"])
            assert group["representative_id"] in group["idea_ids"]
        sizes = [len(g["idea_ids"]) for g in answer["groups"]]
        assert sizes == sorted(sizes, reverse=True)
        # Transport and housing do not end up in one group.
        for group in answer["groups"]:
            ids = set(group["idea_ids"])
            assert not (ids & set(room["transport"]) and ids & set(room["housing"])), answer

    def test_the_same_ideas_give_the_same_answer(self, room, world):
        by = ("participant", room["fac"])
        first = theme_suggestions.suggest_themes(by)
        assert theme_suggestions.suggest_themes(by) == first
        assert (
            theme_suggestions.suggest_themes(
                ("user", room["w"]["owner"]), room["r1"], room["w"]["id"]
            )
            == first
        )

    def test_ideas_already_in_a_theme_are_left_out(self, room):
        fac = ("participant", room["fac"])
        themes.create_theme(fac, "Housing", idea_ids=room["housing"])
        answer = theme_suggestions.suggest_themes(fac)
        offered = {i for g in answer["groups"] for i in g["idea_ids"]} | set(answer["alone"])
        assert offered == set(room["transport"])

    def test_accepting_is_create_theme_per_group(self, room):
        fac = ("participant", room["fac"])
        groups = theme_suggestions.suggest_themes(fac)["groups"]
        for group in groups:
            themes.create_theme(fac, group["label"], idea_ids=group["idea_ids"])
        left = theme_suggestions.suggest_themes(fac)
        assert left["groups"] == [] and len(left["alone"]) <= 1

    def test_fewer_than_two_ideas_need_no_engine(self, room):
        fac = ("participant", room["fac"])
        themes.create_theme(fac, "All", idea_ids=room["ideas"][1:])
        answer = theme_suggestions.suggest_themes(fac)
        assert answer == {"room_id": room["r1"], "groups": [], "alone": [room["ideas"][0]]}

    def test_who_may_ask(self, room, world):
        w = room["w"]
        with pytest.raises(NotAllowed):  # a member, participants_cluster off
            theme_suggestions.suggest_themes(("participant", room["member"]))
        with pytest.raises(NotAllowed):  # the plenary
            theme_suggestions.suggest_themes(("participant", room["lobby"]))
        other = world.workshop()
        with pytest.raises(NotFound):  # a room of a workshop the account does not run
            theme_suggestions.suggest_themes(("user", other["owner"]), room["r1"], w["id"])
        with pytest.raises(NotFound):  # its own workshop, another's room
            theme_suggestions.suggest_themes(("user", other["owner"]), room["r1"], other["id"])
        with pytest.raises(NotFound):  # the plenary
            theme_suggestions.suggest_themes(("user", w["owner"]), w["plenary"], w["id"])

    def test_participants_cluster_during_the_cluster_phase(self, room):
        db.session.get(Workshop, room["w"]["id"]).participants_cluster = True
        db.session.commit()
        assert theme_suggestions.suggest_themes(("participant", room["member"]))["groups"]
        phases.set_phase(room["w"]["owner"], room["w"]["id"], "vote", room["r1"])
        with pytest.raises(NotAllowed):
            theme_suggestions.suggest_themes(("participant", room["member"]))
        # the facilitator may in any phase but closed
        assert theme_suggestions.suggest_themes(("participant", room["fac"]))["groups"]
        phases.set_phase(room["w"]["owner"], room["w"]["id"], "closed", room["r1"])
        with pytest.raises(NotAllowed):
            theme_suggestions.suggest_themes(("participant", room["fac"]))
        with pytest.raises(NotAllowed):
            theme_suggestions.suggest_themes(
                ("user", room["w"]["owner"]), room["r1"], room["w"]["id"]
            )

    def test_one_at_a_time_per_room(self, room, monkeypatch):
        """A second ask for a room while one runs is rate_limited; another room's waits."""
        started, release = threading.Event(), threading.Event()
        real = theme_suggestions.suggestions.suggest

        def slow(found):
            started.set()
            release.wait(10)
            return real(found)

        monkeypatch.setattr(theme_suggestions.suggestions, "suggest", slow)
        app = current_app._get_current_object()
        answers = []

        def first():
            with app.app_context():
                answers.append(theme_suggestions.suggest_themes(("participant", room["fac"])))

        thread = threading.Thread(target=first)
        thread.start()
        assert started.wait(10)
        with pytest.raises(RateLimited) as refused:
            theme_suggestions.suggest_themes(
                ("user", room["w"]["owner"]), room["r1"], room["w"]["id"]
            )
        assert refused.value.retry_after
        release.set()
        thread.join(10)
        assert answers and answers[0]["groups"]


class TestDuplicates:
    def test_a_paraphrase_is_a_likely_duplicate(self, room, world):
        w = room["w"]
        phases.set_phase(w["owner"], w["id"], "propose", room["r1"])
        a = ideas.post_idea(room["fac"], PARAPHRASE[0])["idea"]["id"]
        b = ideas.post_idea(room["fac"], PARAPHRASE[1])["idea"]["id"]
        before = everything()
        answer = theme_suggestions.duplicate_pairs(("user", w["owner"]), room["r1"], w["id"])
        assert everything() == before
        assert answer["room_id"] == room["r1"]
        assert answer["pairs"][0]["idea_ids"] == [a, b]
        assert 0.9 < answer["pairs"][0]["similarity"] <= 1
        assert all(p["idea_ids"][0] < p["idea_ids"][1] for p in answer["pairs"])
        # the facilitator sees the same pairs (read-only: merging is the moderators')
        assert theme_suggestions.duplicate_pairs(("participant", room["fac"])) == answer
        # merged, the pair is gone
        moderation.merge_ideas(w["owner"], w["id"], a, b)
        again = theme_suggestions.duplicate_pairs(("user", w["owner"]), room["r1"], w["id"])
        assert [a, b] not in [p["idea_ids"] for p in again["pairs"]]

    def test_who_may_look(self, room):
        with pytest.raises(NotAllowed):
            theme_suggestions.duplicate_pairs(("participant", room["member"]))
        with pytest.raises(NotAllowed):
            theme_suggestions.duplicate_pairs(("participant", room["lobby"]))
        with pytest.raises(NotFound):
            theme_suggestions.duplicate_pairs(
                ("user", room["w"]["owner"]), room["r1"], room["w"]["id"] + 99
            )


class TestSimilarIdeas:
    def test_typing_a_near_duplicate_finds_it(self, room):
        w = room["w"]
        phases.set_phase(w["owner"], w["id"], "propose", room["r1"])
        before = everything()
        answer = theme_suggestions.similar_ideas(
            room["member"], "Free buses for pupils and students!"
        )
        assert everything() == before
        assert answer["ideas"][0]["idea_id"] == room["transport"][0]
        assert len(answer["ideas"]) <= 3
        assert all(set(i) == {"idea_id", "similarity"} for i in answer["ideas"])
        sims = [i["similarity"] for i in answer["ideas"]]
        assert sims == sorted(sims, reverse=True)

    def test_short_or_unrelated_text_finds_nothing(self, room):
        w = room["w"]
        phases.set_phase(w["owner"], w["id"], "propose", room["r1"])
        assert theme_suggestions.similar_ideas(room["member"], "Free buses") == {"ideas": []}
        unrelated = theme_suggestions.similar_ideas(
            room["member"], "A festival of music from every culture in the park"
        )
        assert unrelated == {"ideas": []}

    def test_only_the_rooms_visible_ideas(self, room):
        w = room["w"]
        phases.set_phase(w["owner"], w["id"], "propose")
        moderation.hide_idea(w["owner"], w["id"], room["transport"][0])
        found = theme_suggestions.similar_ideas(
            room["member"], "Free buses for pupils and students"
        )
        assert room["transport"][0] not in [i["idea_id"] for i in found["ideas"]]
        # another room's phone: nothing of R1
        theirs = theme_suggestions.similar_ideas(
            room["outsider"], "Free buses for pupils and students"
        )
        assert theirs == {"ideas": []}

    def test_phases_and_rooms(self, room):
        with pytest.raises(NotAllowed):  # cluster
            theme_suggestions.similar_ideas(room["member"], "Free buses for students")
        with pytest.raises(NotAllowed):  # the plenary
            theme_suggestions.similar_ideas(room["lobby"], "Free buses for students")


class TestOverSockets:
    def test_events_and_their_answers(self, app, room, phone, console):
        w = room["w"]
        # Phones are made over HTTP; the room's facilitator is an existing participant, so
        # make a new phone and appoint it instead.
        fac = phone(w["code"], "Phone Fay")
        me = fac.snapshot()["me"]["id"]
        participants.move_participant(w["owner"], w["id"], me, room["r1"])
        phases.appoint_facilitator(w["owner"], w["id"], me)
        assert db.session.get(Participant, me).room_id == room["r1"]

        ack = fac.send("suggest_themes", {})
        assert ack["ok"] and ack["room_id"] == room["r1"] and ack["groups"], ack
        assert fac.send("suggest_themes", {"id": "x"})["error"]["code"] == "bad_request"
        ack = fac.send("duplicate_pairs", {})
        assert ack["ok"] and ack["pairs"] == [], ack

        mod = console(db.session.get(User, w["owner"]).email, PASSWORD, w["id"])
        ack = mod.send("suggest_themes", {"room_id": room["r1"]})
        assert ack["ok"] and ack["groups"], ack
        assert mod.send("suggest_themes", {})["error"]["code"] == "bad_request"
        assert (
            mod.send("duplicate_pairs", {"room_id": w["plenary"]})["error"]["code"] == "not_found"
        )

        member = phone(w["code"], "Phone Max")
        mid = member.snapshot()["me"]["id"]
        participants.move_participant(w["owner"], w["id"], mid, room["r1"])
        assert member.send("suggest_themes", {})["error"]["code"] == "not_allowed"
        phases.set_phase(w["owner"], w["id"], "propose", room["r1"])
        ack = member.send("similar_ideas", {"text": "Cap rents in the old town"})
        assert ack["ok"] and ack["ideas"][0]["idea_id"] == room["housing"][1], ack
        assert member.send("similar_ideas", {"text": "x" * 281})["error"]["code"] == "invalid"
