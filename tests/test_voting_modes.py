"""Voting modes (DESIGN §4): agree / disagree / pass and scores on criteria, next to dots.

Their counting, the rule that a workshop's mode changes only before voting opens,
merging ("a vote counts once"), support by role, scribe mode, and hidden results.
"""

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Idea, Room, RoomEvent, Vote
from cocreate.services import (
    ideas,
    moderation,
    participants,
    phases,
    results,
    scribe,
    snapshots,
    votes,
    workshops,
)
from cocreate.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.conftest import World
from tests.test_sockets import PASSWORD, place, set_phase

CRITERIA = ["Impact on equality", "Feasibility"]


def settings(**changes) -> workshops.WorkshopSettings:
    """The workshop's settings as World creates them, with some changed."""
    return workshops.WorkshopSettings(
        **{"title": "Pathways", "question": "How do we reach equality?", **changes}
    )


def room_with_idea(world, mode: str, voters: int = 3, **rules):
    """A workshop in `mode`, one room with `voters` people and an idea, voting open."""
    w = world.workshop(voting_mode=mode, criteria=CRITERIA, **rules)
    people = [world.join(w, f"P{n}", room=w["rooms"][0]) for n in range(voters)]
    idea = ideas.post_idea(people[0], "Rent caps near transit")["idea"]["id"]
    world.phase(w, "vote")
    return w, people, idea


def counted(idea_id: int) -> dict:
    """An idea's tally as everyone sees it once results are shown."""
    workshop = db.session.get(Room, db.session.get(Idea, idea_id).room_id).workshop
    return results.tallies(workshop, [idea_id])[idea_id]


def join(w, name, role, room):
    person = participants.join_workshop(w["code"], f"device-{name}", name, role)
    participants.move_participant(w["owner"], w["id"], person["participant_id"], room)
    return person["participant_id"]


class TestAgreeDisagreePass:
    def test_opinions_are_counted_with_consensus_and_divisiveness(self, ctx, world):
        _w, (a, b, c), idea = room_with_idea(world, "agree")
        votes.give_opinion(a, idea, "agree")
        assert counted(idea) == {
            "agree": 1,
            "disagree": 0,
            "pass": 0,
            "consensus": 1.0,
            "divisiveness": 0.0,
        }
        votes.give_opinion(b, idea, "disagree")
        result = votes.give_opinion(c, idea, "pass")
        assert result == {"idea_id": idea, "mine": "pass"}
        # Of three, one agrees (consensus 1/3); one against one of three splits the room
        # by 2 * min(1, 1) / 3.
        assert counted(idea) == {
            "agree": 1,
            "disagree": 1,
            "pass": 1,
            "consensus": 0.33,
            "divisiveness": 0.67,
        }

    def test_changing_one_s_mind_replaces_the_opinion_and_none_takes_it_back(self, ctx, world):
        _w, (a, b, _c), idea = room_with_idea(world, "agree")
        votes.give_opinion(a, idea, "disagree")
        votes.give_opinion(a, idea, "agree")
        assert counted(idea)["disagree"] == 0
        votes.give_opinion(b, idea, "disagree")
        assert votes.give_opinion(b, idea, None)["mine"] is None
        tally = counted(idea)
        assert (tally["agree"], tally["disagree"], tally["pass"]) == (1, 0, 0)
        rows = db.session.scalars(sa.select(Vote).where(Vote.idea_id == idea)).all()
        assert [(v.participant_id, v.kind, v.value) for v in rows] == [(a, "agree", 1)]
        assert snapshots.participant_snapshot(a)["me"]["votes"] == {str(idea): "agree"}
        assert snapshots.participant_snapshot(a)["me"]["dots_left"] is None

    def test_repeating_an_opinion_logs_nothing(self, ctx, world):
        _w, (a, b, _c), idea = room_with_idea(world, "agree")
        votes.give_opinion(a, idea, "agree")
        events = db.session.scalar(sa.select(sa.func.count()).select_from(RoomEvent))
        votes.give_opinion(a, idea, "agree")
        votes.give_opinion(b, idea, None)  # nothing to take back
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RoomEvent)) == events

    def test_an_even_split_is_fully_divisive(self, ctx, world):
        _w, (a, b), idea = room_with_idea(world, "agree", voters=2)
        votes.give_opinion(a, idea, "agree")
        votes.give_opinion(b, idea, "disagree")
        tally = counted(idea)
        assert (tally["consensus"], tally["divisiveness"]) == (0.5, 1.0)

    def test_bad_stances_and_other_modes_are_refused(self, ctx, world):
        w, (a, _b, _c), idea = room_with_idea(world, "agree")
        with pytest.raises(Invalid, match="agree, disagree or pass"):
            votes.give_opinion(a, idea, "maybe")
        with pytest.raises(Conflict, match="agreeing, disagreeing or passing"):
            votes.give_dot(a, idea, 1)
        with pytest.raises(Conflict, match="agreeing, disagreeing or passing"):
            votes.give_score(a, idea, 0, 4)
        world.phase(w, "propose")
        with pytest.raises(NotAllowed, match="Vote phase"):
            votes.give_opinion(a, idea, "agree")


