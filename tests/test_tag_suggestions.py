"""Suggested tags (issue 8): the engine's choice (only measured default tags, above the
threshold, at most two per kind, the same answer twice, clear ideas in four languages get
their domain), who may ask, and the socket event. The real engine runs."""

import numpy as np
import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Participant, Tag, User
from cocreate.services import ideas, participants, phases, suggested_tags, tag_suggestions, tags
from cocreate.services.errors import Invalid, NotAllowed, NotFound
from cocreate.tagsets import DEFAULTS

PASSWORD = "correct horse battery"

#: Ideas whose domain nobody would doubt, in English, French, Spanish and Korean.
CLEAR = {
    "mobility-accessibility": [
        "More night buses and safe cycle lanes to the station",
        "Plus de pistes cyclables et de bus de nuit",
        "Más autobuses nocturnos y carriles bici seguros",
        "버스 노선을 늘리고 자전거도로를 만들어 주세요",
    ],
    "education-digital": [
        "Free computer classes for older people at the library",
        "Cours d'informatique gratuits à l'école pour les élèves",
        "Clases de informática gratuitas en las escuelas",
        "학교에 컴퓨터 교실과 디지털 교육을 늘려 주세요",
    ],
    "culture": [
        "A summer festival of music and theatre in the park",
        "Un festival de musique et de théâtre dans le quartier",
        "Un festival de música y teatro en el barrio",
        "동네에서 음악과 연극 축제를 열어 주세요",
    ],
}


class TestEngine:
    def test_clear_ideas_get_their_domain_first_in_every_language(self):
        texts = [text for examples in CLEAR.values() for text in examples]
        answers = tag_suggestions.suggest(texts)
        for (key, examples), start in zip(CLEAR.items(), range(0, len(texts), 4), strict=True):
            for text, found in zip(examples, answers[start : start + 4], strict=True):
                assert found and found[0].key == key, (text, found)

    def test_only_measured_default_tags_above_the_threshold(self):
        texts = [*CLEAR["culture"], "Cap the rents in the old town", "Stop violence against women"]
        for found in tag_suggestions.suggest(texts):
            assert len(found) <= tag_suggestions.MAX_PER_KIND
            for s in found:
                assert s.key in tag_suggestions.SUGGESTED_TAGS and s.kind == "domains"
                assert s.score >= tag_suggestions.THRESHOLD
            assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)

    def test_rights_and_groups_are_never_suggested(self):
        assert set(tag_suggestions.SUGGESTED_KINDS) == {"domains"}
        defaults = {key for key, _label in DEFAULTS["domains"]}
        assert defaults >= tag_suggestions.SUGGESTED_TAGS

    def test_the_same_texts_give_the_same_answer(self):
        texts = CLEAR["mobility-accessibility"] + CLEAR["culture"]
        assert tag_suggestions.suggest(texts) == tag_suggestions.suggest(list(texts))

    def test_a_workshop_without_the_tag_gets_no_suggestion_of_it(self):
        texts = CLEAR["culture"]
        for found in tag_suggestions.suggest(texts, keys=["education-digital"]):
            assert all(s.key != "culture" for s in found)
        assert tag_suggestions.suggest(texts, keys=[]) == [[] for _ in texts]

    def test_the_threshold_and_the_limit_are_respected(self):
        keys = ["a", "b", "c", "d"]
        row = np.array([0.05, 0.02, 0.014, 0.03])
        picked = tag_suggestions.pick(row, keys, "domains", threshold=0.015)
        assert [s.key for s in picked] == ["a", "d"]  # "b" passes too, but two at most
        picked = tag_suggestions.pick(row, keys, "domains", threshold=0.04)
        assert [s.key for s in picked] == ["a"]
        assert tag_suggestions.pick(row, keys, "domains", threshold=0.06) == []


def tag_id(workshop_id: int, key: str) -> int:
    return db.session.scalar(
        sa.select(Tag.id).where(Tag.workshop_id == workshop_id, Tag.key == key)
    )


