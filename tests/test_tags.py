"""Human-rights tags: the default sets each workshop gets, the organizer's lists (soft
removal), tagging ideas and themes (who, when, retries, events, snapshots, replays) and
the settings page."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocreate.extensions import db
from cocreate.models import IdeaTag, RoomEvent, Tag, User, Workshop
from cocreate.services import ideas, moderation, participants, phases, snapshots, tags, themes
from cocreate.services.errors import Conflict, Invalid, NotAllowed, NotFound
from cocreate.services.tagviews import active_tags, idea_tag_ids
from cocreate.tagsets import DEFAULTS, GROUPS, RIGHTS
from tests.conftest import World, action_id

PASSWORD = "correct horse battery"


def tag_ids(workshop_id: int, *labels: str) -> list[int]:
    """The ids of a workshop's tags by label (call in an app context)."""
    found = dict(
        db.session.execute(sa.select(Tag.label, Tag.id).where(Tag.workshop_id == workshop_id)).all()
    )
    return [found[label] for label in labels]


def lists(w: dict) -> dict[str, list[str]]:
    return tags.tag_lists(w["owner"], w["id"])


def events_of(room_id: int, type_: str) -> list[dict]:
    """The data of a room's logged events of one type, in order."""
    rows = db.session.scalars(
        sa.select(RoomEvent).where(RoomEvent.room_id == room_id, RoomEvent.type == type_)
    )
    return [row.data for row in rows]


# --- The default sets --------------------------------------------------------------------


def test_the_default_sets_are_the_udhr_the_groups_and_the_domains():
    assert len(RIGHTS) == 30
    assert [key for key, _label in RIGHTS] == [f"udhr-{n}" for n in range(1, 31)]
    assert len(GROUPS) == 9 and len(DEFAULTS["domains"]) == 9
    keys = [key for entries in DEFAULTS.values() for key, _label in entries]
    assert len(keys) == len(set(keys))


def test_the_defaults_read_well(ctx):
    for n, (_key, label) in enumerate(RIGHTS, start=1):
        assert str(label).startswith(f"Art. {n} "), label
        assert len(str(label)) <= tags.TAG_LABEL_MAX
    labels = {str(label) for entries in DEFAULTS.values() for _key, label in entries}
    assert "Art. 25 Adequate standard of living" in labels
    assert "Art. 1 Free and equal in dignity and rights" in labels
    assert {"Women", "LGBTIQ+ people", "Climate justice", "Housing"} <= labels


def test_a_new_workshop_gets_its_own_copy_of_the_defaults(ctx, world):
    first, second = world.workshop(), world.workshop()
    view = world.moderator_view(first["owner"], first["id"])["workshop"]
    assert [t["kind"] for t in view["tags"]] == ["rights"] * 30 + ["groups"] * 9 + ["domains"] * 9
    assert view["tags"][24]["label"] == "Art. 25 Adequate standard of living"
    assert set(view["tags"][0]) == {"id", "kind", "label"}
    other = world.moderator_view(second["owner"], second["id"])["workshop"]["tags"]
    assert {t["id"] for t in other}.isdisjoint({t["id"] for t in view["tags"]})
    keys = db.session.scalars(
        sa.select(Tag.key).where(Tag.workshop_id == first["id"]).order_by(Tag.id)
    ).all()
    assert keys[0] == "udhr-1" and keys[-1] == "culture"


# --- The organizer's lists ---------------------------------------------------------------


def test_editing_a_list_adds_reorders_and_removes_softly(ctx, world):
    w = world.workshop()
    idea_person = world.join(w, "Ana", room=w["rooms"][0])
    idea = ideas.post_idea(idea_person, "Rent caps")["idea"]["id"]
    women, housing = tag_ids(w["id"], "Women", "Housing")
    tags.tag_idea(idea_person, idea, [women, housing])

    groups = lists(w)["groups"]
    groups.remove("Women")
    tags.update_tags(w["owner"], w["id"], {"groups": ["Single parents", *groups]})

    after = lists(w)
    assert after["groups"][0] == "Single parents" and "Women" not in after["groups"]
    assert len(after["rights"]) == 30  # left out: kept
    # The link is kept, but the idea no longer shows the removed tag.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdeaTag)) == 2
    (view,) = world.moderator_view(w["owner"], w["id"])["rooms"][1]["ideas"]
    assert view["tag_ids"] == [housing]
    shown = snapshots.workshop_view(db.session.get(Workshop, w["id"]))["tags"]
    assert women not in {t["id"] for t in shown}

    # Putting the line back restores the same tag, with its links.
    tags.update_tags(w["owner"], w["id"], {"groups": ["Women", *groups]})
    assert tag_ids(w["id"], "Women") == [women]
    (view,) = world.moderator_view(w["owner"], w["id"])["rooms"][1]["ideas"]
    assert view["tag_ids"] == sorted([women, housing])


