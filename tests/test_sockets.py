"""Socket.IO handlers: who may connect, acks for every action, broadcasts, resync."""

import logging
import time

import pytest
import sqlalchemy as sa

from cocreate.extensions import db, socketio
from cocreate.realtime import MODERATOR_NS, PARTICIPANT_NS, broadcaster
from cocreate.services import participants
from tests.conftest import World, action_id
from tests.support import wait_until

PASSWORD = "correct horse battery"


@pytest.fixture
def workshop(app):
    """A workshop with two rooms whose owner can sign in; participants are placed by hand."""
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        return world.workshop(
            owner, rooms=2, assignment="manual", dots_per_room=3, max_dots_per_idea=2
        )


def set_phase(app, workshop, phase):
    """Move every breakout room to a phase, as the moderator."""
    with app.app_context():
        World().phase(workshop, phase)


def place(app, workshop, phone, room_index):
    """Move a phone's participant to a breakout room and let it follow (as the page does)."""
    me = phone.snapshot()["me"]["id"]
    with app.app_context():
        participants.move_participant(
            workshop["owner"], workshop["id"], me, workshop["rooms"][room_index]
        )
    assert phone.received("moved") == [{"room_id": workshop["rooms"][room_index]}]
    return phone.snapshot()


class TestConnecting:
    def test_a_device_that_did_not_join_is_refused(self, app, workshop):
        client = socketio.test_client(
            app, namespace=PARTICIPANT_NS, auth={"workshop": workshop["code"]}
        )
        assert not client.is_connected(PARTICIPANT_NS)

    def test_joining_one_workshop_does_not_open_another(self, app, workshop, phone):
        with app.app_context():
            other = World().workshop()
        me = phone(workshop["code"], "Amina")
        sneaky = socketio.test_client(
            app,
            namespace=PARTICIPANT_NS,
            auth={"workshop": other["code"]},
            flask_test_client=me.http,
        )
        assert not sneaky.is_connected(PARTICIPANT_NS)

    @pytest.mark.parametrize("auth", [None, {}, {"workshop": 42}, "ABCD"])
    def test_bad_connect_payloads_are_refused(self, app, workshop, phone, auth):
        me = phone(workshop["code"])
        client = socketio.test_client(
            app, namespace=PARTICIPANT_NS, auth=auth, flask_test_client=me.http
        )
        assert not client.is_connected(PARTICIPANT_NS)

    def test_the_snapshot_is_the_device_s_own(self, app, workshop, phone):
        me = phone(workshop["code"], "Amina")
        snapshot = me.snapshot()
        assert snapshot["me"]["name"] == "Amina"
        assert snapshot["room"]["kind"] == "plenary"
        assert snapshot["workshop"]["code"] == workshop["code"]

    def test_events_after_the_first_do_not_open_the_cookie_again(
        self, app, workshop, phone, monkeypatch
    ):
        me, other = phone(workshop["code"], "Amina"), phone(workshop["code"], "Bora")
        me.snapshot()  # the connection's first events have made its session
        opened = []
        cookie_reader = app.session_interface.get_signing_serializer
        monkeypatch.setattr(
            app.session_interface,
            "get_signing_serializer",
            lambda flask_app: opened.append(1) or cookie_reader(flask_app),
        )
        for _ in range(3):
            assert me.snapshot()["me"]["name"] == "Amina"
        assert other.snapshot()["me"]["name"] == "Bora"
        assert opened == []
        # HTTP requests still read their own cookie.
        assert me.http.get(f"/w/{workshop['code']}").status_code == 200
        assert opened

    def test_moderator_needs_an_account_that_runs_the_workshop(self, app, workshop, console):
        anonymous = socketio.test_client(
            app, namespace=MODERATOR_NS, auth={"workshop": workshop["id"]}
        )
        assert not anonymous.is_connected(MODERATOR_NS)
        with app.app_context():
            World().user("stranger@example.org", PASSWORD)
            other = World().workshop()
        stranger = console("stranger@example.org", PASSWORD, workshop["id"])
        assert not stranger.socket.is_connected(MODERATOR_NS)
        owner = console("owner@example.org", PASSWORD, workshop["id"])
        assert owner.socket.is_connected(MODERATOR_NS)
        other_console = console("owner@example.org", PASSWORD, other["id"])
        assert not other_console.socket.is_connected(MODERATOR_NS)


