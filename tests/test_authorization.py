"""Who may do what: every socket event and every route, tried by every kind of outsider.

Each (event or route, caller) pair is its own test. The payload is one that succeeds
for the authorized caller (the `authorized` column proves it), so a refusal means the
caller was refused, not the payload. A refusal must change nothing: every row of every
table (room `last_seq` included) is compared before and after.

The callers share one module-wide app and one target workshop per voting mode; each
test makes its own callers and targets (fresh ideas, facilitator, people on paper), so
the tests do not depend on each other's order.
"""

import json
import secrets
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pytest
import sqlalchemy as sa

from cocreate import create_app
from cocreate.extensions import db, socketio
from cocreate.models import Idea, Pathway
from cocreate.realtime import MODERATOR_NS, PARTICIPANT_NS
from cocreate.services import (
    cross_themes,
    ideas,
    moderation,
    participants,
    pathways,
    phases,
    scribe,
    tagviews,
    themes,
    workshops,
)
from cocreate.sockets import moderator as moderator_sockets
from cocreate.sockets.gate import GatedNamespace
from cocreate.sockets.moderator import ModeratorNamespace
from cocreate.sockets.participant import ParticipantNamespace
from tests.conftest import World, settings

PASSWORD = "correct horse battery"

#: Every kind of caller that must be refused (or, where marked, acts only on itself).
CALLERS = (
    "anonymous",
    "other_workshop",
    "other_room",
    "lobby",
    "removed",
    "other_facilitator",
    "other_moderator",
    "removed_co_moderator",
    "signed_out_moderator",
)
PARTICIPANT_CALLERS = {
    "other_workshop",
    "other_room",
    "lobby",
    "removed",
    "other_facilitator",
}
#: Error codes that mean "refused" (anything else would say the payload was wrong).
REFUSALS = {"not_allowed", "not_found"}


def action() -> str:
    """A fresh client action id."""
    return str(uuid.uuid4())


# --- The events, with a payload that works for the authorized caller -----------------


@dataclass(frozen=True)
class Spec:
    """How to try one event: who may send it, in what state, with what payload.

    `refs` says whether the payload names things of the target workshop (ids), so that
    a participant or moderator of another workshop can also try it from their own
    connection. `own` lists the callers for whom the event legitimately succeeds on
    their own person or room (they must not touch the target room, nor learn it).
    """

    payload: Callable[["Scene"], dict]
    phase: str = "propose"
    mode: str = "dots"
    refs: bool = True
    own: frozenset = frozenset()
    action: bool = True


IN_WORKSHOP = frozenset({"lobby", "other_room", "other_facilitator"})

PARTICIPANT_EVENTS = {
    "sync": Spec(
        lambda s: s.idea and {"room_id": s.r1, "since": 0},
        own=IN_WORKSHOP | {"other_workshop"},
        action=False,
    ),
    "post_idea": Spec(
        lambda s: {"text": f"New idea {s.token}"},
        refs=False,
        own=frozenset({"other_room", "other_facilitator"}),
    ),
    "edit_idea": Spec(lambda s: {"idea_id": s.idea, "text": f"Hijacked {s.token}"}),
    "withdraw_idea": Spec(lambda s: {"idea_id": s.idea}),
    "vote": Spec(lambda s: {"idea_id": s.idea, "delta": 1}, phase="vote"),
    "opinion": Spec(lambda s: {"idea_id": s.idea, "stance": "agree"}, phase="vote", mode="agree"),
    "score": Spec(
        lambda s: {"idea_id": s.idea, "criterion": 0, "score": 4}, phase="vote", mode="scores"
    ),
    "choose_room": Spec(lambda s: {"room_id": s.r2}, own=IN_WORKSHOP),
    "set_name": Spec(lambda s: {"name": "Renamed"}, refs=False, own=IN_WORKSHOP),
    "set_phase": Spec(
        lambda s: {"phase": "cluster"}, refs=False, own=frozenset({"other_facilitator"})
    ),
    "start_timer": Spec(
        lambda s: {"seconds": 600, "next_phase": "vote"},
        refs=False,
        own=frozenset({"other_facilitator"}),
    ),
    "stop_timer": Spec(
        lambda s: s.timer_running and {}, refs=False, own=frozenset({"other_facilitator"})
    ),
    "add_paper_person": Spec(
        lambda s: {"name": "Gus"}, refs=False, own=frozenset({"other_facilitator"})
    ),
    "scribe_post_idea": Spec(lambda s: {"paper_id": s.paper, "text": f"From paper {s.token}"}),
    "scribe_vote": Spec(
        lambda s: {"paper_id": s.paper, "idea_id": s.idea, "delta": 1}, phase="vote"
    ),
    "scribe_opinion": Spec(
        lambda s: {"paper_id": s.paper, "idea_id": s.idea, "stance": "pass"},
        phase="vote",
        mode="agree",
    ),
    "scribe_score": Spec(
        lambda s: {"paper_id": s.paper, "idea_id": s.idea, "criterion": 1, "score": 2},
        phase="vote",
        mode="scores",
    ),
    **{
        event: Spec(payload, phase="cluster")
        for event, payload in {
            "create_theme": lambda s: {"name": f"Theme {s.token}", "idea_ids": [s.idea]},
            "rename_theme": lambda s: {"theme_id": s.theme, "name": f"Renamed {s.token}"},
            "move_idea": lambda s: {"idea_id": s.idea, "theme_id": s.theme},
            "merge_themes": lambda s: {"keep_id": s.theme, "merged_id": s.second_theme},
            "dissolve_theme": lambda s: {"theme_id": s.theme},
        }.items()
    },
    "tag_idea": Spec(lambda s: {"idea_id": s.idea, "tag_ids": s.tag_ids}),
    "tag_theme": Spec(lambda s: {"theme_id": s.tagged_theme, "tag_ids": s.tag_ids}),
    # Questions (issue 8, suggestions): nothing is stored, so there is no `id`.
    **{
        event: Spec(
            lambda s: s.idea and s.second_idea and {},
            phase="cluster",
            refs=False,
            own=frozenset({"other_facilitator"}),
            action=False,
        )
        for event in ("suggest_themes", "duplicate_pairs")
    },
    "similar_ideas": Spec(
        lambda s: s.idea and {"text": f"Target idea {s.token}"},
        refs=False,
        own=frozenset({"other_room", "other_facilitator"}),
        action=False,
    ),
    "suggest_tags": Spec(lambda s: {"idea_id": s.idea}, action=False),
    # Pathways (issue 9): drafted by R1's facilitator, discussed by its participants.
    "create_pathway": Spec(lambda s: {"theme_id": s.theme}, phase="pathway"),
    "edit_pathway": Spec(
        lambda s: {"pathway_id": s.pathway, "version": 1, "changes": {"vision": s.token}},
        phase="pathway",
    ),
    "remove_pathway": Spec(lambda s: {"pathway_id": s.pathway}, phase="pathway"),
    "hide_pathway_comment": Spec(lambda s: {"comment_id": s.pathway_comment}, phase="pathway"),
    "comment_pathway": Spec(
        lambda s: {"pathway_id": s.pathway, "text": f"Comment {s.token}"}, phase="pathway"
    ),
    "endorse_pathway": Spec(lambda s: {"pathway_id": s.pathway, "endorse": True}, phase="pathway"),
}

