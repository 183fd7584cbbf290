"""A newcomer replaying a room's log (`sync` since 0) reads no more than a snapshot shows:
no hidden, withdrawn or merged idea, no text from before a correction, no one else's idea
waiting for approval, no tally while results are hidden. Moderators keep the history."""

import json

import pytest

from cocreate.services import ideas, moderation, participants, phases, votes
from tests.conftest import World

PASSWORD = "correct horse battery"


@pytest.fixture
def room(app):
    """A workshop's first breakout room with its author in it (owner can sign in)."""
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        made = world.workshop(owner, rooms=1, assignment="manual", premoderation=False)
        author = world.join(made, "Author", room=made["rooms"][0])
    return {**made, "author": author, "room": made["rooms"][0]}


def newcomer_log(app, room, phone) -> dict:
    """Someone who joins now, is placed in the room and replays its whole log."""
    newcomer = phone(room["code"], "Newcomer")
    person = newcomer.snapshot()["me"]["id"]
    with app.app_context():
        participants.move_participant(room["owner"], room["id"], person, room["room"])
    ack = newcomer.send("sync", {"room_id": room["room"], "since": 0})
    assert ack["ok"] and "events" in ack, ack
    return ack


def as_json(answer) -> str:
    return json.dumps(answer, ensure_ascii=False)


def moderate(app, room, action, *args):
    with app.app_context():
        return action(room["owner"], room["id"], *args)


def test_a_hidden_idea_is_not_replayed(app, room, phone):
    with app.app_context():
        idea = ideas.post_idea(room["author"], "Something rude", "Rude details")["idea"]["id"]
        ideas.edit_idea(room["author"], idea, "Something ruder")
    moderate(app, room, moderation.hide_idea, idea)
    log = newcomer_log(app, room, phone)
    assert "rude" not in as_json(log).lower()
    redacted = [e for e in log["events"] if e["type"] == "idea_redacted"]
    assert [e["data"] for e in redacted] == [{"idea_ids": [idea]}] * 2
    # Restored, it is replayed as it is now.
    moderate(app, room, moderation.restore_idea, idea)
    texts = [
        e["data"]["idea"]["text"]
        for e in newcomer_log(app, room, phone)["events"]
        if "idea" in e["data"]
    ]
    assert texts == ["Something ruder"] * 3  # posted, edited, restored


def test_a_withdrawn_idea_is_not_replayed(app, room, phone):
    with app.app_context():
        idea = ideas.post_idea(room["author"], "Second thoughts")["idea"]["id"]
        ideas.withdraw_idea(room["author"], idea)
    assert "Second thoughts" not in as_json(newcomer_log(app, room, phone))


@pytest.mark.parametrize("hidden_after", [False, True])
def test_a_correction_leaves_only_the_current_text(app, room, phone, hidden_after):
    with app.app_context():
        idea = ideas.post_idea(room["author"], "Mistpyed idea", "Deatils")["idea"]["id"]
    moderate(app, room, moderation.correct_idea, idea, "Mistyped idea", "Details")
    if hidden_after:
        moderate(app, room, moderation.hide_idea, idea)
        moderate(app, room, moderation.correct_idea, idea, "Hidden and corrected")
    text = as_json(newcomer_log(app, room, phone))
    assert "Mistpyed" not in text and "Deatils" not in text
    if hidden_after:
        assert "Mistyped idea" not in text and "Hidden and corrected" not in text
    else:
        events = newcomer_log(app, room, phone)["events"]
        shown = [e["data"]["idea"] for e in events if "idea" in e["data"]]
        assert [(i["text"], i["details"], i["edited"]) for i in shown] == [
            ("Mistyped idea", "Details", True)
        ] * 2


def test_a_merged_duplicate_is_replayed_as_the_snapshot_shows_it(app, room, phone):
    with app.app_context():
        other = World().join(room, "Other", room=room["room"])
        keep = ideas.post_idea(room["author"], "Housing first")["idea"]["id"]
        duplicate = ideas.post_idea(other, "Housing first, please!")["idea"]["id"]
    moderate(app, room, moderation.merge_ideas, keep, duplicate)
    log = newcomer_log(app, room, phone)
    assert "please" not in as_json(log)
    merged = [e for e in log["events"] if e["type"] == "ideas_merged"]
    assert merged[0]["data"]["merged_id"] == duplicate
    assert merged[0]["data"]["idea"]["text"] == "Housing first"
    # The kept idea hidden afterwards: neither comes back.
    moderate(app, room, moderation.hide_idea, keep)
    log = newcomer_log(app, room, phone)
    assert "Housing" not in as_json(log)
    assert {"idea_ids": [keep, duplicate]} in [e["data"] for e in log["events"]]


def test_an_idea_waiting_for_approval_is_only_its_author_s(app, phone, console):
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        w = world.workshop(owner, rooms=1, assignment="manual", premoderation=True)
        author = world.join(w, "Author", room=w["rooms"][0])
        idea = ideas.post_idea(author, "Waiting for approval")["idea"]["id"]
    room = {**w, "author": author, "room": w["rooms"][0]}
    assert "Waiting" not in as_json(newcomer_log(app, room, phone))
    moderate(app, room, moderation.approve_idea, idea)
    assert "Waiting for approval" in as_json(newcomer_log(app, room, phone))
    moderate(app, room, moderation.hide_idea, idea)  # approved, then taken back
    assert "Waiting" not in as_json(newcomer_log(app, room, phone))


def test_no_tally_is_replayed_while_results_are_hidden(app, room, phone):
    with app.app_context():
        idea = ideas.post_idea(room["author"], "Counted")["idea"]["id"]
        phases.set_phase(room["owner"], room["id"], "vote")
        votes.give_dot(room["author"], idea, 1)
        phases.set_results_hidden(room["owner"], room["id"], False, room["room"])
        phases.set_results_hidden(room["owner"], room["id"], True, room["room"])
    log = newcomer_log(app, room, phone)
    assert '"dots"' not in as_json(log)
    with app.app_context():
        phases.set_results_hidden(room["owner"], room["id"], False, room["room"])
    assert '"dots": 1' in as_json(newcomer_log(app, room, phone))


def test_moderators_and_the_state_endpoint(app, room, phone, console):
    with app.app_context():
        idea = ideas.post_idea(room["author"], "Something rude")["idea"]["id"]
    moderate(app, room, moderation.hide_idea, idea)
    newcomer = phone(room["code"], "Newcomer")
    assert "rude" not in newcomer.http.get(f"/api/w/{room['code']}/state").get_data(as_text=True)
    desk = console("owner@example.org", PASSWORD, room["id"])
    rooms = desk.send("sync", {})["snapshot"]["rooms"]
    assert [(i["text"], i["status"]) for i in rooms[1]["ideas"]] == [("Something rude", "hidden")]
