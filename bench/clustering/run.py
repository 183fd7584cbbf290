"""Suggested themes against real participatory-budgeting proposals and their categories.

    python bench/clustering/run.py [--data FILE] [--rooms 200] [--tune]

Rooms of 30-60 proposals drawn from 3-6 of a city's categories (the method chooses k),
plus one pool of 500; adjusted Rand index and V-measure against the city's categories,
for cocreate's method (e5 embeddings) and a TF-IDF baseline with the same clustering.
`--tune` sweeps the cut distance on Warsaw (the tuning set); the others only validate.
Embeddings are cached under $COCREATE_BENCH_CACHE (default /tmp/cocreate-bench).
"""

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, v_measure_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from cocreate.services import suggestions

HERE = Path(__file__).parent
# One theme under the three cities' own names, for rooms that mix languages.
SHARED_THEMES = {
    "nature": {"nature and greenery", "Nature en ville", "Nature"},
    "mobility": {
        "public transit and roads",
        "Éco-mobilité",
        "Transportation",
        "Streets, Sidewalks & Transit",
    },
    "culture": {"culture", "Culture", "Culture & community"},
    "education": {"education", "Education"},
}


def load(path: Path) -> list[dict]:
    """The labelled proposals, one dict per JSON line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def embeddings(texts: list[str]) -> np.ndarray:
    """e5 embeddings of `texts` through the app's own encoder, cached on disk."""
    cache = Path(os.environ.get("COCREATE_BENCH_CACHE", "/tmp/cocreate-bench"))
    cache.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"e5-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = np.concatenate(
        [suggestions.encode(texts[i : i + 256]) for i in range(0, len(texts), 256)]
    )
    np.save(path, vectors)
    return vectors


def tfidf(texts: list[str]) -> np.ndarray:
    """Unit-length TF-IDF rows (word unigrams and bigrams), the wording-only baseline."""
    matrix = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)).fit_transform(texts)
    dense = matrix.toarray()
    return dense / np.maximum(np.linalg.norm(dense, axis=1, keepdims=True), 1e-12)


def rooms(labels: list[str], count: int, seed: int) -> list[list[int]]:
    """`count` rooms: 30-60 ideas drawn from 3-6 categories (as many as exist)."""
    rng = random.Random(seed)
    categories = sorted(set(labels))
    drawn = []
    for _ in range(count):
        k = rng.randint(min(3, len(categories)), min(6, len(categories)))
        chosen = set(rng.sample(categories, k))
        pool = [i for i, label in enumerate(labels) if label in chosen]
        drawn.append(sorted(rng.sample(pool, min(len(pool), rng.randint(30, 60)))))
    return drawn


def score(vectors, labels, samples, distance, languages=None) -> dict:
    """Mean ± sd of ARI and V-measure, k found vs true k, and clustering time per room."""
    ari, vm, found, true, seconds = [], [], [], [], []
    for idx in samples:
        start = time.perf_counter()
        keys = None if languages is None else [languages[i] for i in idx]
        predicted = suggestions.cluster(vectors[idx], distance=distance, languages=keys)
        seconds.append(time.perf_counter() - start)
        truth = [labels[i] for i in idx]
        ari.append(adjusted_rand_score(truth, predicted))
        vm.append(v_measure_score(truth, predicted))
        found.append(len(set(predicted)))
        true.append(len(set(truth)))
    return {
        "ari": (statistics.mean(ari), statistics.pstdev(ari)),
        "v": (statistics.mean(vm), statistics.pstdev(vm)),
        "k": (statistics.mean(found), statistics.mean(true)),
        "ms": 1000 * statistics.mean(seconds),
    }


def line(name: str, result: dict) -> str:
    """One printed row."""
    a, v, k = result["ari"], result["v"], result["k"]
    return (
        f"  {name:<22} ARI {a[0]:.3f} ± {a[1]:.3f}   V {v[0]:.3f} ± {v[1]:.3f}   "
        f"k found {k[0]:5.1f} (true {k[1]:.1f})   cluster {result['ms']:6.1f} ms"
    )


