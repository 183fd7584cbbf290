"""Limits that fit a venue, where a room of 1,000 people shares one address: counted per
device (its cookie) or per participant, with per-address caps that only scripts meet."""

import shutil
from datetime import timedelta

import pytest
import sqlalchemy as sa
from limits import parse_many

from cocreate import create_app
from cocreate.config import DEFAULTS
from cocreate.extensions import db, socketio
from cocreate.models import Idea
from cocreate.realtime import PARTICIPANT_NS
from cocreate.services import ideas, participants, scribe
from cocreate.services.errors import RateLimited
from cocreate.sockets import participant as participant_namespace
from tests.conftest import World, settings

WRONG = "ZZZZZZZZ"


@pytest.fixture
def app(tmp_path, migrated_sqlite):
    """An app whose HTTP limits count (the other tests' settings switch them off)."""
    path = tmp_path / "limits.sqlite"
    shutil.copy(migrated_sqlite, path)
    app = create_app(settings(f"sqlite:///{path}", RATELIMIT_ENABLED=True))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def workshop(app):
    with app.app_context():
        return World().workshop(rooms=2, assignment="manual")


def device(app, code: str):
    """A phone's browser that joined the workshop: it carries a device cookie."""
    client = app.test_client()
    assert client.post("/api/join", json={"code": code}).status_code == 200
    return client


def message(response) -> str:
    return response.get_json()["error"]["message"]


class TestWrongCodes:
    def test_one_device_is_stopped_and_the_venue_is_not(self, app, workshop):
        guesser = device(app, workshop["code"])
        tries = [
            guesser.get(f"/j/{WRONG}"),
            guesser.post(f"/j/{WRONG}", data={"name": ""}),
            guesser.get(f"/w/{WRONG}"),
            guesser.get(f"/api/w/{WRONG}/state"),
            *[guesser.post("/api/join", json={"code": WRONG}) for _ in range(6)],
        ]
        assert [r.status_code for r in tries] == [404] * 10  # every way counts alike
        refused = guesser.post("/api/join", json={"code": WRONG})
        assert refused.status_code == 429
        assert refused.get_json()["error"]["code"] == "rate_limited"
        assert "wrong codes from this device" in message(refused)
        assert "wrong codes from this device" in guesser.get(f"/j/{WRONG}").get_data(as_text=True)
        # Everyone else behind the same address is not affected.
        neighbour = device(app, workshop["code"])
        assert neighbour.post("/api/join", json={"code": WRONG}).status_code == 404
        assert neighbour.get(f"/j/{workshop['code']}").status_code == 302

    def test_guessing_from_one_address_is_capped_generously(self, app, workshop):
        cap = app.config["BAD_CODES_PER_ADDRESS"]
        assert parse_many(cap)[0].amount == 300  # a venue's typos never come near it
        # Scripts drop their cookies: each try is a new "device", so the address counts.
        for _ in range(300):
            assert app.test_client().get(f"/j/{WRONG}").status_code == 404
        refused = app.test_client().post("/api/join", json={"code": WRONG})
        assert refused.status_code == 429
        assert "wrong codes from this network" in message(refused)
        page = app.test_client().post("/", data={"code": WRONG})
        assert page.status_code == 429
        assert "wrong codes from this network" in page.get_data(as_text=True)


class TestJoins:
    def test_one_device_joins_at_most_ten_times_a_minute(self, app, workshop):
        phone = device(app, workshop["code"])  # (no cookie yet: the address counts it)
        again = [phone.post("/api/join", json={"code": workshop["code"]}) for _ in range(10)]
        assert {r.get_json()["returning"] for r in again} == {True}
        refused = phone.post(f"/j/{workshop['code']}", data={"name": ""})
        assert refused.status_code == 429
        assert "joined too often" in refused.get_data(as_text=True)
        assert device(app, workshop["code"]).get(f"/w/{workshop['code']}").status_code == 200

    def test_a_venue_joins_but_a_script_from_one_address_is_stopped(self, app, workshop):
        # The default lets a 1,000-person venue join within a minute, and then some.
        assert [
            (lim.amount, lim.get_expiry()) for lim in parse_many(DEFAULTS["JOINS_PER_ADDRESS"])
        ] == [
            (1200, 60),
            (4000, 3600),
        ]
        app.config["JOINS_PER_ADDRESS"] = "5 per minute"  # the same rule, smaller
        for _ in range(3):  # wrong codes are not joins: they do not count here
            assert app.test_client().post("/api/join", json={"code": WRONG}).status_code == 404
        for _ in range(5):
            answer = app.test_client().post("/api/join", json={"code": workshop["code"]})
            assert answer.status_code == 200
        refused = app.test_client().post(f"/j/{workshop['code']}", data={"name": ""})
        assert refused.status_code == 429
        assert "Too many people joined from this network" in refused.get_data(as_text=True)


