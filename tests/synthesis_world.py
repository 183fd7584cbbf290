"""A small workshop with everything the synthesis reports, made through the services
(pathways as rows, like their service does), in any voting mode."""

import secrets
from datetime import UTC, datetime

from cocreate.extensions import db
from cocreate.models import (
    Pathway,
    PathwayComment,
    PathwayEndorsement,
    PathwayIdea,
    PathwayTag,
    Tag,
    Workshop,
)
from cocreate.services import (
    cross_themes,
    ideas,
    moderation,
    participants,
    scribe,
    tags,
    themes,
    votes,
)

HOSTILE = '<script>alert(1)</script> =HYPERLINK("http://evil","x") **bold** [a](javascript:x)'


def join(world_workshop: dict, name=None, role=None, room=None) -> int:
    """A participant with a name and role, moved to a room."""
    joined = participants.join_workshop(
        world_workshop["code"], secrets.token_urlsafe(16), name, role
    )
    pid = joined["participant_id"]
    if room is not None:
        participants.move_participant(world_workshop["owner"], world_workshop["id"], pid, room)
    return pid


def tag_id(workshop_id: int, key: str) -> int:
    """A default tag's id by its key."""
    return db.session.scalar(
        db.select(Tag.id).where(Tag.workshop_id == workshop_id, Tag.key == key)
    )


def make(world, mode: str = "dots") -> dict:
    """Build the workshop; return its ids."""
    rules = {"voting_mode": mode, "stakeholder_roles": ["Local government", "Resident"]}
    if mode == "scores":
        rules["criteria"] = ["Impact", "Feasibility"]
    w = world.workshop(rooms=2, **rules)
    owner = w["owner"]
    room1, room2 = w["rooms"]
    workshop = db.session.get(Workshop, w["id"])
    workshop.starts_at = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)
    workshop.ends_at = datetime(2025, 10, 1, 11, 30, tzinfo=UTC)
    workshop.time_zones = ["Asia/Seoul", "Europe/Madrid"]
    workshop.organizers = ["UCLG", "City of Gwangju"]
    db.session.commit()
    ana = join(w, "Ana", "Local government", room1)
    anon = join(w, None, "Resident", room1)
    hostile = join(w, HOSTILE[:40], None, room1)
    other = join(w, None, None, room2)
    lurker = join(w, None, "Resident", room2)
    paper = scribe.add_paper_person(("user", owner), room1, "Min-jun")["member"]["id"]

    i1 = ideas.post_idea(ana, "Affordable housing for migrants", "비영리 주택")["idea"]["id"]
    i2 = ideas.post_idea(anon, HOSTILE, HOSTILE)["idea"]["id"]
    i3 = scribe.post_idea(("user", owner), paper, "-1+2 bus passes for older persons")["idea"]["id"]
    i4 = ideas.post_idea(hostile, "@SUM(A1) hidden later")["idea"]["id"]
    i5 = ideas.post_idea(other, "Digital skills in libraries")["idea"]["id"]
    i6 = ideas.post_idea(anon, "Withdrawn one")["idea"]["id"]
    ideas.withdraw_idea(anon, i6)

    rights25, women, migrants = (
        tag_id(w["id"], k) for k in ("udhr-25", "women", "migrants-refugees")
    )
    housing = tag_id(w["id"], "housing")
    tags.tag_idea(ana, i1, [rights25, migrants, housing])
    tags.tag_idea(anon, i2, [rights25, women])

    theme = themes.create_theme(("user", owner), "Housing", "Homes first", [i1, i2], room_id=room1)[
        "theme"
    ]["id"]
    themes.create_theme(("user", owner), "Learning", "", [i5], room_id=room2)
    cross = cross_themes.create_cross_theme(owner, w["id"], "Homes and skills", [theme])

    world.phase(w, "vote")
    if mode == "dots":
        votes.give_dot(ana, i1, 1)
        votes.give_dot(ana, i1, 1)
        votes.give_dot(anon, i1, 1)
        votes.give_dot(anon, i2, 1)
        votes.give_dot(hostile, i4, 1)
        scribe.give_dot(("user", owner), paper, i3, 1)
        votes.give_dot(other, i5, 1)
    elif mode == "agree":
        votes.give_opinion(ana, i1, "agree")
        votes.give_opinion(anon, i1, "disagree")
        votes.give_opinion(hostile, i1, "pass")
        votes.give_opinion(anon, i2, "agree")
        votes.give_opinion(hostile, i4, "agree")
        scribe.give_opinion(("user", owner), paper, i3, "agree")
        votes.give_opinion(other, i5, "disagree")
    else:
        votes.give_score(ana, i1, 0, 5)
        votes.give_score(ana, i1, 1, 3)
        votes.give_score(anon, i1, 0, 4)
        votes.give_score(anon, i2, 1, 2)
        votes.give_score(hostile, i4, 0, 1)
        scribe.give_score(("user", owner), paper, i3, 0, 5)
        votes.give_score(other, i5, 1, 4)
    moderation.hide_idea(owner, w["id"], i4)

    pathway = Pathway(
        room_id=room1,
        theme_id=theme,
        title="Housing first " + HOSTILE[:30],
        challenge="Migrants pay more rent",
        vision="Everyone housed",
        steps=[
            {"action": "Map vacant homes", "actor": "City", "horizon": "short", "indicator": "=1+1"}
        ],
        field_versions={},
    )
    empty = Pathway(room_id=room2, title="Libraries", steps=[], field_versions={})
    gone = Pathway(room_id=room2, title="Removed", steps=[], field_versions={}, removed=True)
    db.session.add_all([pathway, empty, gone])
    db.session.flush()
    db.session.add_all(
        [
            PathwayIdea(pathway_id=pathway.id, idea_id=i1),
            PathwayIdea(pathway_id=pathway.id, idea_id=i2),
            PathwayIdea(pathway_id=pathway.id, idea_id=i4),
            PathwayTag(pathway_id=pathway.id, tag_id=rights25),
            PathwayTag(pathway_id=pathway.id, tag_id=women),
            PathwayEndorsement(pathway_id=pathway.id, participant_id=anon),
            PathwayEndorsement(pathway_id=pathway.id, participant_id=ana),
            PathwayComment(pathway_id=pathway.id, author_id=ana, text="Yes, and fast"),
            PathwayComment(pathway_id=pathway.id, author_id=anon, text=HOSTILE),
            PathwayComment(pathway_id=pathway.id, author_id=anon, text="hidden", hidden=True),
        ]
    )
    db.session.commit()
    return {
        **w,
        "people": {
            "ana": ana,
            "anon": anon,
            "hostile": hostile,
            "other": other,
            "lurker": lurker,
            "paper": paper,
        },
        "ideas": [i1, i2, i3, i4, i5, i6],
        "theme": theme,
        "cross": cross,
        "pathways": [pathway.id, empty.id, gone.id],
        "tags": {
            "udhr-25": rights25,
            "women": women,
            "migrants-refugees": migrants,
            "housing": housing,
        },
    }
