"""The synthesis downloads from a real server while phones vote (issue 9: the synthesis is
made "without slowing live rooms", its generation runs off the event loop).

A real `python wsgi.py` (eventlet; workers.off_loop is eventlet's thread pool there) on
SQLite and on PostgreSQL, with a workshop big enough that its synthesis is real work
(made before the server starts: an archive imported in one service call), phones
(tests.phones.Phone) voting through the protocol in the breakout rooms, and an organizer
who signs in over HTTP and downloads every format several at once. Every download is
read by its real reader, every vote is acknowledged and stored exactly once, and the
public outcome answers 200 then 304. The acknowledgement times before and during the
downloads are printed, for information only (`pytest -s`).
"""

import csv
import io
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import docx
import jsonschema
import pypdf
import pytest
import requests
import sqlalchemy as sa
from markdown_it import MarkdownIt

from tests.phones import Phone, Server, wait_settled
from tests.support import ROOT, scratch_pg_database, server_environment, wait_until

EMAIL, PASSWORD = "synthesis@example.org", "synthesis password 1"
TITLE = "Housing for everyone"
#: The big workshop: ideas spread over the rooms, each person dotting ideas of their room.
ROOMS, PEOPLE, IDEAS, DOTS_EACH, THEMES_PER_ROOM = 4, 160, 600, 25, 6
PHONES = 8
#: Each download is asked for this many times, all of them at once.
COPIES = 2
#: What each format must be answered with (docs/synthesis.md).
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
#: A phone votes this often (under the socket rate limit of 5 a second).
VOTE_EVERY_S = 0.25
#: A phone's dots stay at about this many (the workshop allows 50 per room).
DOTS_KEPT = 30


# ---- the workshop -----------------------------------------------------------------------


def big_workshop(app) -> dict:
    """An organizer and a big dots workshop in the vote phase with its breakouts open.

    The rooms, method and tags come from the export of a workshop made through the
    services; people, ideas, themes and ballots are added to that file and the whole is
    imported as an archive (cocreate.synthesis.importer: one transaction, one INSERT for
    the ballots), so thousands of votes take a second, not a minute of single votes.
    """
    from cocreate.extensions import db
    from cocreate.models._time import utcnow
    from cocreate.services import accounts, participants, phases, workshops
    from cocreate.services.snapshots import moderator_snapshot
    from cocreate.synthesis import importer, render_json
    from cocreate.synthesis.build import build

    rng = random.Random(9)
    with app.app_context():
        owner = accounts.create_user(EMAIL, "Organizer", PASSWORD)
        seed = workshops.create_workshop(
            owner,
            workshops.WorkshopSettings(
                title=TITLE,
                question="How can our city guarantee the right to housing for everyone?",
                dots_per_room=50,
                max_dots_per_idea=50,
                assignment="random",
                voting_mode="dots",
            ),
            [(f"Room {n}", f"Topic {n}") for n in range(1, ROOMS + 1)],
        )
        phases.set_phase(owner, seed, "vote")
        data = json.loads(render_json.render(build(seed, generated_at=utcnow())))
        rooms = [room["id"] for room in data["rooms"]]
        tag_ids = [tag["id"] for tag in data["tags"]]
        people = [
            {"key": f"p{n}", "role": None, "paper": False, "rooms": [rooms[n % ROOMS]]}
            for n in range(1, PEOPLE + 1)
        ]
        data["people"] = people
        in_room = {room: [p["key"] for p in people if p["rooms"] == [room]] for room in rooms}
        ideas = []
        for n in range(1, IDEAS + 1):
            room = rooms[n % ROOMS]
            ideas.append(
                {
                    "id": n,
                    "room_id": room,
                    "text": f"Idea {n}: rent caps, night buses and 공공임대주택 for all ({n})",
                    "details": "Why it matters, in a few words. " * (n % 4),
                    "author": f"Person {n}" if n % 3 else None,
                    "author_key": in_room[room][n % len(in_room[room])],
                    "author_role": None,
                    "paper": False,
                    "paper_votes": 0,
                    "theme_id": 1000 + rooms.index(room) * THEMES_PER_ROOM + n % THEMES_PER_ROOM,
                    "tag_ids": sorted(rng.sample(tag_ids, 3)),
                    "results": {"dots": 0, "voters": 0},  # the import counts the ballots
                    "results_by_role": {},
                    "created_at": "2025-10-01T09:00:00+00:00",
                }
            )
        data["ideas"] = ideas
        for k, room in enumerate(data["rooms"]):
            room["themes"] = [
                {
                    "id": 1000 + k * THEMES_PER_ROOM + t,
                    "room_id": room["id"],
                    "name": f"Theme {t} of {room['name']}",
                    "description": "What these ideas share",
                    "idea_ids": [
                        i["id"] for i in ideas if i["theme_id"] == 1000 + k * THEMES_PER_ROOM + t
                    ],
                    "tag_ids": tag_ids[t : t + 2],
                    "cross_theme_id": None,
                    "support": {"dots": 0, "voters": 0},
                }
                for t in range(THEMES_PER_ROOM)
            ]
        data["ballots"] = [
            {"idea_id": idea["id"], "person": person["key"], "criterion": 0, "value": 1}
            for person in people
            for idea in rng.sample(
                [i for i in ideas if i["room_id"] == person["rooms"][0]], DOTS_EACH
            )
        ]
        workshop_id = importer.import_workshop(owner, importer.load(json.dumps(data)), "archive")
        participants.open_breakouts(owner, workshop_id)
        code = moderator_snapshot(owner, workshop_id)["workshop"]["code"]
        db.session.remove()
    return {"id": workshop_id, "code": code, "ballots": len(data["ballots"])}


