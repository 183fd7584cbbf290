"""Moderation: hiding and restoring ideas, correcting typos with an audit log, removing a
participant, locking a room."""

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Idea, Vote
from cocreate.realtime import PARTICIPANT_NS
from cocreate.services import ideas, moderation, participants, snapshots, votes
from cocreate.services.errors import Conflict, Invalid, NotAllowed, NotFound
from cocreate.sockets.participant import disconnect_removed
from tests.conftest import World

PASSWORD = "correct horse battery"


@pytest.fixture
def room_with_idea(ctx, world):
    w = world.workshop()
    author = world.join(w, "Author", room=w["rooms"][0])
    voter = world.join(w, "Voter", room=w["rooms"][0])
    idea = ideas.post_idea(author, "Mistpyed idea")["idea"]["id"]
    return w, author, voter, idea


class TestHideAndRestore:
    def test_hidden_ideas_leave_the_room_and_give_dots_back(self, room_with_idea, world):
        w, _author, voter, idea = room_with_idea
        world.phase(w, "vote")
        votes.give_dot(voter, idea, 1)
        moderation.hide_idea(w["owner"], w["id"], idea)
        assert snapshots.participant_snapshot(voter)["ideas"] == []
        assert snapshots.participant_snapshot(voter)["me"]["dots_left"] == 5
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0
        with pytest.raises(NotFound):
            votes.give_dot(voter, idea, 1)
        # The moderator still sees it, to restore it.
        room = world.moderator_view(w["owner"], w["id"])["rooms"][1]
        assert [(i["id"], i["status"]) for i in room["ideas"]] == [(idea, "hidden")]
        moderation.restore_idea(w["owner"], w["id"], idea)
        assert [i["id"] for i in snapshots.participant_snapshot(voter)["ideas"]] == [idea]

    def test_twice_is_a_conflict_and_strangers_get_nothing(self, room_with_idea, world):
        w, _author, _voter, idea = room_with_idea
        with pytest.raises(Conflict):
            moderation.restore_idea(w["owner"], w["id"], idea)
        moderation.hide_idea(w["owner"], w["id"], idea)
        with pytest.raises(Conflict):
            moderation.hide_idea(w["owner"], w["id"], idea)
        other = world.workshop()
        with pytest.raises(NotFound):
            moderation.hide_idea(other["owner"], other["id"], idea)
        with pytest.raises(NotFound):
            moderation.restore_idea(world.user(), w["id"], idea)


class TestCorrections:
    def test_a_correction_is_kept_in_the_audit_log(self, room_with_idea):
        w, author, _voter, idea = room_with_idea
        corrected = moderation.correct_idea(w["owner"], w["id"], idea, "Mistyped idea")
        assert corrected["idea"]["text"] == "Mistyped idea"
        assert corrected["idea"]["author"] == "Author"
        ideas.edit_idea(author, idea, "Mistyped idea, made longer")
        log = moderation.revisions(w["owner"], w["id"], idea)
        assert [(r["text"], r["changed_by"]) for r in log] == [
            ("Mistpyed idea", f"user:{w['owner']}"),
            ("Mistyped idea", f"participant:{author}"),
        ]
        assert db.session.get(Idea, idea).text == "Mistyped idea, made longer"

    def test_corrections_follow_the_idea_rules(self, room_with_idea):
        w, _author, _voter, idea = room_with_idea
        with pytest.raises(Invalid, match="at most 280"):
            moderation.correct_idea(w["owner"], w["id"], idea, "x" * 281)


