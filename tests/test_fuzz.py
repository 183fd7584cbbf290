"""Property-based fuzzing: every socket payload schema and every JSON or form endpoint.

The property: every call gets an answer. A socket event is acked with `{ok: true, ...}`
or `{ok: false, error: {code, message}}` (a known code other than `server_error`, a
message a person can read), never silence; an HTTP request gets a 2xx, 3xx or 4xx with
a readable body, never a 500. When the answer is an error, nothing changed: the row
count of every table and every room's `last_seq` are the same before and after.

The strategies are derived from the handlers' pydantic payload classes, so a new event
or field is fuzzed without a change here. Values are near-valid (real ids of the
workshop, phases, stances, UUIDs) or hostile (wrong types, 2**63, NaN, None, nesting,
long strings, lone surrogates, NUL and control characters, bidi overrides, extra and
missing fields, non-object payloads, extra arguments).
"""

import inspect
import json
import os
import shutil
import typing
import uuid
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cocreate import create_app
from cocreate.extensions import db, socketio
from cocreate.models import PHASES, Room
from cocreate.realtime import MODERATOR_NS, PARTICIPANT_NS
from cocreate.services import ideas, participants, phases, scribe
from cocreate.sockets.moderator import ModeratorNamespace
from cocreate.sockets.participant import ParticipantNamespace, disconnect_removed
from tests.conftest import World
from tests.conftest import settings as app_settings

# Repeatable in CI (derandomize), no example database in the working tree, no deadline:
# the machine is shared and the tests never assert time. HYPOTHESIS_PROFILE=cocreate-long
# runs more examples.
settings.register_profile(
    "cocreate",
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "cocreate-long", settings.get_profile("cocreate"), max_examples=300, derandomize=False
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "cocreate"))

PASSWORD = "correct horse battery"
#: Every error code a client may branch on; `server_error` is a bug.
CODES = {
    "bad_request",
    "too_large",
    "rate_limited",
    "not_allowed",
    "not_found",
    "invalid",
    "conflict",
    "unknown_event",
}


# --- The schemas, found from the namespaces ------------------------------------------


def event_schemas(namespace_class) -> dict:
    """Each event's payload class, read from the gate's wrapper of its `on_<event>`."""
    found = {}
    for name in dir(namespace_class):
        handler = getattr(namespace_class, name)
        if not name.startswith("on_") or not callable(handler):
            continue
        schema = inspect.getclosurevars(handler).nonlocals.get("schema")
        if schema is not None:
            found[name.removeprefix("on_")] = schema
    return found


SCHEMAS = {
    PARTICIPANT_NS: event_schemas(ParticipantNamespace),
    MODERATOR_NS: event_schemas(ModeratorNamespace),
}


def test_every_event_has_a_schema_to_fuzz():
    assert len(SCHEMAS[PARTICIPANT_NS]) >= 17
    assert len(SCHEMAS[MODERATOR_NS]) >= 25
    assert {"sync", "post_idea", "scribe_score"} <= set(SCHEMAS[PARTICIPANT_NS])


# --- Strategies ----------------------------------------------------------------------

HOSTILE_TEXT = [
    "",
    " ",
    "\ud800",
    "x\udfffy",
    "a\x00b",
    "\x00",
    "\x07\x1b[31mred\x1b[0m\r\n\t",
    "\u202eevil\u202c",
    "\u200b\ufeff",
    "x" * 300,
    "x" * 10_000,
    "😀" * 2_100,
    "\uff11\uff12",
    "1",
    "true",
    "null",
    "NaN",
    "<script>alert(1)</script>",
    "'; DROP TABLE ideas; --",
]
HOSTILE_NUMBERS = [
    0,
    -1,
    2**31 - 1,
    2**31,
    2**32,
    2**63 - 1,
    2**63,
    -(2**63),
    2**64,
    10**100,
    -(10**30),
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
nested = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
hostile = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(HOSTILE_NUMBERS),
    st.sampled_from([None, True, False, 1.0, 1.5, float("nan"), float("inf"), -0.0, [], {}]),
    nested,
)
uuids = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: u.hex.upper()),
    st.uuids().map(lambda u: f"urn:uuid:{u}"),
    st.uuids().map(lambda u: "{" + str(u) + "}"),
)
WORDS = [*PHASES, "choose", "random", "manual", "agree", "disagree", "pass", "Gus", "An idea"]