# ---- phones that keep voting --------------------------------------------------------------


class TimedPhone(Phone):
    """A phone that notes when each vote was sent and how long its answer took."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.latencies: list[tuple[float, float]] = []  # (sent at, seconds to the ack)

    def _request(self, event: str, payload: dict) -> dict | None:
        sent = time.monotonic()
        ack = super()._request(event, payload)
        if event == "vote" and ack is not None:
            self.latencies.append((sent, time.monotonic() - sent))
        return ack


def keep_voting(phone: TimedPhone, ideas: list[int], stop: threading.Event) -> None:
    """Queue a dot every VOTE_EVERY_S until `stop`: give until DOTS_KEPT, then move one."""
    dots = dict.fromkeys(ideas, 0)
    while not stop.wait(VOTE_EVERY_S):
        if sum(dots.values()) < DOTS_KEPT:
            idea, delta = phone.rng.choice(ideas), 1
        else:
            idea, delta = phone.rng.choice([i for i, n in dots.items() if n]), -1
        dots[idea] += delta
        phone.queue("vote", idea_id=idea, delta=delta)


def latency_line(label: str, seconds: list[float]) -> str:
    if not seconds:
        return f"  {label}: no votes"
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"  {label}: {len(ordered)} votes, median {statistics.median(ordered) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )


# ---- the organizer ------------------------------------------------------------------------


def signed_in(base: str) -> requests.Session:
    """An HTTP session signed in as the organizer (the login form, with its CSRF token)."""
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = http.post(
        f"{base}/login",
        data={"csrf_token": token, "email": EMAIL, "password": PASSWORD},
        timeout=30,
    )
    assert answer.ok and "/login" not in answer.url, answer.text[:500]
    return http


def download(base: str, cookies, workshop_id: int, fmt: str) -> requests.Response:
    """One download on a session of its own (a requests.Session is not shared by threads)."""
    with requests.Session() as http:
        http.cookies.update(cookies)
        return http.get(f"{base}/workshops/{workshop_id}/synthesis.{fmt}", timeout=60)


class _Html(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def check_document(fmt: str, body: bytes, workshop: dict) -> None:
    """Read a download with the reader its format's users have; fail when it does not parse."""
    if fmt == "json":
        data = json.loads(body)
        schema = json.loads((ROOT / "docs" / "synthesis.schema.json").read_text("utf-8"))
        jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        ).validate(data)
        assert data["workshop"]["title"] == TITLE
        assert len(data["ideas"]) == IDEAS
        assert len(data["ballots"]) >= workshop["ballots"]  # and the phones' dots
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert len(rows) == 1 + IDEAS  # a header and one row per idea
        assert len({len(row) for row in rows}) == 1
    elif fmt == "md":
        tokens = MarkdownIt("commonmark").enable("table").parse(body.decode("utf-8"))
        assert any(t.type == "heading_open" for t in tokens)
        assert TITLE in body.decode("utf-8")
    elif fmt == "html":
        parser = _Html()
        parser.feed(body.decode("utf-8"))
        parser.close()
        assert {"html", "body", "h1"} <= parser.tags
        assert TITLE in "".join(parser.text)
    elif fmt == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(body))
        assert len(reader.pages) > 5
        assert "Housing" in reader.pages[0].extract_text()
    elif fmt == "docx":
        document = docx.Document(io.BytesIO(body))
        assert any(TITLE in p.text for p in document.paragraphs)
    else:
        raise AssertionError(fmt)


