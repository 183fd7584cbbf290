"""The server moves a participant's connections to their new room itself, whatever moved
them, so a phone that ignores `moved` hears nothing more of its old room."""

import pytest

from cocreate import realtime
from cocreate.extensions import socketio
from cocreate.realtime import PARTICIPANT_NS
from cocreate.services import participants, phases, workshops
from cocreate.sockets.participant import follow_rooms
from tests.conftest import World, action_id

PASSWORD = "correct horse battery"


@pytest.fixture
def workshop(app):
    """A workshop with two breakout rooms whose owner can sign in."""
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        return world.workshop(owner, rooms=2, assignment="manual")


def me(phone) -> int:
    """The participant id of a phone (its first and only sync)."""
    return phone.snapshot()["me"]["id"]


def heard(phone) -> set[int]:
    """The rooms whose events reached the phone since the last look."""
    return {batch["room_id"] for batch in phone.received()}


def probe(app, workshop) -> None:
    """Record an event in every open room (a moderator's message to all)."""
    with app.app_context():
        phases.broadcast(workshop["owner"], workshop["id"], "Probe")


def move(app, workshop, participant_id: int, room_id: int) -> None:
    """A moderator moves someone (from this process)."""
    with app.app_context():
        participants.move_participant(workshop["owner"], workshop["id"], participant_id, room_id)


def test_a_phone_that_ignores_moved_hears_only_its_new_room(app, workshop, phone, console):
    stays, mover, other = phone(workshop["code"]), phone(workshop["code"]), phone(workshop["code"])
    old, new = workshop["rooms"]
    move(app, workshop, me(stays), old)
    move(app, workshop, me(mover), old)
    move(app, workshop, me(other), new)
    # A second tab of the same device moves too.
    tab = socketio.test_client(
        app,
        namespace=PARTICIPANT_NS,
        auth={"workshop": workshop["code"]},
        flask_test_client=mover.http,
    )
    desk = console("owner@example.org", PASSWORD, workshop["id"])
    for socket in (stays.socket, mover.socket, other.socket, tab):
        socket.get_received(PARTICIPANT_NS)
    ack = desk.send("move_participant", participant_id=me(mover), room_id=new)
    assert ack["ok"], ack
    assert mover.received("moved") == [{"room_id": new}]
    assert [m["args"][0] for m in tab.get_received(PARTICIPANT_NS) if m["name"] == "moved"] == [
        {"room_id": new}
    ]
    # The phone never syncs.
    assert stays.send("post_idea", text="Only for the old room")["ok"]
    assert other.send("post_idea", text="For the new room")["ok"]
    batches = mover.received()
    assert [b["room_id"] for b in batches] == [new]
    assert [e["data"]["idea"]["text"] for e in batches[0]["events"]] == ["For the new room"]
    in_tab = [m["args"][0] for m in tab.get_received(PARTICIPANT_NS) if m["name"] == "events"]
    assert [b["room_id"] for b in in_tab] == [new]


@pytest.mark.parametrize("way", ["spread", "close", "choose", "remove_room"])
def test_every_way_of_changing_rooms_moves_the_connection(app, workshop, phone, way):
    mover = phone(workshop["code"])
    person = me(mover)
    with app.app_context():
        owner, workshop_id = workshop["owner"], workshop["id"]
        if way == "spread":
            participants.set_assignment(owner, workshop_id, "random")
            participants.open_breakouts(owner, workshop_id)
        elif way == "close":
            participants.move_participant(owner, workshop_id, person, workshop["rooms"][0])
        elif way == "remove_room":
            participants.move_participant(owner, workshop_id, person, workshop["rooms"][1])
    if way in ("close", "remove_room"):
        assert mover.snapshot()["room"]["kind"] == "breakout"  # follows it (as a phone does)
    with app.app_context():
        if way == "close":
            participants.close_breakouts(owner, workshop_id)
        elif way == "remove_room":
            workshops.remove_room(owner, workshop["rooms"][1])
    if way == "choose":
        with app.app_context():
            participants.set_assignment(owner, workshop_id, "choose")
            participants.open_breakouts(owner, workshop_id)
        assert mover.send("choose_room", room_id=workshop["rooms"][1])["ok"]
    assert mover.received("moved")
    mover.received()
    probe(app, workshop)
    with app.app_context():
        now_in = participants.current_rooms([person])[person]
    assert heard(mover) == {now_in}


def test_a_retried_choice_leaves_the_connection_where_the_database_says(app, workshop, phone):
    mover = phone(workshop["code"])
    person = me(mover)
    with app.app_context():
        participants.set_assignment(workshop["owner"], workshop["id"], "choose")
        participants.open_breakouts(workshop["owner"], workshop["id"])
    choice = {"id": action_id(), "room_id": workshop["rooms"][0]}
    assert mover.send("choose_room", choice)["ok"]
    move(app, workshop, person, workshop["rooms"][1])
    assert mover.send("choose_room", choice) == {"ok": True, "room_id": workshop["rooms"][0]}
    mover.received()
    probe(app, workshop)
    assert heard(mover) == {workshop["rooms"][1]}


def test_the_clock_moves_connections_after_a_move_made_by_another_process(
    app, workshop, phone, monkeypatch
):
    mover = phone(workshop["code"])
    person = me(mover)
    # Another process made the move: this one only learns it from the database.
    monkeypatch.setattr(realtime, "_room_changes", [])
    move(app, workshop, person, workshop["rooms"][0])
    mover.received()
    probe(app, workshop)
    assert heard(mover) == {workshop["plenary"]}  # not moved yet
    with app.app_context():
        assert follow_rooms() == (1, 0)
        assert follow_rooms() == (0, 0)
    probe(app, workshop)
    assert heard(mover) == {workshop["rooms"][0]}
