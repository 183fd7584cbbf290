"""Suggested themes and likely duplicates, for the people who group a room's ideas, and
the "is this said already?" hint for a participant typing an idea (issue 8).

Nothing here writes: suggestions are answers, not state. Accepting a suggested theme is
the ordinary `create_theme` (one action per accepted group), and merging a duplicate is
the ordinary `merge_ideas`, so the one write path, its events and its replays stay as
they are.

The engine (cocreate.services.suggestions) is CPU work of a second or more for a room's
first 60 ideas, then cheap (its embeddings are cached by text). It runs through
`workers.off_loop`, so under gevent or eventlet the hub keeps answering every other
phone; and only one engine call runs at a time per process: ENGINE is taken by the
caller (a green lock under gevent or eventlet) *before* going off the loop, so rooms
asking at once queue for it instead of splitting two cores between them, and the
engine's own lock is never contended from a real thread (green locks cannot be relied on
there). A room has at most one suggestion in flight; a second ask meanwhile is
`rate_limited`.

Suggestions cover the ideas that are in no theme yet: accepting one then never pulls an
idea out of a theme a person made, and what is left to group shrinks as the room works.

Ideas are embedded ahead of the click (`preembed`): after commit, every event that shows
a room an idea's text (posted, edited, corrected, approved, restored) queues that text,
and one background task per process hands what gathered to the engine in one call, when
no one is waiting for it. A click then finds its room's embeddings in the engine's cache
and only clusters (well under a second for 60 ideas instead of about one to three). The
hook is the write path's one after-commit point (`realtime.on_commit`), not each
service: every way an idea's text changes passes there, after commit and off the ack's
path, and nothing in the transaction waits for it.
"""

import contextlib
import ctypes
import itertools
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence

import numpy as np
import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _

from cocreate import realtime
from cocreate.extensions import db, socketio
from cocreate.models import Idea, Room
from cocreate.services import access, phases, suggestions, validate
from cocreate.services.errors import NotAllowed, NotFound, RateLimited
from cocreate.workers import off_loop

log = logging.getLogger(__name__)

#: Who asks: ("user", account id) for a moderator, ("participant", id) otherwise.
Asker = tuple[str, int]

#: One engine call at a time in this process (see the module's docstring).
ENGINE = threading.Lock()
#: How long a suggestion or a duplicate search waits for the engine before giving up.
ENGINE_WAIT_S = 60.0
#: How long the typing hint waits: it is a hint, and an empty answer costs nothing.
HINT_WAIT_S = 3.0
#: The engine's threads run at this niceness (Linux: 0 normal, 19 lowest), below the loop's.
ENGINE_NICENESS = 10
#: Typed text shorter than this gets no hint (too little to compare).
SIMILAR_MIN_CHARS = 12
#: At most this many ideas in a hint.
SIMILAR_MAX = 3
#: Cosine similarity of raw e5 embeddings above which typed text is "probably said
#: already". Lower than suggestions.DUPLICATE_SIMILARITY: a hint offers, it never merges.
SIMILAR_THRESHOLD = 0.91

#: Pre-embedding: how long the background task lets a burst of new ideas gather first.
PREEMBED_GATHER_S = 0.5
#: At most this many texts per engine call, so a click waits for at most one such call.
PREEMBED_BATCH = 64
#: Texts waiting beyond this many are dropped, oldest first (the click embeds them anyway).
PREEMBED_PENDING_MAX = 2_000
#: How often background work looks again whether the engine is free and no one waits.
BACKGROUND_POLL_S = 0.05

_in_flight: set[tuple[str, int]] = set()
_in_flight_lock = threading.Lock()
try:  # glibc's: give freed memory back to the system (see _yielding)
    _malloc_trim = ctypes.CDLL(None).malloc_trim
    _malloc_trim.argtypes = [ctypes.c_size_t]
except (AttributeError, OSError):  # another C library
    _malloc_trim = None
#: People (clicks, hints) waiting for the engine now; background work lets them go first.
_asking = 0
#: Texts of new ideas waiting to be embedded (a dict as an ordered set), and whether a
#: background task is draining them.
_pending: dict[str, None] = {}
_pending_lock = threading.Lock()
_draining = False


# --- who may ask ---------------------------------------------------------------------