#: Who is authorized for each participant event: the author T or the facilitator F of R1.
FACILITATOR_EVENTS = {
    "create_theme",
    "rename_theme",
    "move_idea",
    "merge_themes",
    "dissolve_theme",
    "set_phase",
    "start_timer",
    "stop_timer",
    "add_paper_person",
    "scribe_post_idea",
    "scribe_vote",
    "scribe_opinion",
    "scribe_score",
    "tag_theme",
    "suggest_themes",
    "duplicate_pairs",
    "create_pathway",
    "edit_pathway",
    "remove_pathway",
    "hide_pathway_comment",
}

MODERATOR_EVENTS = {
    "sync": Spec(lambda s: {}, refs=False, action=False),
    "move_participant": Spec(lambda s: {"participant_id": s.newcomer, "room_id": s.r1}),
    "set_assignment": Spec(lambda s: {"mode": "random"}, refs=False),
    "open_breakouts": Spec(lambda s: s.breakouts_closed and {}, refs=False),
    "spread": Spec(lambda s: s.newcomer and {}, refs=False),
    "close_breakouts": Spec(lambda s: s.member and {}, refs=False),
    "set_phase": Spec(lambda s: {"phase": "cluster", "room_id": s.r1}),
    "start_timer": Spec(lambda s: {"seconds": 600, "next_phase": None, "room_id": s.r1}),
    "stop_timer": Spec(lambda s: s.timer_running and {"room_id": s.r1}),
    "broadcast": Spec(lambda s: {"text": f"Notice {s.token}", "room_id": s.r1}),
    "appoint_facilitator": Spec(lambda s: {"participant_id": s.member}),
    "dismiss_facilitator": Spec(lambda s: s.facilitator and {"room_id": s.r1}),
    "set_results_hidden": Spec(lambda s: {"hidden": True, "room_id": s.r1}),
    "hide_idea": Spec(lambda s: {"idea_id": s.idea}),
    "approve_idea": Spec(lambda s: {"idea_id": s.pending_idea}),
    "restore_idea": Spec(lambda s: {"idea_id": s.hidden_idea}),
    "correct_idea": Spec(lambda s: {"idea_id": s.idea, "text": f"Corrected {s.token}"}),
    "remove_participant": Spec(lambda s: {"participant_id": s.member}),
    "lock_room": Spec(lambda s: {"room_id": s.r1, "locked": True}),
    "merge_ideas": Spec(lambda s: {"keep_id": s.idea, "duplicate_id": s.second_idea}),
    "add_paper_person": Spec(lambda s: {"room_id": s.r1, "name": "Gus"}),
    "scribe_post_idea": Spec(lambda s: {"paper_id": s.paper, "text": f"From paper {s.token}"}),
    "scribe_vote": Spec(
        lambda s: {"paper_id": s.paper, "idea_id": s.idea, "delta": 1}, phase="vote"
    ),
    "scribe_opinion": Spec(
        lambda s: {"paper_id": s.paper, "idea_id": s.idea, "stance": "disagree"},
        phase="vote",
        mode="agree",
    ),
    "scribe_score": Spec(
        lambda s: {"paper_id": s.paper, "idea_id": s.idea, "criterion": 0, "score": 5},
        phase="vote",
        mode="scores",
    ),
    "create_theme": Spec(
        lambda s: {"room_id": s.r1, "name": f"Theme {s.token}", "idea_ids": [s.idea]}
    ),
    "rename_theme": Spec(lambda s: {"theme_id": s.theme, "name": f"Renamed {s.token}"}),
    "move_idea": Spec(lambda s: {"idea_id": s.idea, "theme_id": s.theme}),
    "merge_themes": Spec(lambda s: {"keep_id": s.theme, "merged_id": s.second_theme}),
    "dissolve_theme": Spec(lambda s: {"theme_id": s.theme}),
    "tag_idea": Spec(lambda s: {"idea_id": s.idea, "tag_ids": s.tag_ids}),
    "tag_theme": Spec(lambda s: {"theme_id": s.tagged_theme, "tag_ids": s.tag_ids}),
    "suggest_themes": Spec(
        lambda s: s.idea and s.second_idea and {"room_id": s.r1}, phase="cluster", action=False
    ),
    "duplicate_pairs": Spec(lambda s: s.idea and s.second_idea and {"room_id": s.r1}, action=False),
    "suggest_tags": Spec(lambda s: {"idea_id": s.idea}, action=False),
    "suggest_cross_themes": Spec(lambda s: s.theme and {}, refs=False, action=False),
    "create_cross_theme": Spec(lambda s: {"name": f"Cross {s.token}", "theme_ids": [s.theme]}),
    "rename_cross_theme": Spec(
        lambda s: {"cross_theme_id": s.cross_theme, "name": f"Renamed {s.token}"}
    ),
    "set_cross_theme_members": Spec(
        lambda s: {"cross_theme_id": s.cross_theme, "theme_ids": [s.theme, s.second_theme]}
    ),
    "remove_cross_theme": Spec(lambda s: {"cross_theme_id": s.discarded_cross_theme}),
    "create_pathway": Spec(lambda s: {"room_id": s.r1, "title": f"Pathway {s.token}"}),
    "edit_pathway": Spec(
        lambda s: {"pathway_id": s.pathway, "version": 1, "changes": {"vision": s.token}}
    ),
    "remove_pathway": Spec(lambda s: {"pathway_id": s.pathway}),
    "hide_pathway_comment": Spec(lambda s: {"comment_id": s.pathway_comment}),
}

