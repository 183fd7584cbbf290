"""Suggested themes and likely duplicates: the engine, its offline model and its CLI."""

import json
import math
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable

import numpy as np
import pytest

from cocreate.services import suggestions

# Real proposals' wording, in the four languages of the plenary, on three themes.
ROOM = [
    (1, "More bike lanes separated from car traffic"),
    (2, "Pistes cyclables sécurisées le long des grands boulevards"),
    (3, "Carriles bici protegidos en las avenidas principales"),
    (4, "자전거 전용 도로를 더 만들어 주세요"),
    (5, "Free refurbished laptops for families through public libraries"),
    (6, "Cours d'informatique gratuits pour les personnes âgées"),
    (7, "Clases de alfabetización digital en los centros comunitarios"),
    (8, "노인을 위한 무료 디지털 교육"),
    (9, "Emergency shelter beds for homeless families in winter"),
    (10, "Logements sociaux pour les réfugiés et les demandeurs d'asile"),
    (11, "Viviendas asequibles para jóvenes y familias migrantes"),
    (12, "노숙인을 위한 임시 주거 지원"),
]
THEME_OF = {i: (i - 1) // 4 for i, _ in ROOM}


def blobs(texts: list[str]) -> np.ndarray:
    """A fake encoder: three well-separated directions, picked by a keyword in the text."""
    axes = np.eye(8)
    rows = []
    for text in texts:
        axis = 0 if "bike" in text else 1 if "laptop" in text else 2
        jitter = np.sin(np.arange(8) * (len(text) % 7 + 1)) * 0.05
        rows.append(axes[axis] + jitter)
    vectors = np.asarray(rows)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


FAKE_ROOM = [
    (i, f"{word} idea number {i}")
    for i, word in enumerate(["bike"] * 5 + ["laptop"] * 4 + ["shelter"] * 6, start=10)
]


def test_fake_room_is_grouped_into_the_three_directions_it_has():
    groups = suggestions.suggest(FAKE_ROOM, encoder=blobs)

    assert sorted(len(g.idea_ids) for g in groups) == [4, 5, 6]
    assert sorted(i for g in groups for i in g.idea_ids) == [i for i, _ in FAKE_ROOM]
    for group in groups:
        assert group.representative_id in group.idea_ids
        assert 0 < len(group.label) <= suggestions.LABEL_MAX_CHARS
        assert group.label.split(" · ")[0] in {"bike", "laptop", "shelter"}


def test_same_ideas_in_any_order_give_the_same_themes():
    shuffled = FAKE_ROOM[7:] + FAKE_ROOM[:7][::-1]

    assert suggestions.suggest(shuffled, encoder=blobs) == suggestions.suggest(
        FAKE_ROOM, encoder=blobs
    )


def test_empty_single_and_repeated_ids():
    assert suggestions.suggest([], encoder=blobs) == []
    (only,) = suggestions.suggest([(3, "bike path")], encoder=blobs)
    assert only.idea_ids == [3] and only.representative_id == 3 and only.label
    assert suggestions.likely_duplicates([(3, "bike path")], encoder=blobs) == []
    twice = suggestions.suggest([(3, "bike a"), (3, "laptop b"), (4, "bike c")], encoder=blobs)
    assert sorted(i for g in twice for i in g.idea_ids) == [3, 4]


def test_themes_cut_the_tree_at_exactly_that_many_groups():
    vectors = blobs([text for _, text in FAKE_ROOM])

    assert len(set(suggestions.cluster(vectors, themes=2))) == 2
    assert len(set(suggestions.cluster(vectors, themes=5))) == 5
    # a fixed cut (as cross-room themes use) still works
    assert len(set(suggestions.cluster(vectors, distance=suggestions.THEME_DISTANCE))) == 3


def test_the_cut_follows_the_room_not_its_size():
    # 8 directions, 5 ideas each or 40 each: the same 8 themes
    axes = np.eye(8)
    for per_theme in (5, 40):
        rows = [
            axes[t] + np.sin(np.arange(8) * (i + 2)) * 0.08
            for t in range(8)
            for i in range(per_theme)
        ]
        vectors = np.asarray(rows) / np.linalg.norm(rows, axis=1, keepdims=True)
        assignment = suggestions.cluster(vectors)
        assert len(set(assignment)) == 8
        assert all(len(set(assignment[t * per_theme : (t + 1) * per_theme])) == 1 for t in range(8))


def test_clearly_separate_groups_are_kept_apart_even_when_pairs_of_them_are_close():
    # 10 tight groups of 4 ideas, in 5 pairs of sibling groups (closer than the room's mean)
    rows = []
    for group in range(10):
        for i in range(4):
            row = np.zeros(15)
            row[group], row[10 + group // 2] = 1.0, 0.9
            rows.append(row + np.sin(np.arange(15) * (i + 2 + group)) * 0.05)
    vectors = np.asarray(rows) / np.linalg.norm(rows, axis=1, keepdims=True)

    assignment = suggestions.cluster(vectors)

    assert [len(set(assignment[g * 4 : g * 4 + 4])) for g in range(10)] == [1] * 10
    assert len(set(assignment)) == 10


def angled(similarity: float) -> Callable[[list[str]], np.ndarray]:
    """A fake encoder: "one" texts on one axis, "two" texts at `similarity` from it."""

    def encode(texts: list[str]) -> np.ndarray:
        other = np.array([similarity, math.sqrt(1 - similarity**2)])
        return np.asarray([[1.0, 0.0] if "one" in t else other for t in texts])

    return encode


def test_ideas_in_two_languages_need_less_similarity_to_be_duplicates():
    between = suggestions.DUPLICATE_SIMILARITY - suggestions.CROSS_LANGUAGE_MARGIN / 2
    english = [(1, "the one idea for the park"), (2, "the two ideas for the park")]
    mixed = [(1, "the one idea for the park"), (2, "les deux idées pour le parc")]

    assert suggestions.likely_duplicates(english, encoder=angled(between)) == []
    assert [
        (a, b) for a, b, _ in suggestions.likely_duplicates(mixed, encoder=angled(between))
    ] == [(1, 2)]


def test_real_model_groups_a_multilingual_room_by_meaning():
    groups = suggestions.suggest(ROOM)

    assert 2 <= len(groups) <= 5
    assert sorted(i for g in groups for i in g.idea_ids) == [i for i, _ in ROOM]
    # each theme's ideas mostly share a group, whatever their language
    for theme in range(3):
        members = [i for i, t in THEME_OF.items() if t == theme]
        largest = max(sum(i in g.idea_ids for i in members) for g in groups)
        assert largest >= 3, (theme, groups)
    assert suggestions.suggest(ROOM) == groups


def test_real_model_flags_a_paraphrase_and_not_a_different_idea():
    ideas = [
        (1, "More bike lanes separated from car traffic"),
        (2, "More bicycle lanes that are separated from cars"),
        (3, "Free refurbished laptops for families through public libraries"),
    ]

    pairs = suggestions.likely_duplicates(ideas)

    assert [(a, b) for a, b, _ in pairs] == [(1, 2)]
    assert pairs[0][2] >= suggestions.DUPLICATE_SIMILARITY


def test_cli_round_trip(app):
    lines = "\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in ROOM)

    result = app.test_cli_runner().invoke(args=["suggest-themes"], input=lines + "\n")

    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert sorted(r["id"] for r in rows) == [i for i, _ in ROOM]
    groups = suggestions.suggest(ROOM)
    expected = {i: (n, g.label) for n, g in enumerate(groups, start=1) for i in g.idea_ids}
    assert {r["id"]: (r["theme"], r["label"]) for r in rows} == expected


def test_cli_names_a_bad_line(app):
    result = app.test_cli_runner().invoke(args=["suggest-themes"], input='{"id": 1}\n')

    assert result.exit_code != 0
    assert "line 1" in result.output


def test_model_loads_offline_from_the_installed_package(tmp_path):
    # A fresh interpreter whose sockets all fail: the model must come from site-packages.
    script = textwrap.dedent(
        """
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network disabled in this test")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        from cocreate.services import suggestions
        print(suggestions.encode(["Logements pour les réfugiés"]).shape)
        """
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1", HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path))

    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 384)"
    assert not any(tmp_path.iterdir()), "nothing is cached or downloaded"


@pytest.mark.parametrize("background", [True, False])
def test_warm_up(background):
    thread = suggestions.warm_up(background=background)
    if thread is not None:
        thread.join(timeout=300)
        assert not thread.is_alive()
    assert suggestions.encode(["x"]).shape == (1, 384)
