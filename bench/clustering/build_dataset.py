"""Build the labelled proposals used by bench/clustering/run.py from Pabulib .pb files.

Pabulib (pabulib.org, Stolicki, Szufa & Talmon, arXiv:2012.06539) collects real
participatory-budgeting instances; their PROJECTS section gives each proposal's title
and the city's own category. Download the .pb files (pabulib.org offers them all in one
archive) into a folder, then:

    python bench/clustering/build_dataset.py PB_FOLDER > bench/clustering/data/proposals.jsonl

Kept: Warsaw (Polish, 2017-2024), Toulouse 2022 (French), Zurich (English) and the
Mechanical-Turk PB experiment (English, real Boston-area project texts). A proposal is
kept once (by lower-cased title) and only when the city gave it exactly one category;
categories renamed between editions are merged (table below).
"""

import csv
import json
import sys
from pathlib import Path

UNITS = {"Warszawa": "pl", "Toulouse": "fr", "Zurich": "en", "Mechanical Turk": "en"}
# The same category under another name in another year.
RENAMED = {
    "sport and recreation": "sport",
    "urban greenery": "nature and greenery",
    "education and science": "education",
    "health": "health and welfare",
    "welfare": "health and welfare",
}


def read_pb(path: Path):
    """Yield (meta, project row) pairs of one .pb file."""
    meta: dict[str, str] = {}
    section = header = None
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter=";"):
            if len(row) == 1 and row[0].strip() in ("META", "PROJECTS", "VOTES"):
                section, header = row[0].strip(), None
                if section == "VOTES":
                    return
                continue
            if section == "META" and len(row) >= 2:
                meta[row[0].strip()] = row[1].strip()
            elif section == "PROJECTS":
                if header is None:
                    header = [h.strip() for h in row]
                    continue
                yield meta, dict(zip(header, row, strict=False))


def main(folder: str) -> None:
    """Print one JSON line per kept proposal: source, lang, category, text."""
    seen: set[str] = set()
    for path in sorted(Path(folder).glob("*.pb")):
        for meta, project in read_pb(path):
            unit = meta.get("unit", "")
            category = (project.get("category") or "").strip()
            text = " ".join((project.get("name") or "").split())
            # Mechanical Turk's single categories contain commas ("Facilities, parks & recreation");
            # elsewhere a comma separates several categories.
            several = "," in category and unit != "Mechanical Turk"
            if unit not in UNITS or not text or not category or several:
                continue
            key = f"{unit}|{text.lower()}"
            if key in seen:
                continue
            seen.add(key)
            record = {
                "source": unit,
                "lang": UNITS[unit],
                "category": RENAMED.get(category, category),
                "text": text,
            }
            print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