class TestRemovingSomeone:
    def test_a_removed_participant_can_no_longer_act_or_come_back(self, room_with_idea, world):
        w, _author, voter, _idea = room_with_idea
        moderation.remove_participant(w["owner"], w["id"], voter)
        for call in (
            lambda: ideas.post_idea(voter, "Still here?"),
            lambda: snapshots.participant_snapshot(voter),
            lambda: participants.set_display_name(voter, "New me"),
        ):
            with pytest.raises(NotAllowed, match="removed you"):
                call()
        room = world.moderator_view(w["owner"], w["id"])["rooms"][1]
        assert [m["name"] for m in room["members_list"]] == ["Author"]
        with pytest.raises(NotFound):  # gone: not in the workshop any more
            moderation.remove_participant(w["owner"], w["id"], voter)
        with pytest.raises(NotFound):
            participants.move_participant(w["owner"], w["id"], voter, w["rooms"][1])

    def test_the_same_device_cannot_join_again(self, ctx, world):
        w = world.workshop()
        me = participants.join_workshop(w["code"], "device-x", "X")["participant_id"]
        moderation.remove_participant(w["owner"], w["id"], me)
        with pytest.raises(NotAllowed, match="removed you"):
            participants.join_workshop(w["code"], "device-x", "X again")

    def test_removed_people_are_not_spread(self, ctx, world):
        w = world.workshop(assignment="random")
        gone = world.join(w)
        stays = world.join(w)
        moderation.remove_participant(w["owner"], w["id"], gone)
        assert participants.open_breakouts(w["owner"], w["id"])["moved"] == 1
        assert snapshots.participant_snapshot(stays)["room"]["kind"] == "breakout"


class TestLockedRooms:
    def test_a_locked_room_takes_no_one_in(self, ctx, world):
        w = world.workshop(rooms=2, assignment="choose")
        participants.open_breakouts(w["owner"], w["id"])
        moderation.lock_room(w["owner"], w["id"], w["rooms"][0], True)
        me = world.join(w)
        with pytest.raises(NotAllowed, match="locked"):
            participants.choose_room(me, w["rooms"][0])
        assert participants.choose_room(me, w["rooms"][1])["room_id"] == w["rooms"][1]
        rooms = snapshots.participant_snapshot(me)["rooms"]
        assert [r["locked"] for r in rooms] == [False, True, False]

    def test_spreading_skips_locked_rooms(self, ctx, world):
        w = world.workshop(rooms=2, assignment="random")
        moderation.lock_room(w["owner"], w["id"], w["rooms"][0], True)
        people = [world.join(w) for _ in range(3)]
        participants.open_breakouts(w["owner"], w["id"])
        assert {snapshots.participant_snapshot(p)["room"]["id"] for p in people} == {w["rooms"][1]}
        late = world.join(w)
        assert snapshots.participant_snapshot(late)["room"]["id"] == w["rooms"][1]

    def test_every_room_locked_leaves_people_in_the_lobby(self, ctx, world):
        w = world.workshop(rooms=1, assignment="random")
        moderation.lock_room(w["owner"], w["id"], w["rooms"][0], True)
        me = world.join(w)
        assert participants.open_breakouts(w["owner"], w["id"])["moved"] == 0
        assert snapshots.participant_snapshot(me)["room"]["kind"] == "plenary"

    def test_locking_is_a_yes_or_no(self, ctx, world):
        w = world.workshop()
        with pytest.raises(Invalid):
            moderation.lock_room(w["owner"], w["id"], w["rooms"][0], "yes")
        with pytest.raises(NotFound):
            moderation.lock_room(w["owner"], w["id"], w["plenary"], True)