def _types(annotation) -> tuple[set, bool]:
    """The plain types a field accepts, and whether it has bounds (an Id)."""
    args = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Union else ()
    found, bounded = set(), False
    for arg in args or (annotation,):
        if typing.get_origin(arg) is typing.Annotated:
            arg, bounded = typing.get_args(arg)[0], True
        found.add(type(None) if arg is None else arg)
    return found, bounded


def near_valid(name: str, field, ids: list[int]):
    """Values of the field's type, mostly ones the workshop knows."""
    if name == "id":
        return uuids
    types, bounded = _types(field.annotation)
    bounded = bounded or bool(field.metadata)
    options = []
    if type(None) in types:
        options.append(st.none())
    if bool in types:
        options.append(st.booleans())
    if int in types:
        if bounded or name.endswith("_id"):
            options += [st.sampled_from(ids), st.integers(1, 2**31 - 1)]
        else:
            options += [st.integers(-3, 12), st.sampled_from([600, 10_800, 10_801, -1, 0, 1])]
    if str in types:
        options += [st.sampled_from(WORDS), st.text(max_size=40)]
    return st.one_of(options) if options else hostile


@st.composite
def payloads(draw, schema, ids: list[int]):
    """A payload for this schema: near-valid, with hostile fields, or not an object."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(hostile, st.lists(nested, max_size=3), st.text(max_size=10)))
    payload = {}
    for name, field in schema.model_fields.items():
        how = draw(st.sampled_from(["valid", "valid", "valid", "hostile", "missing"]))
        if how == "valid":
            payload[name] = draw(near_valid(name, field, ids))
        elif how == "hostile":
            payload[name] = draw(hostile)
    if draw(st.integers(0, 7)) == 0:
        payload[
            draw(st.sampled_from(["extra", "room", "participant_id", "\u202e", "__proto__"]))
        ] = draw(hostile)
    return payload


def json_safe(value) -> bool:
    """Whether the test client can encode the value (its JSON has no 4,300-digit limit
    problem: those go in as raw packets, below)."""
    try:
        json.dumps(value)
    except ValueError:
        return False
    return True


# --- The property --------------------------------------------------------------------


def counts(app) -> dict:
    """The row count of every table and every room's last_seq."""
    with app.app_context():
        found = {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        found["last_seq"] = dict(db.session.execute(sa.select(Room.id, Room.last_seq)).all())
        db.session.remove()
    return found


def assert_answer(ack, what) -> bool:
    """An ack of the protocol's shape; return whether it is a success."""
    assert isinstance(ack, dict), f"{what}: no ack object ({ack!r})"
    if ack.get("ok") is True:
        return True
    assert ack.get("ok") is False, f"{what}: {ack!r}"
    error = ack.get("error")
    assert isinstance(error, dict), f"{what}: {ack!r}"
    assert error.get("code") in CODES, f"{what}: {ack!r}"
    assert isinstance(error.get("message"), str) and error["message"].strip(), f"{what}: {ack!r}"
    return False


# --- The arena -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, migrated_sqlite):
    """One app for the module (its accounts cost a password hash); no rate limit."""
    path = tmp_path_factory.mktemp("fuzz") / "cocreate.sqlite"
    shutil.copy(migrated_sqlite, path)
    app = create_app(
        app_settings(
            f"sqlite:///{path}",
            SOCKET_RATE_BURST=1_000_000_000,
            SOCKET_RATE_PER_SECOND=1_000_000_000.0,
            # Answer a crash with the 500 page, as a server does, instead of raising it here.
            PROPAGATE_EXCEPTIONS=False,
        )
    )
    with app.app_context():
        owner = World().user("owner@example.org", PASSWORD)
    browser = app.test_client()
    signed_in = browser.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302
    yield FuzzApp(app, owner, browser)
    with app.app_context():
        db.engine.dispose()


class FuzzApp:
    """The module's app, its organizer's account id and signed-in browser."""

    def __init__(self, app, owner: int, owner_http):
        self.app, self.owner, self.owner_http = app, owner, owner_http


class Arena:
    """A fresh workshop with a facilitator phone, a person on paper, ideas, a console."""

    def __init__(self, stage: FuzzApp, mode: str, phase: str):
        self.app = app = stage.app
        self.owner_http = stage.owner_http
        world = World()
        owner = stage.owner
        with app.app_context():
            self.workshop = world.workshop(owner, rooms=2, voting_mode=mode, assignment="choose")
            self.other = world.workshop(owner, rooms=1, voting_mode=mode)
        w = self.workshop
        self.phone_http = app.test_client()
        me = self.phone_http.post("/api/join", json={"code": w["code"], "name": "Fuzz"}).json
        with app.app_context():
            person = me["participant_id"]
            participants.move_participant(owner, w["id"], person, w["rooms"][0])
            phases.appoint_facilitator(owner, w["id"], person)
            paper = scribe.add_paper_person(("user", owner), w["rooms"][0], "Paper")
            posted = [ideas.post_idea(person, f"Idea {n}", "")["idea"]["id"] for n in (1, 2)]
            participants.open_breakouts(owner, w["id"])
            world.phase(w, phase)
            outsider = world.join(self.other, room=self.other["rooms"][0])
        self.ids = [
            w["plenary"],
            *w["rooms"],
            person,
            paper["member"]["id"],
            *posted,
            self.other["rooms"][0],
            outsider,
        ]
        self.phone = socketio.test_client(
            app,
            namespace=PARTICIPANT_NS,
            auth={"workshop": w["code"]},
            flask_test_client=self.phone_http,
        )
        self.console = socketio.test_client(
            app,
            namespace=MODERATOR_NS,
            auth={"workshop": w["id"]},
            flask_test_client=self.owner_http,
        )
        assert self.phone.is_connected(PARTICIPANT_NS) and self.console.is_connected(MODERATOR_NS)

    def client(self, namespace: str):
        return self.phone if namespace == PARTICIPANT_NS else self.console

    def close(self) -> None:
        for client, namespace in ((self.phone, PARTICIPANT_NS), (self.console, MODERATOR_NS)):
            if client.is_connected(namespace):
                client.disconnect(namespace)


def mode_and_phase(event: str) -> tuple[str, str]:
    """The voting mode and phase in which the event's near-valid payloads can succeed."""
    mode = "agree" if "opinion" in event else "scores" if "score" in event else "dots"
    voting = event in {"vote", "opinion", "score", "scribe_vote", "scribe_opinion", "scribe_score"}
    return mode, "vote" if voting else "propose"


@pytest.fixture
def arena(fuzz_app, request):
    """The arena for the test's event (one phone and one console for all its examples)."""
    made = Arena(fuzz_app, *mode_and_phase(request.node.callspec.params["event"]))
    yield made
    made.close()


def event_params():
    return [
        pytest.param(namespace, event, id=f"{namespace.strip('/')}:{event}")
        for namespace, schemas in SCHEMAS.items()
        for event in sorted(schemas)
    ]


@pytest.mark.parametrize(("namespace", "event"), event_params())
@given(data=st.data())
def test_socket_event_answers_and_errors_change_nothing(arena, namespace, event, data):
    schema = SCHEMAS[namespace][event]
    payload = data.draw(payloads(schema, arena.ids), label="payload")
    extra = data.draw(
        st.sampled_from([(), (), (), (), ("second",), (None,), ({},)]), label="extra args"
    )
    args = () if payload is None and data.draw(st.booleans(), label="no args") else (payload,)
    args += extra
    if not json_safe(args):
        return
    client = arena.client(namespace)
    assert client.is_connected(namespace), "the connection was closed"
    before = counts(arena.app)
    ack = client.emit(event, *args, namespace=namespace, callback=True)
    if not assert_answer(ack, f"{event} {args!r}"[:500]):
        assert counts(arena.app) == before, f"{event}: an error ack, yet something changed"


# --- Raw packets: reserved names, deep nesting, huge integers ------------------------


@pytest.fixture
def connected(fuzz_app):
    """One arena (dots, propose) for the packet-level tests."""
    made = Arena(fuzz_app, "dots", "propose")
    yield made
    made.close()


def raw_event(client, namespace: str, body: str):
    """Send one hand-written EVENT packet with ack id 77; return the ack's argument."""
    client.acks = None
    client.socketio.server._handle_eio_message(client.eio_sid, f"2{namespace},77{body}")
    assert client.acks is not None, f"no ack for {body[:80]}"
    args = client.acks["args"]
    client.acks = None
    return args[0] if len(args) == 1 else args


@pytest.mark.parametrize("namespace", [PARTICIPANT_NS, MODERATOR_NS])
@pytest.mark.parametrize("name", ["connect", "disconnect"])
def test_a_client_event_named_connect_or_disconnect_is_unknown(connected, namespace, name):
    client = connected.client(namespace)
    other = connected.other
    auth = {"workshop": other["code"] if namespace == PARTICIPANT_NS else other["id"]}
    before = counts(connected.app)
    for args in ((auth,), (None,), ()):
        ack = client.emit(name, *args, namespace=namespace, callback=True)
        assert assert_answer(ack, name) is False
        assert ack["error"]["code"] == "unknown_event", ack
    assert counts(connected.app) == before
    assert client.is_connected(namespace)
    # The connection is still the same person, in the same workshop.
    snapshot = client.emit("sync", {}, namespace=namespace, callback=True)["snapshot"]
    assert snapshot["workshop"]["id"] == connected.workshop["id"]


def test_a_fake_disconnect_keeps_a_removed_phone_in_the_sweep(connected):
    """["disconnect"] must not take the phone out of the sweep that closes removed ones."""
    phone = connected.phone
    phone.emit("disconnect", None, namespace=PARTICIPANT_NS, callback=True)
    person = connected.ids[3]
    ack = connected.console.emit(
        "remove_participant",
        {"id": str(uuid.uuid4()), "participant_id": person},
        namespace=MODERATOR_NS,
        callback=True,
    )
    assert ack["ok"] is True, ack
    with connected.app.app_context():
        disconnect_removed()  # the clock's sweep, once a second in a server
    assert not phone.is_connected(PARTICIPANT_NS), "the phone left the removal sweep"


@pytest.mark.parametrize("namespace", [PARTICIPANT_NS, MODERATOR_NS])
@pytest.mark.parametrize(
    "body",
    [
        pytest.param('["sync",' + "[" * 1000 + "]" * 1000 + "]", id="nested-1000-array"),
        pytest.param('["sync",' + '{"a":' * 1000 + "1" + "}" * 1000 + "]", id="nested-1000-object"),
        pytest.param(
            '["vote",{"id":"' + str(uuid.uuid4()) + '","idea_id":' + "9" * 4301 + ',"delta":1}]',
            id="int-4301-digits",
        ),
        pytest.param('["sync",' + "1" * 5000 + "]", id="bare-int-5000-digits"),
        pytest.param('["sync",{"since":1e999999}]', id="float-overflow"),
        pytest.param('["sync",{"room_id":NaN}]', id="nan-literal"),
        pytest.param('["sync",{"x":"\\ud800"}]', id="lone-surrogate"),
        pytest.param('["sync",{]', id="broken-json"),
        pytest.param("[]", id="no-event-name"),
        pytest.param("[1,{}]", id="number-as-event-name"),
    ],
)
def test_undecodable_packets_get_bad_request(connected, namespace, body):
    client = connected.client(namespace)
    before = counts(connected.app)
    ack = raw_event(client, namespace, body)
    assert assert_answer(ack, body[:60]) is False
    assert ack["error"]["code"] in {"bad_request", "unknown_event"}, ack
    if "1000" in body or "4301" in body or "5000" in body:
        assert ack["error"]["code"] == "bad_request", ack
    assert counts(connected.app) == before
    assert client.is_connected(namespace)


# --- HTTP: the JSON endpoints and the forms with numbers ----------------------------


def raw_path(text: str) -> str:
    """A path segment as raw bytes would send it (a lone surrogate as invalid UTF-8)."""
    return quote(text, safe="", errors="surrogatepass")


def post_form(client, path: str, form: dict):
    """Post a form as a client that sends any bytes would (lone surrogates included)."""
    body = urlencode(form, encoding="utf-8", errors="surrogatepass")
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


def assert_http_answer(response, what) -> bool:
    """A 2xx/3xx/4xx with a readable body; return whether it is a success (2xx/3xx)."""
    assert response.status_code < 500, f"{what}: {response.status_code}"
    body = response.get_data()
    body.decode("utf-8")  # readable
    if response.status_code >= 400 and response.mimetype == "application/json":
        error = response.json["error"]
        assert error["code"] and error["message"], what
    return response.status_code < 400


@pytest.fixture
def venue(fuzz_app):
    """A workshop to join and to change settings of."""
    made = Arena(fuzz_app, "dots", "propose")
    yield made
    made.close()


json_bodies = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "code": st.one_of(st.just("VENUE"), hostile),
            "name": st.one_of(st.text(max_size=50), hostile),
            "role": st.one_of(st.sampled_from(["Expert", "", "Resident"]), hostile),
            "extra": hostile,
        },
    ),
    hostile,
)