def test_saving_the_lists_tells_every_room_once_and_only_when_something_changed(ctx, world):
    w = world.workshop(rooms=2)
    rooms = [w["plenary"], *w["rooms"]]
    before = {room: len(events_of(room, "workshop_changed")) for room in rooms}
    tags.update_tags(w["owner"], w["id"], lists(w))  # the same lists
    assert {room: len(events_of(room, "workshop_changed")) for room in rooms} == before
    tags.update_tags(w["owner"], w["id"], {"domains": ["Housing", "Water"]})
    for room in rooms:
        changed = events_of(room, "workshop_changed")
        assert len(changed) == before[room] + 1
        labels = [t["label"] for t in changed[-1]["workshop"]["tags"] if t["kind"] == "domains"]
        assert labels == ["Housing", "Water"]


def test_lists_are_checked(ctx, world):
    w = world.workshop()
    with pytest.raises(Invalid):
        tags.update_tags(w["owner"], w["id"], {"rights": ["x" * 81]})
    with pytest.raises(Invalid):
        tags.update_tags(w["owner"], w["id"], {"groups": [f"Group {n}" for n in range(61)]})
    with pytest.raises(Invalid):
        tags.update_tags(w["owner"], w["id"], {"groups": "Women"})
    tags.update_tags(w["owner"], w["id"], {"groups": [" Women ", "", "Women", "Elders\u202e"]})
    assert lists(w)["groups"] == ["Women", "Elders"]
    with pytest.raises(NotFound):
        tags.update_tags(world.user(), w["id"], {"groups": []})


# --- Tagging ideas -----------------------------------------------------------------------


@pytest.fixture
def room(ctx, world):
    """A workshop with an author, a neighbour and a facilitator in room 1, an idea each."""
    w = world.workshop(rooms=2)
    r1, r2 = w["rooms"]
    author, neighbour = world.join(w, "Ana", room=r1), world.join(w, "Ben", room=r1)
    facilitator = world.join(w, "Fay", room=r1)
    phases.appoint_facilitator(w["owner"], w["id"], facilitator)
    return {
        "w": w,
        "r1": r1,
        "r2": r2,
        "author": author,
        "neighbour": neighbour,
        "facilitator": facilitator,
        "idea": ideas.post_idea(author, "Rent caps near transit")["idea"]["id"],
        "other": ideas.post_idea(neighbour, "Ramps at every stop")["idea"]["id"],
        "tags": tag_ids(w["id"], "Art. 25 Adequate standard of living", "Housing", "Women"),
    }


def test_an_author_tags_their_own_idea_during_propose(room):
    right, housing, women = room["tags"]
    ack = tags.tag_idea(room["author"], room["idea"], [women, right, right])
    assert ack == {"idea_id": room["idea"], "tag_ids": sorted([right, women])}
    assert events_of(room["r1"], "idea_tagged") == [ack]
    ack = tags.tag_idea(room["author"], room["idea"], [housing])
    assert ack["tag_ids"] == [housing]
    assert tags.tag_idea(room["author"], room["idea"], [])["tag_ids"] == []
    assert len(events_of(room["r1"], "idea_tagged")) == 3


def test_participants_may_not_tag_others_ideas_nor_outside_propose(room, world):
    w, (right, _housing, _women) = room["w"], room["tags"]
    with pytest.raises(NotAllowed):
        tags.tag_idea(room["neighbour"], room["idea"], [right])
    elsewhere = world.join(w, "Cy", room=room["r2"])
    with pytest.raises(NotFound):
        tags.tag_idea(elsewhere, room["idea"], [right])
    lobby = world.join(w, "Dee")
    with pytest.raises(NotAllowed):
        tags.tag_idea(lobby, room["idea"], [right])
    world.phase(w, "cluster", room["r1"])
    with pytest.raises(NotAllowed):
        tags.tag_idea(room["author"], room["idea"], [right])
    assert events_of(room["r1"], "idea_tagged") == []


