"""The PDF's font faces, parsed once per process and given to each document fresh.

Parsing a face (its glyph table, metrics and character map, with fontTools) is most of
what fpdf2's `add_font` costs: NanumGothic's 20,000 glyphs take 0.15 to 0.3 s a face, and
fpdf2 closes its faces after `output`, so every download paid for it again. Here each file
is parsed once per process and each document gets its own `TTFFont` made from the parsed
one: the character map, glyph ids and HarfBuzz face are shared read-only; the subset map,
widths and font descriptor (which fpdf2 numbers and fills in at output) are the
document's own, and so is the fontTools font fpdf2 cuts the subset from -- a fresh one,
read lazily from the file, because the subsetter changes the font it cuts. The parsed
font itself is dropped once the face is made: all seven faces then hold about 15 MB.

No lock: documents may render in several threads (the server's thread pool), and under
gevent or eventlet a `threading` lock is a green one that a real thread waiting for it
may never wake from (cocreate/workers.py). Two threads that both find a face missing
both parse it, and either result serves: they are equal.
"""

import copy
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont

#: path -> (the parsed face, its glyph order)
_parsed: dict[Path, tuple[TTFFont, list[str]]] = {}


def _parse(path: Path) -> tuple[TTFFont, list[str]]:
    """The face in `path`, parsed on first use."""
    found = _parsed.get(path)
    if found is None:
        scratch = FPDF()
        scratch.add_font("face", "", str(path))
        face = scratch.fonts["face"]
        _ = face.hbfont  # made now, before documents share the face
        order = list(face.ttfont.getGlyphOrder())
        face.ttfont.close()
        face.ttfont = None  # each document reads its own
        found = _parsed[path] = (face, order)
    return found


def covers(path: Path, code: int) -> bool:
    """True when the face in `path` has a glyph for the character `code`."""
    return code in _parse(path)[0].cmap


def add(pdf: FPDF, family: str, style: str, path: Path) -> TTFFont:
    """Add the face in `path` to `pdf` as `family` in `style` ("" or "B"), as
    `pdf.add_font` would, without parsing it again."""
    parsed, order = _parse(path)
    font = copy.copy(parsed)
    font.i = len(pdf.fonts) + 1
    font.fontkey = f"{family.lower()}{style}"
    font.emphasis = TextEmphasis.coerce(style)
    font.cw = parsed.cw.copy()  # a defaultdict: looking up a missing glyph adds it
    font.desc = copy.copy(parsed.desc)  # output gives it an object number
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    ttfont = ttLib.TTFont(path, recalcTimestamp=False, lazy=True)
    ttfont.setGlyphOrder(list(order))  # naming 20,000 glyphs from the cmap is slow
    font.ttfont = ttfont
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font
    return font
