"""The services: rules, the write path, idempotency and the event log."""

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import ClientAction, Idea, Participant, Room, RoomEvent, Vote
from cocreate.services import accounts, ideas, participants, snapshots, unit, votes, workshops
from cocreate.services.errors import Conflict, Invalid, NotAllowed, NotFound
from cocreate.services.unit import Change
from tests.conftest import action_id, logged


def events_of(room_id: int) -> list[RoomEvent]:
    return db.session.scalars(
        sa.select(RoomEvent).where(RoomEvent.room_id == room_id).order_by(RoomEvent.seq)
    ).all()


class TestAccounts:
    def test_first_run_only_while_no_account_exists(self, ctx):
        accounts.create_user("a@example.org", "A", "long enough pw", first_run=True)
        with pytest.raises(NotAllowed):
            accounts.create_user("b@example.org", "B", "long enough pw", first_run=True)

    def test_password_is_hashed_and_checked(self, ctx):
        accounts.create_user("Ana@Example.org", "Ana", "long enough pw")
        assert accounts.authenticate("ana@example.org", "long enough pw") is not None
        assert accounts.authenticate("ana@example.org", "wrong password") is None
        assert "long enough pw" not in accounts.user_by_email("ana@example.org").password_hash

    @pytest.mark.parametrize(
        ("email", "password", "error"),
        [("not-an-email", "long enough pw", Invalid), ("x@example.org", "short", Invalid)],
    )
    def test_bad_accounts_are_refused(self, ctx, email, password, error):
        with pytest.raises(error):
            accounts.create_user(email, "X", password)

    def test_email_taken(self, ctx):
        accounts.create_user("a@example.org", "A", "long enough pw")
        with pytest.raises(Conflict):
            accounts.create_user("A@example.org", "A2", "long enough pw")


class TestWorkshops:
    def test_create_makes_plenary_rooms_and_code(self, ctx, world):
        w = world.workshop(rooms=3)
        view = world.moderator_view(w["owner"], w["id"])
        kinds = [room["kind"] for room in view["rooms"]]
        assert kinds == ["plenary", "breakout", "breakout", "breakout"]
        code = view["workshop"]["code"]
        assert len(code) == workshops.CODE_LENGTH
        assert set(code) <= set(workshops.CODE_ALPHABET)

    def test_codes_are_typed_loosely(self, ctx, world):
        w = world.workshop()
        typed = workshops.format_code(w["code"]).lower().replace("-", " ")
        assert workshops.workshop_by_code(typed).id == w["id"]
        with pytest.raises(NotFound, match="No workshop has this code"):
            workshops.workshop_by_code("ZZZZ-ZZZZ")

    @pytest.mark.parametrize(
        ("rules", "message"),
        [
            ({"title": ""}, "Title cannot be empty"),
            ({"dots_per_room": 0}, "between 1 and 50"),
            ({"dots_per_room": 3, "max_dots_per_idea": 4}, "between 1 and 3"),
            ({"assignment": "lottery"}, "Choose how participants"),
        ],
    )
    def test_bad_settings_are_refused(self, ctx, world, rules, message):
        with pytest.raises(Invalid, match=message):
            world.workshop(**rules)

    def test_only_its_moderators_see_a_workshop(self, ctx, world):
        w = world.workshop()
        stranger = world.user()
        with pytest.raises(NotFound):
            snapshots.moderator_snapshot(stranger, w["id"])
        with pytest.raises(NotFound):
            workshops.add_room(stranger, w["id"], "Sneaky")
        with pytest.raises(NotFound):
            participants.open_breakouts(stranger, w["id"])

    def test_rooms_add_rename_remove(self, ctx, world):
        w = world.workshop(rooms=1)
        added = workshops.add_room(w["owner"], w["id"], "Mobility", "Accessible transport")
        workshops.update_room(w["owner"], added["room"]["id"], "Mobility and access", "")
        person = world.join(w, "Sam", room=added["room"]["id"])
        result = workshops.remove_room(w["owner"], added["room"]["id"])
        assert result["moved"] == 1
        names = [r["name"] for r in world.moderator_view(w["owner"], w["id"])["rooms"]]
        assert "Mobility and access" not in names
        assert db.session.get(Participant, person).room_id == w["plenary"]