def test_a_facilitator_tags_any_idea_of_their_room_until_it_closes(room, world):
    w, (right, housing, _women) = room["w"], room["tags"]
    world.phase(w, "cluster", room["r1"])
    assert tags.tag_idea(room["facilitator"], room["other"], [right])["tag_ids"] == [right]
    world.phase(w, "vote", room["r1"])
    assert tags.tag_idea(room["facilitator"], room["idea"], [housing])["tag_ids"] == [housing]
    world.phase(w, "closed", room["r1"])
    with pytest.raises(NotAllowed):
        tags.tag_idea(room["facilitator"], room["idea"], [right])


def test_moderators_tag_any_visible_idea_of_their_workshop_in_any_phase(room, world):
    w, (right, _housing, _women) = room["w"], room["tags"]
    world.phase(w, "closed", room["r1"])
    ack = tags.moderate_tag_idea(w["owner"], w["id"], room["idea"], [right])
    assert ack == {"idea_id": room["idea"], "tag_ids": [right]}
    other = world.workshop()
    with pytest.raises(NotFound):
        tags.moderate_tag_idea(other["owner"], other["id"], room["idea"], [right])
    with pytest.raises(NotFound):
        tags.moderate_tag_idea(w["owner"], w["id"], 2**31 - 1, [right])
    moderation.hide_idea(w["owner"], w["id"], room["other"])
    with pytest.raises(NotFound):
        tags.moderate_tag_idea(w["owner"], w["id"], room["other"], [right])


def test_only_the_workshops_active_tags_and_at_most_six(room, world):
    w, women = room["w"], room["tags"][2]
    foreign = tag_ids(world.workshop()["id"], "Housing")
    with pytest.raises(Invalid):
        tags.tag_idea(room["author"], room["idea"], foreign)
    with pytest.raises(Invalid):
        tags.tag_idea(room["author"], room["idea"], [2**31 - 1])
    seven = [tag.id for tag in active_tags(w["id"])[:7]]
    with pytest.raises(Invalid):
        tags.tag_idea(room["author"], room["idea"], seven)
    assert tags.tag_idea(room["author"], room["idea"], seven[:6] + seven[:6])["tag_ids"] == sorted(
        seven[:6]
    )
    for bad in ("1", [True], [1.0], None):
        with pytest.raises(Invalid):
            tags.tag_idea(room["author"], room["idea"], bad)
    groups = [g for g in lists(w)["groups"] if g != "Women"]
    tags.update_tags(w["owner"], w["id"], {"groups": groups})
    with pytest.raises(Invalid):
        tags.tag_idea(room["author"], room["idea"], [women])


def test_replacing_tags_leaves_the_links_to_removed_tags(room):
    w, (right, housing, women) = room["w"], room["tags"]
    tags.tag_idea(room["author"], room["idea"], [right, women])
    groups = [g for g in lists(w)["groups"] if g != "Women"]
    tags.update_tags(w["owner"], w["id"], {"groups": groups})
    assert tags.tag_idea(room["author"], room["idea"], [housing])["tag_ids"] == [housing]
    tags.update_tags(w["owner"], w["id"], {"groups": ["Women", *groups]})
    assert idea_tag_ids([room["idea"]])[room["idea"]] == sorted([housing, women])


def test_a_retry_returns_the_first_result_and_records_nothing(room):
    right, housing, _women = room["tags"]
    same = action_id()
    first = tags.tag_idea(room["author"], room["idea"], [right], action_id=same)
    again = tags.tag_idea(room["author"], room["idea"], [housing], action_id=same)
    assert again == first == {"idea_id": room["idea"], "tag_ids": [right]}
    assert len(events_of(room["r1"], "idea_tagged")) == 1
    with pytest.raises(Conflict):  # an id belongs to one kind of action
        ideas.withdraw_idea(room["author"], room["idea"], action_id=same)


def test_the_same_set_again_records_nothing(room):
    right = room["tags"][0]
    tags.tag_idea(room["author"], room["idea"], [right])
    tags.tag_idea(room["author"], room["idea"], [right])
    assert len(events_of(room["r1"], "idea_tagged")) == 1


# --- Themes ------------------------------------------------------------------------------


