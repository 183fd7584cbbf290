"""Each idea's votes are counted as they change (`VoteCount`, kept by the write path), so
that a vote and a tally read counts rather than count votes: every path that changes
votes keeps the counts equal to the votes counted, on SQLite and PostgreSQL, and the
work of a vote does not grow with the people who voted on its idea."""

from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import VOTERS, Idea, Participant, Room, Vote, VoteCount, Workshop
from cocreate.services import ideas, moderation, participants, results, scribe, votes
from cocreate.synthesis import importer, render_json
from cocreate.synthesis.build import build
from tests.conftest import World
from tests.test_concurrency import race
from tests.test_head_counts import instructions

CITY, NGO = "Local government", "Civil society organisation"


def kept(workshop_id: int) -> dict[tuple, int]:
    """The workshop's ideas' counts as the database keeps them (rows of 0 left out)."""
    db.session.rollback()
    rows = db.session.scalars(
        sa.select(VoteCount).where(VoteCount.idea_id.in_(_ideas_of(workshop_id)), VoteCount.n != 0)
    )
    return {(c.idea_id, c.kind, c.role, c.on_paper, c.criterion, c.value): c.n for c in rows}


def _ideas_of(workshop_id: int) -> sa.Select:
    return (
        sa.select(Idea.id)
        .join(Room, Room.id == Idea.room_id)
        .where(Room.workshop_id == workshop_id)
    )


def counted(workshop_id: int) -> dict[tuple, int]:
    """The same counts worked out here, a vote at a time from the votes."""
    db.session.rollback()
    rows = db.session.execute(
        sa.select(
            Vote.idea_id,
            Vote.kind,
            Participant.role,
            Participant.on_paper,
            Vote.criterion,
            Vote.value,
            Vote.participant_id,
        )
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Vote.idea_id.in_(_ideas_of(workshop_id)))
    )
    counts, voters = Counter(), set()
    for idea, kind, role, paper, criterion, value, person in rows:
        counts[(idea, kind, role or "", paper, criterion, value)] += 1
        voters.add((idea, kind, role or "", paper, person))
    for idea, kind, role, paper, _person in voters:
        counts[(idea, kind, role, paper, VOTERS, 0)] += 1
    return dict(counts)


def a_room(mode: str, world) -> tuple[dict, dict[str, int], list[int]]:
    """A workshop voting in `mode`, a room with a city official, an NGO's member, a person
    without a role and one on paper, and three ideas, in the vote phase."""
    w = world.workshop(voting_mode=mode, criteria=["Impact", "Feasibility"], max_dots_per_idea=3)
    room = w["rooms"][0]
    people = {}
    for name, role in (("city", CITY), ("ngo", NGO), ("none", None)):
        joined = participants.join_workshop(w["code"], f"device-{name}-{mode}", name, role)
        participants.move_participant(w["owner"], w["id"], joined["participant_id"], room)
        people[name] = joined["participant_id"]
    people["paper"] = scribe.add_paper_person(("user", w["owner"]), room, "On paper")["member"][
        "id"
    ]
    posted = [ideas.post_idea(people["city"], f"Idea {n}")["idea"]["id"] for n in range(3)]
    world.phase(w, "vote")
    return w, people, posted


#: The service that votes in each mode, on a phone (cocreate.services.votes) or for a
#: person on paper (cocreate.services.scribe).
GIVE = {"dots": "give_dot", "agree": "give_opinion", "scores": "give_score"}


def vote(w: dict, mode: str, who: int, idea: int, value, criterion: int = 0, paper=False):
    """One vote of the mode, through the phone's service or the scribe's."""
    what = (idea, criterion, value) if mode == "scores" else (idea, value)
    if paper:
        return getattr(scribe, GIVE[mode])(("user", w["owner"]), who, *what)
    return getattr(votes, GIVE[mode])(who, *what)


#: Per mode: (who, idea's position, value, criterion), changes and takebacks among them.
STEPS = {
    "dots": [("city", 0, 1, 0), ("city", 0, 1, 0), ("ngo", 0, 1, 0), ("none", 1, 1, 0),
             ("paper", 0, 1, 0), ("city", 0, -1, 0), ("ngo", 0, -1, 0), ("ngo", 1, 1, 0),
             ("city", 1, 1, 0), ("paper", 2, 1, 0)],
    "agree": [("city", 0, "agree", 0), ("ngo", 0, "disagree", 0), ("none", 0, "pass", 0),
              ("paper", 0, "agree", 0), ("city", 0, "disagree", 0), ("ngo", 0, None, 0),
              ("ngo", 1, "agree", 0), ("city", 1, "agree", 0), ("none", 2, "agree", 0)],
    "scores": [("city", 0, 4, 0), ("city", 0, 2, 1), ("ngo", 0, 5, 0), ("paper", 0, 1, 1),
               ("city", 0, 3, 0), ("city", 0, None, 1), ("ngo", 0, None, 0),
               ("none", 1, 5, 0), ("city", 1, 4, 1), ("ngo", 1, 2, 1)],
}  # fmt: skip


