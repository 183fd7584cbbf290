"""Stakeholder roles: declared on joining, results per role, and the participation view."""

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Room, RoomEvent
from cocreate.services import ideas, participants, phases, snapshots, votes, workshops
from cocreate.services.errors import Invalid, NotFound


def join(world, w, name, role, room):
    person = participants.join_workshop(w["code"], f"device-{name}", name, role)
    participants.move_participant(w["owner"], w["id"], person["participant_id"], room)
    return person["participant_id"]


def _last_seq(room_id: int) -> int:
    db.session.rollback()
    return db.session.get(Room, room_id).last_seq


def _events_since(room_id: int, seq: int) -> list[RoomEvent]:
    db.session.rollback()
    return db.session.scalars(
        sa.select(RoomEvent)
        .where(RoomEvent.room_id == room_id, RoomEvent.seq > seq)
        .order_by(RoomEvent.seq)
    ).all()


class TestRoles:
    def test_new_workshops_offer_the_default_roles(self, ctx, world):
        w = world.workshop()
        roles = world.moderator_view(w["owner"], w["id"])["workshop"]["stakeholder_roles"]
        assert roles == workshops.default_roles()
        assert "Local government" in roles

    def test_organizers_edit_the_list(self, ctx, world):
        w = world.workshop(stakeholder_roles=["  City hall ", "NGO", "NGO", ""])
        roles = world.moderator_view(w["owner"], w["id"])["workshop"]["stakeholder_roles"]
        assert roles == ["City hall", "NGO"]
        with pytest.raises(Invalid, match="at most 12"):
            world.workshop(stakeholder_roles=[f"Role {n}" for n in range(13)])

    def test_a_role_must_be_one_of_the_workshop_s(self, ctx, world):
        w = world.workshop()
        with pytest.raises(Invalid, match="stakeholder roles"):
            participants.join_workshop(w["code"], "d1", "A", "Astronaut")
        person = participants.join_workshop(w["code"], "d2", "B", "Expert")["participant_id"]
        assert person
        assert participants.join_workshop(w["code"], "d3", "C", "")["participant_id"]


class TestSupportByRole:
    def test_dots_by_role_and_ideas_every_role_supports(self, ctx, world):
        w = world.workshop(dots_per_room=5, max_dots_per_idea=5)
        room = w["rooms"][0]
        city = join(world, w, "City", "Local government", room)
        ngo = join(world, w, "Ngo", "Civil society organisation", room)
        anon = join(world, w, "Anon", None, room)
        shared = ideas.post_idea(city, "Shared")["idea"]["id"]
        one_sided = ideas.post_idea(city, "One-sided")["idea"]["id"]
        world.phase(w, "vote")
        for person in (city, ngo, anon):
            votes.give_dot(person, shared, 1)
        votes.give_dot(city, one_sided, 1)
        votes.give_dot(city, one_sided, 1)
        view = world.moderator_view(w["owner"], w["id"])["rooms"][1]
        by_id = {idea["id"]: idea for idea in view["ideas"]}
        assert by_id[shared]["by_role"] == {
            "Local government": {"dots": 1},
            "Civil society organisation": {"dots": 1},
            "": {"dots": 1},
        }
        assert by_id[shared]["all_roles"] is True
        assert by_id[one_sided]["by_role"] == {"Local government": {"dots": 2}}
        assert by_id[one_sided]["all_roles"] is False
        # Participants never get the breakdown.
        assert "by_role" not in snapshots.participant_snapshot(ngo)["ideas"][0]

    @pytest.mark.parametrize("hidden", [False, True])
    def test_a_role_given_again_is_told_to_the_moderators(self, any_ctx, world, hidden):
        w = world.workshop(dots_per_room=5, max_dots_per_idea=5)
        room = w["rooms"][0]
        city = join(world, w, "City", "Local government", room)
        ngo = join(world, w, "Ngo", "Civil society organisation", room)
        first, second, unvoted = (
            ideas.post_idea(city, text)["idea"]["id"] for text in ("First", "Second", "Third")
        )
        world.phase(w, "vote")
        for idea in (first, second, second):
            votes.give_dot(ngo, idea, 1)
        votes.give_dot(city, first, 1)
        phases.set_results_hidden(w["owner"], w["id"], hidden, room)
        before = _last_seq(room)

        again = participants.join_workshop(w["code"], "device-Ngo", None, "Local government")

        assert again == {"participant_id": ngo, "workshop_id": w["id"], "returning": True}
        logged = _events_since(room, before)
        assert [(e.type, (e.data.get("member") or {}).get("id") or e.data["idea_id"])
                for e in logged] == [
            ("votes_changed", first),
            ("votes_changed", second),
            ("member_renamed", ngo),
        ]  # fmt: skip
        renamed = logged[-1]
        assert renamed.data["member"] == {"id": ngo, "name": "Ngo", "on_paper": False}
        assert renamed.moderator_data["member"]["role"] == "Local government"
        fresh = {
            idea["id"]: idea
            for idea in world.moderator_view(w["owner"], w["id"])["rooms"][1]["ideas"]
        }
        for event in logged[:2]:
            idea = fresh[event.data["idea_id"]]
            told = event.moderator_data
            assert {key: told[key] for key in ("tally", "by_role", "paper_votes")} == {
                key: idea[key] for key in ("tally", "by_role", "paper_votes")
            }
            assert event.data["tally"] == (None if hidden else idea["tally"])
        assert fresh[first]["by_role"] == {"Local government": {"dots": 2}}
        assert fresh[second]["by_role"] == {"Local government": {"dots": 2}}
        assert fresh[unvoted]["by_role"] == {}

        # The same role again, or none, changes nothing and logs nothing.
        participants.join_workshop(w["code"], "device-Ngo", None, "Local government")
        participants.join_workshop(w["code"], "device-Ngo", None, None)
        assert _last_seq(room) == logged[-1].seq