def test_facilitators_and_moderators_tag_themes(room, world):
    w, (right, housing, women) = room["w"], room["tags"]
    theme = themes.create_theme(("user", w["owner"]), "Housing", "", [room["idea"]], room["r1"])
    theme_id = theme["theme"]["id"]
    assert tags.tag_theme(room["facilitator"], theme_id, [right, women]) == {
        "theme_id": theme_id,
        "tag_ids": sorted([right, women]),
    }
    with pytest.raises(NotAllowed):
        tags.tag_theme(room["author"], theme_id, [right])
    assert tags.moderate_tag_theme(w["owner"], w["id"], theme_id, [housing])["tag_ids"] == [housing]
    assert [e["tag_ids"] for e in events_of(room["r1"], "theme_tagged")] == [
        sorted([right, women]),
        [housing],
    ]
    other = world.workshop()
    with pytest.raises(NotFound):
        tags.moderate_tag_theme(other["owner"], other["id"], theme_id, [housing])
    elsewhere = world.join(w, "Cy", room=room["r2"])
    phases.appoint_facilitator(w["owner"], w["id"], elsewhere)
    with pytest.raises(NotFound):
        tags.tag_theme(elsewhere, theme_id, [housing])
    world.phase(w, "closed", room["r1"])
    with pytest.raises(NotAllowed):
        tags.tag_theme(room["facilitator"], theme_id, [right])


# --- Over the sockets: events, snapshots, replays ----------------------------------------


@pytest.fixture
def live(app, phone, console):
    """A workshop in the app with Ana's phone in room 1 and the owner's console."""
    with app.app_context():
        world = World()
        owner = world.user("owner@example.org", PASSWORD)
        w = world.workshop(owner, rooms=2)
        participants.open_breakouts(owner, w["id"])
        wanted = tag_ids(w["id"], "Art. 25 Adequate standard of living", "Housing", "Women")
    ana = phone(w["code"], "Ana")
    ana.send("choose_room", room_id=w["rooms"][0])
    ben = phone(w["code"], "Ben")
    ben.send("choose_room", room_id=w["rooms"][0])
    mod = console("owner@example.org", PASSWORD, w["id"])
    return {"w": w, "ana": ana, "ben": ben, "mod": mod, "tags": wanted, "app": app}


def test_tagging_over_the_sockets_reaches_the_room_and_the_snapshots(live):
    ana, ben, mod, (right, housing, women) = live["ana"], live["ben"], live["mod"], live["tags"]
    idea = ana.send("post_idea", text="Rent caps near transit")["idea"]
    assert idea["tag_ids"] == []
    ben.received()
    ack = ana.send("tag_idea", idea_id=idea["id"], tag_ids=[women, right])
    assert ack == {"ok": True, "idea_id": idea["id"], "tag_ids": sorted([right, women])}
    events = [e for batch in ben.received() for e in batch["events"]]
    assert [(e["type"], e["data"]) for e in events] == [
        ("idea_tagged", {"idea_id": idea["id"], "tag_ids": sorted([right, women])})
    ]
    assert ben.send("tag_idea", idea_id=idea["id"], tag_ids=[right])["error"]["code"] == (
        "not_allowed"
    )
    ack = mod.send("tag_idea", idea_id=idea["id"], tag_ids=[housing])
    assert ack == {"ok": True, "idea_id": idea["id"], "tag_ids": [housing]}
    snapshot = ben.snapshot()
    assert snapshot["ideas"][0]["tag_ids"] == [housing]
    assert len(snapshot["workshop"]["tags"]) == 48
    room = mod.send("sync", {})["snapshot"]["rooms"][1]
    assert room["ideas"][0]["tag_ids"] == [housing]
    for bad in ({"idea_id": idea["id"], "tag_ids": ["1"]}, {"idea_id": idea["id"]}):
        assert ana.send("tag_idea", {"id": action_id(), **bad})["error"]["code"] == "bad_request"


def test_a_replay_shows_current_tags_and_redacts_a_hidden_ideas_tagging(live):
    ana, ben, mod, (right, housing, _women) = live["ana"], live["ben"], live["mod"], live["tags"]
    w = live["w"]
    seq = ben.snapshot()["room"]["seq"]
    kept = ana.send("post_idea", text="Rent caps")["idea"]["id"]
    hidden = ana.send("post_idea", text="Something rude")["idea"]["id"]
    ana.send("tag_idea", idea_id=kept, tag_ids=[right])
    ana.send("tag_idea", idea_id=hidden, tag_ids=[right])
    ana.send("tag_idea", idea_id=kept, tag_ids=[housing])
    assert mod.send("hide_idea", idea_id=hidden)["ok"]
    answer = ben.send("sync", {"room_id": w["rooms"][0], "since": seq})
    replay = [(e["type"], e["data"]) for e in answer["events"]]
    posted = [data["idea"] for kind, data in replay if kind == "idea_posted"]
    assert posted[0]["tag_ids"] == [housing]  # as the idea is now
    assert ("idea_tagged", {"idea_id": kept, "tag_ids": [right]}) in replay
    assert ("idea_redacted", {"idea_ids": [hidden]}) in replay
    assert not any(kind == "idea_tagged" and data["idea_id"] == hidden for kind, data in replay)