def _breakout(room: Room | None) -> Room:
    if room is None or room.removed:
        raise NotFound(_("There is no such room in this workshop."))
    if room.is_plenary:
        raise NotAllowed(_("Ideas are grouped into themes in breakout rooms."))
    return room


def _moderated_room(user_id: int, workshop_id: object, room_id: object) -> Room:
    """An open breakout room of the workshop, which the account runs; raises NotFound."""
    if type(workshop_id) is not int:
        raise NotFound(_("There is no such workshop, or you do not run it."))
    access.workshop_for_moderator(user_id, workshop_id)
    return access.room_in_workshop(workshop_id, room_id, breakout_only=True)


def _grouping_room(by: Asker, room_id: object, workshop_id: object) -> Room:
    """The room `by` may group ideas in now (the rule of themes.create_theme): a
    moderator's breakout room; the facilitator's own room; anyone's during `cluster` when
    the workshop lets participants cluster. Never a closed room. Raises NotAllowed, NotFound."""
    kind, who = by
    if kind == "user":
        room = _moderated_room(who, workshop_id, room_id)
    else:
        me = access.participant(who)
        room = _breakout(db.session.get(Room, me.room_id))
        if room.facilitator_id != me.id:
            if not room.workshop.participants_cluster:
                raise NotAllowed(_("Only the room's facilitator or a moderator can group ideas."))
            phases.require(room, "cluster")
    if room.phase == "closed":
        raise NotAllowed(_("This room is closed: its themes stay as they are."))
    return room


def _reviewing_room(by: Asker, room_id: object, workshop_id: object) -> Room:
    """The room whose duplicates `by` may look at: a moderator's breakout room, or the
    facilitator's own room (any phase). Raises NotAllowed, NotFound."""
    kind, who = by
    if kind == "user":
        return _moderated_room(who, workshop_id, room_id)
    me = access.participant(who)
    room = _breakout(db.session.get(Room, me.room_id))
    if room.facilitator_id != me.id:
        raise NotAllowed(_("Only the room's facilitator or a moderator can look for duplicates."))
    return room


# --- the engine, one call at a time --------------------------------------------------


def _visible_ideas(room_id: int, *, unthemed: bool = False) -> list[tuple[int, str]]:
    query = sa.select(Idea.id, Idea.text).where(Idea.room_id == room_id, Idea.status == "visible")
    if unthemed:
        query = query.where(Idea.theme_id.is_(None))
    return [(idea_id, text) for idea_id, text in db.session.execute(query.order_by(Idea.id))]


@contextlib.contextmanager
def _one_per_room(kind: str, room_id: int) -> Iterator[None]:
    """Refuse a second `kind` request for a room while one is running (RateLimited)."""
    key = (kind, room_id)
    with _in_flight_lock:
        if key in _in_flight:
            raise RateLimited(
                _("Suggestions for this room are being worked out already. Wait a moment."),
                retry_after=2,
            )
        _in_flight.add(key)
    try:
        yield
    finally:
        with _in_flight_lock:
            _in_flight.discard(key)


def _yielding(work, *args):
    """Run `work` in this (pool) thread at a lower CPU priority, so that the engine's
    threads, which it starts from here and which inherit it, give way to the event loop's.

    The engine keeps both cores of a small server busy for seconds; at the same priority
    the loop got a third of a core meanwhile and votes in other rooms waited 150 ms
    instead of 5 (bench/suggestion_load.py). A lower priority costs the suggestion
    nothing when the loop is idle. Where the system refuses (not Linux), it runs as is.

    Afterwards the memory the engine freed goes back to the system: the pool has 20
    threads, glibc keeps what each thread freed in that thread's own arena, and a server
    whose engine had run in ten of them held about 20 MB more for each (a 1,000-phone
    server of ten 60-idea rooms: 417 MB, bench/suggestion_memory.py --idea-rooms 10).
    """
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ENGINE_NICENESS)
    try:
        return work(*args)
    finally:
        if _malloc_trim is not None:
            _malloc_trim(0)  # about a millisecond


