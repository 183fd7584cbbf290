"""The shared outcome page (issue 9): GET /w/<code>/outcome (a page readable without
JavaScript) and GET /api/w/<code>/outcome (JSON with an ETag), public to anyone with the
link; hidden results, anonymous people's names and moderation never reach it."""

import re

import pytest

from cocreate.services import (
    cross_themes,
    ideas,
    moderation,
    outcome,
    participants,
    pathways,
    phases,
    themes,
    votes,
)
from tests.conftest import action_id

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def app(app):
    """Every request sees the latest outcome (no two-second window between builds)."""
    app.config["OUTCOME_FRESH_FOR"] = 0
    app.config["OUTCOME_COST_FACTOR"] = 0
    return app


@pytest.fixture
def workshop(app, world):
    """Two rooms after their vote: room 1 with a named and an anonymous author, a theme,
    a pathway and dots; room 2 with its results hidden. Breakouts open, then closed."""
    with app.app_context():  # not held open: each request reads the latest
        return _workshop(world)


def _workshop(world) -> dict:
    """Make the fixture's workshop (inside an app context)."""
    w = world.workshop(rooms=2)
    participants.open_breakouts(w["owner"], w["id"])
    ana = world.join(w, "Ana Named", room=w["rooms"][0])
    anonymous = world.join(w, None, room=w["rooms"][0])
    ben = world.join(w, "Ben Secret", room=w["rooms"][1])
    bus = ideas.post_idea(ana, "Free buses at night")["idea"]["id"]
    ramp = ideas.post_idea(anonymous, "Ramps at every stop")["idea"]["id"]
    hidden = ideas.post_idea(ana, "An idea a moderator hid")["idea"]["id"]
    moderation.hide_idea(w["owner"], w["id"], hidden)
    flats = ideas.post_idea(ben, "Empty flats for families")["idea"]["id"]
    world.phase(w, "cluster")
    theme = themes.create_theme(
        ("user", w["owner"]), "Getting around", "", [bus, ramp], room_id=w["rooms"][0]
    )["theme"]["id"]
    housing = themes.create_theme(
        ("user", w["owner"]), "A home for all", "", [flats], room_id=w["rooms"][1]
    )["theme"]["id"]
    cross_themes.create_cross_theme(w["owner"], w["id"], "Everyday life", [theme, housing])
    phases.set_results_hidden(w["owner"], w["id"], True, w["rooms"][1])
    world.phase(w, "vote")
    votes.give_dot(ana, bus, 1)
    votes.give_dot(anonymous, bus, 1)
    votes.give_dot(anonymous, ramp, 1)
    votes.give_dot(ben, flats, 1)
    votes.give_dot(ben, flats, 1)
    world.phase(w, "pathway")
    pathway = pathways.create_pathway(("user", w["owner"]), None, theme, w["rooms"][0])
    pathway = pathway["pathway"]
    pathways.edit_pathway(
        ("user", w["owner"]),
        pathway["id"],
        pathway["version"],
        {
            "challenge": "Night workers cannot get home",
            "steps": [
                {"action": "Run night buses", "actor": "City", "horizon": "short", "indicator": ""}
            ],
        },
    )
    participants.close_breakouts(w["owner"], w["id"])
    return {**w, "bus": bus, "ramp": ramp, "flats": flats, "theme": theme}


def get_json(client, code, **headers):
    return client.get(f"/api/w/{code}/outcome", headers=headers)