def test_over_sockets_the_author_is_told_and_a_removed_phone_is_shut_out(app, phone, console):
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        w = world.workshop(owner, rooms=1, assignment="random")
    author, other = phone(w["code"], "Author"), phone(w["code"], "Other")
    desk = console("owner@example.org", PASSWORD, w["id"])
    desk.send("open_breakouts", {"id": "00000000-0000-4000-8000-000000000001"})
    for p in (author, other):
        p.snapshot()
        p.received()
    idea = author.send("post_idea", text="Something rude")["idea"]["id"]
    assert desk.send("hide_idea", idea_id=idea) == {"ok": True, "idea_id": idea, "status": "hidden"}
    assert author.received("idea_moderated") == [
        {"idea_id": idea, "text": "Something rude", "status": "hidden"}
    ]
    types = [e["type"] for b in other.received() for e in b["events"]]
    assert types == ["idea_posted", "idea_hidden"]
    fixed = desk.send("correct_idea", idea_id=idea, text="Something kind")
    assert fixed["idea"]["text"] == "Something kind"
    assert desk.send("restore_idea", idea_id=idea)["idea"]["text"] == "Something kind"
    me = other.snapshot()["me"]["id"]
    assert desk.send("remove_participant", participant_id=me)["ok"]
    assert other.received("removed") == [{"message": "A moderator removed you from this workshop."}]
    refused = other.send("post_idea", text="Back again")
    assert refused["error"]["code"] == "not_allowed"
    # Within a second every process closes its connections of removed participants.
    with app.app_context():
        assert disconnect_removed() == 1
        assert disconnect_removed() == 0
    assert not other.socket.is_connected(PARTICIPANT_NS)
    assert author.socket.is_connected(PARTICIPANT_NS)
    room = w["rooms"][0]
    assert desk.send("lock_room", room_id=room, locked=True) == {
        "ok": True,
        "room_id": room,
        "locked": True,
    }


class TestMerging:
    @pytest.fixture
    def duplicates(self, ctx, world):
        w = world.workshop(dots_per_room=5, max_dots_per_idea=3)
        a = world.join(w, "A", room=w["rooms"][0])
        b = world.join(w, "B", room=w["rooms"][0])
        keep = ideas.post_idea(a, "Housing first")["idea"]["id"]
        dup = ideas.post_idea(b, "Housing first!")["idea"]["id"]
        world.phase(w, "vote")
        return w, a, b, keep, dup

    def test_dots_move_capped_at_the_maximum_and_the_rest_goes_back(self, duplicates):
        w, a, b, keep, dup = duplicates
        for _ in range(2):
            votes.give_dot(a, keep, 1)
            votes.give_dot(a, dup, 1)  # A supports both: 2 + 2
        votes.give_dot(b, dup, 1)  # B only the duplicate
        result = moderation.merge_ideas(w["owner"], w["id"], keep, dup)
        assert (result["moved"], result["returned"]) == (2, 1)  # A: 3 of 4 (max 3), B: 1
        assert result["idea"]["tally"] == {"dots": 4}
        me = snapshots.participant_snapshot(a)["me"]
        assert me["votes"] == {str(keep): 3}
        assert me["dots_left"] == 2  # 5 - 3: the extra dot came back
        assert snapshots.participant_snapshot(b)["me"]["votes"] == {str(keep): 1}
        assert [i["id"] for i in snapshots.participant_snapshot(b)["ideas"]] == [keep]
        assert db.session.get(Idea, dup).merged_into_id == keep
        # Budgets and maxima still hold afterwards.
        votes.give_dot(a, keep, -1)
        votes.give_dot(a, keep, 1)
        with pytest.raises(Conflict, match="at most 3 dots"):
            votes.give_dot(a, keep, 1)

    def test_what_cannot_be_merged(self, duplicates, world):
        w, _a, _b, keep, dup = duplicates
        with pytest.raises(Invalid, match="two different"):
            moderation.merge_ideas(w["owner"], w["id"], keep, keep)
        world.phase(w, "propose")
        elsewhere = world.join(w, room=w["rooms"][1])
        other_room = ideas.post_idea(elsewhere, "Other room")["idea"]["id"]
        with pytest.raises(Invalid, match="same room"):
            moderation.merge_ideas(w["owner"], w["id"], keep, other_room)
        moderation.hide_idea(w["owner"], w["id"], dup)
        with pytest.raises(Invalid, match="visible"):
            moderation.merge_ideas(w["owner"], w["id"], keep, dup)
        with pytest.raises(NotFound):
            moderation.merge_ideas(world.user(), w["id"], keep, dup)


