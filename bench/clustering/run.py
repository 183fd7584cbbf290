"""Suggested themes and likely duplicates against real labelled texts.

    python bench/clustering/run.py [--data FILE] [--petitions FILE] [--pairs FILE]
                                   [--rooms 200] [--tune]

Themes: rooms of 30-60 ideas drawn from 3-6 of a source's categories (the method chooses
k), plus pools of 500; adjusted Rand index and V-measure against the categories, for
cocreate's method (e5 embeddings), the same method on TF-IDF vectors (the wording-only
baseline), and, as a ceiling, the same tree cut at the true k. Sources: participatory-
budgeting proposals (`--data`, Polish, French, English; build_dataset.py), Korean
petitions (`--petitions`; build_petitions.py), mixed-language rooms on shared themes, and
rooms of the same sentences in English, Spanish, French and Korean (`--pairs`), which show
whether ideas are grouped by meaning or by language.
Duplicates: precision and recall of `likely_duplicates`'s threshold on STS benchmark pairs
in the four languages and across them (`--pairs`; build_pairs.py); a pair counts as the
same idea when its score is at least 4 of 5.
`--tune` sweeps the cut (fixed, or relative to the room's mean distance) on Warsaw (the
tuning set) and the duplicate threshold on the pairs' dev split; the rest only validates.
A missing file skips its part.
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
# One theme under each source's own category names, for rooms that mix languages.
SHARED_THEMES = {
    "nature": {"nature and greenery", "Nature en ville", "Nature"},
    "mobility": {
        "public transit and roads",
        "Éco-mobilité",
        "Transportation",
        "Streets, Sidewalks & Transit",
        "교통/건축/국토",
    },
    "culture": {"culture", "Culture", "Culture & community", "문화/예술/체육/언론"},
    "education": {"education", "Education", "육아/교육"},
}
SAME_IDEA_SCORE = 4.0  # STS: 4 "mostly equivalent", 5 "completely equivalent"


def load(path: Path) -> list[dict]:
    """The records of a JSON-lines file, or [] when it does not exist."""
    if not path.exists():
        print(f"({path} not found: skipped)")
        return []
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


def score(vectors, labels, samples, languages=None, *, given_k=False, **options) -> dict:
    """Mean ± sd of ARI and V-measure, k found vs true k, and clustering time per room."""
    ari, vm, found, true, seconds = [], [], [], [], []
    for idx in samples:
        truth = [labels[i] for i in idx]
        keys = None if languages is None else [languages[i] for i in idx]
        if given_k:
            options["themes"] = len(set(truth))
        start = time.perf_counter()
        predicted = suggestions.cluster(vectors[idx], languages=keys, **options)
        seconds.append(time.perf_counter() - start)
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
        f"  {name:<24} ARI {a[0]:.3f} ± {a[1]:.3f}   V {v[0]:.3f} ± {v[1]:.3f}   "
        f"k found {k[0]:5.1f} (true {k[1]:4.1f})   cluster {result['ms']:6.1f} ms"
    )


def themes_report(name, texts, vectors, labels, languages, count, seed, pool=0) -> None:
    """Rooms (and a pool) of one labelled set: ours, the TF-IDF baseline, the true-k ceiling."""
    tf = tfidf(texts)
    print(f"\n{name}: {len(texts)} texts, {len(set(labels))} categories")
    samples = rooms(labels, count, seed)
    print(f" rooms of 30-60 ({count} samples)")
    print(line("cocreate (e5)", score(vectors, labels, samples, languages)))
    print(line("tf-idf, same method", score(tf, labels, samples)))
    print(line("e5, true k given", score(vectors, labels, samples, languages, given_k=True)))
    if pool and len(texts) >= pool:
        drawn = [sorted(random.Random(seed).sample(range(len(texts)), pool))]
        print(f" pool of {pool}")
        print(line("cocreate (e5)", score(vectors, labels, drawn, languages)))
        print(line("tf-idf, same method", score(tf, labels, drawn)))
        print(line("e5, true k given", score(vectors, labels, drawn, languages, given_k=True)))


def mixed_report(records, vectors, count, seed) -> None:
    """Rooms mixing languages on shared themes: grouped by theme, or by language?"""
    theme_of = {c: t for t, cats in SHARED_THEMES.items() for c in cats}
    themes = [theme_of.get(r["category"], "") for r in records]
    langs = [r["lang"] for r in records]
    detected = [suggestions.language(r["text"]) for r in records]
    by_lang: dict[str, list[int]] = {}
    for i, theme in enumerate(themes):
        if theme:
            by_lang.setdefault(langs[i], []).append(i)
    rng = random.Random(seed)
    samples = []
    for _ in range(count):
        room = []
        for lang in sorted(by_lang):
            room += rng.sample(by_lang[lang], min(len(by_lang[lang]), rng.randint(8, 15)))
        samples.append(sorted(room))
    names = "+".join(sorted(by_lang))
    print(f"\nMixed {names} rooms on {len(SHARED_THEMES)} shared themes ({count} samples)")
    print(line("e5, room-centred only", score(vectors, themes, samples)))
    print(line("cocreate (e5)", score(vectors, themes, samples, detected)))
    print(line("e5, true k given", score(vectors, themes, samples, detected, given_k=True)))
    texts = [r["text"] for r in records]
    print(line("tf-idf, same method", score(tfidf(texts), themes, samples)))
    by_language = score(vectors, langs, samples, detected)["ari"][0]
    print(f"  cocreate's ARI against language (lower is better) {by_language:.3f}")


def translation_report(pairs, count, seed) -> None:
    """Rooms of 8-12 sentences, each in English, Spanish, French and Korean: by meaning?"""
    rows: dict[int, dict[str, str]] = {}
    for p in pairs:
        if p["split"] == "test" and p["lang_a"] == p["lang_b"]:
            rows.setdefault(p["row"], {})[p["lang_a"]] = p["a"]
    # one sentence per distinct English text, so that no two rows say the same thing
    unique: dict[str, int] = {}
    for row, by_lang in sorted(rows.items()):
        unique.setdefault(by_lang["en"].lower(), row)
    chosen_rows = sorted(unique.values())
    langs = ("en", "es", "fr", "ko")
    texts = [rows[r][lang] for r in chosen_rows for lang in langs]
    meaning = [r for r in chosen_rows for _ in langs]
    language = [lang for _ in chosen_rows for lang in langs]
    vectors = sentence_vectors(pairs, texts)
    detected = [suggestions.language(t) for t in texts]
    rng = random.Random(seed)
    samples = []
    for _ in range(count):
        picked = rng.sample(range(len(chosen_rows)), rng.randint(8, 12))
        samples.append(sorted(i * len(langs) + j for i in picked for j in range(len(langs))))
    print(f"\nThe same 8-12 sentences in en+es+fr+ko, rooms of 32-48 ({count} samples)")
    print(line("e5, room-centred only", score(vectors, meaning, samples)))
    print(line("cocreate (e5)", score(vectors, meaning, samples, detected)))
    print(line("e5, true k given", score(vectors, meaning, samples, detected, given_k=True)))
    print(line("tf-idf, same method", score(tfidf(texts), meaning, samples)))
    by_language = score(vectors, language, samples, detected)["ari"][0]
    print(f"  cocreate's ARI against language (lower is better) {by_language:.3f}")


def sentence_vectors(pairs: list[dict], texts: list[str]) -> np.ndarray:
    """e5 embeddings of `texts`, all sentences of `pairs`, embedded (and cached) once."""
    sentences = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
    index = {s: i for i, s in enumerate(sentences)}
    return embeddings(sentences)[[index[t] for t in texts]]


def pair_similarities(pairs: list[dict]) -> np.ndarray:
    """Raw e5 cosine similarity of each pair, as `likely_duplicates` computes it."""
    a = sentence_vectors(pairs, [p["a"] for p in pairs])
    b = sentence_vectors(pairs, [p["b"] for p in pairs])
    return np.sum(a * b, axis=1)


def precision_recall(similarity, same, threshold) -> tuple[float, float, int]:
    """Precision, recall and number of pairs flagged at `threshold` (one per pair, or one)."""
    flagged = similarity >= threshold
    hits = int(np.sum(flagged & same))
    precision = hits / flagged.sum() if flagged.sum() else float("nan")
    return precision, hits / max(int(same.sum()), 1), int(flagged.sum())


def duplicates_report(pairs: list[dict], tune: bool) -> None:
    """Precision/recall of the duplicate threshold, same-language and cross-language."""
    similarity = pair_similarities(pairs)
    same = np.array([p["score"] >= SAME_IDEA_SCORE for p in pairs])
    split = np.array([p["split"] for p in pairs])
    cross = np.array([p["lang_a"] != p["lang_b"] for p in pairs])
    if tune:
        print("\nDuplicate threshold sweep on the dev split (precision, recall, flagged)")
        for kind, rows in (("same language", ~cross), ("cross-language", cross)):
            for threshold in (0.86, 0.88, 0.89, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95):
                mask = (split == "dev") & rows
                p, r, n = precision_recall(similarity[mask], same[mask], threshold)
                print(f"  {kind:<15} {threshold:.2f}  P {p:.3f}  R {r:.3f}  ({n})")
        return
    # the threshold each pair gets in likely_duplicates, from the languages it detects
    detected = {t: suggestions.language(t) for p in pairs for t in (p["a"], p["b"])}
    crossed = np.array(
        [
            detected[p["a"]] != detected[p["b"]] and detected[p["a"]] and detected[p["b"]]
            for p in pairs
        ],
        dtype=bool,
    )
    threshold = np.where(
        crossed,
        suggestions.DUPLICATE_SIMILARITY - suggestions.CROSS_LANGUAGE_MARGIN,
        suggestions.DUPLICATE_SIMILARITY,
    )
    print(
        f"\nDuplicates on the STS test split (same idea = score ≥ {SAME_IDEA_SCORE:g}), "
        f"threshold {suggestions.DUPLICATE_SIMILARITY:.2f}, cross-language "
        f"{suggestions.DUPLICATE_SIMILARITY - suggestions.CROSS_LANGUAGE_MARGIN:.2f}"
    )
    test = split == "test"
    lang_a = np.array([p["lang_a"] for p in pairs])
    kinds = {lang: test & ~cross & (lang_a == lang) for lang in ("en", "es", "fr", "ko")}
    kinds["cross"] = test & cross
    kinds["all"] = test
    for kind, mask in kinds.items():
        p, r, n = precision_recall(similarity[mask], same[mask], threshold[mask])
        print(
            f"  {kind:<6} pairs {int(mask.sum()):6d} (same idea {int(same[mask].sum()):5d})"
            f"   precision {p:.3f}   recall {r:.3f}   flagged {n}"
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
    parser.add_argument("--petitions", type=Path, default=HERE / "data" / "petitions.jsonl")
    parser.add_argument("--pairs", type=Path, default=HERE / "data" / "pairs.jsonl")
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--tune", action="store_true")
    parser.add_argument(
        "--descriptions", action="store_true", help="also petitions' title + opening (slow)"
    )
    args = parser.parse_args()
    records = load(args.data)
    petitions = load(args.petitions)
    pairs = load(args.pairs)

    sets = {
        "Warsaw (pl, tuning)": [r for r in records if r["source"] == "Warszawa"],
        "Toulouse (fr)": [r for r in records if r["source"] == "Toulouse"],
        "English (Zurich+MTurk)": [
            r for r in records if r["source"] in ("Zurich", "Mechanical Turk")
        ],
        "Korean petitions, titles": petitions,
    }
    if args.tune:
        tuning = sets["Warsaw (pl, tuning)"]
        texts = [r["text"] for r in tuning]
        labels = [r["category"] for r in tuning]
        vectors = embeddings(texts)
        detected = [suggestions.language(t) for t in texts]
        samples = rooms(labels, args.rooms, args.seed + 1)
        pools = [sorted(random.Random(s).sample(range(len(texts)), 500)) for s in range(3)]
        for distance in (0.99, 1.00, 1.01, 1.02):
            print(
                line(
                    f"rooms, cut {distance:.2f}",
                    score(vectors, labels, samples, detected, distance=distance),
                )
            )
            print(
                line(
                    f"pools, cut {distance:.2f}",
                    score(vectors, labels, pools, detected, distance=distance),
                )
            )
        for margin in (0.0, 0.01, 0.015, 0.02, 0.025, 0.03):
            suggestions.THEME_MARGIN = margin
            print(line(f"rooms, mean - {margin:.3f}", score(vectors, labels, samples, detected)))
            print(line(f"pools, mean - {margin:.3f}", score(vectors, labels, pools, detected)))
        if pairs:
            duplicates_report(pairs, tune=True)
        return

    for name, chosen in sets.items():
        if not chosen:
            continue
        texts = [r["text"] for r in chosen]
        themes_report(
            name,
            texts,
            embeddings(texts),
            [r["category"] for r in chosen],
            [suggestions.language(t) for t in texts],
            args.rooms,
            args.seed,
            pool=500 if len(chosen) >= 1000 else 0,
        )
    if petitions and args.descriptions:
        texts = [f"{r['text']}. {r['description']}" for r in petitions]
        themes_report(
            "Korean petitions, title + opening",
            texts,
            embeddings(texts),
            [r["category"] for r in petitions],
            [suggestions.language(t) for t in texts],
            args.rooms,
            args.seed,
        )
    if records or petitions:
        vectors = [embeddings([r["text"] for r in part]) for part in (records, petitions) if part]
        mixed_report(records + petitions, np.concatenate(vectors), args.rooms, args.seed)
    if pairs:
        translation_report(pairs, args.rooms, args.seed)
        duplicates_report(pairs, tune=False)
    if records:
        print("\n" + encode_timing([r["text"] for r in records if r["source"] == "Warszawa"]))


if __name__ == "__main__":
    main()
