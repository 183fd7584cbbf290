"""The synthesis's data (cocreate/synthesis/build.py), its JSON, CSV and Markdown, the
downloads, and the workshop's schedule fields."""

import csv
import io
import json
from collections import defaultdict
from datetime import UTC, datetime

import jsonschema
import pytest
import sqlalchemy as sa
from markdown_it import MarkdownIt

from cocreate.extensions import db
from cocreate.models import Idea, Participant, Vote, Workshop
from cocreate.services import results, workshops
from cocreate.services.errors import Invalid
from cocreate.synthesis import importer, render_csv, render_json, render_markdown
from cocreate.synthesis.build import build
from tests import synthesis_world
from tests.synthesis_world import HOSTILE

AT = datetime(2025, 10, 2, 8, 0, tzinfo=UTC)
MODES = ["dots", "agree", "scores"]


@pytest.fixture(params=MODES)
def made(request, ctx, world):
    """The sample workshop in each voting mode, and its synthesis."""
    sample = synthesis_world.make(world, request.param)
    return {**sample, "mode": request.param, "data": build(sample["id"], generated_at=AT)}


def database_votes(workshop_id: int, mode: str) -> list[tuple]:
    """Every vote of the mode on a visible idea, straight from the tables."""
    return sorted(
        db.session.execute(
            sa.select(Vote.idea_id, Participant.id, Vote.criterion, Vote.value)
            .join(Idea, Idea.id == Vote.idea_id)
            .join(Participant, Participant.id == Vote.participant_id)
            .where(
                Participant.workshop_id == workshop_id,
                Idea.status == "visible",
                Vote.kind == mode,
            )
        ).all()
    )


class TestData:
    def test_only_visible_ideas_with_every_vote(self, made):
        data = made["data"]
        i1, i2, i3, _hidden, i5, _withdrawn = made["ideas"]
        assert [idea["id"] for idea in data["ideas"]] == [i1, i2, i3, i5]
        keys = {
            p["key"]: pid
            for pid, p in zip(sorted(made["people"].values()), data["people"], strict=True)
        }
        ballots = sorted(
            (b["idea_id"], keys[b["person"]], b["criterion"], b["value"]) for b in data["ballots"]
        )
        assert ballots == database_votes(made["id"], made["mode"])
        assert data["participation"]["votes"] == len(ballots)

    def test_results_are_the_services(self, made):
        data = made["data"]
        workshop = db.session.get(Workshop, made["id"])
        ids = [idea["id"] for idea in data["ideas"]]
        counted = results.support(workshop, ids)
        for idea in data["ideas"]:
            mine = {k: v for k, v in idea["results"].items() if k != "voters"}
            theirs = counted[idea["id"]]["tally"]
            if made["mode"] == "scores":
                mine["criteria"] = [
                    {"mean": c["mean"], "count": c["count"]} for c in mine["criteria"]
                ]
                theirs = {k: v for k, v in theirs.items() if k != "voters"}
            assert mine == theirs
            assert set(idea["results_by_role"]) == set(counted[idea["id"]]["by_role"])
            assert idea["paper_votes"] == counted[idea["id"]]["paper_votes"]

    def test_modes_shapes(self, made):
        data = made["data"]
        first = data["ideas"][0]["results"]
        if made["mode"] == "dots":
            assert first == {"dots": 3, "voters": 2}
        elif made["mode"] == "agree":
            assert first == {
                "agree": 1,
                "disagree": 1,
                "pass": 1,
                "consensus": 0.33,
                "divisiveness": 0.67,
                "voters": 3,
            }
        else:
            assert first["criteria"] == [
                {"criterion": "Impact", "mean": 4.5, "count": 2},
                {"criterion": "Feasibility", "mean": 3.0, "count": 1},
            ]
            assert first["voters"] == 2

    def test_participation_by_room_and_role(self, made):
        p = made["data"]["participation"]
        assert p["people"] == 6 and p["paper"] == 1
        room1, room2 = p["by_room"]
        # room 1: Ana, anonymous, hostile (joined), the person on paper
        assert (room1["people"], room1["paper"], room1["ideas"]) == (4, 1, 3)
        assert (room2["people"], room2["ideas"]) == (2, 1)
        roles = {r["role"]: r for r in p["by_role"]}
        assert [r["role"] for r in p["by_role"]] == ["Local government", "Resident", None]
        assert roles["Resident"]["people"] == 2 and roles[None]["paper"] == 1

    def test_anonymous_never_named(self, made):
        data = made["data"]
        text = json.dumps(data, ensure_ascii=False)
        authors = {idea["author"] for idea in data["ideas"]}
        assert authors == {"Ana", None, "Min-jun"}
        assert all("name" not in person for person in data["people"])
        comments = data["pathways"][0]["comments"]
        assert [c["author"] for c in comments] == ["Ana", None]
        assert "hidden" not in [c["text"] for c in comments]
        # the hostile participant's name is on no visible idea: it appears nowhere
        assert HOSTILE[:40] not in text.replace(HOSTILE, "")

    def test_pathways_themes_and_coverage(self, made):
        data = made["data"]
        i1, i2, *_rest = made["ideas"]
        first, second = data["pathways"]
        assert first["id"] == made["pathways"][0]  # strongest first; the removed one is gone
        assert first["idea_ids"] == [i1, i2]  # the hidden idea is not evidence
        assert first["endorsements"] == 2 and second["endorsements"] == 0
        assert data["cross_themes"][0]["themes"][0]["theme_id"] == made["theme"]
        cov = data["coverage"]["rights_groups"]
        r = cov["rows"].index(made["tags"]["udhr-25"])
        women = cov["columns"].index(made["tags"]["women"])
        migrants = cov["columns"].index(made["tags"]["migrants-refugees"])
        assert cov["cells"][r][women] == {"ideas": 1, "pathways": 1}
        assert cov["cells"][r][migrants] == {"ideas": 1, "pathways": 0}
        gaps = {(g["group"], g["kind"]) for g in data["coverage"]["gaps"]}
        assert (made["tags"]["women"], "rights") not in gaps
        assert (made["tags"]["women"], "domains") in gaps
        assert (made["tags"]["migrants-refugees"], "domains") not in gaps

    def test_times_in_every_zone(self, made):
        w = made["data"]["workshop"]
        assert w["starts_at"] == "2025-10-01T09:00:00+00:00"
        assert w["times"] == [
            {
                "zone": "Asia/Seoul",
                "starts": "2025-10-01T18:00:00+09:00",
                "ends": "2025-10-01T20:30:00+09:00",
            },
            {
                "zone": "Europe/Madrid",
                "starts": "2025-10-01T11:00:00+02:00",
                "ends": "2025-10-01T13:30:00+02:00",
            },
        ]

    def test_same_data_same_bytes(self, made):
        again = build(made["id"], generated_at=datetime(2030, 1, 1, tzinfo=UTC))
        for module in (render_json, render_csv, render_markdown):
            one = module.render(made["data"])
            two = module.render({**again, "generated_at": made["data"]["generated_at"]})
            assert one == two