def test_a_theme_tag_reaches_the_room(live):
    ana, mod, (right, _housing, _women) = live["ana"], live["mod"], live["tags"]
    w = live["w"]
    with live["app"].app_context():
        theme = themes.create_theme(("user", w["owner"]), "Homes", "", [], w["rooms"][0])
    theme_id = theme["theme"]["id"]
    ana.received()
    ack = mod.send("tag_theme", theme_id=theme_id, tag_ids=[right])
    assert ack == {"ok": True, "theme_id": theme_id, "tag_ids": [right]}
    events = [e for batch in ana.received() for e in batch["events"]]
    assert [(e["type"], e["data"]) for e in events] == [
        ("theme_tagged", {"theme_id": theme_id, "tag_ids": [right]})
    ]
    assert ana.send("tag_theme", theme_id=theme_id, tag_ids=[])["error"]["code"] == "not_allowed"
    assert ana.snapshot()["themes"][0]["tag_ids"] == [right]
    assert mod.send("sync", {})["snapshot"]["rooms"][1]["themes"][0]["tag_ids"] == [right]


# --- The settings page -------------------------------------------------------------------


def test_the_settings_page_edits_the_lists(app, world):
    with app.app_context():
        owner = world.user("owner@example.org", PASSWORD)
        w = world.workshop(owner)
        world.user("other@example.org", PASSWORD)
    browser = app.test_client()
    browser.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    page = browser.get(f"/workshops/{w['id']}/settings").get_data(as_text=True)
    assert 'name="tags-rights"' in page and "Art. 25 Adequate standard of living" in page
    assert "LGBTIQ+ people" in page

    response = browser.post(
        f"/workshops/{w['id']}/tags",
        data={"tags-groups": "Women\r\nSingle parents\r\n\r\n", "tags-domains": "Housing"},
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/workshops/{w['id']}/settings#tags-heading")
    with app.app_context():
        now = tags.tag_lists(owner, w["id"])
    assert now["groups"] == ["Women", "Single parents"]
    assert now["domains"] == ["Housing"]
    assert len(now["rights"]) == 30  # left out of the post: kept
    page = browser.get(response.location).get_data(as_text=True)
    assert "Tags saved." in page

    too_long = browser.post(f"/workshops/{w['id']}/tags", data={"tags-groups": "x" * 81})
    assert too_long.status_code == 302
    assert "at most 80 characters" in browser.get(too_long.location).get_data(as_text=True)
    with app.app_context():
        assert tags.tag_lists(owner, w["id"])["groups"] == ["Women", "Single parents"]

    outsider = app.test_client()
    outsider.post("/login", data={"email": "other@example.org", "password": PASSWORD})
    assert outsider.post(f"/workshops/{w['id']}/tags", data={}).status_code == 404
    assert outsider.get(f"/workshops/{w['id']}/settings").status_code == 404


def test_the_migration_gives_existing_workshops_the_same_defaults(ctx):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent.parent / "migrations" / "versions" / "0012_tags.py"
    spec = importlib.util.spec_from_file_location("migration_0012_tags", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    shipped = [(kind, key, str(label)) for kind, pairs in DEFAULTS.items() for key, label in pairs]
    assert shipped == migration.DEFAULTS


HOSTILE_LINES = ["", "\r\n", "x" * 81, "x" * 7000, "\x00", "\u202eevil", "Women\nWomen"]


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    form=st.dictionaries(
        st.sampled_from(["tags-rights", "tags-groups", "tags-domains", "tags-other", "rights"]),
        st.one_of(
            st.sampled_from(HOSTILE_LINES),
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
        ),
        max_size=4,
    )
)
def test_the_tags_form_answers_and_a_refusal_changes_nothing(app, form):
    with app.app_context():
        w = World().workshop()
        email = db.session.get(User, w["owner"]).email
    browser = app.test_client()
    browser.post("/login", data={"email": email, "password": PASSWORD})
    with app.app_context():
        before = tags.tag_lists(w["owner"], w["id"])
    response = browser.post(f"/workshops/{w['id']}/tags", data=form)
    assert response.status_code == 302, response.status_code
    page = browser.get(response.location).get_data(as_text=True)
    with app.app_context():
        after = tags.tag_lists(w["owner"], w["id"])
    if "Tags saved." not in page:
        assert after == before