class TestPremoderation:
    def test_ideas_wait_for_approval(self, ctx, world):
        w = world.workshop(premoderation=True)
        author = world.join(w, "Author", room=w["rooms"][0])
        reader = world.join(w, "Reader", room=w["rooms"][0])
        posted = ideas.post_idea(author, "Please approve me")["idea"]
        assert posted["status"] == "pending"
        assert snapshots.participant_snapshot(reader)["ideas"] == []
        own = snapshots.participant_snapshot(author)["ideas"]
        assert [(i["text"], i["status"]) for i in own] == [("Please approve me", "pending")]
        room = world.moderator_view(w["owner"], w["id"])["rooms"][1]
        assert [i["status"] for i in room["ideas"]] == ["pending"]
        world.phase(w, "vote")
        with pytest.raises(NotFound):
            votes.give_dot(reader, posted["id"], 1)
        moderation.approve_idea(w["owner"], w["id"], posted["id"])
        assert [i["id"] for i in snapshots.participant_snapshot(reader)["ideas"]] == [posted["id"]]
        assert votes.give_dot(reader, posted["id"], 1)["mine"] == 1
        with pytest.raises(Conflict):
            moderation.approve_idea(w["owner"], w["id"], posted["id"])

    def test_refusing_is_hiding(self, ctx, world):
        w = world.workshop(premoderation=True)
        author = world.join(w, room=w["rooms"][0])
        idea = ideas.post_idea(author, "Off topic")["idea"]["id"]
        moderation.hide_idea(w["owner"], w["id"], idea)
        assert snapshots.participant_snapshot(author)["ideas"] == []


def test_over_sockets_a_pending_idea_reaches_only_the_moderators(app, phone, console):
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        w = world.workshop(owner, rooms=1, assignment="random", premoderation=True)
    author, reader = phone(w["code"], "Author"), phone(w["code"], "Reader")
    desk = console("owner@example.org", PASSWORD, w["id"])
    desk.send("open_breakouts", {"id": "00000000-0000-4000-8000-000000000002"})
    for p in (author, reader):
        p.snapshot()
        p.received()
    desk.socket.get_received("/moderator")
    idea = author.send("post_idea", text="Secret until approved")["idea"]["id"]
    [batch] = reader.received()
    assert batch["events"][0] == {
        **batch["events"][0],
        "type": "idea_submitted",
        "data": {"idea_id": idea},
    }
    moderated = [m["args"][0] for m in desk.socket.get_received("/moderator")]
    assert moderated[0]["events"][0]["data"]["idea"]["text"] == "Secret until approved"
    assert desk.send("approve_idea", idea_id=idea)["idea"]["status"] == "visible"
    assert author.received("idea_moderated")[0]["status"] == "approved"
    [batch] = reader.received()
    assert batch["events"][0]["data"]["idea"]["text"] == "Secret until approved"


def test_correcting_a_hidden_idea_does_not_show_it(app, phone, console):
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        w = world.workshop(owner, rooms=1, assignment="random")
    author, reader = phone(w["code"], "Author"), phone(w["code"], "Reader")
    desk = console("owner@example.org", PASSWORD, w["id"])
    desk.send("open_breakouts", {"id": "00000000-0000-4000-8000-000000000003"})
    for p in (author, reader):
        p.snapshot()
    idea = author.send("post_idea", text="Rude words")["idea"]["id"]
    desk.send("hide_idea", idea_id=idea)
    reader.received()
    fixed = desk.send("correct_idea", idea_id=idea, text="Kind words")
    assert fixed["idea"]["text"] == "Kind words"
    [batch] = reader.received()
    assert batch["events"][0]["type"] == "idea_corrected"
    assert batch["events"][0]["data"] == {"idea_id": idea}


def test_a_merged_duplicate_cannot_come_back(ctx, world):
    w = world.workshop()
    a = world.join(w, room=w["rooms"][0])
    keep = ideas.post_idea(a, "Keep")["idea"]["id"]
    dup = ideas.post_idea(a, "Keep!")["idea"]["id"]
    moderation.merge_ideas(w["owner"], w["id"], keep, dup)
    for call in (moderation.hide_idea, moderation.restore_idea, moderation.approve_idea):
        with pytest.raises(NotFound):
            call(w["owner"], w["id"], dup)