class TestFormats:
    def test_json_validates_and_is_canonical(self, made):
        body = render_json.render(made["data"])
        parsed = json.loads(body.decode("utf-8"))
        jsonschema.Draft202012Validator(importer.schema()).validate(parsed)
        assert parsed == made["data"]
        assert "비영리 주택".encode() in body  # UTF-8 as is, not \\u escapes
        assert (
            body
            == json.dumps(
                parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":")
            ).encode()
            + b"\n"
        )

    def test_csv_matches_every_idea(self, made):
        body = render_csv.render(made["data"])
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        ideas = {idea["id"]: idea for idea in made["data"]["ideas"]}
        assert [int(row["idea_id"]) for row in rows] == list(ideas)
        for row in rows:
            idea = ideas[int(row["idea_id"])]
            if made["mode"] == "dots":
                assert int(row["dots"]) == idea["results"]["dots"]
            elif made["mode"] == "agree":
                assert int(row["agree"]) == idea["results"]["agree"]
                assert float(row["divisiveness"]) == idea["results"]["divisiveness"]
            else:
                mean = idea["results"]["criteria"][0]["mean"]
                assert row["mean: Impact"] == ("" if mean is None else str(mean))
            for role, result in idea["results_by_role"].items():
                assert int(row[f"{role or '(no role)'}: voters"]) == result["voters"]
        hostile = next(row for row in rows if row["text"].startswith("<script>"))
        assert hostile["author"] == ""
        paper = next(row for row in rows if "bus passes" in row["text"])
        assert paper["text"].startswith("'-1+2") and paper["paper"] == "yes"

    def test_csv_neutralises_formulas(self):
        for start in ("=", "+", "-", "@", "\t", "\r"):
            assert render_csv.inert(start + "1") == "'" + start + "1"
        assert render_csv.inert("plain") == "plain"

    def test_markdown_is_inert(self, made):
        body = render_markdown.render(made["data"])
        html = MarkdownIt("commonmark").enable("table").render(body)
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert "<strong>bold</strong>" not in html
        assert 'href="javascript' not in html
        assert "<h1>Pathways</h1>" in html
        assert "<table>" in html
        tokens = MarkdownIt("commonmark").enable("table").parse(body)
        headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
        assert "Appendix: every idea" in headings


