"""Build labelled sentence pairs for the duplicate detector from STS benchmark translations.

The STS benchmark (Cer et al., SemEval-2017) scores sentence pairs from 0 (unrelated) to 5
(same meaning). Two public translations keep its rows in the same order:
kakaobrain/KorNLUDatasets `KorSTS/` (Korean, human post-edited, CC BY-SA 4.0) and
PhilipMay/stsb-multi-mt `data/` (Spanish, French and the English original, DeepL; the
scores are CC BY-SA 4.0, the texts keep the licences of the STS sources, some of which
are research-only). So the data is not committed; clone both repositories, then:

    python bench/clustering/build_pairs.py KORSTS_FOLDER STSB_FOLDER > /tmp/pairs.jsonl

Each line: split, the two languages, the score, and the two sentences. Besides the
same-language pairs, the aligned rows give cross-language pairs (sentence 1 in one
language, sentence 2 in another, same score), as when a Korean and a Spanish participant
post the same idea.
"""

import csv
import json
import sys
from pathlib import Path

LANGS = ("en", "es", "fr", "ko")


def rows(korsts: Path, stsb: Path, split: str) -> dict[str, list[tuple[str, str, float]]]:
    """(sentence 1, sentence 2, score) per language for one split, in the benchmark's order."""
    table = {}
    for lang in ("en", "es", "fr"):
        with (stsb / f"stsb-{lang}-{split}.csv").open(encoding="utf-8", newline="") as handle:
            table[lang] = [(a, b, float(s)) for a, b, s in csv.reader(handle)]
    with (korsts / f"sts-{split}.tsv").open(encoding="utf-8") as handle:
        lines = [line.rstrip("\n").split("\t") for line in handle][1:]
    table["ko"] = [(cols[5], cols[6], float(cols[4])) for cols in lines if len(cols) >= 7]
    scores = [[round(r[2], 2) for r in table[lang]] for lang in LANGS]
    if any(s != scores[0] for s in scores):
        raise SystemExit(f"{split}: the translations are not aligned row by row")
    return table


def main(korsts: str, stsb: str) -> None:
    """Print one JSON line per pair (same-language and cross-language)."""
    for split in ("dev", "test"):
        table = rows(Path(korsts), Path(stsb), split)
        for index in range(len(table["en"])):
            for lang_a in LANGS:
                for lang_b in LANGS:
                    a, _, score = table[lang_a][index]
                    _, b, _ = table[lang_b][index]
                    record = {
                        "split": split,
                        "row": index,
                        "lang_a": lang_a,
                        "lang_b": lang_b,
                        "score": score,
                        "a": a,
                        "b": b,
                    }
                    print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