@given(body=json_bodies, raw=st.sampled_from([None, b"{", b"\xff\xfe", b"[1,2", b"9" * 5000]))
def test_api_join_answers(venue, body, raw):
    app = venue.app
    if isinstance(body, dict) and body.get("code") == "VENUE":
        body["code"] = venue.workshop["code"]
    before = counts(app)
    client = app.test_client()
    if raw is not None:
        response = client.post("/api/join", data=raw, content_type="application/json")
    elif json_safe(body):
        response = client.post("/api/join", json=body)
    else:
        return
    if not assert_http_answer(response, f"/api/join {body!r}"[:300]):
        assert response.json["ok"] is False
        assert counts(app) == before


@given(code=st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE_TEXT), st.just("VENUE")))
def test_api_state_answers(venue, code):
    code = venue.workshop["code"] if code == "VENUE" else code
    for client in (venue.app.test_client(), venue.phone_http):
        response = client.get(f"/api/w/{raw_path(code)}/state")
        assert_http_answer(response, f"state {code!r}")


numbers = st.one_of(
    st.integers(1, 5).map(str),  # valid, so that the other fields get their turn
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "1.5",
            "1e3",
            "NaN",
            "inf",
            "-0",
            "٣",
            "\uff11\uff12",
            "0x10",
            "5\x00",
            "9" * 50,
            "9" * 5000,
        ]
    ),
    st.sampled_from(HOSTILE_NUMBERS).map(str),
)