class TestActions:
    def test_post_is_acked_and_reaches_the_room_only(self, app, workshop, phone):
        ana, ben, cy = (
            phone(workshop["code"], "Ana"),
            phone(workshop["code"], "Ben"),
            phone(workshop["code"], "Cy"),
        )
        place(app, workshop, ana, 0)
        place(app, workshop, ben, 0)
        place(app, workshop, cy, 1)
        for p in (ana, ben, cy):
            p.received()
        ack = ana.send("post_idea", text="<script>alert(1)</script>", details="")
        assert ack["ok"] is True
        assert (
            ack["idea"]["text"] == "<script>alert(1)</script>"
        )  # stored as typed, escaped on screen
        [batch] = ben.received()
        assert batch["room_id"] == workshop["rooms"][0]
        assert [e["type"] for e in batch["events"]] == ["idea_posted"]
        assert batch["events"][0]["data"]["idea"]["id"] == ack["idea"]["id"]
        assert cy.received() == []

    def test_a_retried_action_gets_the_first_ack_and_no_second_broadcast(
        self, app, workshop, phone
    ):
        ana, ben = phone(workshop["code"]), phone(workshop["code"])
        place(app, workshop, ana, 0)
        place(app, workshop, ben, 0)
        ben.received()
        payload = {"id": action_id(), "text": "Only once", "details": ""}
        first = ana.send("post_idea", payload)
        again = ana.send("post_idea", payload)
        assert first == again
        assert len(ben.received()) == 1
        assert [i["text"] for i in ben.snapshot()["ideas"]] == ["Only once"]

    def test_votes_and_budget_in_acks(self, app, workshop, phone):
        ana, ben = phone(workshop["code"]), phone(workshop["code"])
        place(app, workshop, ana, 0)
        place(app, workshop, ben, 0)
        idea = ana.send("post_idea", text="Shared desk")["idea"]["id"]
        set_phase(app, workshop, "vote")
        ben.received()
        assert ana.send("vote", idea_id=idea, delta=1) == {
            "ok": True,
            "idea_id": idea,
            "mine": 1,
            "dots_left": 2,
        }
        ana.send("vote", idea_id=idea, delta=1)
        refused = ana.send("vote", idea_id=idea, delta=1)
        assert refused["ok"] is False
        assert refused["error"]["code"] == "conflict"
        assert "at most 2 dots" in refused["error"]["message"]
        totals = [e["data"]["tally"] for b in ben.received() for e in b["events"]]
        assert totals == [{"dots": 1}, {"dots": 2}]

    def test_acting_in_another_room_is_refused(self, app, workshop, phone):
        ana, cy = phone(workshop["code"]), phone(workshop["code"])
        place(app, workshop, ana, 0)
        place(app, workshop, cy, 1)
        idea = ana.send("post_idea", text="Room one")["idea"]["id"]
        for phase, event, fields in [
            ("propose", "edit_idea", {"idea_id": idea, "text": "Hijack"}),
            ("propose", "withdraw_idea", {"idea_id": idea}),
            ("vote", "vote", {"idea_id": idea, "delta": 1}),
        ]:
            set_phase(app, workshop, phase)
            ack = cy.send(event, **fields)
            assert ack["ok"] is False
            assert ack["error"]["code"] == "not_found"

    def test_the_lobby_cannot_post(self, app, workshop, phone):
        ack = phone(workshop["code"]).send("post_idea", text="Too early")
        assert ack["error"]["code"] == "not_allowed"

    @pytest.mark.parametrize(
        ("payload", "code"),
        [
            ("just a string", "bad_request"),
            (["a", "list"], "bad_request"),
            (None, "bad_request"),
            ({"text": "no id"}, "bad_request"),
            ({"id": "not-a-uuid", "text": "x"}, "invalid"),
            ({"id": "ID", "text": 5}, "bad_request"),
            ({"id": "ID", "text": "x", "extra": 1}, "bad_request"),
            ({"id": "ID", "text": "x" * 281}, "invalid"),
            ({"id": "ID", "text": "x" * 20000}, "too_large"),
        ],
    )
    def test_bad_payloads_get_error_acks_and_no_server_error(
        self, app, workshop, phone, payload, code, caplog
    ):
        me = phone(workshop["code"])
        place(app, workshop, me, 0)
        if isinstance(payload, dict) and payload.get("id") == "ID":
            payload["id"] = action_id()
        with caplog.at_level(logging.WARNING):
            ack = me.socket.emit("post_idea", payload, namespace=PARTICIPANT_NS, callback=True)
        assert ack["ok"] is False
        assert ack["error"]["code"] == code
        assert ack["error"]["message"]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    @pytest.mark.parametrize(
        ("event", "fields"),
        [
            ("vote", {"idea_id": "1", "delta": 1}),
            ("vote", {"idea_id": 1, "delta": 1.5}),
            ("vote", {"idea_id": 10**30, "delta": 1}),
            ("edit_idea", {"idea_id": None, "text": "x"}),
            ("choose_room", {"room_id": [1]}),
            ("set_name", {"name": {"first": "x"}}),
        ],
    )
    def test_wrong_types_get_error_acks(self, app, workshop, phone, event, fields, caplog):
        me = phone(workshop["code"])
        place(app, workshop, me, 0)
        with caplog.at_level(logging.WARNING):
            ack = me.send(event, **fields)
        assert ack["ok"] is False
        assert ack["error"]["code"] == "bad_request"
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    def test_flooding_is_refused_with_a_message(self, app, workshop, phone):
        app.config.update(SOCKET_RATE_BURST=3, SOCKET_RATE_PER_SECOND=0.001)
        me = phone(workshop["code"])
        acks = [me.send("set_name", name="x") for _ in range(5)]
        assert [a["ok"] for a in acks] == [True, True, True, False, False]
        assert acks[-1]["error"]["code"] == "rate_limited"

    def test_renaming_is_seen_by_the_room(self, app, workshop, phone):
        ana, ben = phone(workshop["code"], "Ana"), phone(workshop["code"], "Ben")
        ben.received()
        assert ana.send("set_name", name="Ana B.")["name"] == "Ana B."
        events = [e for b in ben.received() for e in b["events"]]
        assert events[-1]["type"] == "member_renamed"
        assert events[-1]["data"]["member"]["name"] == "Ana B."