class TestJoiningAndPlacement:
    def test_same_device_is_the_same_participant(self, ctx, world):
        w = world.workshop()
        first = participants.join_workshop(w["code"], "device-1", "Amina")
        again = participants.join_workshop(w["code"], "device-1", None)
        assert again["participant_id"] == first["participant_id"]
        assert again["returning"] is True
        other = participants.join_workshop(w["code"], "device-2", None)
        assert other["participant_id"] != first["participant_id"]

    def test_coming_back_with_a_new_name_tells_the_room(self, ctx, world):
        w = world.workshop()
        participants.join_workshop(w["code"], "device-1", "Amina")
        participants.join_workshop(w["code"], "device-1", "Amina K.")
        last = events_of(w["plenary"])[-1]
        assert (last.type, last.data["member"]["name"]) == ("member_renamed", "Amina K.")

    def test_display_name_limit(self, ctx, world):
        w = world.workshop()
        with pytest.raises(Invalid, match="at most 40 characters; this one has 41"):
            participants.join_workshop(w["code"], "d", "x" * 41)

    def test_spread_is_even_and_late_joiners_follow_the_rule(self, ctx, world):
        w = world.workshop(rooms=3, assignment="random")
        people = [world.join(w) for _ in range(7)]
        participants.open_breakouts(w["owner"], w["id"])
        counts = sorted(
            sum(1 for p in people if db.session.get(Participant, p).room_id == room)
            for room in w["rooms"]
        )
        assert counts == [2, 2, 3]
        late = [world.join(w) for _ in range(2)]
        rooms = [db.session.get(Participant, p).room_id for p in late]
        assert all(room in w["rooms"] for room in rooms)
        everyone = people + late
        counts = sorted(
            sum(1 for p in everyone if db.session.get(Participant, p).room_id == room)
            for room in w["rooms"]
        )
        assert counts == [3, 3, 3]

    def test_a_late_joiner_locks_only_the_lobby_and_their_room(self, ctx, world, monkeypatch):
        w = world.workshop(rooms=4, assignment="random")
        participants.open_breakouts(w["owner"], w["id"])
        locked = []
        lock = Change._renumbered  # every room a Change locks comes through it
        monkeypatch.setattr(
            Change, "_renumbered", lambda change, room: locked.append(lock(change, room)) or room
        )
        me = world.join(w)
        locked = [room.id for room in locked]
        mine = db.session.get(Participant, me).room_id
        assert mine in w["rooms"]
        # Votes in the three other rooms go on while a join storm passes.
        assert locked == [w["plenary"], mine]

    def test_a_late_joiner_goes_straight_into_their_room(self, ctx, world):
        w = world.workshop(rooms=2, assignment="random")
        participants.open_breakouts(w["owner"], w["id"])
        lobby_log = [event.seq for event in events_of(w["plenary"])]
        me = world.join(w, name="Ana")
        mine = db.session.get(Participant, me).room_id
        # The lobby's phones hear nothing of someone who never stood in it.
        assert [event.seq for event in events_of(w["plenary"])] == lobby_log
        last = events_of(mine)[-1]
        assert (last.type, last.data["member"]["id"], last.data["member"]["name"]) == (
            "member_joined",
            me,
            "Ana",
        )
        snapshot = snapshots.participant_snapshot(me)
        assert snapshot["room"]["id"] == mine
        assert snapshot["room"]["seq"] == last.seq
        assert {r["id"]: r["members"] for r in snapshot["rooms"]}[mine] == 1

    def test_a_late_joiner_waits_in_the_lobby_when_every_room_is_locked(self, ctx, world):
        w = world.workshop(rooms=2, assignment="random")
        participants.open_breakouts(w["owner"], w["id"])
        for room_id in w["rooms"]:
            db.session.get(Room, room_id).locked = True
        db.session.commit()
        me = world.join(w)
        assert db.session.get(Participant, me).room_id == w["plenary"]
        assert events_of(w["plenary"])[-1].type == "member_joined"

    def test_choosing_a_room_only_when_allowed(self, ctx, world):
        w = world.workshop(assignment="choose")
        me = world.join(w)
        with pytest.raises(NotAllowed):
            participants.choose_room(me, w["rooms"][0])
        participants.open_breakouts(w["owner"], w["id"])
        assert participants.choose_room(me, w["rooms"][0])["room_id"] == w["rooms"][0]
        other = world.workshop()
        with pytest.raises(NotFound):
            participants.choose_room(me, other["rooms"][0])
        with pytest.raises(NotFound):
            participants.choose_room(me, w["plenary"])

    def test_manual_mode_leaves_late_joiners_in_the_lobby(self, ctx, world):
        w = world.workshop(assignment="manual")
        participants.open_breakouts(w["owner"], w["id"])
        me = world.join(w)
        assert db.session.get(Participant, me).room_id == w["plenary"]
        participants.move_participant(w["owner"], w["id"], me, w["rooms"][1])
        assert db.session.get(Participant, me).room_id == w["rooms"][1]

    def test_moderator_cannot_move_someone_from_another_workshop(self, ctx, world):
        mine, theirs = world.workshop(), world.workshop()
        stranger = world.join(theirs)
        with pytest.raises(NotFound):
            participants.move_participant(mine["owner"], mine["id"], stranger, mine["rooms"][0])

    def test_spreading_needs_open_breakouts(self, ctx, world):
        w = world.workshop(assignment="manual")
        world.join(w)
        with pytest.raises(NotAllowed, match="Open the breakout rooms first"):
            participants.spread_lobby(w["owner"], w["id"])
        participants.open_breakouts(w["owner"], w["id"])
        assert participants.spread_lobby(w["owner"], w["id"])["moved"] == 1

    def test_closing_breakouts_brings_everyone_back(self, ctx, world):
        w = world.workshop(assignment="random")
        people = [world.join(w) for _ in range(4)]
        participants.open_breakouts(w["owner"], w["id"])
        result = participants.close_breakouts(w["owner"], w["id"])
        assert result["moved"] == 4
        assert {db.session.get(Participant, p).room_id for p in people} == {w["plenary"]}

    def test_reopening_breakouts_brings_closed_rooms_back_to_their_phase(self, ctx, world):
        w = world.workshop(rooms=2)
        voting, proposing = w["rooms"]
        participants.open_breakouts(w["owner"], w["id"])
        world.phase(w, "vote", voting)
        world.phase(w, "closed")
        # Sent again while open, it changes no phase: a room closed meanwhile stays closed.
        participants.open_breakouts(w["owner"], w["id"])
        assert db.session.get(Room, voting).phase == "closed"
        participants.close_breakouts(w["owner"], w["id"])
        participants.open_breakouts(w["owner"], w["id"])
        assert db.session.get(Room, voting).phase == "vote"
        assert db.session.get(Room, proposing).phase == "propose"
        assert ("phase_changed", {"phase": "vote"}) in [e[:2] for e in logged(voting)[-3:]]