def on_engine(wait: float, work, *args, background: bool = False):
    """Run engine work (anything that calls cocreate.services.suggestions) off the event
    loop, after the engine's earlier calls; None when the engine stayed busy for `wait`
    seconds. Every caller of the engine goes through here (see the module's docstring).

    `background` work (pre-embedding) lets every caller who waits for the engine go first.
    """
    global _asking
    # The database connection goes back to the pool first: waiting must not hold one.
    db.session.rollback()
    if background:
        if not _take_engine_when_free(wait):
            return None
    else:
        with _in_flight_lock:
            _asking += 1
        try:
            if not ENGINE.acquire(timeout=wait):
                return None
        finally:
            with _in_flight_lock:
                _asking -= 1
    try:
        if current_app.config.get("OFF_LOOP_RUNNER"):  # a pool thread: lower its priority
            return off_loop(_yielding, work, *args)
        return off_loop(work, *args)  # the caller's own thread: leave its priority alone
    finally:
        ENGINE.release()


def _take_engine_when_free(wait: float) -> bool:
    """Take ENGINE once it is free and no one waits for it; False after `wait` seconds.

    Polling instead of queueing: a lock does not promise its waiters an order, and a
    click must not wait behind work nobody is waiting for.
    """
    deadline = time.monotonic() + wait
    while True:
        if not _asking and ENGINE.acquire(blocking=False):
            return True
        if time.monotonic() >= deadline:
            return False
        socketio.sleep(BACKGROUND_POLL_S)


def _busy() -> RateLimited:
    return RateLimited(_("The theme suggestions are busy. Try again in a moment."), retry_after=5)


# --- the operations (read only) ------------------------------------------------------


def suggest_themes(by: Asker, room_id: object = None, workshop_id: object = None) -> dict:
    """Suggested themes for the room's visible ideas that are in no theme: groups of two
    or more ideas, largest first, each with a label, the idea nearest its centre and its
    ideas (ascending); `alone` lists the ideas like no other. Stores nothing. A moderator
    (`by` ("user", id)) names a breakout room of the workshop `workshop_id`; a
    participant asks about their own room.

    Raises NotAllowed, NotFound (as create_theme), RateLimited (one at a time per room;
    the engine busy for a minute).
    """
    room = _grouping_room(by, room_id, workshop_id)
    found, room_id = _visible_ideas(room.id, unthemed=True), room.id
    if len(found) < 2:
        return {"room_id": room_id, "groups": [], "alone": [i for i, _ in found]}
    with _one_per_room("suggest", room_id):
        groups = on_engine(ENGINE_WAIT_S, suggestions.suggest, found)
    if groups is None:
        raise _busy()
    return {
        "room_id": room_id,
        "groups": [
            {"label": g.label, "representative_id": g.representative_id, "idea_ids": g.idea_ids}
            for g in groups
            if len(g.idea_ids) > 1
        ],
        "alone": sorted(g.idea_ids[0] for g in groups if len(g.idea_ids) == 1),
    }


def duplicate_pairs(by: Asker, room_id: object = None, workshop_id: object = None) -> dict:
    """Pairs of the room's visible ideas that probably say the same thing, most alike
    first: `{idea_ids: [older, newer], similarity}`. Stores nothing.

    Raises NotAllowed, NotFound, RateLimited (one at a time per room; engine busy).
    """
    room = _reviewing_room(by, room_id, workshop_id)
    found, room_id = _visible_ideas(room.id), room.id
    if len(found) < 2:
        return {"room_id": room_id, "pairs": []}
    with _one_per_room("duplicates", room_id):
        pairs = on_engine(ENGINE_WAIT_S, suggestions.likely_duplicates, found)
    if pairs is None:
        raise _busy()
    return {
        "room_id": room_id,
        "pairs": [{"idea_ids": [a, b], "similarity": s} for a, b, s in pairs],
    }


def _most_alike(typed: str, ideas: Sequence[tuple[int, str]]) -> list[tuple[int, float]]:
    """The ideas most like the typed text, above SIMILAR_THRESHOLD (at most SIMILAR_MAX)."""
    vectors = suggestions.encode([typed, *(text for _, text in ideas)])
    similarity = vectors[1:] @ vectors[0]
    order = np.argsort(-similarity, kind="stable")[:SIMILAR_MAX]
    return [
        (ideas[i][0], round(float(similarity[i]), 4))
        for i in order.tolist()
        if similarity[i] >= SIMILAR_THRESHOLD
    ]


