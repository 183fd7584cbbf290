"""Lines of text written straight into an fpdf2 document's page content.

`FPDF.cell` costs about half a millisecond a line (it parses every character for
markdown, builds fragments and copies the graphics state), and the synthesis of a big
workshop places twenty thousand lines. This writes what `cell` would write for one line
of one size and style -- the fonts' glyph ids, positioned in a text object -- in a few
microseconds, using fpdf2's own font objects: each glyph is picked in the font's subset
map, so the subsetting, the widths and the ToUnicode map (copying text out) work as for
fpdf2's own text, and the fonts are registered with each page's resources.

Characters the main face lacks go to fpdf2's fallback faces, as `cell` does. A line that
needs shaping (right-to-left scripts, combining marks, emoji sequences) is split into
bidirectional runs by fpdf2's Unicode bidi algorithm and shaped by HarfBuzz; everything
else is looked up glyph by glyph. Shaping results are cached per run of text.

A fallback face is added to the document the first time a character needs it (faces come
parsed from cocreate/synthesis/pdf_fonts.py), so a document embeds only the faces it uses
and nothing has to read all the text beforehand.
"""

import unicodedata
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path

import uharfbuzz as hb
from fpdf import FPDF
from fpdf.bidi import BidiParagraph, auto_detect_base_direction
from fpdf.enums import PDFResourceType, TextDirection
from fpdf.fonts import TTFFont

from cocreate.synthesis import pdf_fonts

#: One shaped glyph: its code in the subset (4 hex digits), then HarfBuzz's advances and
#: offsets in font units, and whether it must be placed explicitly (its advance is not
#: its width, or it is moved off the baseline).
Glyph = tuple[str, int, int, int, int, bool]


def _shapes(char: str) -> bool:
    """True when `char` needs HarfBuzz: right-to-left, a combining mark or joiner, an
    emoji modifier or flag letter (a lone emoji is one glyph and needs none)."""
    code = ord(char)
    if code < 0x0300 or 0xAC00 <= code <= 0xD7A3:  # Latin and Hangul syllables
        return False
    if 0x1F1E6 <= code <= 0x1F1FF or 0x1F3FB <= code <= 0x1F3FF:  # flags, skin tones
        return True
    if unicodedata.bidirectional(char) in ("R", "AL", "AN", "NSM"):
        return True
    return unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")


_SHAPES: dict[str, bool] = {}
#: Characters seen not to need shaping (a line of only those is settled in one look-up).
_PLAIN: set[str] = set()


def needs_shaping(text: str) -> bool:
    """True when some character of `text` needs shaping (see `_shapes`)."""
    if text.isascii() or _PLAIN.issuperset(text):
        return False
    for char in set(text).difference(_PLAIN):
        found = _SHAPES.get(char)
        if found is None:
            found = _SHAPES[char] = _shapes(char)
        if found:
            return True
    _PLAIN.update(text)
    return False


