"""Render the demo workshop's synthesis into docs/synthesis/ (`make samples`).

Seeds the demo workshop (cocreate/demo.py, what `make seed` makes) into a temporary
SQLite database, builds its synthesis as the downloads do, and writes every download
format as demo.<fmt> plus the PDF's first pages as demo-page-<n>.png, so a reader sees
exactly what organizers get. `generated_at` is the workshop's end; only the ideas' and
comments' times (JSON, CSV) change from one run to the next.

    .venv/bin/python scripts/synthesis-samples.py [--out docs/synthesis] [--pages 4]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere

from flask_migrate import upgrade  # noqa: E402

from cocreate import create_app, demo  # noqa: E402
from cocreate.extensions import db  # noqa: E402
from cocreate.models import Workshop  # noqa: E402
from cocreate.synthesis.build import build  # noqa: E402
from cocreate.synthesis.formats import FORMATS, render  # noqa: E402


def documents(database: Path) -> dict[str, bytes]:
    """Seed the demo into a new database at this path; return each format's bytes."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SECRET_KEY": "synthesis-samples",
            "SOCKETIO_ASYNC_MODE": "threading",
            "SOCKETIO_MESSAGE_QUEUE": None,
            "SUGGESTIONS_PREEMBED": False,
        }
    )
    with app.app_context():
        upgrade()
        seeded = demo.seed()
        ends_at = db.session.get(Workshop, seeded.workshop_id).ends_at
        data = build(seeded.workshop_id, generated_at=ends_at)
        made = {}
        for fmt in FORMATS:
            started = time.perf_counter()
            made[fmt] = render(data, fmt)
            print(f"{fmt:5} {time.perf_counter() - started:5.2f} s {len(made[fmt]):>9,} bytes")
        db.engine.dispose()
    return made


def write(folder: Path, made: dict[str, bytes], pages: int) -> None:
    """Write demo.<fmt> for each format and the PDF's first `pages` pages as PNG."""
    import pypdfium2

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("demo-page-*.png"):
        old.unlink()
    for fmt, blob in made.items():
        (folder / f"demo.{fmt}").write_bytes(blob)
    pdf = pypdfium2.PdfDocument(made["pdf"])
    try:
        shown = min(pages, len(pdf))
        for n in range(shown):
            pdf[n].render(scale=1.2).to_pil().save(folder / f"demo-page-{n + 1}.png")
        print(f"wrote demo.{{{','.join(made)}}} and {shown} of {len(pdf)} pages to {folder}")
    finally:
        pdf.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "synthesis")
    parser.add_argument("--pages", type=int, default=4, help="PDF pages to render as PNG")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        made = documents(Path(scratch) / "demo.sqlite")
    write(args.out, made, args.pages)


if __name__ == "__main__":
    main()
