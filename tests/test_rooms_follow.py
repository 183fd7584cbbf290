"""The server moves a participant's connections to their new room itself, whatever moved
them, so a phone that ignores `moved` hears nothing more of its old room."""

import time

import pytest

from cocreate import realtime
from cocreate.extensions import db, socketio
from cocreate.realtime import PARTICIPANT_NS
from cocreate.services import moderation, participants, phases, workshops
from cocreate.sockets.participant import follow_rooms
from tests import test_scale_out
from tests.conftest import World, action_id, settings
from tests.support import wait_until
from tests.test_scale_out import Device, act, open_console

PASSWORD = "correct horse battery"

#: Two real server processes on PostgreSQL and Redis (module scope: started once here).
cluster = test_scale_out.cluster


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


def test_where_everyone_is_is_read_alike_on_both_databases(any_ctx):
    world = World()
    owner = world.user("owner@example.org", PASSWORD)
    made = world.workshop(owner, rooms=2, assignment="manual")
    people = [world.join(made, room=made["rooms"][i % 2]) for i in range(300)]
    lobby, gone = world.join(made), people[7]
    moderation.remove_participant(made["owner"], made["id"], gone)
    unknown = max(people) + 1000
    asked = [unknown, lobby, *people]

    rooms = participants.current_rooms(asked)

    assert list(rooms) == asked
    assert rooms[unknown] is None and rooms[gone] is None
    assert rooms[lobby] == made["plenary"]
    assert all(rooms[p] == made["rooms"][i % 2] for i, p in enumerate(people) if p != gone)
    assert participants.current_rooms(asked[:2]) == {unknown: None, lobby: made["plenary"]}


@pytest.mark.postgres
def test_where_everyone_is_looks_each_id_up_once_in_a_prepared_plan(pg_app):
    """Each process reads where its phones are every second, as a prepared statement. Its
    generic plan (what PostgreSQL keeps for a prepared statement after a few runs) must
    look each id up once: a plan that tests every row against the whole array made the
    read 47 ms of PostgreSQL's time a second at 2,000 phones, with the loop waiting."""
    with pg_app.app_context():
        world = World()
        made = world.workshop(world.user("owner@example.org", PASSWORD), rooms=2)
        ids = [world.join(made) for _ in range(50)]
        connection = db.session.connection()
        sql = str(
            participants._ROOMS_OF_ARRAY.compile(
                dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
            )
        ).replace("%(ids)s", "$1")
        raw = connection.connection.dbapi_connection
        raw.execute("SET plan_cache_mode = force_generic_plan")
        raw.execute(f"PREPARE where_they_are(integer[]) AS {sql}")
        literal = "{" + ",".join(map(str, ids)) + "}"  # EXECUTE takes no bound parameter
        plan = "\n".join(
            row[0] for row in raw.execute(f"EXPLAIN EXECUTE where_they_are('{literal}')")
        )
        db.session.rollback()
    assert "ANY" not in plan, plan  # no row tested against the array
    assert "Join" in plan or "Nested Loop" in plan, plan


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


@pytest.fixture(scope="module")
def cluster_workshop(cluster):
    """A workshop with two rooms on the two real server processes' database."""
    from cocreate import create_app
    from cocreate.extensions import db

    app = create_app(settings(cluster["database"]))
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        made = world.workshop(owner, rooms=2, assignment="manual")
    yield {**made, "app": app}
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_a_move_through_one_process_moves_the_connection_held_by_another(cluster, cluster_workshop):
    """Ben's phone is connected to B and never syncs; a moderator moves him through A."""
    w = cluster_workshop
    a, b = cluster["urls"]
    old, new = w["rooms"]
    ana, ben, cy = (Device(a, w["code"], name) for name in ("Ana", "Ben", "Cy"))
    with w["app"].app_context():
        for person, room in ((ana, old), (ben, old), (cy, new)):
            participants.move_participant(w["owner"], w["id"], person.id, room)
    ana_on_a, ben_on_b, cy_on_a = ana.connect(a), ben.connect(b), cy.connect(a)
    console = open_console(a, w["id"])
    try:
        moved = console.call(
            "move_participant",
            {"id": action_id(), "participant_id": ben.id, "room_id": new},
            namespace="/moderator",
            timeout=15,
        )
        assert moved["ok"], moved
        wait_until(lambda: ben.notices, "Ben's phone to hear that it moved")

        tries = iter(range(1000))

        def heard_only_the_new_room() -> bool:
            # Both ideas go out through A in this order: once the second one reaches
            # Ben's phone, the first would have reached it before if it still heard
            # the old room.
            k = next(tries)
            post(ana_on_a, f"old {k}")
            post(cy_on_a, f"new {k}")
            try:
                wait_until(lambda: _texts(ben, f"new {k}") or _texts(ben, f"old {k}"), "", 5)
            except TimeoutError:  # moved between the two: neither room had him
                return False
            return bool(_texts(ben, f"new {k}")) and not _texts(ben, f"old {k}")

        wait_until(heard_only_the_new_room, "Ben's phone to leave the old room")
        assert heard_only_the_new_room()
    finally:
        for client in (console, ana_on_a, ben_on_b, cy_on_a):
            client.disconnect()


def post(client, text: str) -> None:
    """Post an idea; when the server says it came too fast, wait as told and post again."""
    while not (ack := act(client, "post_idea", text=text))["ok"]:
        assert ack["error"]["code"] == "rate_limited", ack
        time.sleep(ack["error"]["retry_after"])


def _texts(device: Device, text: str) -> list[dict]:
    """The ideas with this text the device received."""
    return [e for e in device.events("idea_posted") if e["data"]["idea"]["text"] == text]
