"""Scribe mode: ideas and dots of people without a phone, entered by a facilitator or a
moderator and marked as coming from paper."""

import pytest

from cocreate.services import phases, scribe, snapshots
from cocreate.services.errors import Conflict, NotAllowed, NotFound
from tests.conftest import World, action_id

PASSWORD = "correct horse battery"


@pytest.fixture
def room(ctx, world):
    w = world.workshop(dots_per_room=2, max_dots_per_idea=2)
    lead = world.join(w, "Lead", room=w["rooms"][0])
    phases.appoint_facilitator(w["owner"], w["id"], lead)
    return w, lead


def test_a_facilitator_enters_paper_for_their_room(room, world):
    w, lead = room
    paper = scribe.add_paper_person(("participant", lead), None, "Mrs Okafor")["member"]
    assert paper["name"] == "Mrs Okafor"
    idea = scribe.post_idea(("participant", lead), paper["id"], "A bench at the bus stop")["idea"]
    assert idea["on_paper"] is True and idea["author"] == "Mrs Okafor"
    world.phase(w, "vote")
    scribe.give_dot(("participant", lead), paper["id"], idea["id"], 1)
    scribe.give_dot(("participant", lead), paper["id"], idea["id"], 1)
    with pytest.raises(Conflict):  # the person on paper has their own budget
        scribe.give_dot(("participant", lead), paper["id"], idea["id"], 1)
    view = world.moderator_view(w["owner"], w["id"])["rooms"][1]
    [shown] = view["ideas"]
    assert (shown["tally"], shown["paper_votes"], shown["on_paper"]) == ({"dots": 2}, 2, True)
    members = {m["name"]: m for m in view["members_list"]}
    assert "Mrs Okafor" in members
    # Paper people are never spread or moved by the rules for phones.
    assert snapshots.participant_snapshot(lead)["room"]["members"] == 2


def test_who_may_scribe(room, world):
    w, lead = room
    member = world.join(w, "Member", room=w["rooms"][0])
    with pytest.raises(NotAllowed):
        scribe.add_paper_person(("participant", member), None, "X")
    paper = scribe.add_paper_person(("user", w["owner"]), w["rooms"][0], "By the moderator")
    paper_id = paper["member"]["id"]
    with pytest.raises(NotAllowed):
        scribe.post_idea(("participant", member), paper_id, "Not mine to enter")
    with pytest.raises(NotFound):  # a phone's participant is not on paper
        scribe.post_idea(("participant", lead), member, "Impersonation")
    stranger = world.user()
    with pytest.raises(NotFound):
        scribe.add_paper_person(("user", stranger), w["rooms"][0], "X")
    other_lead_room = w["rooms"][1]
    with pytest.raises(NotFound):  # the moderator's way needs a breakout room
        scribe.add_paper_person(("user", w["owner"]), w["plenary"], "X")
    assert scribe.add_paper_person(("user", w["owner"]), other_lead_room, "")["member"]


def test_over_sockets(app, phone, console):
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        w = world.workshop(owner, rooms=1, assignment="random")
    lead = phone(w["code"], "Lead")
    desk = console("owner@example.org", PASSWORD, w["id"])
    desk.send("open_breakouts", {"id": action_id()})
    me = lead.snapshot()["me"]["id"]
    desk.send("appoint_facilitator", participant_id=me)
    paper = lead.send("add_paper_person", name="On paper")["member"]
    posted = lead.send("scribe_post_idea", paper_id=paper["id"], text="From paper")
    assert posted["idea"]["on_paper"] is True
    by_desk = desk.send("scribe_post_idea", paper_id=paper["id"], text="Also from paper")
    assert by_desk["ok"]
    desk.send("set_phase", phase="vote")
    ack = lead.send("scribe_vote", paper_id=paper["id"], idea_id=posted["idea"]["id"], delta=1)
    assert ack["ok"] and ack["mine"] == 1


def test_a_facilitator_cannot_scribe_for_another_room(room, world):
    w, lead = room
    paper = scribe.add_paper_person(("user", w["owner"]), w["rooms"][1], "Elsewhere")
    with pytest.raises(NotFound):
        scribe.post_idea(("participant", lead), paper["member"]["id"], "Not my room")


def test_a_phones_snapshot_names_only_the_people_on_paper(room, world):
    """A phone is told how many are in its room and the names of those on paper (for the
    scribe), never a row per member: joins into a big lobby stay O(N)."""
    w, lead = room
    others = [world.join(w, f"Member {n}", room=w["rooms"][0]) for n in range(3)]
    paper = scribe.add_paper_person(("participant", lead), None, "Mrs Okafor")["member"]
    snapshot = snapshots.participant_snapshot(others[0])
    assert snapshot["room"]["members"] == 5  # the lead, three members, one on paper
    assert snapshot["members"] == [{k: paper[k] for k in ("id", "name", "on_paper")}]
    lobby = snapshots.participant_snapshot(world.join(w, "Late"))
    assert lobby["room"]["kind"] == "plenary" and lobby["members"] == []
    assert lobby["room"]["members"] >= 1