class TestResync:
    def test_events_since_a_sequence_number(self, app, workshop, phone):
        ana, ben = phone(workshop["code"]), phone(workshop["code"])
        place(app, workshop, ana, 0)
        snapshot = place(app, workshop, ben, 0)
        seq = snapshot["room"]["seq"]
        ana.send("post_idea", text="One")
        ana.send("post_idea", text="Two")
        ack = ben.send("sync", {"room_id": snapshot["room"]["id"], "since": seq})
        assert [e["seq"] for e in ack["events"]] == [seq + 1, seq + 2]
        assert ack["me"]["dots_left"] == 3
        assert "snapshot" not in ack

    def test_a_sync_reads_the_workshop_with_the_participant(self, app, workshop, phone):
        """Every sync reads both; in one statement they cost one round trip, not two."""
        me = phone(workshop["code"])
        seq = place(app, workshop, me, 0)["room"]["seq"]
        sent = []

        def note(_conn, _cursor, statement, _params, _context, _many):
            sent.append(" ".join(statement.split()))

        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            snapshot = me.snapshot()
            since = me.send("sync", {"room_id": workshop["rooms"][0], "since": seq})
        finally:
            with app.app_context():
                sa.event.remove(db.engine, "before_cursor_execute", note)
        assert snapshot["workshop"]["code"] == workshop["code"] and since["me"]["dots_left"] == 3
        assert not [s for s in sent if " FROM workshops" in s]  # no read of it alone
        assert len([s for s in sent if "FROM participants LEFT OUTER JOIN workshops" in s]) == 2

    def test_a_stale_room_gets_a_snapshot(self, app, workshop, phone):
        me = phone(workshop["code"])
        lobby = me.snapshot()["room"]
        place(app, workshop, me, 1)
        ack = me.send("sync", {"room_id": lobby["id"], "since": lobby["seq"]})
        assert ack["snapshot"]["room"]["id"] == workshop["rooms"][1]

    def test_a_moved_phone_follows_its_new_room(self, app, workshop, phone):
        ana, ben = phone(workshop["code"]), phone(workshop["code"])
        place(app, workshop, ana, 0)
        place(app, workshop, ben, 1)
        place(app, workshop, ben, 0)  # the phone resyncs and leaves room 2's channel
        ben.received()
        ana.send("post_idea", text="Hello")
        assert [e["type"] for b in ben.received() for e in b["events"]] == ["idea_posted"]
        cy = phone(workshop["code"])
        place(app, workshop, cy, 1)
        cy.send("post_idea", text="Room two")
        assert ben.received() == []