class TestIdeas:
    def test_post_edit_withdraw(self, ctx, world):
        w = world.workshop()
        me = world.join(w, "Amina", room=w["rooms"][0])
        idea = ideas.post_idea(me, "  Housing desk  ", "With interpreters")["idea"]
        assert idea["text"] == "Housing desk"
        assert idea["edited"] is False
        assert idea["author"] == "Amina"
        edited = ideas.edit_idea(me, idea["id"], "Housing desk for all", "")["idea"]
        assert edited["edited"] is True
        ideas.withdraw_idea(me, idea["id"])
        assert snapshots.participant_snapshot(me)["ideas"] == []

    @pytest.mark.parametrize(
        ("text", "details", "message"),
        [
            ("", "", "cannot be empty"),
            ("x" * 281, "", "at most 280 characters; this one has 281"),
            ("ok", "y" * 1001, "at most 1000 characters; this one has 1001"),
            (42, "", "must be text"),
        ],
    )
    def test_limits_have_clear_messages(self, ctx, world, text, details, message):
        w = world.workshop()
        me = world.join(w, room=w["rooms"][0])
        with pytest.raises(Invalid, match=message):
            ideas.post_idea(me, text, details)

    def test_no_ideas_in_the_lobby(self, ctx, world):
        w = world.workshop()
        me = world.join(w)
        with pytest.raises(NotAllowed, match="breakout rooms"):
            ideas.post_idea(me, "Too early")

    def test_only_the_author_edits_or_withdraws(self, ctx, world):
        w = world.workshop()
        author = world.join(w, room=w["rooms"][0])
        other = world.join(w, room=w["rooms"][0])
        idea = ideas.post_idea(author, "Mine")["idea"]
        with pytest.raises(NotAllowed):
            ideas.edit_idea(other, idea["id"], "Hijacked")
        with pytest.raises(NotAllowed):
            ideas.withdraw_idea(other, idea["id"])

    def test_ideas_of_another_room_are_out_of_reach(self, ctx, world):
        w = world.workshop()
        author = world.join(w, room=w["rooms"][0])
        outsider = world.join(w, room=w["rooms"][1])
        idea = ideas.post_idea(author, "Room one only")["idea"]
        world.phase(w, "vote")
        with pytest.raises(NotFound):
            votes.give_dot(outsider, idea["id"], 1)
        assert snapshots.participant_snapshot(outsider)["ideas"] == []

    def test_a_retried_post_changes_nothing_and_returns_the_first_result(self, ctx, world):
        w = world.workshop()
        me = world.join(w, room=w["rooms"][0])
        aid = action_id()
        first = ideas.post_idea(me, "Once", action_id=aid)
        again = ideas.post_idea(me, "Once", action_id=aid)
        assert again == first
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 1
        assert [e.type for e in events_of(w["rooms"][0])].count("idea_posted") == 1

    def test_an_action_id_is_for_one_action(self, ctx, world):
        w = world.workshop()
        me = world.join(w, room=w["rooms"][0])
        aid = action_id()
        idea = ideas.post_idea(me, "Once", action_id=aid)["idea"]["id"]
        world.phase(w, "vote")
        with pytest.raises(Conflict, match="already used for another action"):
            votes.give_dot(me, idea, 1, action_id=aid)

    def test_action_ids_must_be_uuids(self, ctx, world):
        w = world.workshop()
        me = world.join(w, room=w["rooms"][0])
        with pytest.raises(Invalid, match="UUID"):
            ideas.post_idea(me, "Hi", action_id="not-a-uuid")

    def test_a_failed_action_leaves_no_trace(self, ctx, world):
        w = world.workshop()
        me = world.join(w)  # in the lobby: posting fails
        aid = action_id()
        with pytest.raises(NotAllowed):
            ideas.post_idea(me, "Early", action_id=aid)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ClientAction)) == 0