class TestJoinPayloads:
    @pytest.mark.parametrize(
        ("body", "words"),
        [
            ({"role": []}, "stakeholder role must be text"),
            ({"role": {}}, "stakeholder role must be text"),
            ({"role": 0}, "stakeholder role must be text"),
            ({"name": []}, "Display name must be text"),
            ({"name": {}}, "Display name must be text"),
            ({"code": []}, "join code must be text"),
        ],
    )
    def test_what_is_not_text_is_refused(self, app, workshop, body, words):
        answer = app.test_client().post("/api/join", json={"code": workshop["code"], **body})
        assert answer.status_code == 400
        assert answer.get_json()["error"]["code"] == "invalid"
        assert words in message(answer)
        with app.app_context():
            assert (
                World().moderator_view(workshop["owner"], workshop["id"])["rooms"][0][
                    "members_list"
                ]
                == []
            )


class TestIdeas:
    def test_ten_ideas_a_minute_per_participant(self, app, workshop, phone):
        me = phone(workshop["code"])
        with app.app_context():
            participants.move_participant(
                workshop["owner"], workshop["id"], me.snapshot()["me"]["id"], workshop["rooms"][0]
            )
        for n in range(10):
            assert me.send("post_idea", text=f"Idea {n}")["ok"]
        refused = me.send("post_idea", text="One too many")
        assert refused["ok"] is False
        assert refused["error"]["code"] == "rate_limited"
        assert "At most 10 ideas a minute" in refused["error"]["message"]
        assert 1 <= refused["error"]["retry_after"] <= 60
        with app.app_context():  # a minute later (the ideas' clock moved back)
            for idea in db.session.scalars(sa.select(Idea)):
                idea.created_at -= timedelta(seconds=61)
            db.session.commit()
        assert me.send("post_idea", text="After a minute")["ok"]

    def test_a_scribe_posts_for_each_person_on_paper(self, ctx, world):
        w = world.workshop(rooms=1)
        scribe_ = ("user", w["owner"])
        ana = scribe.add_paper_person(scribe_, w["rooms"][0], "Ana")["member"]["id"]
        ben = scribe.add_paper_person(scribe_, w["rooms"][0], "Ben")["member"]["id"]
        for n in range(10):
            scribe.post_idea(scribe_, ana, f"Ana's idea {n}")
        with pytest.raises(RateLimited, match="At most 10"):
            scribe.post_idea(scribe_, ana, "Ana's eleventh")
        assert scribe.post_idea(scribe_, ben, "Ben's first")["idea"]["author"] == "Ben"
        # Withdrawn ideas count too: posting and withdrawing does not get round it.
        me = world.join(w, room=w["rooms"][0])
        for n in range(10):
            ideas.withdraw_idea(me, ideas.post_idea(me, f"Gone {n}")["idea"]["id"])
        with pytest.raises(RateLimited):
            ideas.post_idea(me, "Once more")


class TestSockets:
    def test_at_most_five_connections_per_device(self, app, workshop, phone, monkeypatch):
        refusals = []
        refuse = participant_namespace.refuse
        monkeypatch.setattr(
            participant_namespace,
            "refuse",
            lambda code, text: refusals.append((code, text)) or refuse(code, text),
        )
        me = phone(workshop["code"])

        def tab():
            return socketio.test_client(
                app,
                namespace=PARTICIPANT_NS,
                auth={"workshop": workshop["code"]},
                flask_test_client=me.http,
            )

        tabs = [me.socket] + [tab() for _ in range(4)]
        assert all(t.is_connected(PARTICIPANT_NS) for t in tabs)
        sixth = tab()
        assert not sixth.is_connected(PARTICIPANT_NS)
        assert refusals == [
            (
                "too_many_connections",
                "This device has 5 connections to the workshop open already. Close other "
                "tabs of it, or wait half a minute, then reload.",
            )
        ]
        assert phone(workshop["code"]).socket.is_connected(PARTICIPANT_NS)  # another device
        tabs[1].disconnect(PARTICIPANT_NS)
        assert tab().is_connected(PARTICIPANT_NS)