@pytest.mark.parametrize("mode", ["dots", "agree", "scores"])
def test_every_path_that_changes_votes_keeps_the_counts(any_ctx, world, mode):
    w, people, posted = a_room(mode, world)
    steps = []

    def check(step: str) -> None:
        steps.append(step)
        assert kept(w["id"]) == counted(w["id"]), steps

    for who, position, value, criterion in STEPS[mode]:
        vote(w, mode, people[who], posted[position], value, criterion, paper=who == "paper")
        check(f"{who} votes {value} on idea {position}")
    assert kept(w["id"]), "nobody's votes were counted"

    # A role changes when its participant joins again on the same device.
    participants.join_workshop(w["code"], f"device-city-{mode}", None, NGO)
    check("the city official rejoins as an NGO's member")
    participants.join_workshop(w["code"], f"device-none-{mode}", None, CITY)
    check("someone without a role takes one")

    # Merging: votes move over or go back, by mode.
    moderation.merge_ideas(w["owner"], w["id"], posted[0], posted[1])
    check("two ideas merged")
    moderation.hide_idea(w["owner"], w["id"], posted[0])
    check("an idea hidden, its votes gone")
    moderation.restore_idea(w["owner"], w["id"], posted[0])
    vote(w, mode, people["ngo"], posted[0], {"dots": 1, "agree": "pass", "scores": 3}[mode])
    check("the idea shown again and voted on")
    world.phase(w, "propose")
    ideas.withdraw_idea(people["city"], posted[2])
    check("an idea withdrawn by its author")
    moderation.remove_participant(w["owner"], w["id"], people["ngo"])
    check("a voter removed (their votes stay)")

    # An imported workshop counts its votes once.
    body = render_json.render(build(w["id"], generated_at=datetime.now(UTC)))
    copied = importer.import_workshop(world.user(), importer.load(body), "archive")
    assert kept(copied) == counted(copied)
    assert sorted(kept(copied).values()) == sorted(kept(w["id"]).values())


def test_what_the_counts_hold(ctx, world):
    """An opinion is counted under its kind, its voter's role and paper, its criterion and
    value; its voter among the idea's voters; and the tally reads them."""
    w, people, posted = a_room("agree", world)
    votes.give_opinion(people["city"], posted[0], "agree")
    votes.give_opinion(people["ngo"], posted[0], "agree")
    votes.give_opinion(people["ngo"], posted[0], "disagree")
    scribe.give_opinion(("user", w["owner"]), people["paper"], posted[0], "pass")
    assert kept(w["id"]) == {
        (posted[0], "agree", CITY, False, 0, 1): 1,
        (posted[0], "agree", CITY, False, VOTERS, 0): 1,
        (posted[0], "agree", NGO, False, 0, -1): 1,
        (posted[0], "agree", NGO, False, VOTERS, 0): 1,
        (posted[0], "agree", "", True, 0, 0): 1,
        (posted[0], "agree", "", True, VOTERS, 0): 1,
    }
    support = results.support(db.session.get(Workshop, w["id"]), [posted[0]])[posted[0]]
    assert support["tally"] == {
        "agree": 1, "disagree": 1, "pass": 1, "consensus": 0.33, "divisiveness": 0.67
    }  # fmt: skip
    assert support["by_role"][CITY]["agree"] == support["by_role"][NGO]["disagree"] == 1
    assert support["paper_votes"] == 1


@pytest.mark.parametrize("mode", ["dots", "agree", "scores"])
def test_a_vote_does_not_grow_with_the_people_who_voted(ctx, world, mode):
    """A vote on an idea 10 people voted on and on one 300 did: the database's work for it
    is the same but for the indexes' depth. Counting the idea's votes for its tally, as a
    vote did before, was work for each of them."""
    w, people, posted = a_room(mode, world)
    room = w["rooms"][0]
    values = {"dots": [1], "agree": ["agree", "disagree", "pass"], "scores": [4, 2, 5]}[mode]
    cost = {}
    present = 0
    for crowd in (10, 300):
        for n in range(present, crowd):
            role = (CITY, NGO, None)[n % 3]
            person = participants.join_workshop(w["code"], f"v{n}", None, role)["participant_id"]
            participants.move_participant(w["owner"], w["id"], person, room)
            vote(w, mode, person, posted[0], values[n % len(values)], n % 2)
        present = crowd
        turn = values[len(cost) % len(values)]
        cost[crowd] = instructions(
            ctx, lambda turn=turn: vote(w, mode, people["city"], posted[0], turn)
        )
    assert kept(w["id"]) == counted(w["id"])
    assert cost[300] < 1.3 * cost[10], cost


def test_roles_changing_while_others_vote_keep_the_counts(any_app):
    """People who voted rejoin with another role (their counts move, under no room's lock)
    while others vote on the same ideas: nothing waits on anything in a ring, and the
    counts end equal to the votes."""
    with any_app.app_context():
        world = World()
        w = world.workshop(voting_mode="agree", rooms=1)
        room = w["rooms"][0]
        people = []
        for n in range(12):
            role = (CITY, NGO)[n % 2]
            joined = participants.join_workshop(w["code"], f"race-{n}", None, role)
            participants.move_participant(w["owner"], w["id"], joined["participant_id"], room)
            people.append(joined["participant_id"])
        posted = [ideas.post_idea(people[0], f"Idea {n}")["idea"]["id"] for n in range(3)]
        world.phase(w, "vote")
        for person in people[:6]:
            for idea in posted:
                votes.give_opinion(person, idea, "agree")
        db.session.remove()
    changing = [
        (lambda n=n: participants.join_workshop(w["code"], f"race-{n}", None, (NGO, CITY)[n % 2]))
        for n in range(6)
    ]
    voting = [
        (lambda p=p, i=i: votes.give_opinion(p, posted[i % 3], ("disagree", "pass")[i % 2]))
        for i, p in enumerate(people[6:] + people[:4])
    ]
    outcomes = race(any_app, changing + voting)
    assert all(isinstance(o, dict) for o in outcomes), outcomes
    with any_app.app_context():
        assert kept(w["id"]) == counted(w["id"])
        roles = {key[2] for key in kept(w["id"])}
        assert roles == {CITY, NGO}
        db.session.remove()
