"""Cross-room themes: suggestions from the rooms' themes, keeping, renaming, splitting and
discarding them, who may, and how a room theme deleted meanwhile leaves them."""

import threading

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import CrossThemeMember, RoomEvent, User
from cocreate.services import cross_themes, ideas, snapshots, themes
from cocreate.services.errors import Invalid, NotFound
from tests.conftest import World, action_id

PASSWORD = "correct horse battery"

#: (room index, theme name, its ideas): housing twice (once in French), mobility twice,
#: schools once.
THEMES = [
    (
        0,
        "Housing",
        ["Affordable rents for low-income families", "More social housing near the centre"],
    ),
    (0, "Transport", ["Night buses to the suburbs", "Cheaper tram tickets"]),
    (1, "Homes for all", ["Rent caps", "Housing for migrants and refugees"]),
    (
        1,
        "Mobility",
        ["Free public transport for older persons", "More night buses and accessible bus stops"],
    ),
    (2, "Schools", ["Digital classes for children", "Laptops for pupils"]),
    (2, "Logement", ["Des loyers abordables", "Plus de logements sociaux"]),
]


def build(world: World, names=THEMES, rooms: int = 3) -> dict:
    """A workshop whose rooms have these themes; returns ids by theme name."""
    w = world.workshop(rooms=rooms)
    by_name = {}
    for index, name, texts in names:
        room = w["rooms"][index]
        author = world.join(w, room=room)
        made = [ideas.post_idea(author, text)["idea"]["id"] for text in texts]
        theme = themes.create_theme(("user", w["owner"]), name, "", made, room)["theme"]
        by_name[name] = theme["id"]
    return {"w": w, "themes": by_name}


@pytest.fixture
def scene(ctx, world):
    return build(world)


def plenary_log(w: dict, since: int = 0) -> list[tuple[str, dict]]:
    rows = db.session.scalars(
        sa.select(RoomEvent)
        .where(RoomEvent.room_id == w["plenary"], RoomEvent.seq > since)
        .order_by(RoomEvent.seq)
    )
    return [(e.type, e.data) for e in rows]


def plenary_seq(w: dict) -> int:
    return max(
        [
            0,
            *[
                e.seq
                for e in db.session.scalars(
                    sa.select(RoomEvent).where(RoomEvent.room_id == w["plenary"])
                )
            ],
        ]
    )


class TestSuggestions:
    def test_groups_span_rooms_and_are_named_after_their_central_theme(self, scene):
        w, t = scene["w"], scene["themes"]
        found = cross_themes.suggest_cross_themes(w["owner"], w["id"])["suggestions"]
        groups = [set(s["theme_ids"]) for s in found]
        assert {t["Housing"], t["Homes for all"], t["Logement"]} in groups
        assert {t["Transport"], t["Mobility"]} in groups
        assert all(t["Schools"] not in g for g in groups)  # alone: not proposed
        for s in found:
            assert len(s["room_ids"]) >= 2
            assert s["central_theme_id"] in s["theme_ids"]
            names = {v: k for k, v in t.items()}
            assert s["name"] == names[s["central_theme_id"]]
        # largest first
        assert [len(s["theme_ids"]) for s in found] == sorted(
            (len(s["theme_ids"]) for s in found), reverse=True
        )

    def test_the_same_themes_give_the_same_suggestions(self, scene):
        w = scene["w"]
        first = cross_themes.suggest_cross_themes(w["owner"], w["id"])
        assert cross_themes.suggest_cross_themes(w["owner"], w["id"]) == first

    def test_kept_themes_are_not_suggested_again(self, scene):
        w, t = scene["w"], scene["themes"]
        cross_themes.create_cross_theme(
            w["owner"], w["id"], "Housing", [t["Housing"], t["Homes for all"], t["Logement"]]
        )
        found = cross_themes.suggest_cross_themes(w["owner"], w["id"])["suggestions"]
        assert [set(s["theme_ids"]) for s in found] == [{t["Transport"], t["Mobility"]}]

    def test_few_themes_compare_on_raw_similarity(self, ctx, world):
        small = build(world, [THEMES[0], THEMES[2]], rooms=2)
        w, t = small["w"], small["themes"]
        found = cross_themes.suggest_cross_themes(w["owner"], w["id"])["suggestions"]
        assert [s["theme_ids"] for s in found] == [sorted([t["Housing"], t["Homes for all"]])]

    def test_one_room_suggests_nothing_and_changes_nothing(self, ctx, world):
        one = build(world, THEMES[:2], rooms=2)
        w = one["w"]
        seq = plenary_seq(w)
        assert cross_themes.suggest_cross_themes(w["owner"], w["id"]) == {"suggestions": []}
        assert plenary_seq(w) == seq

    def test_only_moderators_of_the_workshop(self, scene, world):
        stranger = world.user()
        with pytest.raises(NotFound):
            cross_themes.suggest_cross_themes(stranger, scene["w"]["id"])