@pytest.fixture
def room(ctx, world):
    """A breakout room in the propose phase: an author with an idea, a facilitator, another."""
    w = world.workshop()
    r1, r2 = w["rooms"]
    author = world.join(w, "Ann", room=r1)
    other = world.join(w, "Bo", room=r1)
    facilitator = world.join(w, "Fay", room=r1)
    outsider = world.join(w, "Oz", room=r2)
    phases.appoint_facilitator(w["owner"], w["id"], facilitator)
    world.phase(w, "propose")
    idea = ideas.post_idea(author, CLEAR["culture"][0])["idea"]["id"]
    return {
        "w": w,
        "author": author,
        "other": other,
        "fac": facilitator,
        "out": outsider,
        "idea": idea,
        "culture": tag_id(w["id"], "culture"),
    }


class TestWhoMayAsk:
    def test_the_author_gets_the_workshops_tag(self, room):
        answer = suggested_tags.suggest_tags(("participant", room["author"]), room["idea"])
        assert answer["idea_id"] == room["idea"]
        assert answer["suggestions"][0]["tag_id"] == room["culture"], answer
        assert answer["suggestions"][0]["kind"] == "domains"

    def test_text_being_written(self, room):
        answer = suggested_tags.suggest_tags(
            ("participant", room["other"]), text=CLEAR["culture"][3]
        )
        assert answer["idea_id"] is None and answer["suggestions"][0]["tag_id"] == room["culture"]

    def test_a_tag_the_organizer_renamed_or_removed_is_not_suggested(self, room):
        w = room["w"]
        lists = tags.tag_lists(w["owner"], w["id"])
        renamed = [
            label if label != "Culture" else "Arts and culture" for label in lists["domains"]
        ]
        tags.update_tags(w["owner"], w["id"], {"domains": renamed})
        answer = suggested_tags.suggest_tags(("participant", room["author"]), room["idea"])
        assert answer["suggestions"] == []  # "Arts and culture" is the organizer's: no key

    def test_who_may_ask(self, room):
        with pytest.raises(NotAllowed):  # someone else's idea
            suggested_tags.suggest_tags(("participant", room["other"]), room["idea"])
        with pytest.raises(NotFound):  # another room's
            suggested_tags.suggest_tags(("participant", room["out"]), room["idea"])
        assert suggested_tags.suggest_tags(("participant", room["fac"]), room["idea"])[
            "suggestions"
        ]
        with pytest.raises(Invalid):
            suggested_tags.suggest_tags(("participant", room["author"]), room["idea"], "text")
        with pytest.raises(Invalid):
            suggested_tags.suggest_tags(("participant", room["author"]))
        # the author, after propose: no longer
        phases.set_phase(room["w"]["owner"], room["w"]["id"], "vote", room["w"]["rooms"][0])
        with pytest.raises(NotAllowed):
            suggested_tags.suggest_tags(("participant", room["author"]), room["idea"])
        w = room["w"]
        answer = suggested_tags.suggest_tags(("user", w["owner"]), room["idea"], None, w["id"])
        assert answer["suggestions"][0]["tag_id"] == room["culture"]


class TestOverSockets:
    def test_the_phone_and_the_console_ask(self, app, room, phone, console):
        w = room["w"]
        me = phone(w["code"], "Phone Ann")
        mine = me.snapshot()["me"]["id"]
        participants.move_participant(w["owner"], w["id"], mine, w["rooms"][0])
        assert db.session.get(Participant, mine).room_id == w["rooms"][0]
        idea = ideas.post_idea(mine, CLEAR["mobility-accessibility"][1])["idea"]["id"]
        ack = me.send("suggest_tags", {"idea_id": idea})
        mobility = tag_id(w["id"], "mobility-accessibility")
        assert ack["ok"] and ack["suggestions"][0]["tag_id"] == mobility, ack
        ack = me.send("suggest_tags", {"text": CLEAR["culture"][2]})
        assert ack["ok"] and ack["suggestions"][0]["tag_id"] == room["culture"], ack
        assert me.send("suggest_tags", {"idea_id": room["idea"]})["error"]["code"] == "not_allowed"
        assert me.send("suggest_tags", {})["error"]["code"] == "invalid"
        assert (
            me.send("suggest_tags", {"id": "x", "idea_id": idea})["error"]["code"] == "bad_request"
        )
        mod = console(db.session.get(User, w["owner"]).email, PASSWORD, w["id"])
        ack = mod.send("suggest_tags", {"idea_id": idea})
        assert ack["ok"] and ack["suggestions"][0]["tag_id"] == mobility, ack