class TestDownloads:
    @pytest.fixture
    def sample(self, ctx, world):
        user = world.user("owner@example.org")
        w = world.workshop(user_id=user)
        return {"id": w["id"], "owner": user}

    def login(self, app, email):
        client = app.test_client()
        client.post("/login", data={"email": email, "password": "correct horse battery"})
        return client

    def test_moderators_only(self, app, sample, world):
        world.user("other@example.org")
        other = self.login(app, "other@example.org")
        assert other.get(f"/workshops/{sample['id']}/synthesis.json").status_code == 404
        anonymous = app.test_client()
        assert anonymous.get(f"/workshops/{sample['id']}/synthesis.json").status_code in (
            302,
            401,
            404,
        )

    def test_json_csv_md(self, app, sample):
        client = self.login(app, "owner@example.org")
        for fmt, kind in (
            ("json", "application/json"),
            ("csv", "text/csv"),
            ("md", "text/markdown"),
        ):
            response = client.get(f"/workshops/{sample['id']}/synthesis.{fmt}")
            assert response.status_code == 200, fmt
            assert response.mimetype == kind
            assert (
                response.headers["Content-Disposition"]
                == f'attachment; filename="pathways-synthesis.{fmt}"'
            )
        assert client.get(f"/workshops/{sample['id']}/synthesis.exe").status_code == 404
        page = client.get(f"/workshops/{sample['id']}/settings").get_data(as_text=True)
        assert f"/workshops/{sample['id']}/synthesis.json" in page


class TestSchedule:
    def test_form_reads_local_times_in_first_zone(self, app, ctx, world):
        user = world.user("owner@example.org")
        w = world.workshop(user_id=user)
        client = app.test_client()
        client.post(
            "/login", data={"email": "owner@example.org", "password": "correct horse battery"}
        )
        form = {
            "title": "Pathways",
            "question": "How?",
            "dots_per_room": "5",
            "max_dots_per_idea": "3",
            "voting_mode": "dots",
            "assignment": "choose",
            "criteria": "",
            "stakeholder_roles": "",
            "starts": "2025-10-01T18:00",
            "ends": "2025-10-01T20:30",
            "time_zones": "Asia/Seoul\nEurope/Madrid\n",
            "organizers": "UCLG\n\nCity of Gwangju",
        }
        response = client.post(f"/workshops/{w['id']}/settings", data=form)
        assert response.status_code == 302
        db.session.expire_all()
        workshop = db.session.get(Workshop, w["id"])
        assert workshop.starts_at == datetime(2025, 10, 1, 9, 0, tzinfo=UTC)
        assert workshop.ends_at == datetime(2025, 10, 1, 11, 30, tzinfo=UTC)
        assert workshop.time_zones == ["Asia/Seoul", "Europe/Madrid"]
        assert workshop.organizers == ["UCLG", "City of Gwangju"]
        page = client.get(f"/workshops/{w['id']}/settings").get_data(as_text=True)
        assert 'value="2025-10-01T18:00"' in page

    def test_bad_zone_changes_nothing(self, app, ctx, world):
        user = world.user("owner@example.org")
        w = world.workshop(user_id=user)
        client = app.test_client()
        client.post(
            "/login", data={"email": "owner@example.org", "password": "correct horse battery"}
        )
        form = {
            "title": "Changed",
            "question": "How?",
            "dots_per_room": "5",
            "max_dots_per_idea": "3",
            "voting_mode": "dots",
            "assignment": "choose",
            "time_zones": "Mars/Olympus",
        }
        page = client.post(f"/workshops/{w['id']}/settings", data=form, follow_redirects=True)
        assert "Mars/Olympus is not a time zone name" in page.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Workshop, w["id"]).title == "Pathways"

    @pytest.mark.parametrize(
        "schedule",
        [
            workshops.Schedule(time_zones=["../../etc/passwd"]),
            workshops.Schedule(time_zones=["UTC"] * 1 + [f"Etc/GMT+{n}" for n in range(1, 7)]),
            workshops.Schedule(starts_at=datetime(2025, 1, 1, 10), ends_at=datetime(2025, 1, 1, 9)),
            workshops.Schedule(organizers=["x" * 121]),
        ],
    )
    def test_refused(self, schedule):
        with pytest.raises(Invalid):
            schedule.checked()

    def test_naive_times_are_local_to_the_first_zone(self):
        checked = workshops.Schedule(
            starts_at=datetime(2025, 3, 30, 12, 0), time_zones=["Europe/Madrid"]
        ).checked()
        assert checked.starts_at == datetime(2025, 3, 30, 10, 0, tzinfo=UTC)


def test_few_queries(ctx, world):
    """The builder's number of queries does not grow with the ideas."""
    sample = synthesis_world.make(world, "dots")
    counts = defaultdict(int)

    def count(*_args, **_kw):
        counts["n"] += 1

    def more_ideas_then_count(n: int) -> int:
        for k in range(n):
            db.session.add(
                Idea(
                    room_id=sample["rooms"][0], author_id=sample["people"]["ana"], text=f"More {k}"
                )
            )
        db.session.commit()
        counts["n"] = 0
        build(sample["id"], generated_at=AT)
        return counts["n"]

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        few, many = more_ideas_then_count(1), more_ideas_then_count(50)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert few == many < 25