def encode_timing(texts: list[str]) -> str:
    """Wall and CPU time to embed 60 ideas the model has not seen (model already loaded)."""
    suggestions.warm_up(background=False)
    fresh = [f"{t} ({i})" for i, t in enumerate(texts[:60])]
    wall, cpu = time.perf_counter(), time.process_time()
    groups = suggestions.suggest(list(enumerate(fresh)))
    return (
        f"suggest() on 60 unseen ideas: {time.perf_counter() - wall:.2f} s wall, "
        f"{time.process_time() - cpu:.2f} s CPU, {len(groups)} themes "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


def main() -> None:
    """Print the figures (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "data" / "proposals.jsonl")
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--tune", action="store_true")
    args = parser.parse_args()
    records = load(args.data)
    texts = [r["text"] for r in records]
    e5 = embeddings(texts)
    detected = [suggestions.language(t) for t in texts]  # as suggest() does
    print(f"{len(records)} proposals from {args.data}")

    sets = {
        "Warsaw (pl, tuning)": [i for i, r in enumerate(records) if r["source"] == "Warszawa"],
        "Toulouse (fr)": [i for i, r in enumerate(records) if r["source"] == "Toulouse"],
        "English (Zurich+MTurk)": [
            i for i, r in enumerate(records) if r["source"] in ("Zurich", "Mechanical Turk")
        ],
    }
    theme_of = {c: t for t, cats in SHARED_THEMES.items() for c in cats}
    mixed = [i for i, r in enumerate(records) if r["category"] in theme_of]

    if args.tune:
        idx = sets["Warsaw (pl, tuning)"]
        labels = [records[i]["category"] for i in idx]
        samples = rooms(labels, args.rooms, args.seed + 1)
        tf = tfidf([texts[i] for i in idx])
        for distance in (0.97, 0.98, 0.99, 1.00, 1.01, 1.02, 1.03):
            print(
                line(
                    f"e5 cut {distance:.2f}",
                    score(e5[idx], labels, samples, distance, [detected[i] for i in idx]),
                )
            )
        for distance in (0.99, 1.00, 1.01, 1.02):
            print(line(f"tf-idf cut {distance:.2f}", score(tf, labels, samples, distance)))
        return

    for name, idx in sets.items():
        labels = [records[i]["category"] for i in idx]
        tf = tfidf([texts[i] for i in idx])
        sub = [detected[i] for i in idx]
        print(f"\n{name}: {len(idx)} proposals, {len(set(labels))} categories")
        samples = rooms(labels, args.rooms, args.seed)
        print(f" rooms of 30-60 ({args.rooms} samples)")
        print(
            line("cocreate (e5)", score(e5[idx], labels, samples, suggestions.THEME_DISTANCE, sub))
        )
        print(line("tf-idf baseline", score(tf, labels, samples, suggestions.THEME_DISTANCE)))
        if len(idx) >= 300:
            pool = [sorted(random.Random(args.seed).sample(range(len(idx)), 500))]
            print(" pool of 500")
            print(
                line("cocreate (e5)", score(e5[idx], labels, pool, suggestions.THEME_DISTANCE, sub))
            )
            print(line("tf-idf baseline", score(tf, labels, pool, suggestions.THEME_DISTANCE)))

    # Mixed languages: the same themes from Warsaw, Toulouse and the English sets. A method
    # that groups by language would score well against `lang` and badly against `theme`.
    rng = random.Random(args.seed)
    by_lang = {
        lang: [i for i in mixed if records[i]["lang"] == lang] for lang in ("pl", "fr", "en")
    }
    samples, ari_theme, ari_lang = [], [], []
    for _ in range(args.rooms):
        room = []
        for pool in by_lang.values():
            room += rng.sample(pool, min(len(pool), rng.randint(10, 20)))
        samples.append(sorted(room))
    themes = [theme_of.get(r["category"], "") for r in records]
    langs = [r["lang"] for r in records]
    for idx in samples:
        predicted = suggestions.cluster(
            e5[idx], distance=suggestions.THEME_DISTANCE, languages=[detected[i] for i in idx]
        )
        ari_theme.append(adjusted_rand_score([themes[i] for i in idx], predicted))
        ari_lang.append(adjusted_rand_score([langs[i] for i in idx], predicted))
    print(f"\nMixed pl+fr+en rooms of 30-60 on 4 shared themes ({args.rooms} samples)")
    print(line("e5, room-centred", score(e5, themes, samples, suggestions.THEME_DISTANCE)))
    print(
        line(
            "cocreate (e5)",
            score(e5, themes, samples, suggestions.THEME_DISTANCE, languages=detected),
        )
    )
    print(line("tf-idf baseline", score(tfidf(texts), themes, samples, suggestions.THEME_DISTANCE)))
    print(
        f"  cocreate's ARI against language (lower is better) {statistics.mean(ari_lang):.3f}, "
        f"against theme {statistics.mean(ari_theme):.3f}"
    )
    print("\n" + encode_timing([texts[i] for i in sets["Warsaw (pl, tuning)"]]))


if __name__ == "__main__":
    main()
