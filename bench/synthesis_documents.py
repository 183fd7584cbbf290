"""Benchmark and samples: the synthesis documents (HTML, PDF, DOCX) of a big workshop.

Times each renderer on a hand-made synthesis dict (tests/synthesis_sample.py) with
--ideas ideas in --rooms rooms, in the workshop's voting mode. With --write DIR it instead
writes the documents of a small hand-made synthesis to DIR, and the PDF's first pages as
PNG (the samples in docs/synthesis/ come from the demo workshop instead:
`make samples`, scripts/synthesis-samples.py).

    .venv/bin/python bench/synthesis_documents.py                     # 5,000 ideas, 20 rooms
    .venv/bin/python bench/synthesis_documents.py --mode dots --ideas 1000
    .venv/bin/python bench/synthesis_documents.py --write /tmp/hand-made
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from cocreate.synthesis import render_docx, render_html, render_pdf
from tests.synthesis_sample import sample

RENDERERS = {"html": render_html, "pdf": render_pdf, "docx": render_docx}


def write(folder: Path, pages: int) -> None:
    """The demo workshop's documents and the PDF's first `pages` pages as PNG."""
    import pypdfium2

    folder.mkdir(parents=True, exist_ok=True)
    data = sample("agree", rooms=3, ideas=24, hostile=False)
    for name, renderer in RENDERERS.items():
        (folder / f"demo.{name}").write_bytes(renderer.render(data))
    pdf = pypdfium2.PdfDocument(str(folder / "demo.pdf"))
    try:
        for n in range(min(pages, len(pdf))):
            pdf[n].render(scale=1.2).to_pil().save(folder / f"demo-page-{n + 1}.png")
    finally:
        pdf.close()
    print(f"wrote {folder}/demo.html, demo.pdf, demo.docx and {pages} page images")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("dots", "agree", "scores"), default="agree")
    parser.add_argument("--ideas", type=int, default=5000)
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--write", type=Path, help="write the demo documents here instead")
    parser.add_argument("--pages", type=int, default=3)
    args = parser.parse_args()
    if args.write:
        write(args.write, args.pages)
        return
    data = sample(args.mode, rooms=args.rooms, ideas=args.ideas)
    for name, renderer in RENDERERS.items():
        start = time.perf_counter()
        size = len(renderer.render(data))
        took = time.perf_counter() - start
        print(
            f"{name:5} {args.ideas} ideas, {args.rooms} rooms, {args.mode}: "
            f"{took:6.2f} s, {size / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