class TestOperations:
    def test_keep_rename_split_discard_in_the_plenary_log(self, scene):
        w, t = scene["w"], scene["themes"]
        seq = plenary_seq(w)
        housing = [t["Housing"], t["Homes for all"], t["Logement"]]
        made = cross_themes.create_cross_theme(w["owner"], w["id"], " Housing ", housing)[
            "cross_theme"
        ]
        assert made["name"] == "Housing" and made["theme_ids"] == sorted(housing)
        assert made["description"] == "" and made["created_at"]
        c1 = made["id"]

        renamed = cross_themes.rename_cross_theme(
            w["owner"], w["id"], c1, "Right to housing", "Rents"
        )
        assert renamed["cross_theme"]["name"] == "Right to housing"
        assert renamed["cross_theme"]["description"] == "Rents"

        # split: a new one takes "Logement" out of the first
        split = cross_themes.create_cross_theme(w["owner"], w["id"], "Logement", [t["Logement"]])
        c2 = split["cross_theme"]["id"]
        shrunk = sorted([t["Housing"], t["Homes for all"]])

        members = cross_themes.set_cross_theme_members(
            w["owner"], w["id"], c2, [t["Logement"], t["Schools"]]
        )["cross_theme"]
        assert members["theme_ids"] == sorted([t["Logement"], t["Schools"]])

        assert cross_themes.remove_cross_theme(w["owner"], w["id"], c2) == {"cross_theme_id": c2}
        log = plenary_log(w, seq)
        assert [e[0] for e in log] == [
            "cross_theme_created",
            "cross_theme_changed",
            "cross_theme_changed",  # c1 loses Logement …
            "cross_theme_created",  # … to c2, in the same action
            "cross_theme_changed",
            "cross_theme_removed",
        ]
        assert log[2][1]["cross_theme"]["id"] == c1
        assert log[2][1]["cross_theme"]["theme_ids"] == shrunk
        assert log[5][1] == {"cross_theme_id": c2}
        view = snapshots.moderator_snapshot(w["owner"], w["id"])["cross_themes"]
        assert [(c["id"], c["name"], c["theme_ids"]) for c in view] == [
            (c1, "Right to housing", shrunk)
        ]
        # the room themes stay as they were
        assert len(snapshots.moderator_snapshot(w["owner"], w["id"])["rooms"][3]["themes"]) == 2

    def test_a_retry_changes_nothing(self, scene):
        w, t = scene["w"], scene["themes"]
        once = action_id()
        first = cross_themes.create_cross_theme(
            w["owner"], w["id"], "A", [t["Housing"]], action_id=once
        )
        seq = plenary_seq(w)
        again = cross_themes.create_cross_theme(
            w["owner"], w["id"], "A", [t["Housing"]], action_id=once
        )
        assert again == first and plenary_seq(w) == seq

    @pytest.mark.parametrize(
        ("name", "theme_ids"),
        [("", [1]), ("x" * 81, [1]), ("Ok", []), ("Ok", "1"), ("Ok", [True]), (None, [1])],
    )
    def test_invalid_input_is_refused(self, scene, name, theme_ids):
        w = scene["w"]
        with pytest.raises(Invalid):
            cross_themes.create_cross_theme(w["owner"], w["id"], name, theme_ids)

    def test_themes_of_another_workshop_are_refused(self, scene, world):
        other = build(world, [THEMES[0]], rooms=1)
        w = scene["w"]
        seq = plenary_seq(w)
        with pytest.raises(NotFound):
            cross_themes.create_cross_theme(
                w["owner"],
                w["id"],
                "Mixed",
                [scene["themes"]["Housing"], other["themes"]["Housing"]],
            )
        # nor can the other workshop's moderator touch this one's
        made = cross_themes.create_cross_theme(
            w["owner"], w["id"], "Mine", [scene["themes"]["Housing"]]
        )
        o = other["w"]
        with pytest.raises(NotFound):
            cross_themes.rename_cross_theme(o["owner"], o["id"], made["cross_theme"]["id"], "Ours")
        with pytest.raises(NotFound):
            cross_themes.remove_cross_theme(o["owner"], w["id"], made["cross_theme"]["id"])
        assert plenary_seq(w) == seq + 1

    def test_a_cross_theme_gone_is_not_found(self, scene):
        w, t = scene["w"], scene["themes"]
        c = cross_themes.create_cross_theme(w["owner"], w["id"], "A", [t["Housing"]])[
            "cross_theme"
        ]["id"]
        cross_themes.remove_cross_theme(w["owner"], w["id"], c)
        for call in (
            lambda: cross_themes.rename_cross_theme(w["owner"], w["id"], c, "B"),
            lambda: cross_themes.set_cross_theme_members(w["owner"], w["id"], c, [t["Housing"]]),
            lambda: cross_themes.remove_cross_theme(w["owner"], w["id"], c),
        ):
            with pytest.raises(NotFound):
                call()


