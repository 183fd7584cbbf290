"""How reliable tag suggestions are, against real texts whose categories name a policy domain.

    python bench/clustering/tags.py [--data FILE] [--petitions FILE] [--tune] [--compare]

The same files as run.py (build_dataset.py, build_petitions.py). Each source's own
categories are mapped to the default policy domains (cocreate/tagsets.py) where the
mapping is unambiguous (CATEGORY_DOMAINS; a category some of whose texts belong to one of
two domains accepts either); texts of every other category are left out, since nobody
said which domain they are in. For each set: the top suggestion without a threshold
(accuracy), then at cocreate's threshold the top suggestion and "any suggested" (at most
two): precision, recall, F1, and how many texts get a suggestion at all.
A suggestion of a domain other than the category's counts as wrong even when the text is
about it too (a cycle path to a school), so precision is a lower bound.
`--tune` sweeps the threshold on Warsaw (the tuning set), with each domain's precision
when every domain may be suggested (which chose SUGGESTED_TAGS); `--per-domain` prints
that for every set. Rights and groups are not measured: no labelled set names them.
Embeddings are cached under $COCREATE_BENCH_CACHE (default /tmp/cocreate-bench).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from run import HERE, embeddings, load  # bench/clustering/run.py

from cocreate.services import tag_suggestions

# (source, category) -> the domains a text of it may be tagged with. Left out, as naming no
# domain or several: Warsaw's community building, nature and greenery, public space and
# sport; Toulouse's Cadre de vie (living environment) and Nature en ville; Zurich's Nature;
# Mechanical Turk's "Environment, public health & safety" and "Facilities, parks &
# recreation"; petitions' 교통/건축/국토 (transport, building and land: mobility and housing),
# 안전/환경 (safety and environment), 문화/예술/체육/언론 (culture, arts, sport and media:
# mostly broadcasters, celebrities and sport federations), 인권/성평등 (human rights and
# gender equality: groups, not a domain), 저출산/고령화대책 (low birth rate and ageing),
# 경제민주화 (economic democracy),
# 정치개혁 (political reform: parties and prosecutions more than residents' participation),
# 행정, 외교/통일/국방, 농산어촌, 미래, 반려동물, 성장동력 and 기타.
CATEGORY_DOMAINS: dict[tuple[str, str], frozenset[str]] = {
    ("Warszawa", "culture"): frozenset({"culture"}),
    ("Warszawa", "education"): frozenset({"education-digital"}),
    ("Warszawa", "public transit and roads"): frozenset({"mobility-accessibility"}),
    ("Warszawa", "health and welfare"): frozenset({"health-care"}),
    ("Warszawa", "environmental protection"): frozenset({"climate-justice"}),
    ("Toulouse", "Éco-mobilité"): frozenset({"mobility-accessibility"}),
    ("Toulouse", "Énergie"): frozenset({"climate-justice"}),
    ("Toulouse", "Déchets et Recyclage"): frozenset({"climate-justice"}),
    ("Toulouse", "Consommation responsable"): frozenset({"climate-justice"}),
    ("Zurich", "Culture"): frozenset({"culture"}),
    ("Zurich", "Transportation"): frozenset({"mobility-accessibility"}),
    ("Mechanical Turk", "Culture & community"): frozenset({"culture"}),
    ("Mechanical Turk", "Education"): frozenset({"education-digital"}),
    ("Mechanical Turk", "Streets, Sidewalks & Transit"): frozenset({"mobility-accessibility"}),
    ("Korea petitions", "보건복지"): frozenset({"health-care"}),  # health and welfare
    ("Korea petitions", "일자리"): frozenset({"work-income"}),  # jobs
    # childcare and education: a third of its petitions are about day care
    ("Korea petitions", "육아/교육"): frozenset({"education-digital", "health-care"}),
}
DOMAINS = [key for key, kind in tag_suggestions.KIND_OF.items() if kind == "domains"]


def labelled(records: list[dict]) -> tuple[list[str], list[frozenset[str]]]:
    """The texts whose category maps to domains, and those domains."""
    kept = [r for r in records if (r["source"], r["category"]) in CATEGORY_DOMAINS]
    return [r["text"] for r in kept], [CATEGORY_DOMAINS[(r["source"], r["category"])] for r in kept]


def domain_scores(vectors: np.ndarray) -> np.ndarray:
    """Scores of each text (row) against DOMAINS (columns), as the app computes them."""
    prototypes = tag_suggestions.prototypes(tag_suggestions.passages)
    return tag_suggestions.scores(vectors, prototypes)["domains"]


def measure(
    matrix: np.ndarray, truth: list[frozenset[str]], threshold: float, every_domain: bool = False
) -> dict:
    """Top-1 accuracy; at `threshold`: the top suggestion's and any suggestion's P/R/F1,
    suggesting only the app's SUGGESTED_TAGS (or every domain)."""
    suggestable = np.array(
        [every_domain or key in tag_suggestions.SUGGESTED_TAGS for key in DOMAINS]
    )
    n = len(truth)
    top = np.argmax(matrix, axis=1)
    top_right = np.array([DOMAINS[t] in truth[i] for i, t in enumerate(top)])
    picked = [
        tag_suggestions.pick(row, DOMAINS, "domains", threshold=threshold)
        for row in np.where(suggestable, matrix, -np.inf)
    ]
    with_any = np.array([bool(p) for p in picked])
    first_right = np.array([bool(p) and p[0].key in truth[i] for i, p in enumerate(picked)])
    suggested = sum(len(p) for p in picked)
    right = sum(s.key in truth[i] for i, p in enumerate(picked) for s in p)
    any_right = np.array([any(s.key in truth[i] for s in p) for i, p in enumerate(picked)])

    def f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    p_top = first_right.sum() / with_any.sum() if with_any.sum() else float("nan")
    r_top = first_right.sum() / n
    p_any = right / suggested if suggested else float("nan")
    r_any = any_right.sum() / n
    return {
        "n": n,
        "top1": top_right.mean(),
        "covered": with_any.mean(),
        "top": (p_top, r_top, f1(p_top, r_top)),
        "any": (p_any, r_any, f1(p_any, r_any)),
        "per_item": suggested / max(int(with_any.sum()), 1),
    }