class TestVotes:
    def test_budget_and_maximum(self, ctx, world):
        w = world.workshop(dots_per_room=3, max_dots_per_idea=2)
        me = world.join(w, room=w["rooms"][0])
        a = ideas.post_idea(me, "A")["idea"]["id"]
        b = ideas.post_idea(me, "B")["idea"]["id"]
        c = ideas.post_idea(me, "C")["idea"]["id"]
        world.phase(w, "vote")
        assert votes.give_dot(me, a, 1)["dots_left"] == 2
        votes.give_dot(me, a, 1)
        with pytest.raises(Conflict, match="at most 2 dots on one idea"):
            votes.give_dot(me, a, 1)
        assert votes.give_dot(me, b, 1) == {
            "idea_id": b,
            "mine": 1,
            "dots_left": 0,
        }
        with pytest.raises(Conflict, match="used all 3 of your dots"):
            votes.give_dot(me, b, 1)
        assert votes.give_dot(me, a, -1)["dots_left"] == 1
        votes.give_dot(me, b, 1)
        with pytest.raises(Conflict, match="no dot on this idea"):
            votes.give_dot(me, c, -1)

    @pytest.mark.parametrize("delta", [0, 2, -2, True, "1", None])
    def test_a_vote_is_one_dot(self, ctx, world, delta):
        w = world.workshop()
        me = world.join(w, room=w["rooms"][0])
        idea = ideas.post_idea(me, "A")["idea"]["id"]
        world.phase(w, "vote")
        with pytest.raises(Invalid):
            votes.give_dot(me, idea, delta)

    def test_withdrawing_gives_the_dots_back(self, ctx, world):
        w = world.workshop(dots_per_room=2, max_dots_per_idea=2)
        author = world.join(w, room=w["rooms"][0])
        voter = world.join(w, room=w["rooms"][0])
        idea = ideas.post_idea(author, "A")["idea"]["id"]
        world.phase(w, "vote")
        votes.give_dot(voter, idea, 1)
        votes.give_dot(voter, idea, 1)
        world.phase(w, "propose")
        ideas.withdraw_idea(author, idea)
        assert snapshots.participant_snapshot(voter)["me"]["dots_left"] == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0

    def test_budget_is_per_room(self, ctx, world):
        w = world.workshop(dots_per_room=1, max_dots_per_idea=1)
        me = world.join(w, room=w["rooms"][0])
        a = ideas.post_idea(me, "A")["idea"]["id"]
        world.phase(w, "vote")
        votes.give_dot(me, a, 1)
        participants.move_participant(w["owner"], w["id"], me, w["rooms"][1])
        assert snapshots.participant_snapshot(me)["me"]["dots_left"] == 1
        world.phase(w, "propose")
        b = ideas.post_idea(me, "B")["idea"]["id"]
        world.phase(w, "vote")
        assert votes.give_dot(me, b, 1)["dots_left"] == 0

    def test_a_retried_vote_counts_once(self, ctx, world):
        w = world.workshop()
        me = world.join(w, room=w["rooms"][0])
        idea = ideas.post_idea(me, "A")["idea"]["id"]
        world.phase(w, "vote")
        aid = action_id()
        assert votes.give_dot(me, idea, 1, action_id=aid) == votes.give_dot(
            me, idea, 1, action_id=aid
        )
        assert db.session.scalars(sa.select(Vote.value).where(Vote.idea_id == idea)).all() == [1]

    def test_a_retry_gets_its_first_answer_even_when_the_state_would_now_refuse_it(
        self, ctx, world
    ):
        w = world.workshop(dots_per_room=1, max_dots_per_idea=1)
        me = world.join(w, room=w["rooms"][0])
        idea = ideas.post_idea(me, "A")["idea"]["id"]
        world.phase(w, "vote")
        aid = action_id()
        first = votes.give_dot(me, idea, 1, action_id=aid)
        assert first["dots_left"] == 0
        # The budget is used up now: a new dot is refused, the retry is answered as before.
        with pytest.raises(Conflict):
            votes.give_dot(me, idea, 1, action_id=action_id())
        assert votes.give_dot(me, idea, 1, action_id=aid) == first
        assert db.session.scalars(sa.select(Vote.value).where(Vote.idea_id == idea)).all() == [1]