class TestDeletedRoomThemes:
    """One rule: a room theme deleted (dissolved or merged) leaves its cross-room theme
    with it (the database's cascade), and nothing else changes."""

    def test_dissolved_and_merged_themes_leave_their_cross_theme(self, scene):
        w, t = scene["w"], scene["themes"]
        owner = ("user", w["owner"])
        c = cross_themes.create_cross_theme(
            w["owner"], w["id"], "Housing", [t["Housing"], t["Homes for all"], t["Logement"]]
        )["cross_theme"]["id"]
        seq = plenary_seq(w)
        themes.dissolve_theme(owner, t["Homes for all"])
        themes.merge_themes(owner, t["Schools"], t["Logement"])  # Logement merged away
        db.session.expire_all()
        view = snapshots.moderator_snapshot(w["owner"], w["id"])["cross_themes"]
        assert view == [{**view[0], "id": c, "theme_ids": [t["Housing"]]}]
        assert plenary_seq(w) == seq  # the rooms' own events say it
        # the merged-into theme did not join
        assert db.session.get(CrossThemeMember, t["Schools"]) is None
        # and the gone theme cannot be named again
        with pytest.raises(NotFound):
            cross_themes.set_cross_theme_members(w["owner"], w["id"], c, [t["Logement"]])


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_dissolving_while_gathering_leaves_no_link_to_a_gone_theme(request, database, world):
    """Race set_cross_theme_members against dissolving one of its themes: whichever
    commits first, no link to a gone theme remains and the loser fails cleanly."""
    app = request.getfixturevalue("app" if database == "sqlite" else "pg_app")
    with app.app_context():
        scene = build(world, THEMES[:3])
        w, t = scene["w"], scene["themes"]
        c = cross_themes.create_cross_theme(w["owner"], w["id"], "H", [t["Housing"]])
        c = c["cross_theme"]["id"]
        db.session.remove()
    for _round in range(3):
        with app.app_context():
            victim = themes.create_theme(("user", w["owner"]), "Victim", "", [], w["rooms"][1])
            victim = victim["theme"]["id"]
            db.session.remove()
        outcomes: dict[str, object] = {}
        start = threading.Barrier(2)

        def run(name, call, start=start, outcomes=outcomes):
            with app.app_context():
                start.wait()
                try:
                    outcomes[name] = call()
                except NotFound as error:
                    outcomes[name] = error
                finally:
                    db.session.remove()

        gather = threading.Thread(
            target=run,
            args=(
                "gather",
                lambda victim=victim: cross_themes.set_cross_theme_members(
                    w["owner"], w["id"], c, [t["Housing"], victim]
                ),
            ),
        )
        dissolve = threading.Thread(
            target=run,
            args=(
                "dissolve",
                lambda victim=victim: themes.dissolve_theme(("user", w["owner"]), victim),
            ),
        )
        gather.start(), dissolve.start()
        gather.join(), dissolve.join()
        assert not isinstance(outcomes["dissolve"], Exception), outcomes
        with app.app_context():
            members = db.session.scalars(sa.select(CrossThemeMember.theme_id)).all()
            assert members == [t["Housing"]]
            view = snapshots.moderator_snapshot(w["owner"], w["id"])["cross_themes"]
            assert view[0]["theme_ids"] == [t["Housing"]]
            db.session.remove()


class TestOverSockets:
    def test_console_suggests_keeps_renames_and_everyone_follows(self, app, console):
        with app.app_context():
            world = World()
            w = build(world)["w"]
            email = db.session.get(User, w["owner"]).email
        mod = console(email, PASSWORD, w["id"])
        projector = console(email, PASSWORD, w["id"])
        projector.socket.get_received("/moderator")
        found = mod.send("suggest_cross_themes", {})
        assert found["ok"] and found["suggestions"], found
        first = found["suggestions"][0]
        kept = mod.send("create_cross_theme", name=first["name"], theme_ids=first["theme_ids"])
        assert kept["ok"], kept
        renamed = mod.send(
            "rename_cross_theme", cross_theme_id=kept["cross_theme"]["id"], name="Homes"
        )
        assert renamed["ok"] and renamed["cross_theme"]["name"] == "Homes"
        events = [
            e
            for m in projector.socket.get_received("/moderator")
            if m["name"] == "events"
            for e in m["args"][0]["events"]
        ]
        cross = [e for e in events if e["type"].startswith("cross_theme")]
        assert [e["type"] for e in cross] == ["cross_theme_created", "cross_theme_changed"]
        assert all(e["room_id"] == w["plenary"] for e in cross)
        snap = mod.send("sync", {})["snapshot"]
        assert snap["cross_themes"][0]["name"] == "Homes"

    def test_bad_payloads_are_refused(self, app, console):
        with app.app_context():
            world = World()
            scene = build(world, THEMES[:1], rooms=1)
            w = scene["w"]
            email = db.session.get(User, w["owner"]).email
        mod = console(email, PASSWORD, w["id"])
        assert (
            mod.send("suggest_cross_themes", {"id": action_id()})["error"]["code"] == "bad_request"
        )
        assert (
            mod.send("create_cross_theme", name="x", theme_ids=["1"])["error"]["code"]
            == "bad_request"
        )
        assert mod.send("create_cross_theme", name="x", theme_ids=[])["error"]["code"] == "invalid"
        assert mod.send("remove_cross_theme", cross_theme_id=99)["error"]["code"] == "not_found"