def check_outcome(base: str, code: str) -> None:
    """The public outcome JSON answers, with an ETag that is answered by a 304 once the
    outcome it names is current (one rebuild may come first: the votes changed it)."""
    answer = requests.get(f"{base}/api/w/{code}/outcome", timeout=30)
    assert answer.status_code == 200
    assert answer.json()["ok"] and answer.json()["outcome"]["workshop"]["title"] == TITLE
    for _ in range(3):
        etag = answer.headers["ETag"]
        answer = requests.get(
            f"{base}/api/w/{code}/outcome", headers={"If-None-Match": etag}, timeout=30
        )
        if answer.status_code == 304:
            return
        assert answer.status_code == 200 and answer.headers["ETag"] != etag
    raise AssertionError("the outcome's ETag never answered 304")


# ---- the scenario -------------------------------------------------------------------------


def run(database_url: str, folder: Path) -> None:
    """Set up, start the server, vote, download, check the database; print the figures."""
    from flask_migrate import upgrade

    from cocreate import create_app
    from cocreate.extensions import db
    from cocreate.models import ClientAction, Idea, Participant, RoomEvent, Vote

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "synthesis"})
    with app.app_context():
        upgrade()
    started = time.monotonic()
    workshop = big_workshop(app)
    print(
        f"\nsetup of {IDEAS} ideas, {workshop['ballots']} dots: {time.monotonic() - started:.1f} s"
    )
    server = Server(
        server_environment(DATABASE_URL=database_url, SECRET_KEY="synthesis"), folder, "server"
    )
    phones: list[TimedPhone] = []
    stop = threading.Event()
    voters: list[threading.Thread] = []
    try:
        server.start()
        base = server.url
        phones = [TimedPhone([base], workshop["code"], f"Phone {n}", seed=n) for n in range(PHONES)]
        with app.app_context():
            room_of = dict(
                db.session.execute(
                    sa.select(Participant.id, Participant.room_id).where(
                        Participant.id.in_([p.id for p in phones])
                    )
                ).all()
            )
            ideas_in = {}
            for idea_id, room_id in db.session.execute(sa.select(Idea.id, Idea.room_id)):
                ideas_in.setdefault(room_id, []).append(idea_id)
            db.session.remove()
        for phone in phones:
            assert ideas_in.get(room_of[phone.id]), "a phone is not in a breakout room"
            phone.start()
        wait_settled(phones, 30)
        for phone in phones:
            voter = threading.Thread(
                target=keep_voting, args=(phone, ideas_in[room_of[phone.id]], stop), daemon=True
            )
            voter.start()
            voters.append(voter)
        wait_until(
            lambda: all(len(p.latencies) >= 8 for p in phones), "votes before the downloads", 30
        )

        http = signed_in(base)
        asked = [fmt for fmt in MEDIA_TYPES for _ in range(COPIES)]
        downloads_from = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(asked)) as pool:
            answers = list(
                pool.map(lambda fmt: download(base, http.cookies, workshop["id"], fmt), asked)
            )
        downloads_until = time.monotonic()
        check_outcome(base, workshop["code"])  # while the phones still vote
        stop.set()
        for voter in voters:
            voter.join()
        wait_settled(phones, 60)
        check_outcome(base, workshop["code"])

        for fmt, answer in zip(asked, answers, strict=True):
            assert answer.status_code == 200, (fmt, answer.status_code, answer.text[:300])
            assert answer.headers["Content-Type"] == MEDIA_TYPES[fmt], fmt
            assert f'synthesis.{fmt}"' in answer.headers["Content-Disposition"]
            check_document(fmt, answer.content, workshop)

        # Every vote was answered ok, and is in the database exactly once.
        with app.app_context():
            for phone in phones:
                actor = f"participant:{phone.id}"
                sent = [a["payload"]["id"] for a in phone.intended]
                assert all(phone.results[i]["ok"] for i in sent), phone.stats
                stored = db.session.scalars(
                    sa.select(ClientAction.action_id).where(ClientAction.actor == actor)
                ).all()
                assert sorted(stored) == sorted(sent)
                events = db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(RoomEvent)
                    .where(RoomEvent.actor == actor, RoomEvent.type == "votes_changed")
                )
                assert events == len(sent)
                net: dict[int, int] = {}
                for action in phone.intended:
                    payload = action["payload"]
                    net[payload["idea_id"]] = net.get(payload["idea_id"], 0) + payload["delta"]
                dots = dict(
                    db.session.execute(
                        sa.select(Vote.idea_id, Vote.value).where(Vote.participant_id == phone.id)
                    ).all()
                )
                assert dots == {idea: n for idea, n in net.items() if n}
            db.session.remove()

        during = [
            s
            for p in phones
            for sent, s in p.latencies
            if downloads_from <= sent <= downloads_until
        ]
        before = [s for p in phones for sent, s in p.latencies if sent < downloads_from]
        print(
            f"{len(asked)} downloads at once ({', '.join(MEDIA_TYPES)} x{COPIES}) took "
            f"{downloads_until - downloads_from:.1f} s; "
            f"{sum(len(p.intended) for p in phones)} votes from {PHONES} phones, all acked ok"
        )
        print(latency_line("vote acks before the downloads", before))
        print(latency_line("vote acks during the downloads", during))
    finally:
        stop.set()
        for phone in phones:
            phone.stop()
        server.stop()
        with app.app_context():
            db.engine.dispose()
        log = server.log_path.read_text() if server.log_path.exists() else ""
        if "Traceback" in log:
            print(f"--- the server's log\n{log[-5000:]}", file=sys.stderr)
    assert "Traceback" not in log  # e.g. "greenlet.error: Cannot switch to a different thread"


def test_downloads_while_phones_vote_on_sqlite():
    with tempfile.TemporaryDirectory(prefix="cocreate-synthesis-") as folder:
        run(f"sqlite:///{folder}/synthesis.sqlite", Path(folder))


@pytest.mark.postgres
def test_downloads_while_phones_vote_on_postgresql():
    """Downloads read the database from eventlet's OS-thread pool: psycopg's sockets too."""
    with (
        tempfile.TemporaryDirectory(prefix="cocreate-synthesis-") as folder,
        scratch_pg_database(f"cocreate_synthesis_{uuid.uuid4().hex[:6]}") as url,
    ):
        run(url, Path(folder))