class TestEventLog:
    def test_sequence_numbers_have_no_gaps(self, ctx, world):
        w = world.workshop()
        me = world.join(w, "A", room=w["rooms"][0])
        idea = ideas.post_idea(me, "A")["idea"]["id"]
        world.phase(w, "vote", w["rooms"][0])
        votes.give_dot(me, idea, 1)
        log = events_of(w["rooms"][0])
        assert [e.seq for e in log] == list(range(1, len(log) + 1))
        assert [e.type for e in log][-3:] == ["idea_posted", "phase_changed", "votes_changed"]

    def test_a_room_locked_again_goes_on_from_the_action_s_own_numbers(self, any_ctx, world):
        """An action's new sequence numbers are written with its commit: a room read again
        under its lock (its row still has the number before them) must go on from them."""
        w = world.workshop()
        room = w["rooms"][0]
        before = db.session.get(Room, room).last_seq

        def three(change: unit.Change) -> dict:
            change.record(change.lock_room(room), "first", {})
            change.record(change.lock_room(room), "second", {})
            change.record(change.lock_rooms([w["plenary"], room])[room], "third", {})
            return {}

        unit.perform("test", action_id(), three)
        db.session.remove()
        log = events_of(room)
        assert [(e.seq, e.type) for e in log[-3:]] == [
            (before + 1, "first"),
            (before + 2, "second"),
            (before + 3, "third"),
        ]
        assert db.session.get(Room, room).last_seq == before + 3

    def test_events_since_or_a_snapshot(self, ctx, world, app):
        w = world.workshop()
        me = world.join(w, room=w["rooms"][0])
        room = w["rooms"][0]
        for n in range(5):
            ideas.post_idea(me, f"Idea {n}")
        last = snapshots.participant_snapshot(me)["room"]["seq"]
        missed = snapshots.events_since(room, last - 2)
        assert [e["seq"] for e in missed] == [last - 1, last]
        assert snapshots.events_since(room, last) == []
        assert snapshots.events_since(room, last + 1) is None  # from the future: resync
        app.config["SYNC_EVENTS_MAX"] = 3
        assert snapshots.events_since(room, 0) is None  # too far behind: snapshot

    def test_events_never_name_an_idea_author(self, ctx, world):
        w = world.workshop()
        me = world.join(w, room=w["rooms"][0])
        ideas.post_idea(me, "Anonymous idea")
        posted = next(e for e in events_of(w["rooms"][0]) if e.type == "idea_posted")
        assert "author_id" not in posted.data["idea"]
        assert posted.data["idea"]["author"] is None


def test_a_failing_after_commit_hook_does_not_fail_a_committed_action(ctx, world, monkeypatch):
    from cocreate import realtime
    from cocreate.services import ideas, snapshots

    def broken(messages):
        raise RuntimeError("a hook that fails")

    monkeypatch.setattr(realtime, "_committed", [broken])
    workshop = world.workshop()
    someone = world.join(workshop, room=workshop["rooms"][0])
    posted = ideas.post_idea(someone, "Posted despite the hook", "")
    assert posted["idea"]["text"] == "Posted despite the hook"
    assert [idea["text"] for idea in snapshots.participant_snapshot(someone)["ideas"]] == [
        "Posted despite the hook"
    ]
