"""Phases, timers, broadcast messages and facilitators: who may drive a room, and what
each phase allows."""

from datetime import timedelta

import pytest

from cocreate.extensions import db
from cocreate.models import Room
from cocreate.models._time import utcnow
from cocreate.services import ideas, participants, phases, snapshots, votes
from cocreate.services.errors import Invalid, NotAllowed, NotFound


def room(room_id: int) -> Room:
    return db.session.get(Room, room_id)


class TestWhatEachPhaseAllows:
    @pytest.fixture
    def setup(self, ctx, world):
        w = world.workshop()
        me = world.join(w, room=w["rooms"][0])
        idea = ideas.post_idea(me, "Posted while proposing")["idea"]["id"]
        return w, me, idea

    @pytest.mark.parametrize("phase", ["lobby", "cluster", "vote", "pathway", "closed"])
    def test_posting_editing_withdrawing_only_while_proposing(self, setup, world, phase):
        w, me, idea = setup
        world.phase(w, phase)
        with pytest.raises(NotAllowed, match="Propose phase"):
            ideas.post_idea(me, "Late idea")
        with pytest.raises(NotAllowed, match="Propose phase"):
            ideas.edit_idea(me, idea, "Changed")
        with pytest.raises(NotAllowed, match="Propose phase"):
            ideas.withdraw_idea(me, idea)

    @pytest.mark.parametrize("phase", ["lobby", "propose", "cluster", "pathway", "closed"])
    def test_voting_only_in_the_vote_phase(self, setup, world, phase):
        w, me, idea = setup
        world.phase(w, phase)
        with pytest.raises(NotAllowed, match="Vote phase"):
            votes.give_dot(me, idea, 1)

    def test_the_vote_phase_allows_voting(self, setup, world):
        w, me, idea = setup
        world.phase(w, "vote")
        assert votes.give_dot(me, idea, 1)["mine"] == 1

    def test_new_breakout_rooms_start_in_propose_and_the_plenary_in_lobby(self, ctx, world):
        w = world.workshop()
        assert room(w["plenary"]).phase == "lobby"
        assert {room(r).phase for r in w["rooms"]} == {"propose"}


class TestDrivingPhases:
    def test_moderator_drives_one_room_or_all(self, ctx, world):
        w = world.workshop(rooms=3)
        result = phases.set_phase(w["owner"], w["id"], "vote", w["rooms"][1])
        assert result["room_ids"] == [w["rooms"][1]]
        assert [room(r).phase for r in w["rooms"]] == ["propose", "vote", "propose"]
        phases.set_phase(w["owner"], w["id"], "cluster")
        assert {room(r).phase for r in w["rooms"]} == {"cluster"}
        assert room(w["plenary"]).phase == "lobby"  # "all rooms" means the breakout rooms

    def test_unknown_phase_or_room(self, ctx, world):
        w = world.workshop()
        with pytest.raises(Invalid, match="Choose one of the phases"):
            phases.set_phase(w["owner"], w["id"], "party")
        with pytest.raises(NotFound):
            phases.set_phase(w["owner"], w["id"], "vote", w["plenary"])
        other = world.workshop()
        with pytest.raises(NotFound):
            phases.set_phase(w["owner"], w["id"], "vote", other["rooms"][0])

    def test_only_its_moderators(self, ctx, world):
        w = world.workshop()
        stranger = world.user()
        for call in (
            lambda: phases.set_phase(stranger, w["id"], "vote"),
            lambda: phases.start_timer(stranger, w["id"], 60),
            lambda: phases.stop_timer(stranger, w["id"]),
            lambda: phases.broadcast(stranger, w["id"], "Hello"),
            lambda: phases.appoint_facilitator(stranger, w["id"], 1),
        ):
            with pytest.raises(NotFound):
                call()

    def test_a_facilitator_drives_their_own_room_only(self, ctx, world):
        w = world.workshop()
        lead = world.join(w, "Lead", room=w["rooms"][0])
        member = world.join(w, "Member", room=w["rooms"][0])
        with pytest.raises(NotAllowed):
            phases.facilitate_phase(lead, "vote")
        phases.appoint_facilitator(w["owner"], w["id"], lead)
        assert snapshots.participant_snapshot(lead)["me"]["facilitates"] is True
        assert snapshots.participant_snapshot(member)["me"]["facilitates"] is False
        assert phases.facilitate_phase(lead, "vote")["room_ids"] == [w["rooms"][0]]
        assert [room(r).phase for r in w["rooms"]] == ["vote", "propose"]
        with pytest.raises(NotAllowed):
            phases.facilitate_phase(member, "closed")
        with pytest.raises(NotAllowed):
            phases.facilitate_timer(member, 60)

    def test_a_facilitator_who_moves_leaves_the_role_behind(self, ctx, world):
        w = world.workshop()
        lead = world.join(w, room=w["rooms"][0])
        phases.appoint_facilitator(w["owner"], w["id"], lead)
        participants.move_participant(w["owner"], w["id"], lead, w["rooms"][1])
        assert room(w["rooms"][0]).facilitator_id is None
        with pytest.raises(NotAllowed):
            phases.facilitate_phase(lead, "vote")

    def test_facilitators_run_breakout_rooms(self, ctx, world):
        w = world.workshop()
        in_lobby = world.join(w)
        with pytest.raises(Invalid, match="breakout room"):
            phases.appoint_facilitator(w["owner"], w["id"], in_lobby)
        stranger = world.join(world.workshop())
        with pytest.raises(NotFound):
            phases.appoint_facilitator(w["owner"], w["id"], stranger)

    def test_dismissing_a_facilitator(self, ctx, world):
        w = world.workshop()
        lead = world.join(w, room=w["rooms"][0])
        phases.appoint_facilitator(w["owner"], w["id"], lead)
        phases.dismiss_facilitator(w["owner"], w["id"], w["rooms"][0])
        with pytest.raises(NotAllowed):
            phases.facilitate_phase(lead, "vote")