NAMESPACES = {
    PARTICIPANT_NS: (ParticipantNamespace, PARTICIPANT_EVENTS),
    MODERATOR_NS: (ModeratorNamespace, MODERATOR_EVENTS),
}


def handled_events(namespace_class) -> set[str]:
    """The events a namespace answers: its `on_<event>` methods, without the connection
    handlers and the gate's own answers (unknown or malformed events) every namespace has."""

    def handlers(cls) -> set[str]:
        return {name.removeprefix("on_") for name in dir(cls) if name.startswith("on_")}

    return handlers(namespace_class) - handlers(GatedNamespace) - {"connect", "disconnect"}


@pytest.mark.parametrize("namespace", list(NAMESPACES))
def test_the_table_lists_every_event_of_the_namespace(namespace):
    namespace_class, table = NAMESPACES[namespace]
    assert handled_events(namespace_class) == set(table)


# --- The module's world --------------------------------------------------------------


def db_state(app) -> dict[str, list[str]]:
    """Every row of every table, as sorted text: what "no change" is measured against."""
    with app.app_context():
        state = {
            table.name: sorted(repr(tuple(row)) for row in db.session.execute(sa.select(table)))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return state


def state_diff(before: dict, after: dict) -> dict:
    """The rows that appeared or went, per table (empty when nothing changed)."""
    diff = {}
    for table in before:
        gone = sorted(set(before[table]) - set(after[table]))
        new = sorted(set(after[table]) - set(before[table]))
        if gone or new:
            diff[table] = {"gone": gone[:5], "new": new[:5]}
    return diff


class Stage:
    """The module's app, accounts and signed-in browsers, and one target per voting mode."""

    def __init__(self, app):
        self.app = app
        self.world = World()
        with app.app_context():
            self.owner = self.world.user("owner@example.org", PASSWORD)
            self.other = self.world.user("other@example.org", PASSWORD)
            self.co = self.world.user("co@example.org", PASSWORD)
            self.gone = self.world.user("gone@example.org", PASSWORD)
            self.spare = self.world.user("spare@example.org", PASSWORD)
            for email in ("leaver@example.org", "changer@example.org"):
                self.world.user(email, PASSWORD)  # the authorized sign-out and password change
        self.owner_http = self.sign_in("owner@example.org")
        self.other_http = self.sign_in("other@example.org")
        self.co_http = self.sign_in("co@example.org")
        self._targets: dict[str, dict] = {}
        self.titles: dict[int, str] = {}
        # The signed-out moderator: signed in, cookies kept, then signed out (POST /logout).
        gone_http = self.sign_in("gone@example.org")
        self.gone_cookies = {
            name: gone_http.get_cookie(name).value for name in ("session", "remember_token")
        }
        assert gone_http.post("/logout").status_code == 302

    def sign_in(self, email: str):
        """A browser signed in with this account."""
        http = self.app.test_client()
        response = http.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return http

    def target(self, mode: str) -> dict:
        """The target workshop A of this voting mode and another workshop B (made once)."""
        if mode not in self._targets:
            with self.app.app_context():
                rules = {"voting_mode": mode, "assignment": "choose"}
                title = f"Target {mode} {secrets.token_hex(4)}"
                a = self.world.workshop(self.owner, rooms=2, title=title, **rules)
                self.titles[a["id"]] = title
                b = self.world.workshop(self.other, rooms=2, title="Elsewhere", **rules)
                for w in (a, b):
                    participants.open_breakouts(w["owner"], w["id"])
                # The signed-out account still co-moderates A (its cookies must not work).
                workshops.invite_moderator(self.owner, a["id"], "gone@example.org")
            self._targets[mode] = {"a": a, "b": b}
        return self._targets[mode]


@pytest.fixture(scope="module")
def stage(tmp_path_factory, migrated_sqlite):
    """One app for the module (made once: accounts cost a password hash each)."""
    path = tmp_path_factory.mktemp("authorization") / "cocreate.sqlite"
    shutil.copy(migrated_sqlite, path)
    app = create_app(
        settings(
            f"sqlite:///{path}", SOCKET_RATE_BURST=1_000_000, SOCKET_RATE_PER_SECOND=1_000_000.0
        )
    )
    yield Stage(app)
    with app.app_context():
        db.engine.dispose()


class Scene:
    """One test's targets in workshop A (made on first use) and its callers' clients."""

    def __init__(self, stage: Stage, mode: str):
        self.stage = stage
        self.app = stage.app
        self.token = secrets.token_hex(6)  # makes this test's texts findable in answers
        target = stage.target(mode)
        self.a, self.b = target["a"], target["b"]
        self.r1, self.r2 = self.a["rooms"]
        self.sockets = []
        self.phase = None
        self.normalise()

    # -- arranging the target workshop

    def service(self, call, *args, **kwargs):
        """Run a service in an app context."""
        with self.app.app_context():
            return call(*args, **kwargs)

    def normalise(self) -> None:
        """Undo what earlier tests' authorized calls changed in A and B (open, unlocked,
        choose, nobody facilitating, results shown, no timer, in `propose`)."""
        with self.app.app_context():
            for w in (self.a, self.b):
                view = self.stage.world.moderator_view(w["owner"], w["id"])
                if view["workshop"]["assignment"] != "choose":
                    participants.set_assignment(w["owner"], w["id"], "choose")
                if not view["workshop"]["breakouts_open"]:
                    participants.open_breakouts(w["owner"], w["id"])
                for room in view["rooms"][1:]:
                    if room["locked"]:
                        moderation.lock_room(w["owner"], w["id"], room["id"], False)
                    if room["results_hidden"]:
                        phases.set_results_hidden(w["owner"], w["id"], False, room["id"])
                    if room["timer"]:
                        phases.stop_timer(w["owner"], w["id"], room["id"])
                    if room["facilitator"]:
                        phases.dismiss_facilitator(w["owner"], w["id"], room["id"])
            # Earlier tests' pathways leave the rooms (a room holds at most 50).
            rooms = [room for w in (self.a, self.b) for room in w["rooms"]]
            db.session.execute(
                sa.update(Pathway).where(Pathway.room_id.in_(rooms)).values(removed=True)
            )
            db.session.commit()
        self.enter("propose")

    def enter(self, phase: str) -> None:
        """Move every breakout room of A and B to a phase."""
        if phase != self.phase:
            with self.app.app_context():
                for w in (self.a, self.b):
                    phases.set_phase(w["owner"], w["id"], phase)
            self.phase = phase

    def join(self, workshop: dict, room: int | None = None, name: str = ""):
        """A new phone: its browser (with the device cookie) and participant id."""
        http = self.app.test_client()
        response = http.post("/api/join", json={"code": workshop["code"], "name": name})
        assert response.status_code == 200, response.get_data(as_text=True)
        person = response.json["participant_id"]
        if room is not None:
            self.service(
                participants.move_participant, workshop["owner"], workshop["id"], person, room
            )
        return http, person

    def phone(self, http, code: str):
        """Open a participant connection (it may be refused)."""
        client = socketio.test_client(
            self.app, namespace=PARTICIPANT_NS, auth={"workshop": code}, flask_test_client=http
        )
        self.sockets.append(client)
        return client

    def console(self, http, workshop_id: int):
        """Open a moderator connection (it may be refused)."""
        client = socketio.test_client(
            self.app, namespace=MODERATOR_NS, auth={"workshop": workshop_id}, flask_test_client=http
        )
        self.sockets.append(client)
        return client

    def close(self) -> None:
        """Close every connection this test opened."""
        for client in self.sockets:
            for namespace, connected in list(client.connected.items()):
                if connected:
                    client.disconnect(namespace)

    @cached_property
    def author(self):
        """T: a participant of R1 who posted `idea`; (browser, id)."""
        return self.join(self.a, self.r1, "Author")

    def post(self, text: str) -> int:
        """An idea of T's in R1 (posted in the propose phase)."""
        phase = self.phase
        self.enter("propose")
        idea = self.service(ideas.post_idea, self.author[1], text, "")["idea"]["id"]
        self.enter(phase)
        return idea

    @cached_property
    def idea(self) -> int:
        return self.post(f"Target idea {self.token}")

    @cached_property
    def second_idea(self) -> int:
        return self.post(f"Duplicate idea {self.token}")

    @cached_property
    def hidden_idea(self) -> int:
        idea = self.post(f"Hidden idea {self.token}")
        self.service(moderation.hide_idea, self.a["owner"], self.a["id"], idea)
        return idea

    @cached_property
    def pending_idea(self) -> int:
        """An idea waiting for approval (as pre-moderation leaves it)."""
        idea = self.post(f"Pending idea {self.token}")
        with self.app.app_context():
            db.session.get(Idea, idea).status = "pending"
            db.session.commit()
        return idea

    @cached_property
    def theme(self) -> int:
        """An empty theme of R1 (made by A's owner)."""
        return self.make_theme("Theme")

    @cached_property
    def second_theme(self) -> int:
        return self.make_theme("Other")

    def make_theme(self, name: str) -> int:
        owner = ("user", self.a["owner"])
        return self.service(themes.create_theme, owner, name, "", [], self.r1)["theme"]["id"]

    @cached_property
    def facilitator(self):
        """F: the facilitator of R1; (browser, id)."""
        http, person = self.join(self.a, self.r1, "Facilitator")
        self.service(phases.appoint_facilitator, self.a["owner"], self.a["id"], person)
        return http, person

    @cached_property
    def paper(self) -> int:
        """A person on paper in R1."""
        added = self.service(scribe.add_paper_person, ("user", self.a["owner"]), self.r1, "Paper")
        return added["member"]["id"]

    @cached_property
    def tag_ids(self) -> list[int]:
        """Two of A's tags (the first two rights)."""
        with self.app.app_context():
            return [tag.id for tag in tagviews.active_tags(self.a["id"])[:2]]

    @cached_property
    def tagged_theme(self) -> int:
        """A theme in R1 (for tagging)."""
        made = self.service(
            themes.create_theme, ("user", self.a["owner"]), f"Theme {self.token}", "", [], self.r1
        )
        return made["theme"]["id"]

    def make_cross_theme(self, name: str) -> int:
        """A cross-room theme of A holding a theme of its own."""
        theme = self.make_theme(f"{name} theme")
        owner, workshop = self.a["owner"], self.a["id"]
        made = self.service(cross_themes.create_cross_theme, owner, workshop, name, [theme])
        return made["cross_theme"]["id"]

    @cached_property
    def cross_theme(self) -> int:
        return self.make_cross_theme(f"Cross {self.token}")

    @cached_property
    def discarded_cross_theme(self) -> int:
        return self.make_cross_theme(f"Discarded {self.token}")

    @cached_property
    def pathway(self) -> int:
        """A pathway of R1 (drafted by A's owner)."""
        owner = ("user", self.a["owner"])
        made = self.service(pathways.create_pathway, owner, f"Pathway {self.token}", None, self.r1)
        return made["pathway"]["id"]

    @cached_property
    def pathway_comment(self) -> int:
        """A comment of T's on R1's pathway (written in the pathway phase)."""
        pathway, phase = self.pathway, self.phase
        self.enter("pathway")
        said = self.service(pathways.comment_pathway, self.author[1], pathway, "Said it")
        self.enter(phase)
        return said["comment"]["id"]

    @cached_property
    def member(self) -> int:
        """A plain participant of R1."""
        return self.join(self.a, self.r1, "Member")[1]

    @cached_property
    def newcomer(self) -> int:
        """A participant in A's lobby."""
        return self.join(self.a, None, "Newcomer")[1]

    @cached_property
    def timer_running(self) -> bool:
        self.service(phases.start_timer, self.a["owner"], self.a["id"], 900, None, self.r1)
        return True

    @property
    def a_title(self) -> str:
        """A's title (unique to A: another account's pages must not show it)."""
        return self.stage.titles[self.a["id"]]

    @cached_property
    def spare_room(self) -> int:
        """A breakout room added for this test (the one a removal may take)."""
        added = self.service(workshops.add_room, self.a["owner"], self.a["id"], "Spare", "")
        return added["room"]["id"]

    @cached_property
    def spare_uninvited(self) -> bool:
        """The spare account runs nothing of A (so inviting it would work)."""
        with self.app.app_context():
            if any(m["id"] == self.stage.spare for m in self.moderators()):
                workshops.remove_moderator(self.a["owner"], self.a["id"], self.stage.spare)
        return True

    @cached_property
    def spare_invited(self) -> int:
        """The spare account co-moderates A (so removing it would work); its id."""
        with self.app.app_context():
            if not any(m["id"] == self.stage.spare for m in self.moderators()):
                workshops.invite_moderator(self.a["owner"], self.a["id"], "spare@example.org")
        return self.stage.spare

    def moderators(self) -> list[dict]:
        """A's accounts (call in an app context)."""
        return workshops.moderators_of(self.a["owner"], self.a["id"])

    @cached_property
    def breakouts_closed(self) -> bool:
        self.service(participants.close_breakouts, self.a["owner"], self.a["id"])
        return True

    def payload(self, spec: Spec) -> dict:
        """The spec's payload (with a fresh action id), in the spec's phase."""
        fields = spec.payload(self)
        fields = {"id": action(), **fields} if spec.action else dict(fields)
        self.enter(spec.phase)
        return fields


@pytest.fixture
def scene_for(stage):
    """Make the scene of one test (its connections are closed afterwards)."""
    made = []

    def make(mode: str) -> Scene:
        made.append(Scene(stage, mode))
        return made[-1]

    yield make
    for scene in made:
        scene.close()


# --- What each kind of caller tries --------------------------------------------------


@dataclass
class Attempt:
    """One try's outcome: refused at connect, or answered (`ack`, None for silence)."""

    how: str
    refused: bool
    ack: object = None


def emit(client, namespace: str, event: str, payload: dict, how: str) -> Attempt:
    """Send on a connection if it is (still) open; a closed one counts as refused."""
    if not client.is_connected(namespace):
        return Attempt(how, refused=True)
    return Attempt(how, False, client.emit(event, payload, namespace=namespace, callback=True))


def fresh_id(payload: dict) -> dict:
    """The same payload with a new action id (an outsider's own try)."""
    return {**payload, "id": action()} if "id" in payload else dict(payload)


def old_cookie_browsers(scene: Scene) -> list:
    """Browsers carrying the signed-out moderator's old cookies: both, and remember only."""
    both, remember_only = scene.app.test_client(), scene.app.test_client()
    for name, value in scene.stage.gone_cookies.items():
        both.set_cookie(name, value)
    remember_only.set_cookie("remember_token", scene.stage.gone_cookies["remember_token"])
    return [("old session and remember cookies", both), ("old remember cookie", remember_only)]


def remove_co_moderator(scene: Scene) -> None:
    """The owner takes the co-moderator off A, with the settings page's button."""
    response = scene.stage.owner_http.post(
        f"/workshops/{scene.a['id']}/moderators/{scene.stage.co}/remove"
    )
    assert response.status_code == 302


@dataclass
class Caller:
    """A caller set up in the scene: their browser, person, room, and the open
    connection they had before being removed (if any)."""

    http: object = None
    person: int | None = None
    room: int | None = None
    open_phone: object = None
    open_console: object = None


def set_up_caller(scene: Scene, caller: str) -> Caller:
    """Make the caller (changes A and B: joins, moves, removals happen here)."""
    a, b = scene.a, scene.b
    if caller == "anonymous":
        return Caller(scene.app.test_client())
    if caller == "other_workshop":
        # A facilitator in their own workshop B: only the workshop differs.
        http, person = scene.join(b, b["rooms"][0], "Outsider")
        scene.service(phases.appoint_facilitator, b["owner"], b["id"], person)
        return Caller(http, person, b["rooms"][0])
    if caller == "other_room":
        return Caller(*scene.join(a, scene.r2, "Neighbour"), scene.r2)
    if caller == "lobby":
        return Caller(*scene.join(a, None, "Waiting"), a["plenary"])
    if caller == "other_facilitator":
        http, person = scene.join(a, scene.r2, "Other facilitator")
        scene.service(phases.appoint_facilitator, a["owner"], a["id"], person)
        return Caller(http, person, scene.r2)
    if caller == "removed":
        # In R1 with the target, with a phone open, then removed by a moderator.
        http, person = scene.join(a, scene.r1, "Removed")
        phone = scene.phone(http, a["code"])
        assert phone.is_connected(PARTICIPANT_NS), "the phone opens before removal"
        scene.service(moderation.remove_participant, a["owner"], a["id"], person)
        return Caller(http, person, scene.r1, open_phone=phone)
    if caller == "other_moderator":
        return Caller(scene.stage.other_http)
    if caller == "removed_co_moderator":
        # Invited, console open, then taken off A by the owner.
        scene.service(workshops.invite_moderator, a["owner"], a["id"], "co@example.org")
        console = scene.console(scene.stage.co_http, a["id"])
        assert console.is_connected(MODERATOR_NS), "a co-moderator's console opens"
        remove_co_moderator(scene)
        return Caller(scene.stage.co_http, open_console=console)
    if caller == "signed_out_moderator":
        return Caller()
    raise AssertionError(caller)


def tries(scene: Scene, caller: str, who: Caller, namespace: str, event: str, spec: Spec):
    """Everything this caller can do to send this event at A, as (how, try) pairs."""
    a, b = scene.a, scene.b
    participant_ns = namespace == PARTICIPANT_NS

    def connect_and_emit(http, how):
        def attempt(payload):
            if participant_ns:
                client = scene.phone(http, a["code"])
            else:
                client = scene.console(http, a["id"])
            return emit(client, namespace, event, payload, how)

        return attempt

    if caller == "signed_out_moderator":
        return [
            connect_and_emit(http, f"connect with {how}")
            for how, http in old_cookie_browsers(scene)
        ]
    found = []
    if who.open_phone is not None and participant_ns:
        found.append(
            lambda p: emit(who.open_phone, namespace, event, p, "phone open before removal")
        )
    if who.open_console is not None and not participant_ns:
        found.append(
            lambda p: emit(who.open_console, namespace, event, p, "console open before removal")
        )
    found.append(connect_and_emit(who.http, f"connect to A's {namespace}"))
    if caller == "other_workshop" and participant_ns and spec.refs:
        own = scene.phone(who.http, b["code"])
        assert own.is_connected(PARTICIPANT_NS)
        found.append(lambda p: emit(own, namespace, event, fresh_id(p), "from B, with A's ids"))
    if caller == "other_moderator" and not participant_ns and spec.refs:
        own = scene.console(who.http, b["id"])
        assert own.is_connected(MODERATOR_NS)
        found.append(
            lambda p: emit(own, namespace, event, fresh_id(p), "from B's console, A's ids")
        )
    return found


def r1_state(scene: Scene) -> dict:
    """R1's row (its last_seq included), its ideas and their votes: what no outsider
    may touch."""
    tables = db.metadata.tables
    rooms, ideas_, votes = tables["rooms"], tables["ideas"], tables["votes"]
    in_r1 = sa.select(ideas_.c.id).where(ideas_.c.room_id == scene.r1)
    queries = {
        "room": sa.select(rooms).where(rooms.c.id == scene.r1),
        "ideas": sa.select(ideas_).where(ideas_.c.room_id == scene.r1),
        "votes": sa.select(votes).where(votes.c.idea_id.in_(in_r1)),
    }
    with scene.app.app_context():
        state = {
            name: sorted(repr(tuple(row)) for row in db.session.execute(query))
            for name, query in queries.items()
        }
        db.session.remove()
    return state


def assert_refused(attempt: Attempt) -> None:
    """A refusal: a refused (or closed) connection, or an error ack: not allowed / found."""
    if attempt.refused:
        return
    ack = attempt.ack
    assert isinstance(ack, dict) and ack.get("ok") is False, f"{attempt.how}: answered {ack!r}"
    assert ack["error"]["code"] in REFUSALS, f"{attempt.how}: answered {ack!r}"
    assert ack["error"]["message"], f"{attempt.how}: no message"


def authorized_client(scene: Scene, namespace: str, event: str):
    """The caller the event is meant for: A's owner, R1's facilitator, or author T."""
    if namespace == MODERATOR_NS:
        return scene.console(scene.stage.owner_http, scene.a["id"])
    http = scene.facilitator[0] if event in FACILITATOR_EVENTS else scene.author[0]
    return scene.phone(http, scene.a["code"])


def event_cells():
    """Every (namespace, event, caller) cell, the authorized caller first."""
    for namespace, (_cls, table) in NAMESPACES.items():
        short = namespace.strip("/")
        for event in table:
            for caller in ("authorized", *CALLERS):
                yield pytest.param(namespace, event, caller, id=f"{short}:{event}:{caller}")


@pytest.mark.parametrize(("namespace", "event", "caller"), list(event_cells()))
def test_socket_event(scene_for, namespace, event, caller):
    spec = NAMESPACES[namespace][1][event]
    scene = scene_for(spec.mode)
    payload = scene.payload(spec)  # every target it names exists from here on

    if caller == "authorized":
        client = authorized_client(scene, namespace, event)
        before = db_state(scene.app)
        ack = client.emit(event, payload, namespace=namespace, callback=True)
        assert isinstance(ack, dict) and ack.get("ok") is True, ack
        if spec.action:
            assert state_diff(before, db_state(scene.app)), "the authorized call changed nothing"
        return

    who = set_up_caller(scene, caller)
    found = tries(scene, caller, who, namespace, event, spec)
    own = namespace == PARTICIPANT_NS and caller in spec.own
    before = r1_state(scene) if own else db_state(scene.app)
    secret = f"Target idea {scene.token}"
    attempts = [attempt(payload) for attempt in found]

    for attempt in attempts:
        if own and not attempt.refused and isinstance(attempt.ack, dict) and attempt.ack.get("ok"):
            # Legitimate on the caller's own person or room: it must not reveal R1.
            assert secret not in json.dumps(attempt.ack), f"{attempt.how}: R1 revealed"
            if event == "sync":
                assert attempt.ack["room_id"] != scene.r1, attempt.how
        else:
            assert_refused(attempt)
    if own:
        assert r1_state(scene) == before, "an outsider changed R1"
    else:
        assert state_diff(before, db_state(scene.app)) == {}, "a refused call changed something"
    if caller == "removed_co_moderator" and namespace == MODERATOR_NS:
        run_the_clock_sweep(scene)
        assert not who.open_console.is_connected(MODERATOR_NS), "the console stays open"


def run_the_clock_sweep(scene: Scene) -> None:
    """One round of the server clock's sweep of consoles whose access ended (a server
    runs it every second; here it runs once, at once)."""
    sweep = getattr(moderator_sockets, "disconnect_revoked", None)
    assert sweep is not None, "nothing closes the consoles of removed co-moderators"
    with scene.app.app_context():
        sweep()


# --- HTTP routes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """Who may use a route, and the requests that change or reveal something.

    `access` is public, account (any signed-in account), participant (a device that
    joined the workshop in the path), moderator (an account that runs the workshop) or
    owner. Paths take the scene and a workshop id, so that a moderator of another
    workshop can also try their own workshop's id with A's rooms.
    """

    access: str
    requests: tuple = ()
    cross: bool = False


def settings_form(s: Scene) -> dict:
    """A's settings as they are (the authorized save changes only the log)."""
    return {
        "title": s.a_title,
        "question": "How do we reach equality?",
        "description": "",
        "dots_per_room": 5,
        "max_dots_per_idea": 3,
        "assignment": "choose",
        "voting_mode": "dots",
        "criteria": "Impact on equality\nFeasibility",
        "stakeholder_roles": "",
    }


def tags_form(s: Scene) -> dict:
    """A's domains cut to two, one of them new (the other lists left out: kept)."""
    return {"tags-domains": f"Housing\nDomain {s.token}"}


def new_workshop_form(s: Scene) -> dict:
    return {**settings_form(s), "title": "Mine now", "rooms": "Room X"}


NEW_PASSWORD = "another horse battery staple"

ROUTES = {
    "static": Route("public"),
    "participate.home": Route("public"),
    "participate.join": Route("public"),
    "api.join": Route("public"),
    "auth.login": Route("public"),
    "auth.setup": Route("public"),  # closed (a redirect) once an account exists
    "auth.logout": Route("account", (("POST", lambda s, w: "/logout", None),)),
    "auth.change_password": Route(
        "account",
        (
            ("GET", lambda s, w: "/account/password", None),
            (
                "POST",
                lambda s, w: "/account/password",
                lambda s: {
                    "current_password": PASSWORD,
                    "new_password": NEW_PASSWORD,
                    "confirm": NEW_PASSWORD,
                },
            ),
        ),
    ),
    "organize.index": Route("account", (("GET", lambda s, w: "/workshops/", None),)),
    "organize.new_workshop": Route(
        "account",
        (
            ("GET", lambda s, w: "/workshops/new", None),
            ("POST", lambda s, w: "/workshops/new", new_workshop_form),
        ),
    ),
    # (`s.idea and`: R1 holds an idea whose text no outsider may read.)
    "participate.room": Route(
        "participant", (("GET", lambda s, w: s.idea and f"/w/{s.a['code']}", None),)
    ),
    "api.state": Route(
        "participant", (("GET", lambda s, w: s.idea and f"/api/w/{s.a['code']}/state", None),)
    ),
    "organize.settings": Route(
        "moderator",
        (
            ("GET", lambda s, w: f"/workshops/{w}/settings", None),
            ("POST", lambda s, w: f"/workshops/{w}/settings", settings_form),
        ),
    ),
    "organize.update_tags": Route(
        "moderator", (("POST", lambda s, w: f"/workshops/{w}/tags", tags_form),)
    ),
    "organize.add_room": Route(
        "moderator",
        (("POST", lambda s, w: f"/workshops/{w}/rooms", lambda s: {"new-name": "Sneaky"}),),
    ),
    "organize.update_room": Route(
        "moderator",
        (
            (
                "POST",
                lambda s, w: f"/workshops/{w}/rooms/{s.r1}",
                lambda s: {f"room{s.r1}-name": "Room 1", f"room{s.r1}-topic": "Topic 1"},
            ),
        ),
        cross=True,
    ),
    "organize.remove_room": Route(
        "moderator",
        (("POST", lambda s, w: f"/workshops/{w}/rooms/{s.spare_room}/remove", lambda s: {}),),
        cross=True,
    ),
    "organize.moderate": Route(
        "moderator", (("GET", lambda s, w: f"/workshops/{w}/moderate", None),)
    ),
    "organize.qr_code": Route("moderator", (("GET", lambda s, w: f"/workshops/{w}/qr.svg", None),)),
    "organize.screen": Route("moderator", (("GET", lambda s, w: f"/workshops/{w}/screen", None),)),
    "organize.room_view": Route(
        "moderator",
        (("GET", lambda s, w: f"/workshops/{w}/rooms/{s.r1}/view", None),),
        cross=True,
    ),
    "organize.participation": Route(
        "moderator", (("GET", lambda s, w: f"/workshops/{w}/participation", None),)
    ),
    "organize.invite_moderator": Route(
        "owner",
        (
            (
                "POST",
                lambda s, w: f"/workshops/{w}/moderators",
                lambda s: s.spare_uninvited and {"invite-email": "spare@example.org"},
            ),
        ),
    ),
    # The shared outcome: anyone with the join code (it trims what is not public).
    "outcome.page": Route("public"),
    "outcome.data": Route("public"),
    "synthesis.download": Route(
        "moderator",
        tuple(
            ("GET", lambda s, w, fmt=fmt: s.idea and f"/workshops/{w}/synthesis.{fmt}", None)
            for fmt in ("json", "csv", "md", "html", "pdf", "docx")
        ),
    ),
    # Any account may import a workshop: it becomes a new workshop of its own.
    "synthesis.import_workshop": Route(
        "account", (("GET", lambda s, w: "/workshops/import", None),)
    ),
    "organize.remove_moderator": Route(
        "owner",
        (
            (
                "POST",
                lambda s, w: f"/workshops/{w}/moderators/{s.spare_invited}/remove",
                lambda s: {},
            ),
        ),
    ),
}


def test_every_route_is_classified(stage):
    endpoints = {rule.endpoint for rule in stage.app.url_map.iter_rules()}
    unclassified = endpoints - set(ROUTES)
    assert not unclassified, f"say who may use {sorted(unclassified)} in ROUTES"
    assert all(route.requests for route in ROUTES.values() if route.access != "public")


def http_answer_refuses(method: str, response) -> str | None:
    """None when the answer refuses; else what is wrong with it."""
    status = response.status_code
    if status in (401, 403, 404):
        return None
    if status == 302:
        where = response.location or ""
        if "/login" in where or "/j/" in where or method == "POST":
            return None  # a refused form goes back to a page (with a message); no change
        return f"redirected to {where}"
    return f"answered {status}"


def http_cells():
    """Every (route, caller) cell of the routes that are not public."""
    for endpoint, route in ROUTES.items():
        if route.access == "public":
            continue
        for caller in ("authorized", *CALLERS):
            yield pytest.param(endpoint, caller, id=f"{endpoint}:{caller}")


def request(http, method: str, path: str, data: dict | None):
    """Send one request the way the page's form or script would."""
    if method == "GET":
        return http.get(path)
    return http.post(path, data=data or {})


#: The callers that have an account (a signed-in browser) that still works.
ACCOUNT_HOLDERS = {"other_moderator", "removed_co_moderator"}


@pytest.mark.parametrize(("endpoint", "caller"), list(http_cells()))
def test_route(scene_for, stage, endpoint, caller):
    route = ROUTES[endpoint]
    if endpoint not in {rule.endpoint for rule in stage.app.url_map.iter_rules()}:
        pytest.fail(f"{endpoint} is classified but no longer a route: drop it from ROUTES")
    scene = scene_for("dots")
    planned = [
        (method, path(scene, scene.a["id"]), data(scene) if data else None)
        for method, path, data in route.requests
    ]

    if caller == "authorized":
        http = authorized_browser(scene, endpoint, route)
        for method, path, data in planned:
            response = request(http, method, path, data)
            assert response.status_code in (200, 302), (method, path, response.status_code)
            if response.status_code == 302:
                assert "/login" not in response.location, (method, path, response.location)
        return

    who = set_up_caller(scene, caller)
    browsers = (
        [http for _how, http in old_cookie_browsers(scene)]
        if caller == "signed_out_moderator"
        else [who.http]
    )
    if caller == "other_moderator" and route.cross:
        # Their own workshop's id in the path, A's rooms after it.
        planned += [
            (method, path(scene, scene.b["id"]), data(scene) if data else None)
            for method, path, data in route.requests
        ]
    allowed = (route.access == "account" and caller in ACCOUNT_HOLDERS) or (
        route.access == "participant" and caller in IN_WORKSHOP
    )
    if allowed:
        # Legitimate (their own account or their own place in A): look, never change.
        planned = [step for step in planned if step[0] == "GET"]
    before = db_state(scene.app)
    for http in browsers:
        for method, path, data in planned:
            response = request(http, method, path, data)
            body = response.get_data(as_text=True)
            if allowed:
                assert response.status_code == 200, (method, path, response.status_code)
                assert f"Target idea {scene.token}" not in body
                if endpoint == "organize.index":
                    assert scene.a_title not in body, "another account's list shows A"
                if endpoint == "api.state":
                    snapshot = response.json["snapshot"]
                    assert snapshot["me"]["id"] == who.person
                    assert snapshot["room"]["id"] != scene.r1
            else:
                problem = http_answer_refuses(method, response)
                assert problem is None, f"{caller} {method} {path}: {problem}"
    assert state_diff(before, db_state(scene.app)) == {}, "a refused request changed something"


def authorized_browser(scene: Scene, endpoint: str, route: Route):
    """The browser the route is meant for."""
    if endpoint == "auth.logout":
        return scene.stage.sign_in("leaver@example.org")
    if endpoint == "auth.change_password":
        return scene.stage.sign_in("changer@example.org")
    if route.access == "participant":
        return scene.author[0]
    return scene.stage.owner_http
