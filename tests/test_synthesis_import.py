"""Importing a synthesis JSON file (cocreate/synthesis/importer.py): export -> import ->
export gives the same JSON apart from ids and generated_at; bad files change nothing."""

import copy
import io
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Idea, Vote, Workshop
from cocreate.services.errors import Invalid
from cocreate.synthesis import importer, render_json
from cocreate.synthesis.build import build
from tests import synthesis_world

AT = datetime(2025, 10, 2, 8, 0, tzinfo=UTC)

#: Which id space each id-bearing key names; "id" takes the space of the list it is in.
SPACES = {
    "tags": "tag",
    "tag_ids": "tag",
    "rows": "tag",
    "columns": "tag",
    "group": "tag",
    "rooms": "room",
    "room_id": "room",
    "ideas": "idea",
    "idea_id": "idea",
    "idea_ids": "idea",
    "top_ideas": "idea",
    "themes": "theme",
    "theme_id": "theme",
    "pathways": "pathway",
    "comments": "comment",
    "cross_themes": "cross",
    "cross_theme_id": "cross",
}


#: Keys whose number is an id (not a count such as a room's "ideas").
SCALARS = {"group", "room_id", "idea_id", "theme_id", "cross_theme_id"}


def without_ids(data: dict) -> dict:
    """The data with every id replaced by its rank among the ids of its kind, and no
    generated_at: what an import may change."""
    found: dict[str, set] = {}

    def collect(node, space=None, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "id" and space:
                    found.setdefault(space, set()).add(v)
                elif k in SCALARS and isinstance(v, int):
                    found.setdefault(SPACES[k], set()).add(v)
                collect(v, SPACES.get(k), k)
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, int) and space and key not in ("rooms",):
                    found.setdefault(space, set()).add(item)
                collect(item, space, key)

    collect(data)
    rank = {space: {v: n for n, v in enumerate(sorted(ids))} for space, ids in found.items()}

    def swap(node, space=None, key=None):
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k == "id" and space:
                    out[k] = rank[space][v]
                elif k in SCALARS and isinstance(v, int):
                    out[k] = rank[SPACES[k]][v]
                else:
                    out[k] = swap(v, SPACES.get(k), k)
            return out
        if isinstance(node, list):
            return [
                rank[space][item]
                if isinstance(item, int) and space and key != "rooms"
                else swap(item, space, key)
                for item in node
            ]
        return node

    copied = swap(copy.deepcopy(data))
    copied.pop("generated_at")
    for person in copied["people"]:
        person["rooms"] = [rank["room"][r] for r in person["rooms"]]
    return copied


@pytest.mark.parametrize("mode", ["dots", "agree", "scores"])
def test_round_trip(ctx, world, mode):
    sample = synthesis_world.make(world, mode)
    first = build(sample["id"], generated_at=AT)
    body = render_json.render(first)
    importer_id = world.user("importer@example.org")
    new_id = importer.import_workshop(importer_id, importer.load(body), "archive")
    assert new_id != sample["id"]
    again = build(new_id, generated_at=datetime(2031, 1, 1, tzinfo=UTC))
    assert {i["id"] for i in again["ideas"]}.isdisjoint({i["id"] for i in first["ideas"]})
    assert without_ids(again) == without_ids(first)
    # and once more: an imported archive exports to the same file as itself
    third = importer.import_workshop(
        importer_id, importer.load(render_json.render(again)), "archive"
    )
    assert without_ids(build(third, generated_at=AT)) == without_ids(first)


def test_template_import(ctx, world):
    sample = synthesis_world.make(world, "scores")
    data = importer.load(render_json.render(build(sample["id"], generated_at=AT)))
    new_id = importer.import_workshop(world.user(), data, "template")
    made = build(new_id, generated_at=AT)
    assert made["workshop"] == data["workshop"]
    assert [(t["kind"], t["label"]) for t in made["tags"]] == [
        (t["kind"], t["label"]) for t in data["tags"]
    ]
    assert [r["name"] for r in made["rooms"]] == [r["name"] for r in data["rooms"]]
    assert {r["phase"] for r in made["rooms"]} == {"propose"}
    assert made["ideas"] == [] and made["ballots"] == [] and made["participation"]["people"] == 0


def counts() -> tuple:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Workshop, Idea, Vote)
    )


@pytest.fixture
def good(ctx, world):
    sample = synthesis_world.make(world, "dots")
    return json.loads(render_json.render(build(sample["id"], generated_at=AT)))


def spoil(good: dict, how) -> bytes:
    data = copy.deepcopy(good)
    how(data)
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("how", "says"),
    [
        (lambda d: d.update(format="other"), "not a Cocreate workshop file"),
        (lambda d: d.update(format_version=2), "format version 2"),
        (lambda d: d["ideas"][0].update(text=""), "ideas/0/text"),
        (lambda d: d["ideas"][0].update(text="x" * 281), "ideas/0/text"),
        (lambda d: d["workshop"]["method"].update(voting_mode="loudest"), "voting_mode"),
        (lambda d: d["ideas"][2].update(room_id=999999), "the room of idea"),
        (lambda d: d["ballots"].append(dict(d["ballots"][0])), "listed twice"),
        (lambda d: d["ballots"][0].update(person="p999"), "a ballot's idea or person"),
        (lambda d: d["workshop"].update(time_zones=["Nowhere/Here"]), "not a time zone"),
        (lambda d: d["ideas"][0].update(extra="field"), "ideas/0"),
    ],
)
def test_bad_files_change_nothing(ctx, world, good, how, says):
    before = counts()
    with pytest.raises(Invalid) as refused:
        data = importer.load(spoil(good, how))
        importer.import_workshop(world.user(), data, "archive")
    assert says in refused.value.message
    db.session.rollback()
    assert counts() == before


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe", b"[1, 2]", b"{not json"])
def test_not_json(ctx, raw):
    with pytest.raises(Invalid):
        importer.load(raw)


def test_upload_page_and_command(app, ctx, world, good, tmp_path):
    world.user("owner@example.org")
    client = app.test_client()
    client.post("/login", data={"email": "owner@example.org", "password": "correct horse battery"})
    before = counts()
    bad = client.post(
        "/workshops/import",
        data={"file": (io.BytesIO(b'{"format": "x"}'), "x.json"), "mode": "archive"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "not a Cocreate workshop file" in bad.get_data(as_text=True)
    assert counts() == before
    body = json.dumps(good).encode()  # larger than a form's 1 MiB would be fine too
    ok = client.post(
        "/workshops/import",
        data={"file": (io.BytesIO(body), "w.json"), "mode": "archive"},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    assert counts()[0] == before[0] + 1
    path = tmp_path / "workshop.json"
    path.write_bytes(body)
    path = str(path)
    result = app.test_cli_runner().invoke(
        args=["import-workshop", path, "--email", "owner@example.org", "--mode", "template"]
    )
    assert result.exit_code == 0, result.output
    assert "Imported as workshop" in result.output
    result = app.test_cli_runner().invoke(
        args=["import-workshop", path, "--email", "nobody@example.org"]
    )
    assert result.exit_code != 0