class TestTimers:
    def test_every_phone_gets_the_same_end_time(self, ctx, world):
        w = world.workshop()
        a = world.join(w, room=w["rooms"][0])
        b = world.join(w, room=w["rooms"][1])
        before = utcnow()
        result = phases.start_timer(w["owner"], w["id"], 300, "vote")
        ends_at = result["timer"]["ends_at"]
        for person in (a, b):
            snapshot = snapshots.participant_snapshot(person)
            assert snapshot["room"]["timer"] == {"ends_at": ends_at, "next_phase": "vote"}
            assert snapshot["now"] >= before.isoformat()
        assert room(w["rooms"][0]).timer_ends_at - before >= timedelta(seconds=300)

    def test_a_timer_survives_a_reconnect(self, ctx, world):
        w = world.workshop()
        me = world.join(w, room=w["rooms"][0])
        ends_at = phases.start_timer(w["owner"], w["id"], 60, room_id=w["rooms"][0])["timer"]
        # A reconnecting phone asks for a snapshot: the same end time, whatever it missed.
        assert snapshots.participant_snapshot(me)["room"]["timer"] == ends_at

    def test_at_zero_the_room_moves_on_once(self, ctx, world):
        w = world.workshop()
        phases.start_timer(w["owner"], w["id"], 60, "vote")
        assert phases.expire_timers(utcnow()) == 0  # not yet
        later = utcnow() + timedelta(seconds=61)
        assert phases.expire_timers(later) == 2
        assert {room(r).phase for r in w["rooms"]} == {"vote"}
        assert {room(r).timer_ends_at for r in w["rooms"]} == {None}
        assert phases.expire_timers(later) == 0  # done once, whichever process asks

    def test_a_timer_without_a_next_phase_just_ends(self, ctx, world):
        w = world.workshop()
        phases.start_timer(w["owner"], w["id"], 60)
        assert phases.expire_timers(utcnow() + timedelta(seconds=61)) == 0
        assert {room(r).phase for r in w["rooms"]} == {"propose"}

    def test_a_manual_phase_change_cancels_the_automatic_one(self, ctx, world):
        w = world.workshop()
        phases.start_timer(w["owner"], w["id"], 60, "vote")
        phases.set_phase(w["owner"], w["id"], "cluster")
        assert phases.expire_timers(utcnow() + timedelta(seconds=61)) == 0
        assert {room(r).phase for r in w["rooms"]} == {"cluster"}

    def test_stopping(self, ctx, world):
        w = world.workshop()
        phases.start_timer(w["owner"], w["id"], 60, "vote")
        phases.stop_timer(w["owner"], w["id"], w["rooms"][0])
        assert room(w["rooms"][0]).timer_ends_at is None
        assert room(w["rooms"][1]).timer_ends_at is not None

    @pytest.mark.parametrize("seconds", [0, -5, 3 * 60 * 60 + 1, 1.5, "60", None])
    def test_durations_are_checked(self, ctx, world, seconds):
        w = world.workshop()
        with pytest.raises(Invalid, match="The timer"):
            phases.start_timer(w["owner"], w["id"], seconds)


class TestBroadcast:
    def test_to_all_rooms_or_one(self, ctx, world):
        w = world.workshop()
        lobby = world.join(w)
        inside = world.join(w, room=w["rooms"][0])
        phases.broadcast(w["owner"], w["id"], "5 minutes left — choose your top 3")
        for person in (lobby, inside):
            notice = snapshots.participant_snapshot(person)["room"]["notice"]
            assert notice == "5 minutes left — choose your top 3"
        phases.broadcast(w["owner"], w["id"], "Only room one", w["rooms"][0])
        assert snapshots.participant_snapshot(inside)["room"]["notice"] == "Only room one"
        assert snapshots.participant_snapshot(lobby)["room"]["notice"].startswith("5 minutes")
        phases.broadcast(w["owner"], w["id"], "")
        assert snapshots.participant_snapshot(inside)["room"]["notice"] == ""

    def test_message_limit(self, ctx, world):
        w = world.workshop()
        with pytest.raises(Invalid, match="at most 300 characters"):
            phases.broadcast(w["owner"], w["id"], "x" * 301)


def test_a_removed_room_s_timer_never_fires(ctx, world):
    from cocreate.services import workshops

    w = world.workshop()
    phases.start_timer(w["owner"], w["id"], 60, "vote", w["rooms"][0])
    workshops.remove_room(w["owner"], w["rooms"][0])
    assert phases.expire_timers(utcnow() + timedelta(seconds=61)) == 0