def report(name: str, result: dict) -> None:
    """Print one set's figures."""
    top, every = result["top"], result["any"]
    print(
        f"  {name:<26} n {result['n']:5d}  top-1 {result['top1']:.3f}  "
        f"suggested for {result['covered']:.0%}  "
        f"top P {top[0]:.3f} R {top[1]:.3f} F1 {top[2]:.3f}  "
        f"any P {every[0]:.3f} R {every[1]:.3f} F1 {every[2]:.3f}  "
        f"({result['per_item']:.2f} a text)"
    )


def per_domain(matrix: np.ndarray, truth: list[frozenset[str]], threshold: float) -> None:
    """Precision of each domain's suggestions when every domain may be suggested."""
    counts: dict[str, list[int]] = {key: [0, 0] for key in DOMAINS}
    for i, row in enumerate(matrix):
        for s in tag_suggestions.pick(row, DOMAINS, "domains", threshold=threshold):
            counts[s.key][0] += 1
            counts[s.key][1] += s.key in truth[i]
    for key, (made, right) in counts.items():
        if made:
            print(f"    {key:<24} suggested {made:5d}  precision {right / made:.3f}")


def main() -> None:
    """Print the figures (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "data" / "proposals.jsonl")
    parser.add_argument("--petitions", type=Path, default=HERE / "data" / "petitions.jsonl")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--per-domain", action="store_true")
    args = parser.parse_args()
    records, petitions = load(args.data), load(args.petitions)
    sets = {
        "Warsaw (pl, tuning)": [r for r in records if r["source"] == "Warszawa"],
        "Toulouse (fr)": [r for r in records if r["source"] == "Toulouse"],
        "English (Zurich+MTurk)": [
            r for r in records if r["source"] in ("Zurich", "Mechanical Turk")
        ],
        "Korean petitions (titles)": petitions,
    }
    # every labelled text embedded once, in one cached file
    texts_of = {name: labelled(chosen) for name, chosen in sets.items() if chosen}
    every = sorted({t for texts, _ in texts_of.values() for t in texts})
    index = {t: i for i, t in enumerate(every)}
    vectors = embeddings(every)
    threshold = tag_suggestions.THRESHOLD
    held_out = [name for name in texts_of if "tuning" not in name]

    if args.tune:
        texts, truth = texts_of["Warsaw (pl, tuning)"]
        matrix = domain_scores(vectors[[index[t] for t in texts]])
        print("Threshold sweep on Warsaw (the margin over the mean of the domains)")
        for cut in (0.0, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.0225, 0.025, 0.03):
            report(f"every domain, {cut:.4f}", measure(matrix, truth, cut, every_domain=True))
            per_domain(matrix, truth, cut)
        for cut in (0.0, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.0175, 0.02):
            report(f"suggested tags, {cut:.4f}", measure(matrix, truth, cut))
        return
    print(f"\nDomains at threshold {threshold:g} (tuned on Warsaw; held out: {held_out})")
    for name, (texts, truth) in texts_of.items():
        matrix = domain_scores(vectors[[index[t] for t in texts]])
        report(name, measure(matrix, truth, threshold))
        if args.per_domain:
            per_domain(matrix, truth, threshold)
    pooled = [t for name in held_out for t in texts_of[name][0]]
    truth = [d for name in held_out for d in texts_of[name][1]]
    if pooled:
        matrix = domain_scores(vectors[[index[t] for t in pooled]])
        report("held-out sets pooled", measure(matrix, truth, threshold))


if __name__ == "__main__":
    main()