@given(
    dots=numbers,
    most=numbers,
    title=st.one_of(st.just("Pathways"), st.just("Pathways"), st.sampled_from(HOSTILE_TEXT)),
    mode=st.sampled_from(["dots", "agree", "scores", "lottery", ""]),
    left_out=st.sets(st.sampled_from(["stakeholder_roles", "criteria", "assignment", "rooms"])),
)
@example(dots="5", most="3", title="Pathways", mode="dots", left_out={"stakeholder_roles"})
@example(dots="5", most="3", title="Pathways", mode="scores", left_out={"criteria"})
def test_workshop_forms_answer(venue, dots, most, title, mode, left_out):
    app, owner = venue.app, venue.owner_http
    form = {
        "title": title,
        "question": "Q?",
        "dots_per_room": dots,
        "max_dots_per_idea": most,
        "assignment": "choose",
        "voting_mode": mode,
        "criteria": "Impact",
        "stakeholder_roles": "Expert",
        "rooms": "Room A",
    }
    form = {key: value for key, value in form.items() if key not in left_out}
    for path in ("/workshops/new", f"/workshops/{venue.workshop['id']}/settings"):
        before = counts(app)
        response = post_form(owner, path, form)
        assert_http_answer(response, f"POST {path} {form!r}"[:400])
        if response.status_code != 302:
            assert counts(app) == before, f"{path}: refused, yet something changed"