class TestJson:
    def test_anyone_with_the_link_reads_the_outcome(self, app, workshop):
        response = get_json(app.test_client(), workshop["code"])  # no cookie: a visitor
        assert response.status_code == 200
        body = response.get_json()
        assert body["ok"] is True
        data = body["outcome"]
        assert data["format"] == "cocreate-outcome"
        assert data["workshop"]["question"] == "How do we reach equality?"
        first, _hidden = data["rooms"]
        assert [t["name"] for t in first["themes"]] == ["Getting around"]
        assert first["themes"][0]["support"]["dots"] == 3
        assert [i["text"] for i in first["top_ideas"]] == [
            "Free buses at night",
            "Ramps at every stop",
        ]
        assert first["top_ideas"][0]["results"]["dots"] == 2
        (pathway,) = data["pathways"]
        assert pathway["title"] == "Getting around"
        assert pathway["challenge"] == "Night workers cannot get home"
        assert pathway["steps"][0]["action"] == "Run night buses"
        assert pathway["support"]["dots"] == 3
        assert [c["name"] for c in data["cross_themes"]] == ["Everyday life"]
        assert data["code"] == workshop["code"]

    def test_hidden_results_give_no_count_and_no_ranking(self, app, workshop):
        data = get_json(app.test_client(), workshop["code"]).get_json()["outcome"]
        hidden_room = data["rooms"][1]
        assert hidden_room["results_shown"] is False
        assert hidden_room["themes"][0]["support"] is None
        assert hidden_room["top_ideas"] == []  # which idea is on top is a result too
        # A cross-room theme with a hidden room in it shows no support.
        assert data["cross_themes"][0]["support"] is None
        text = get_json(app.test_client(), workshop["code"]).get_data(as_text=True)
        assert "Empty flats for families" not in text  # only top ideas are listed

    def test_revealing_shows_them(self, app, workshop):
        with app.app_context():
            phases.set_results_hidden(
                workshop["owner"], workshop["id"], False, workshop["rooms"][1]
            )
        data = get_json(app.test_client(), workshop["code"]).get_json()["outcome"]
        room = data["rooms"][1]
        assert room["results_shown"] is True
        assert room["top_ideas"][0]["results"]["dots"] == 2
        assert data["cross_themes"][0]["support"]["dots"] == 5

    def test_no_anonymous_name_no_moderation_no_people(self, app, workshop):
        text = get_json(app.test_client(), workshop["code"]).get_data(as_text=True)
        data = get_json(app.test_client(), workshop["code"]).get_json()["outcome"]
        authors = [i["author"] for r in data["rooms"] for i in r["top_ideas"]]
        assert authors == ["Ana Named", None]
        assert "An idea a moderator hid" not in text
        for private in ("author_key", "ballots", "endorsed_by", "results_by_role", "p1"):
            assert f'"{private}"' not in text
        assert "people" not in data  # the builder's list of people (keys, roles)
        assert "Ben Secret" not in text  # named, but wrote nothing shown

    def test_etag_answers_304_until_something_changes(self, app, workshop):
        client = app.test_client()
        first = get_json(client, workshop["code"])
        etag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "no-store"
        again = get_json(client, workshop["code"], **{"If-None-Match": etag})
        assert again.status_code == 304
        assert again.get_data() == b""
        assert again.headers["ETag"] == etag
        with app.app_context():
            themes.rename_theme(("user", workshop["owner"]), workshop["theme"], "Moving around")
        changed = get_json(client, workshop["code"], **{"If-None-Match": etag})
        assert changed.status_code == 200
        assert changed.headers["ETag"] != etag
        assert changed.get_json()["outcome"]["rooms"][0]["themes"][0]["name"] == "Moving around"

    def test_a_burst_of_changes_is_built_once_per_window(self, app, workshop):
        app.config["OUTCOME_FRESH_FOR"] = 3600  # nothing in this test takes an hour
        client = app.test_client()
        etag = get_json(client, workshop["code"]).headers["ETag"]
        with app.app_context():
            themes.rename_theme(("user", workshop["owner"]), workshop["theme"], "Moving around")
        assert get_json(client, workshop["code"], **{"If-None-Match": etag}).status_code == 304
        app.config["OUTCOME_FRESH_FOR"] = 0
        assert get_json(client, workshop["code"], **{"If-None-Match": etag}).status_code == 200

    def test_a_slow_build_waits_in_proportion_and_one_builds_at_a_time(self, app, workshop):
        client = app.test_client()
        etag = get_json(client, workshop["code"]).headers["ETag"]
        with app.app_context():
            themes.rename_theme(("user", workshop["owner"]), workshop["theme"], "Moving around")
        app.config["OUTCOME_COST_FACTOR"] = 1e12  # any build's cost times this is hours
        assert get_json(client, workshop["code"], **{"If-None-Match": etag}).status_code == 304
        app.config["OUTCOME_COST_FACTOR"] = 0
        # While another request builds this workshop's outcome, the kept one is answered.
        app.extensions["cocreate.outcome.building"].add(workshop["id"])
        assert get_json(client, workshop["code"], **{"If-None-Match": etag}).status_code == 304
        app.extensions["cocreate.outcome.building"].clear()
        assert get_json(client, workshop["code"], **{"If-None-Match": etag}).status_code == 200

    def test_unknown_code_is_404(self, app, workshop):
        response = get_json(app.test_client(), "ZZZZ-ZZZZ")
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
        assert app.test_client().get("/w/ZZZZ-ZZZZ/outcome").status_code == 404