def similar_ideas(participant_id: int, text: object) -> dict:
    """Up to three visible ideas of the participant's room that say nearly what `text`
    says, most alike first: `{ideas: [{idea_id, similarity}]}` (none for text shorter
    than SIMILAR_MIN_CHARS, or while the engine is busy). Stores nothing.

    Raises Invalid (text too long), NotAllowed (the plenary; not the propose or vote phase).
    """
    most = current_app.config["IDEA_TEXT_MAX"]
    typed = validate.text(text, _("The idea"), max_length=most, required=False)
    me = access.participant(participant_id)
    room = _breakout(db.session.get(Room, me.room_id))
    if room.phase not in ("propose", "vote"):
        raise NotAllowed(_("Similar ideas are shown while ideas are posted or voted on."))
    if len(typed) < SIMILAR_MIN_CHARS:
        return {"ideas": []}
    found = _visible_ideas(room.id)
    alike = on_engine(HINT_WAIT_S, _most_alike, typed, found) if found else []
    return {"ideas": [{"idea_id": i, "similarity": s} for i, s in alike or []]}


def warm_up(app: Flask) -> None:
    """Load the engine's model now, off the loop, so the first suggestion is quick.

    Runs as a background task at start (wsgi.py); a failure is logged, never raised: the
    model loads again on first use.
    """
    with app.app_context():
        try:
            on_engine(ENGINE_WAIT_S, suggestions.warm_up, False)
        except Exception:
            log.exception("the theme suggestions' model did not load at start")


# --- embedding ahead of the click ----------------------------------------------------


def preembed(texts: Sequence[str]) -> None:
    """Queue idea texts to be embedded in the background, so that a later suggestion,
    duplicate search or hint finds them in the engine's cache. Returns at once: one
    background task per process drains the queue through `on_engine`, a burst of texts
    in one call (PREEMBED_BATCH at most each). Raises nothing: a failure is logged, and
    the click embeds what was not.
    """
    global _draining
    with _pending_lock:
        _pending.update(dict.fromkeys(t for t in texts if t))
        while len(_pending) > PREEMBED_PENDING_MAX:
            del _pending[next(iter(_pending))]
        start = bool(_pending) and not _draining
        _draining = _draining or start
    if start:
        try:
            socketio.start_background_task(_drain, current_app._get_current_object())
        except Exception:
            _stop_draining()
            log.exception("could not start embedding new ideas ahead of a click")


def _stop_draining() -> None:
    """Let the next queued text start a task again (this one ended early)."""
    global _draining
    with _pending_lock:
        _draining = False


def _take_pending() -> list[str]:
    """Up to PREEMBED_BATCH waiting texts, oldest first; [] (and the task ends) when none."""
    global _draining
    with _pending_lock:
        batch = list(itertools.islice(_pending, PREEMBED_BATCH))
        for text in batch:
            del _pending[text]
        _draining = bool(batch)
        return batch


def _drain(app: Flask) -> None:
    """The background task: let a burst gather, then embed what waits until nothing does."""
    try:
        with app.app_context():
            socketio.sleep(PREEMBED_GATHER_S)
            while texts := _take_pending():
                try:
                    done = on_engine(ENGINE_WAIT_S, suggestions.encode, texts, background=True)
                except Exception:  # the click embeds them itself; the task goes on
                    log.exception("could not embed %d new ideas ahead of a click", len(texts))
                    continue
                if done is None:
                    log.info("the engine stayed busy: %d new ideas wait for a click", len(texts))
    except BaseException:
        _stop_draining()
        raise


@realtime.on_commit
def _embed_new_ideas(messages: list[tuple[int, dict, dict]]) -> None:
    """After commit: queue the texts that the events show a room (participants' view, so
    never a pending or hidden idea's), when SUGGESTIONS_PREEMBED is on."""
    if not current_app.config.get("SUGGESTIONS_PREEMBED"):
        return
    texts = [
        idea["text"]
        for _workshop, message, _moderators in messages
        if isinstance(idea := (message.get("data") or {}).get("idea"), dict)
        and isinstance(idea.get("text"), str)
    ]
    if texts:
        preembed(texts)