@given(
    segment=st.one_of(
        st.sampled_from(["0", "-1", str(2**31), str(2**63), "9" * 30, "9" * 5000, "1.5", "٣"]),
        st.integers(0, 2**70).map(str),
    )
)
def test_numeric_path_segments_answer(venue, segment):
    owner = venue.owner_http
    w = venue.workshop["id"]
    for method, path in (
        ("GET", f"/workshops/{segment}/settings"),
        ("GET", f"/workshops/{w}/rooms/{segment}/view"),
        ("POST", f"/workshops/{w}/rooms/{segment}"),
        ("POST", f"/workshops/{w}/rooms/{segment}/remove"),
        ("POST", f"/workshops/{w}/moderators/{segment}/remove"),
    ):
        before = counts(venue.app)
        response = owner.open(path, method=method, data={f"room{segment}-name": "X"})
        if not assert_http_answer(response, f"{method} {path}"):
            assert counts(venue.app) == before, f"{method} {path}: refused, yet something changed"


@given(
    name=st.one_of(st.text(max_size=60), st.sampled_from(HOSTILE_TEXT)),
    role=st.one_of(st.sampled_from(["", "Expert", "Astronaut"]), st.sampled_from(HOSTILE_TEXT)),
    code=st.one_of(st.just("VENUE"), st.sampled_from(HOSTILE_TEXT), st.text(max_size=12)),
)
def test_join_and_code_forms_answer(venue, name, role, code):
    app = venue.app
    code = venue.workshop["code"] if code == "VENUE" else code
    before = counts(app)
    response = post_form(app.test_client(), "/", {"code": code})
    assert_http_answer(response, f"/ {code!r}")
    assert counts(app) == before
    path = f"/j/{raw_path(code)}" if code else "/j/x"
    response = post_form(app.test_client(), path, {"name": name, "role": role})
    if not assert_http_answer(response, f"{path} {name!r} {role!r}") or response.status_code == 200:
        assert counts(app) == before