def _right_to_left(text: str) -> bool:
    """True when `text` has a right-to-left or Arabic-number character (bidi needed)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL", "AN") for c in text)


#: Bytes a PDF literal string must escape (a bare CR would be read as LF).
_ESCAPES = {0x28: "\\(", 0x29: "\\)", 0x5C: "\\\\", 0x0D: "\\r", 0x0A: "\\n"}


def _code(glyph: int) -> str:
    """A glyph code (two bytes, Identity-H) inside a PDF literal string, as the latin-1
    characters fpdf2 writes out byte for byte: half the size of a hex string, so the page
    streams compress in half the time."""
    return "".join(_ESCAPES.get(b, chr(b)) for b in glyph.to_bytes(2, "big"))


class Typesetter:
    """Measures and places single lines of text in `pdf`'s fonts ("main", "mainB") and
    the `fallbacks` (name, path), first match wins, added to `pdf` when first needed."""

    def __init__(self, pdf: FPDF, family: str = "main", fallbacks: Sequence[tuple[str, Path]] = ()):
        self.pdf = pdf
        self.family = family
        self.fallbacks = tuple(fallbacks)
        self._faces: dict[str, dict[str, TTFFont]] = {}  # style -> character -> face
        self._covered: dict[str, set[str]] = {}  # characters the main face has, by style
        self._uncovered: dict[str, set[str]] = {}  # and those it lacks
        self._registered: set[tuple[int, int]] = set()  # (font.i, page) in the resources
        # font.i -> (a translate table from characters to glyph codes in hex, its keys)
        self._codes: dict[int, tuple[dict[int, str], set[str]]] = {}
        # style -> characters the main face draws whose codes are picked: a line of only
        # those is one translate (most lines)
        self._ready: dict[str, set[str]] = {"": set(), "B": set()}
        self._colours: dict[tuple, str] = {}  # (text colour, fill colour) -> how a line opens
        self._widths: dict[tuple, dict[str, float]] = {}
        self._plain: dict[str, dict[str, int]] = {}  # style -> character -> width
        self._advances: dict[tuple, int] = {}
        self._shaped: dict[tuple, tuple[list[Glyph], int]] = {}

    # -- fonts --------------------------------------------------------------------------
    def main(self, style: str) -> TTFFont:
        """The main face in `style` ("" or "B")."""
        return self.pdf.fonts[self.family + style]

    def face(self, char: str, style: str) -> TTFFont:
        """The face that draws `char`: the main one, else the first fallback that has it."""
        return self._faces_for(style, char)[char]

    def _faces_for(self, style: str, text: str) -> dict[str, TTFFont]:
        """Which face draws each character, by style, with the characters of `text` in."""
        faces = self._faces.setdefault(style, {})
        missing = set(text).difference(faces)
        if missing:
            main = self.main(style)
            for char in missing:
                code = ord(char)
                faces[char] = main if code in main.cmap else self._fallback(code) or main
        return faces

    def _fallback(self, code: int) -> TTFFont | None:
        """The first fallback face with the character `code` (added to the document)."""
        for name, path in self.fallbacks:
            if pdf_fonts.covers(path, code):
                font = self.pdf.fonts.get(name)
                return font or pdf_fonts.add(self.pdf, name, "", path)
        return None

    def runs(self, text: str, style: str) -> list[tuple[TTFFont, str]]:
        """`text` cut where the face changes."""
        main = self.main(style)
        chars = set(text)
        covered = self._covered.setdefault(style, set())
        if chars <= covered:
            return [(main, text)]
        faces = self._faces_for(style, text)
        other = self._uncovered.setdefault(style, set())
        if not chars <= other:
            for char in chars.difference(covered, other):
                (covered if faces[char] is main else other).add(char)
            if chars <= covered:
                return [(main, text)]
        return [(font, "".join(run)) for font, run in groupby(text, faces.__getitem__)]

    def _codes_of(self, font: TTFFont, text: str) -> str:
        """The glyph codes of `text` in `font`'s subset as the inside of a PDF literal
        string (picking new ones)."""
        table, known = self._codes.setdefault(font.i, ({}, set()))
        chars = set(text)
        if not chars <= known:
            # In the order of the text, not of the set: codes are given out in the order
            # glyphs are first picked, and the same data must give the same bytes.
            for char in dict.fromkeys(c for c in text if c not in known):
                picked = font.subset.pick(ord(char))
                table[ord(char)] = "" if picked is None else _code(picked)
            known.update(chars)
        return text.translate(table)

    # -- shaping ------------------------------------------------------------------------
    @staticmethod
    def _buffer(font: TTFFont, text: str, direction: TextDirection | None) -> hb.Buffer:
        """HarfBuzz's glyphs for `text` (as fpdf2 shapes: cluster level 1, no features)."""
        buf = hb.Buffer()
        buf.cluster_level = 1
        buf.add_str(text)
        buf.guess_segment_properties()
        if direction is not None:
            buf.direction = direction.value.lower()
        hb.shape(font.hbfont, buf, {})
        return buf

    def _advance(self, font: TTFFont, text: str) -> int:
        """The shaped width of `text` in thousandths of the font size."""
        key = (font.i, text)
        found = self._advances.get(key)
        if found is None:
            buf = self._buffer(font, text, None)
            found = sum(round(font.scale * p.x_advance + 0.001) for p in buf.glyph_positions)
            self._advances[key] = found
        return found

    def _shape(self, font: TTFFont, text: str, direction: TextDirection) -> tuple[list[Glyph], int]:
        """`text` shaped in `direction`, its glyphs picked in the subset (fpdf2's
        `TTFFont.shape_text`, kept per run of text)."""
        key = (font.i, text, direction)
        found = self._shaped.get(key)
        if found is not None:
            return found
        buf = self._buffer(font, text, direction)
        infos, positions = buf.glyph_infos, buf.glyph_positions
        # The characters each glyph stands for (a ligature stands for several), so that
        # copying the text out of the PDF gives them back.
        clusters = sorted({int(g.cluster) for g in infos})
        members: dict[int, list[int]] = {}
        k = 0
        for index, char in enumerate(text):
            while k + 1 < len(clusters) and clusters[k + 1] <= index:
                k += 1
            members.setdefault(clusters[k] if clusters else 0, []).append(ord(char))
        glyphs: list[Glyph] = []
        hmtx = font.ttfont["hmtx"].metrics
        width = 0
        for info, pos in zip(infos, positions, strict=True):
            name = font.ttfont.getGlyphName(info.codepoint)
            own = round(font.scale * hmtx[name][0])
            glyph = font.subset.get_glyph(
                glyph=info.codepoint,
                unicode=tuple(members.pop(info.cluster, ())),
                glyph_name=name,
                glyph_width=own,
            )
            width += round(font.scale * pos.x_advance + 0.001)
            if glyph is None:
                continue
            moved = own != pos.x_advance or pos.x_offset or pos.y_offset or pos.y_advance
            code = font.subset.pick_glyph(glyph)
            glyphs.append(
                (
                    f"{code:04X}",
                    pos.x_advance,
                    pos.y_advance,
                    pos.x_offset,
                    pos.y_offset,
                    bool(moved),
                )
            )
        found = self._shaped[key] = (glyphs, width)
        return found

    def _pieces(self, text: str, style: str) -> list[tuple[TTFFont, str, TextDirection]]:
        """A line needing shaping as runs of one face and one direction, left to right
        (fpdf2's `TextLine.get_ordered_fragments`)."""
        if _right_to_left(text):
            base = auto_detect_base_direction(text)
            segments = BidiParagraph(
                text=text, base_direction=base, preserve_bn_chars=True
            ).get_bidi_fragments()
        else:
            base, segments = TextDirection.LTR, ((text, TextDirection.LTR),)
        groups: list[list[tuple[TTFFont, str, TextDirection]]] = []
        for segment, direction in segments:
            for font, run in self.runs(segment, style):
                if groups and groups[-1][0][2] == direction:
                    groups[-1].append((font, run, direction))
                else:
                    groups.append([(font, run, direction)])
        if base == TextDirection.RTL:
            groups.reverse()
        return [
            piece
            for group in groups
            for piece in (group[::-1] if group[0][2] == TextDirection.RTL else group)
        ]

    # -- measuring and placing ---------------------------------------------------------
    def widths(self, style: str, size: float, shaped: bool) -> dict[str, float]:
        """The cache of measured widths for `style`, `size` and shaping (text -> width)."""
        return self._widths.setdefault((style, size, shaped), {})

    def width(self, text: str, style: str, size: float, shaped: bool | None = None) -> float:
        """The width of `text` in `style` at `size` points, in the document's unit."""
        if shaped is None:
            shaped = needs_shaping(text)
        cache = self.widths(style, size, shaped)
        found = cache.get(text)
        if found is None:
            if shaped:
                units = sum(self._advance(font, run) for font, run in self.runs(text, style))
            else:
                units = self._units(text, style)
            found = cache[text] = units * size / 1000 / self.pdf.k
        return found

    def _units(self, text: str, style: str) -> int:
        """The unshaped width of `text` in thousandths of the font size."""
        table = self._plain.setdefault(style, {})
        try:
            return sum(map(table.__getitem__, text))
        except KeyError:
            faces = self._faces_for(style, text)
            for char in set(text).difference(table):
                table[char] = faces[char].cw[ord(char)]
            return sum(map(table.__getitem__, text))

    def line(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        text: str,
        *,
        style: str = "",
        size: float = 10,
        align: str = "L",
        shaped: bool | None = None,
    ) -> None:
        """`text` on one line in the box at x, y (w wide, h high), as `pdf.cell` would
        place it: vertically centred, one cell margin in from the left or right (`align`
        "L" or "R"), or centred ("C"). `shaped` says whether it needs shaping (worked out
        when not given)."""
        if not text:
            return
        pdf = self.pdf
        k = pdf.k
        scale = size / 1000 / k  # font units (thousandths) to the document's unit
        pieces: list[tuple[TTFFont, str | list[Glyph], int]] = []
        if needs_shaping(text) if shaped is None else shaped:
            for font, run, direction in self._pieces(text, style):
                glyphs, units = self._shape(font, run, direction)
                pieces.append((font, glyphs, units))
        else:
            ready = self._ready.setdefault(style, set())
            if ready.issuperset(text):
                main = self.main(style)
                units = self._units(text, style) if align != "L" else 0
                pieces.append((main, text.translate(self._codes[main.i][0]), units))
            else:
                for font, run in self.runs(text, style):
                    units = self._units(run, style) if align != "L" else 0
                    pieces.append((font, self._codes_of(font, run), units))
                if len(pieces) == 1 and pieces[0][0] is self.main(style):
                    ready.update(text)
        if align == "L":
            left = x + pdf.c_margin
        elif align == "C":
            left = x + (w - sum(p[2] for p in pieces) * scale) / 2
        else:
            left = x + w - pdf.c_margin - sum(p[2] for p in pieces) * scale
        base = y + 0.5 * h + 0.3 * size / k  # the baseline, from the top
        colours = (pdf.text_color, pdf.fill_color)
        colour = self._colours.get(colours)
        if colour is None:
            colour = self._colours[colours] = (
                "q " + colours[0].serialize().lower() if colours[0] != colours[1] else "q"
            )
        out = [colour, f"BT {left * k:.2f} {(pdf.h - base) * k:.2f} Td"]
        current = None
        pos_x = left
        for font, glyphs, _units in pieces:
            if font is not current:
                current = font
                out.append(f"/F{font.i} {size:.2f} Tf")
                if (font.i, pdf.page) not in self._registered:
                    self._registered.add((font.i, pdf.page))
                    pdf._resource_catalog.add(PDFResourceType.FONT, font.i, pdf.page)
                if font.biggest_size_pt < size:
                    font.biggest_size_pt = size
            if isinstance(glyphs, str):
                if glyphs:
                    out.append(f"({glyphs}) Tj")
                continue
            pos_x = self._place(out, font, glyphs, pos_x, base, size)
        out.append("ET Q")
        pdf._out(" ".join(out))

    def _place(
        self, out: list[str], font: TTFFont, glyphs: list[Glyph], x: float, y: float, size: float
    ) -> float:
        """Shaped glyphs from x on the baseline y (fpdf2's `render_with_text_shaping`);
        returns where the next glyph goes."""
        pdf = self.pdf
        k, page_h = pdf.k, pdf.h
        unit = font.scale * size / 1000 / k
        text = ""
        for code, x_advance, y_advance, x_offset, y_offset, moved in glyphs:
            if x_offset or y_offset:
                if text:
                    out.append(f"<{text}> Tj")
                    text = ""
                out.append(
                    f"1 0 0 1 {(x + x_offset * unit) * k:.2f} "
                    f"{(page_h - y + y_offset * unit) * k:.2f} Tm"
                )
            text += code
            x += x_advance * unit
            y += y_advance * unit  # as fpdf2 does (zero in horizontal text)
            if moved:
                out.append(f"<{text}> Tj")
                text = ""
                out.append(f"1 0 0 1 {x * k:.2f} {(page_h - y) * k:.2f} Tm")
        if text:
            out.append(f"<{text}> Tj")
        return x