class TestModerator:
    def test_console_moves_and_sees_every_room(self, app, workshop, phone, console):
        me = phone(workshop["code"], "Ana")
        desk = console("owner@example.org", PASSWORD, workshop["id"])
        snapshot = desk.send("sync", {})["snapshot"]
        assert [r["kind"] for r in snapshot["rooms"]] == ["plenary", "breakout", "breakout"]
        person = snapshot["rooms"][0]["members_list"][0]["id"]
        ack = desk.send("move_participant", participant_id=person, room_id=workshop["rooms"][1])
        assert ack == {"ok": True, "participant_id": person, "room_id": workshop["rooms"][1]}
        assert me.received("moved") == [{"room_id": workshop["rooms"][1]}]
        me.snapshot()
        me.send("post_idea", text="Seen by the console")
        batches = [
            m["args"][0] for m in desk.socket.get_received(MODERATOR_NS) if m["name"] == "events"
        ]
        types = [e["type"] for b in batches for e in b["events"]]
        assert "idea_posted" in types

    def test_open_spread_close(self, app, workshop, phone, console):
        phones = [phone(workshop["code"]) for _ in range(4)]
        desk = console("owner@example.org", PASSWORD, workshop["id"])
        assert desk.send("set_assignment", mode="random")["workshop"]["assignment"] == "random"
        assert desk.send("open_breakouts", {"id": action_id()})["moved"] == 4
        rooms = [p.snapshot()["room"]["id"] for p in phones]
        assert sorted(rooms.count(r) for r in workshop["rooms"]) == [2, 2]
        assert desk.send("close_breakouts", {"id": action_id()})["moved"] == 4
        assert {p.snapshot()["room"]["kind"] for p in phones} == {"plenary"}

    def test_moderator_events_are_checked(self, app, workshop, console):
        desk = console("owner@example.org", PASSWORD, workshop["id"])
        assert desk.send("set_assignment", mode="lottery")["error"]["code"] == "invalid"
        assert desk.send("move_participant", participant_id=999, room_id=1)["ok"] is False
        assert desk.send("spread", {"id": 7})["error"]["code"] == "bad_request"


def collect(phone, enough, what: str) -> list:
    """The batches a phone receives, waiting until `enough(batches)` (sends run on tasks)."""
    batches: list = []

    def arrived():
        batches.extend(phone.received())
        return enough(batches)

    wait_until(arrived, what, 10)
    return batches