class TestScores:
    def test_scores_per_criterion_and_their_means(self, ctx, world):
        _w, (a, b, _c), idea = room_with_idea(world, "scores")
        first = votes.give_score(a, idea, 0, 5)
        assert first["mine"] == [5, None]
        assert counted(idea) == {
            "criteria": [{"mean": 5.0, "count": 1}, {"mean": None, "count": 0}],
            "mean": 5.0,
            "voters": 1,
        }
        votes.give_score(a, idea, 1, 2)
        votes.give_score(b, idea, 0, 4)
        votes.give_score(b, idea, 1, 3)
        tally = counted(idea)
        assert tally == {
            "criteria": [{"mean": 4.5, "count": 2}, {"mean": 2.5, "count": 2}],
            "mean": 3.5,
            "voters": 2,
        }
        assert snapshots.participant_snapshot(b)["me"]["votes"] == {str(idea): [4, 3]}

    def test_rescoring_replaces_and_none_takes_back(self, ctx, world):
        _w, (a, _b, _c), idea = room_with_idea(world, "scores")
        votes.give_score(a, idea, 0, 1)
        votes.give_score(a, idea, 0, 4)
        assert counted(idea)["criteria"][0] == {"mean": 4.0, "count": 1}
        result = votes.give_score(a, idea, 0, None)
        assert counted(idea)["mean"] is None and counted(idea)["voters"] == 0
        assert result["mine"] == [None, None]

    @pytest.mark.parametrize(
        ("criterion", "score", "message"),
        [
            (0, 6, "from 1 to 5"),
            (0, 0, "from 1 to 5"),
            (0, True, "from 1 to 5"),
            (0, 2.5, "from 1 to 5"),
            (2, 3, "criteria"),
            (-1, 3, "criteria"),
            ("0", 3, "criteria"),
        ],
    )
    def test_out_of_range_is_refused(self, ctx, world, criterion, score, message):
        _w, (a, _b, _c), idea = room_with_idea(world, "scores")
        with pytest.raises(Invalid, match=message):
            votes.give_score(a, idea, criterion, score)

    def test_the_database_refuses_what_a_mode_does_not_allow(self, ctx, world):
        w, (a, _b, _c), idea = room_with_idea(world, "scores")
        db.session.add(
            Vote(participant_id=a, idea_id=idea, room_id=w["rooms"][0], kind="scores", value=9)
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()

    def test_scoring_needs_criteria(self, ctx, world):
        with pytest.raises(Invalid, match="at least one criterion"):
            world.workshop(voting_mode="scores", criteria=["", "  "])
        with pytest.raises(Invalid, match="at most 5"):
            world.workshop(voting_mode="scores", criteria=[f"C{n}" for n in range(6)])
        with pytest.raises(Invalid, match="how participants vote"):
            world.workshop(voting_mode="ranking")


class TestChangingTheMode:
    def test_the_mode_changes_freely_before_voting_opens(self, ctx, world):
        w = world.workshop()
        person = world.join(w, "A", room=w["rooms"][0])
        ideas.post_idea(person, "An idea")
        workshops.update_workshop(
            w["owner"], w["id"], settings(voting_mode="scores", criteria=["Cost"])
        )
        view = snapshots.participant_snapshot(person)["workshop"]
        assert (view["voting_mode"], view["criteria"]) == ("scores", ["Cost"])

    def test_once_a_room_has_voted_the_mode_is_fixed(self, ctx, world):
        w, (a, _b, _c), idea = room_with_idea(world, "dots")
        with pytest.raises(Conflict, match="only before voting opens"):
            workshops.update_workshop(w["owner"], w["id"], settings(voting_mode="agree"))
        votes.give_dot(a, idea, 1)
        world.phase(w, "cluster")  # back before voting: the dots given still count
        with pytest.raises(Conflict, match="only before voting opens"):
            workshops.update_workshop(w["owner"], w["id"], settings(voting_mode="agree"))
        # Other settings still change, the unused criteria of a dots workshop too.
        workshops.update_workshop(
            w["owner"], w["id"], settings(title="Renamed", criteria=["Unused"])
        )
        assert world.moderator_view(w["owner"], w["id"])["workshop"]["title"] == "Renamed"

    def test_a_removed_room_does_not_fix_the_mode(self, ctx, world):
        w = world.workshop()
        world.phase(w, "vote", w["rooms"][0])
        workshops.remove_room(w["owner"], w["rooms"][0])
        workshops.update_workshop(w["owner"], w["id"], settings(voting_mode="agree"))

    def test_the_settings_page_says_so(self, app, world):
        client = app.test_client()
        with app.app_context():
            owner = world.user("owner@example.org", PASSWORD)
            w, _people, _idea = room_with_idea(world, "agree", user_id=owner)
        client.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
        page = client.get(f"/workshops/{w['id']}/settings").get_data(as_text=True)
        assert "Fixed now: voting has opened in a room." in page
        form = {
            "title": "Pathways",
            "question": "How do we reach equality?",
            "dots_per_room": "5",
            "max_dots_per_idea": "3",
            "assignment": "choose",
            "voting_mode": "dots",
            "criteria": "",
            "stakeholder_roles": "",
        }
        response = client.post(f"/workshops/{w['id']}/settings", data=form)
        assert "only before voting opens" in response.get_data(as_text=True)


class TestMergingCountsOnce:
    def test_opinions_move_unless_the_voter_gave_one_on_the_kept_idea(self, ctx, world):
        w, (a, b, c), keep = room_with_idea(world, "agree")
        world.phase(w, "propose")
        duplicate = ideas.post_idea(b, "Rent caps by the tram")["idea"]["id"]
        world.phase(w, "vote")
        votes.give_opinion(a, keep, "agree")
        votes.give_opinion(a, duplicate, "disagree")  # on both: the kept idea's stands
        votes.give_opinion(b, duplicate, "agree")  # on the duplicate only: it moves
        votes.give_opinion(c, keep, "pass")
        result = moderation.merge_ideas(w["owner"], w["id"], keep, duplicate)
        assert (result["moved"], result["returned"]) == (1, 1)
        tally = result["idea"]["tally"]
        assert (tally["agree"], tally["disagree"], tally["pass"]) == (2, 0, 1)
        assert snapshots.participant_snapshot(a)["me"]["votes"] == {str(keep): "agree"}

    def test_scores_count_once_per_criterion(self, ctx, world):
        w, (a, b, _c), keep = room_with_idea(world, "scores")
        world.phase(w, "propose")
        duplicate = ideas.post_idea(b, "Rent caps by the tram")["idea"]["id"]
        world.phase(w, "vote")
        votes.give_score(a, keep, 0, 5)
        votes.give_score(a, duplicate, 0, 1)
        votes.give_score(a, duplicate, 1, 2)
        result = moderation.merge_ideas(w["owner"], w["id"], keep, duplicate)
        assert (result["moved"], result["returned"]) == (1, 1)
        assert result["idea"]["tally"]["criteria"] == [
            {"mean": 5.0, "count": 1},
            {"mean": 2.0, "count": 1},
        ]
        assert result["idea"]["tally"]["voters"] == 1


class TestSupportByRole:
    def test_agree_support_by_role(self, ctx, world):
        w = world.workshop(voting_mode="agree")
        room = w["rooms"][0]
        city = join(w, "City", "Local government", room)
        ngo = join(w, "Ngo", "Civil society organisation", room)
        shared = ideas.post_idea(city, "Shared")["idea"]["id"]
        split = ideas.post_idea(city, "Split")["idea"]["id"]
        world.phase(w, "vote")
        votes.give_opinion(city, shared, "agree")
        votes.give_opinion(ngo, shared, "agree")
        votes.give_opinion(city, split, "agree")
        votes.give_opinion(ngo, split, "disagree")
        view = world.moderator_view(w["owner"], w["id"])["rooms"][1]
        by_id = {idea["id"]: idea for idea in view["ideas"]}
        assert by_id[shared]["all_roles"] is True
        assert by_id[split]["all_roles"] is False
        assert by_id[split]["by_role"]["Civil society organisation"]["disagree"] == 1
        assert by_id[split]["tally"]["divisiveness"] == 1.0

    def test_scores_support_is_a_mean_above_the_middle(self, ctx, world):
        w = world.workshop(voting_mode="scores", criteria=["Impact"])
        room = w["rooms"][0]
        city = join(w, "City", "Local government", room)
        ngo = join(w, "Ngo", "Civil society organisation", room)
        idea = ideas.post_idea(city, "Idea")["idea"]["id"]
        world.phase(w, "vote")
        votes.give_score(city, idea, 0, 5)
        votes.give_score(ngo, idea, 0, 3)
        [shown] = world.moderator_view(w["owner"], w["id"])["rooms"][1]["ideas"]
        assert shown["all_roles"] is False  # 3 is the middle: not support
        votes.give_score(ngo, idea, 0, 4)
        [shown] = world.moderator_view(w["owner"], w["id"])["rooms"][1]["ideas"]
        assert shown["all_roles"] is True

    def test_participation_counts_any_vote(self, ctx, world):
        w, (a, _b, _c), idea = room_with_idea(world, "agree")
        votes.give_opinion(a, idea, "pass")
        rows = snapshots.participation(w["owner"], w["id"])
        [row] = [r for r in rows if r["room"] == "Room 1" and r["role"] is None]
        assert (row["joined"], row["voted"]) == (3, 1)


class TestScribe:
    def test_opinions_and_scores_from_paper(self, ctx, world):
        for mode in ("agree", "scores"):
            w, _people, idea = room_with_idea(world, mode)
            paper = scribe.add_paper_person(("user", w["owner"]), w["rooms"][0], "Mrs Okafor")
            if mode == "agree":
                scribe.give_opinion(("user", w["owner"]), paper["member"]["id"], idea, "agree")
            else:
                scribe.give_score(("user", w["owner"]), paper["member"]["id"], idea, 1, 4)
            [shown] = world.moderator_view(w["owner"], w["id"])["rooms"][1]["ideas"]
            assert shown["paper_votes"] == 1
        with pytest.raises(NotFound):
            scribe.give_opinion(("user", w["owner"]), 999, idea, "agree")


class TestOverSockets:
    @pytest.fixture
    def agree_workshop(self, app):
        with app.app_context():
            world = World()
            owner = world.user("owner@example.org", PASSWORD)
            return world.workshop(owner, rooms=1, assignment="manual", voting_mode="agree")

    def test_opinions_and_hidden_results(self, app, agree_workshop, phone, console):
        w = agree_workshop
        ana, ben = phone(w["code"]), phone(w["code"])
        place(app, w, ana, 0)
        place(app, w, ben, 0)
        idea = ana.send("post_idea", text="Night buses")["idea"]["id"]
        desk = console("owner@example.org", PASSWORD, w["id"])
        desk.send("set_results_hidden", hidden=True)
        set_phase(app, w, "vote")
        ben.received()
        desk.socket.get_received("/moderator")

        ack = ana.send("opinion", idea_id=idea, stance="agree")
        assert ack == {"ok": True, "idea_id": idea, "mine": "agree"}
        ben.send("opinion", idea_id=idea, stance="disagree")
        heard = [e for b in ben.received() for e in b["events"] if e["type"] == "votes_changed"]
        assert [e["data"] for e in heard] == [
            {"idea_id": idea, "tally": None},
            {"idea_id": idea, "tally": None},
        ]
        assert ben.snapshot()["ideas"][0]["tally"] is None
        # Moderators follow the count and its support by role all along.
        batches = [m["args"][0] for m in desk.socket.get_received("/moderator")]
        [*_, last] = [e["data"] for b in batches for e in b["events"]]
        assert last["tally"]["divisiveness"] == 1.0 and "by_role" in last

        desk.send("set_results_hidden", hidden=False)
        [revealed] = [e for b in ana.received() for e in b["events"]][-1:]
        assert revealed["type"] == "results_revealed"
        assert revealed["data"]["tallies"][str(idea)]["agree"] == 1

    def test_bad_payloads_and_wrong_modes_get_clear_acks(self, app, agree_workshop, phone):
        w = agree_workshop
        ana = phone(w["code"])
        place(app, w, ana, 0)
        idea = ana.send("post_idea", text="Night buses")["idea"]["id"]
        set_phase(app, w, "vote")
        assert ana.send("opinion", idea_id=idea, stance=1)["error"]["code"] == "bad_request"
        assert ana.send("opinion", idea_id=idea, stance="yes")["error"]["code"] == "invalid"
        refused = ana.send("score", idea_id=idea, criterion=0, score=3)
        assert refused["error"]["code"] == "conflict"
        assert "agreeing" in refused["error"]["message"]
        assert ana.send("vote", idea_id=idea, delta=1)["error"]["code"] == "conflict"
        assert ana.send("opinion", idea_id=idea, stance=None)["ok"] is True


def test_changing_the_mode_is_announced(app, phone):
    with app.app_context():
        world = World()
        w = world.workshop(rooms=1, assignment="manual")
    ana = phone(w["code"])
    ana.received()
    with app.app_context():
        workshops.update_workshop(w["owner"], w["id"], settings(voting_mode="agree"))
    events = [e for b in ana.received() for e in b["events"]]
    [changed] = [e for e in events if e["type"] == "workshop_changed"]
    assert changed["data"]["workshop"]["voting_mode"] == "agree"


def test_the_timer_phase_change_to_vote_fixes_the_mode(ctx, world):
    w = world.workshop(rooms=1)
    phases.set_phase(w["owner"], w["id"], "vote")
    with pytest.raises(Conflict):
        workshops.update_workshop(w["owner"], w["id"], settings(voting_mode="scores"))


@pytest.mark.parametrize("mode", ["dots", "agree", "scores"])
def test_a_new_idea_s_event_says_what_counting_its_votes_would(ctx, world, mode):
    """Posting skips reading the votes of an idea nobody can have voted on: its events
    must carry what counting them gives (the participants' tally, the moderators' support)."""
    w = world.workshop(voting_mode=mode, criteria=CRITERIA)
    me = world.join(w, "Ana", room=w["rooms"][0])
    posted = ideas.post_idea(me, "Rent caps near transit")["idea"]
    event = db.session.scalars(
        sa.select(RoomEvent).where(RoomEvent.room_id == w["rooms"][0]).order_by(RoomEvent.seq)
    ).all()[-1]
    assert event.type == "idea_posted"
    workshop = db.session.get(Room, w["rooms"][0]).workshop
    support = results.support(workshop, [posted["id"]])[posted["id"]]
    assert event.data["idea"]["tally"] == support["tally"] == posted["tally"]
    moderators = event.moderator_data["idea"]
    assert {key: moderators[key] for key in support} == support
    assert event.data["idea"]["tag_ids"] == moderators["tag_ids"] == []
