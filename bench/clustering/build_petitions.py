"""Build labelled Korean proposals for bench/clustering/run.py from the petitions archive.

The Blue House petition board (청와대 국민청원, 2017-2022) published every finished petition
with a title, a text and the category its author chose from the board's 17; the public
archive lovit/petitions_archive keeps them as one JSON line per petition in monthly files
(`petitions_YYYY-MM`). The board's content was published under the Korea Open Government
Licence, type 1 (attribution; commercial use and changes allowed). Clone the archive, then:

    python bench/clustering/build_petitions.py ARCHIVE_FOLDER > /tmp/petitions.jsonl

Kept: every petition of the monthly files present, once (by title), except the catch-all
category "기타" (other), which names no theme. `description` is the petition's opening,
cut to 120 characters, for the title-plus-description variant of the benchmark.
"""

import json
import sys
from pathlib import Path

OTHER = "기타"
DESCRIPTION_CHARS = 120


def main(folder: str) -> None:
    """Print one JSON line per kept petition: source, lang, category, text, description."""
    seen: set[str] = set()
    for path in sorted(Path(folder).glob("petitions_*")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                petition = json.loads(line)
                title = " ".join(str(petition.get("title") or "").split())
                category = str(petition.get("category") or "").strip()
                if not title or not category or category == OTHER or title in seen:
                    continue
                seen.add(title)
                content = " ".join(str(petition.get("content") or "").split())
                record = {
                    "source": "Korea petitions",
                    "lang": "ko",
                    "category": category,
                    "text": title,
                    "description": content[:DESCRIPTION_CHARS],
                }
                print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