class TestPage:
    def test_the_page_reads_without_javascript(self, app, workshop):
        response = app.test_client().get(f"/w/{workshop['code']}/outcome")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        html = response.get_data(as_text=True)
        assert "How do we reach equality?" in html
        assert "Pathways toward equality" in html
        assert "Night workers cannot get home" in html
        assert "Run night buses" in html
        assert "Free buses at night" in html
        assert "Results not shown yet." in html
        assert "Everyday life" in html
        assert "An idea a moderator hid" not in html
        assert "Empty flats for families" not in html
        assert re.search(r"2 dots", html)
        etag = get_json(app.test_client(), workshop["code"]).headers["ETag"].strip('"')
        assert f'data-etag="{etag}"' in html

    def test_a_typed_code_goes_to_the_one_link(self, app, workshop):
        typed = workshop["code"].lower().replace("-", "")
        response = app.test_client().get(f"/w/{typed}/outcome?view=screen")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/w/{workshop['code']}/outcome?view=screen")

    def test_hostile_text_is_escaped(self, app, world):
        with app.app_context():
            w = world.workshop(rooms=1, title=HOSTILE[:120], question=HOSTILE)
            participants.open_breakouts(w["owner"], w["id"])
            person = world.join(w, HOSTILE[:40], room=w["rooms"][0])
            idea = ideas.post_idea(person, HOSTILE)["idea"]["id"]
            world.phase(w, "vote")
            themes.create_theme(
                ("user", w["owner"]), HOSTILE[:80], HOSTILE[:300], [idea], room_id=w["rooms"][0]
            )
        html = app.test_client().get(f"/w/{w['code']}/outcome").get_data(as_text=True)
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert" in html

    def test_the_projector_view(self, app, workshop):
        html = (
            app.test_client()
            .get(f"/w/{workshop['code']}/outcome?view=screen")
            .get_data(as_text=True)
        )
        assert re.search(r'<body class="outcome-page screen"', html)


class TestTrim:
    """public_outcome alone: whatever the builder gives, only what is picked goes out."""

    def synthesis(self):
        return {
            "workshop": {"title": "T", "question": "Q", "method": {"voting_mode": "dots"}},
            "tags": [
                {"id": 1, "kind": "rights", "key": "udhr-25", "label": "Housing", "removed": False},
                {"id": 2, "kind": "groups", "key": "x", "label": "Unused", "removed": False},
            ],
            "participation": {"people": 3, "named": 1, "by_role": [{"role": "x"}]},
            "rooms": [
                {
                    "id": 1,
                    "name": "A",
                    "phase": "closed",
                    "themes": [],
                    "top_ideas": [10, 11],
                    "moderation": {"hidden": 4},
                },
                {
                    "id": 2,
                    "name": "B",
                    "phase": "vote",
                    "removed": True,
                    "themes": [],
                    "top_ideas": [],
                },
            ],
            "ideas": [
                {
                    "id": 10,
                    "room_id": 1,
                    "text": "x",
                    "author": None,
                    "author_key": "p1",
                    "paper": False,
                    "tag_ids": [1],
                    "results": {"dots": 1},
                    "results_by_role": {"x": {"dots": 1}},
                },
                {
                    "id": 11,
                    "room_id": 1,
                    "text": "y",
                    "author": "Named",
                    "author_key": "p2",
                    "paper": True,
                    "tag_ids": [],
                    "results": {"dots": 0},
                },
            ],
            "pathways": [],
            "cross_themes": [],
            "people": [{"key": "p1"}],
            "ballots": [{"person": "p1"}],
        }

    def test_only_picked_fields_go_out(self):
        trimmed = outcome.public_outcome(self.synthesis(), hidden=set())
        assert [r["name"] for r in trimmed["rooms"]] == ["A"]  # a removed room is not shown
        assert trimmed["rooms"][0]["top_ideas"][0] == {
            "id": 10,
            "text": "x",
            "author": None,
            "paper": False,
            "tag_ids": [1],
            "results": {"dots": 1},
        }
        assert trimmed["tags"] == [{"id": 1, "kind": "rights", "label": "Housing"}]
        assert "people" not in trimmed and "ballots" not in trimmed
        assert "moderation" not in str(trimmed) and "p1" not in str(trimmed)

    def test_before_the_vote_no_results(self):
        data = self.synthesis()
        data["rooms"][0]["phase"] = "cluster"
        trimmed = outcome.public_outcome(data, hidden=set())
        assert trimmed["rooms"][0]["results_shown"] is False
        assert trimmed["rooms"][0]["top_ideas"] == []


def test_phones_learn_that_the_breakouts_happened(app, world, phone):
    """The lobby shows the outcome once the breakouts are over: the snapshot says so."""
    with app.app_context():
        w = world.workshop(rooms=1)
    device = phone(w["code"], "Ana")
    assert device.snapshot()["workshop"]["breakouts_held"] is False
    with app.app_context():
        participants.open_breakouts(w["owner"], w["id"])
    assert device.snapshot()["workshop"]["breakouts_held"] is False
    with app.app_context():
        participants.move_participant(
            w["owner"], w["id"], device.snapshot()["me"]["id"], w["rooms"][0]
        )
    assert device.send("post_idea", text="Benches in the shade")["ok"]
    device.received()
    with app.app_context():
        participants.close_breakouts(w["owner"], w["id"], action_id=action_id())
    (batch,) = [
        b for b in device.received() if any(e["type"] == "workshop_changed" for e in b["events"])
    ]
    changed = next(e for e in batch["events"] if e["type"] == "workshop_changed")
    assert changed["data"]["workshop"]["breakouts_open"] is False
    assert changed["data"]["workshop"]["breakouts_held"] is True