class TestParticipation:
    def test_counts_per_room_and_role_never_who(self, ctx, world):
        w = world.workshop()
        room = w["rooms"][0]
        city = join(world, w, "City", "Local government", room)
        join(world, w, "Quiet", "Local government", room)
        ngo = join(world, w, "Ngo", "Civil society organisation", room)
        idea = ideas.post_idea(city, "Idea")["idea"]["id"]
        world.phase(w, "vote")
        votes.give_dot(ngo, idea, 1)
        rows = snapshots.participation(w["owner"], w["id"])
        in_room = {r["role"]: r for r in rows if r["room"] == "Room 1"}
        assert in_room["Local government"] | {} == {
            "room": "Room 1",
            "room_kind": "breakout",
            "role": "Local government",
            "joined": 2,
            "posted": 1,
            "voted": 0,
        }
        assert (in_room["Civil society organisation"]["joined"], in_room["Expert"]["joined"]) == (
            1,
            0,
        )
        assert in_room["Civil society organisation"]["voted"] == 1
        assert all("name" not in row and "id" not in row for row in rows)
        with pytest.raises(NotFound):
            snapshots.participation(world.user(), w["id"])

    def test_a_room_keeps_its_figures_when_everyone_is_back_in_the_plenary(self, ctx, world):
        w = world.workshop()
        room = w["rooms"][0]
        city = join(world, w, "City", "Local government", room)
        ngo = join(world, w, "Ngo", "Civil society organisation", room)
        idea = ideas.post_idea(city, "Idea")["idea"]["id"]
        world.phase(w, "vote")
        votes.give_dot(ngo, idea, 1)
        before = snapshots.participation(w["owner"], w["id"])
        participants.close_breakouts(w["owner"], w["id"])
        after = snapshots.participation(w["owner"], w["id"])
        in_room = {r["role"]: r for r in after if r["room"] == "Room 1"}
        assert in_room["Local government"]["joined"] == 1
        assert in_room["Local government"]["posted"] == 1
        assert in_room["Civil society organisation"]["voted"] == 1
        assert [r for r in after if r["room"] == "Room 1"] == [
            r for r in before if r["room"] == "Room 1"
        ]