@pytest.fixture
def voting_pair(app, workshop, phone):
    """Two phones in the first room, one idea, the vote phase, nothing waiting to be read:
    (the voter, the one who watches, the idea's id)."""
    ana, ben = phone(workshop["code"]), phone(workshop["code"])
    place(app, workshop, ana, 0)
    place(app, workshop, ben, 0)
    idea = ana.send("post_idea", text="Popular")["idea"]["id"]
    set_phase(app, workshop, "vote")
    ben.received()
    return ana, ben, idea


def test_a_quiet_rooms_event_goes_out_at_once(app, voting_pair):
    ana, ben, idea = voting_pair
    try:
        broadcaster.configure(60, min_gap=60)  # a burst would wait a minute
        ana.send("vote", idea_id=idea, delta=1)
        # The room was quiet: its event is on its way without waiting for a gap.
        batches = collect(ben, bool, "the vote to reach the other phone")
    finally:
        broadcaster.configure(0)
    assert [e["data"]["tally"]["dots"] for b in batches for e in b["events"]] == [1]


def test_a_busy_room_gets_one_message_per_gap(app, voting_pair):
    ana, ben, idea = voting_pair
    try:
        broadcaster.configure(60, min_gap=60)  # nothing more goes out until we flush
        ana.send("vote", idea_id=idea, delta=1)  # at once, and the room's gap begins
        first = collect(ben, bool, "the first vote")
        ana.send("vote", idea_id=idea, delta=1)
        ana.send("vote", idea_id=idea, delta=-1)
        assert ben.received() == []  # gathered during the gap
        with app.app_context():
            assert broadcaster.flush() == 1
    finally:
        broadcaster.configure(0)
    assert [e["data"]["tally"]["dots"] for b in first for e in b["events"]] == [1]
    [batch] = ben.received()
    assert [e["data"]["tally"]["dots"] for e in batch["events"]] == [2, 1]
    seqs = [e["seq"] for e in batch["events"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == 2


def test_the_gap_ends_with_one_message(app, voting_pair):
    ana, ben, idea = voting_pair
    try:
        broadcaster.configure(1, min_gap=1)
        for delta in (1, 1, -1):  # at most two dots on one idea
            assert ana.send("vote", idea_id=idea, delta=delta)["ok"]
        batches = collect(ben, lambda got: len(got) >= 2, "the gap's batch")
    finally:
        broadcaster.configure(0)
    assert [[e["data"]["tally"]["dots"] for e in b["events"]] for b in batches] == [[1], [2, 1]]


def test_a_send_scheduled_under_an_older_setting_does_nothing(app, voting_pair):
    ana, ben, idea = voting_pair
    try:
        broadcaster.configure(0.5, min_gap=0.5)  # as an app with an interval does
        ana.send("vote", idea_id=idea, delta=1)  # at once
        ana.send("vote", idea_id=idea, delta=1)  # scheduled for the end of the gap
        broadcaster.configure(60, min_gap=60)
        time.sleep(0.75)  # the old send's time came meanwhile: it must not have sent
        assert [e["data"]["tally"]["dots"] for b in ben.received() for e in b["events"]] == [1]
        with app.app_context():
            assert broadcaster.flush() == 1
    finally:
        broadcaster.configure(0)
    assert [e["data"]["tally"]["dots"] for b in ben.received() for e in b["events"]] == [2]


class TestDrivingTheRooms:
    def test_console_drives_phases_timers_and_messages(self, app, workshop, phone, console):
        ana, cy = phone(workshop["code"]), phone(workshop["code"])
        place(app, workshop, ana, 0)
        place(app, workshop, cy, 1)
        for p in (ana, cy):
            p.received()
        desk = console("owner@example.org", PASSWORD, workshop["id"])
        ack = desk.send("set_phase", phase="vote", room_id=workshop["rooms"][0])
        assert ack == {"ok": True, "phase": "vote", "room_ids": [workshop["rooms"][0]]}
        assert [e["type"] for b in ana.received() for e in b["events"]] == ["phase_changed"]
        assert cy.received() == []
        ack = desk.send("start_timer", seconds=120, next_phase="vote")
        assert ack["ok"] and ack["room_ids"] == workshop["rooms"]
        [batch] = cy.received()
        assert batch["events"][0]["type"] == "timer_started"
        assert batch["events"][0]["data"] == ack["timer"]
        assert "now" in batch
        assert cy.snapshot()["room"]["timer"] == ack["timer"]
        assert desk.send("stop_timer", {"id": action_id()})["ok"]
        assert cy.snapshot()["room"]["timer"] is None
        assert desk.send("broadcast", text="Five minutes left")["ok"]
        assert cy.snapshot()["room"]["notice"] == "Five minutes left"
        bad = desk.send("start_timer", seconds=0)
        assert bad["error"]["code"] == "invalid"
        assert desk.send("set_phase", phase="vote", room_id="1")["error"]["code"] == "bad_request"

    def test_a_facilitator_drives_their_room_from_the_phone(self, app, workshop, phone, console):
        lead, member = phone(workshop["code"], "Lead"), phone(workshop["code"], "Member")
        place(app, workshop, lead, 0)
        place(app, workshop, member, 0)
        refused = lead.send("set_phase", phase="vote")
        assert refused["error"]["code"] == "not_allowed"
        desk = console("owner@example.org", PASSWORD, workshop["id"])
        me = lead.snapshot()["me"]["id"]
        assert desk.send("appoint_facilitator", participant_id=me)["facilitator"]["id"] == me
        assert lead.snapshot()["me"]["facilitates"] is True
        assert member.snapshot()["room"]["facilitator"] == {
            "id": me,
            "name": "Lead",
            "on_paper": False,
        }
        member.received()
        assert lead.send("set_phase", phase="vote")["room_ids"] == [workshop["rooms"][0]]
        assert lead.send("start_timer", seconds=60, next_phase="closed")["ok"]
        assert lead.send("stop_timer", {"id": action_id()})["ok"]
        types = [e["type"] for b in member.received() for e in b["events"]]
        assert types == ["phase_changed", "timer_started", "timer_stopped"]
        assert member.send("set_phase", phase="closed")["error"]["code"] == "not_allowed"
        assert member.send("start_timer", seconds=5)["error"]["code"] == "not_allowed"

    def test_phase_refusals_are_explained(self, app, workshop, phone):
        me = phone(workshop["code"])
        place(app, workshop, me, 0)
        idea = me.send("post_idea", text="Early idea")["idea"]["id"]
        refused = me.send("vote", idea_id=idea, delta=1)
        assert refused["error"] == {
            "code": "not_allowed",
            "message": "Voting is open during the Vote phase only.",
        }


class TestHiddenResults:
    """While results are hidden, no total reaches a participant by any path."""

    def collect_totals(self, value) -> list:
        """Every tally anywhere in a message (None means hidden)."""
        found = []
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("tally", "tallies", "dots", "by_role"):
                    found.append(item)
                else:
                    found.extend(self.collect_totals(item))
        elif isinstance(value, list):
            for item in value:
                found.extend(self.collect_totals(item))
        return found

    def test_hidden_until_the_reveal(self, app, workshop, phone, console):
        ana, ben = phone(workshop["code"]), phone(workshop["code"])
        place(app, workshop, ana, 0)
        place(app, workshop, ben, 0)
        idea = ana.send("post_idea", text="Secret favourite")["idea"]["id"]
        desk = console("owner@example.org", PASSWORD, workshop["id"])
        assert desk.send("set_results_hidden", hidden=True)["results_hidden"] is True
        set_phase(app, workshop, "vote")
        seq = ben.snapshot()["room"]["seq"]
        ana.received()
        ben.received()
        desk.socket.get_received(MODERATOR_NS)

        vote = ana.send("vote", idea_id=idea, delta=1)
        assert vote == {"ok": True, "idea_id": idea, "mine": 1, "dots_left": 2}
        ben.send("vote", idea_id=idea, delta=1)
        # Broadcasts, the sync by sequence number, and the snapshot: no totals.
        heard = ana.received() + ben.received()
        since = ben.send("sync", {"room_id": workshop["rooms"][0], "since": seq})
        snapshot = ben.snapshot()
        for message in (heard, since["events"], snapshot):
            assert set(self.collect_totals(message)) <= {None}, message
        assert snapshot["room"]["results_hidden"] is True
        assert snapshot["me"]["votes"] == {str(idea): 1}  # one's own dots stay visible
        # Moderators see the totals all along.
        batches = [m["args"][0] for m in desk.socket.get_received(MODERATOR_NS)]
        totals = [e["data"]["tally"] for b in batches for e in b["events"]]
        assert totals == [{"dots": 1}, {"dots": 2}]
        room = desk.send("sync", {})["snapshot"]["rooms"][1]
        assert room["ideas"][0]["tally"] == {"dots": 2}

        # The reveal sends every total at once.
        assert desk.send("set_results_hidden", hidden=False)["results_hidden"] is False
        [batch] = ana.received()
        assert batch["events"][-1] == {
            **batch["events"][-1],
            "type": "results_revealed",
            "data": {"tallies": {str(idea): {"dots": 2}}},
        }
        assert ana.snapshot()["ideas"][0]["tally"] == {"dots": 2}
        ana.send("vote", idea_id=idea, delta=-1)
        [batch] = ana.received()
        assert batch["events"][-1]["data"] == {"idea_id": idea, "tally": {"dots": 1}}

    def test_only_moderators_hide_results(self, app, workshop, phone, console):
        desk = console("owner@example.org", PASSWORD, workshop["id"])
        assert desk.send("set_results_hidden", hidden="yes")["error"]["code"] == "bad_request"
        me = phone(workshop["code"])
        assert me.send("set_results_hidden", hidden=True)["error"]["code"] == "unknown_event"
        assert desk.send("dance")["error"]["code"] == "unknown_event"


def test_moderators_see_when_and_by_whom_each_room_was_last_active(app, workshop, phone, console):
    desk = console("owner@example.org", PASSWORD, workshop["id"])
    room = lambda: desk.send("sync", {})["snapshot"]["rooms"][1]  # noqa: E731
    assert room()["last_activity"] is None
    set_phase(app, workshop, "propose")  # a moderator's change is not the room's activity
    assert room()["last_activity"] is None
    ana = phone(workshop["code"])
    place(app, workshop, ana, 0)
    desk.socket.get_received(MODERATOR_NS)
    ana.send("post_idea", text="Benches on the way to the market")
    events = [e for m in desk.socket.get_received(MODERATOR_NS) for e in m["args"][0]["events"]]
    [posted] = [e for e in events if e["type"] == "idea_posted"]
    assert posted["by"] == "participant"
    assert room()["last_activity"] == posted["at"]
    heard = [e for b in ana.received() for e in b["events"]]
    assert heard and all("at" not in e and "by" not in e for e in heard)  # phones: no actor


def test_a_saturated_process_widens_the_gap(app, workshop):
    from cocreate import realtime

    key = (workshop["id"], workshop["rooms"][0])
    with app.app_context():
        try:
            broadcaster.configure(1, min_gap=0.02)
            broadcaster._last_sent[key] = now = time.monotonic()
            assert broadcaster._wait(key, now) == pytest.approx(0.02)  # idle: the least gap
            broadcaster.lag = 0.1  # sends start 100 ms late: the loop is saturated
            assert broadcaster._wait(key, now) == pytest.approx(realtime.LAG_FACTOR * 0.1)
            broadcaster.lag = 5.0
            assert broadcaster._wait(key, now) == pytest.approx(1)  # never past the interval
        finally:
            broadcaster.lag = 0.0
            broadcaster.configure(0)
