"""The fonts the PDF and the chart images are set in, found on this machine.

The PDF embeds its fonts, so it reads the same everywhere; they must cover what people
type in a forum like this: Latin, Hangul, Arabic and Hebrew (shaped, right to left), and
emoji. All come from PyPI wheels, so `pip install` is enough:

- NanumGothic (regular and bold; SIL OFL 1.1), shipped inside `koreanize-matplotlib`:
  Hangul, and the headings. It is a TrueType (glyf) font: fpdf2 2.8 writes wrong
  glyph widths for CID-keyed CFF fonts such as Noto Sans KR/CJK (text extractors and
  Acrobat then space the letters out), so those are not used.
- Noto Sans (the body text), Noto Sans Arabic, Noto Sans Hebrew, Noto Emoji (monochrome)
  and Noto Sans Symbols (SIL OFL 1.1), shipped inside `manimgx-fonts`; all but Noto Sans
  are per-glyph fallbacks.

Without the wheels, Debian's fonts-nanum (TrueType) is used for the main face; a missing
fallback face only drops that script's glyphs, and the rest of the document is intact.
The packages are located, never imported (koreanize-matplotlib would load matplotlib).
"""

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path


class FontMissing(RuntimeError):
    """No font with Hangul glyphs was found."""


@dataclass(frozen=True)
class Fonts:
    """Paths of the faces: the body, bold (headings), Hangul, and the fallbacks by name."""

    regular: Path
    bold: Path
    hangul: Path
    fallbacks: tuple[tuple[str, Path], ...]


def _package_dir(name: str) -> Path | None:
    """The folder of an installed package, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _first(*paths: Path | None) -> Path | None:
    """The first of `paths` that exists."""
    return next((p for p in paths if p is not None and p.is_file()), None)


@cache
def find() -> Fonts:
    """The fonts to use; raises FontMissing when no Hangul face is installed."""
    nanum = _package_dir("koreanize_matplotlib")
    system = Path("/usr/share/fonts/truetype/nanum")
    regular = _first(
        nanum / "fonts" / "NanumGothic.ttf" if nanum else None, system / "NanumGothic.ttf"
    )
    if regular is None:
        raise FontMissing(
            "No Korean font for the PDF: pip install koreanize-matplotlib "
            "(or: apt-get install fonts-nanum)"
        )
    bold = _first(
        nanum / "fonts" / "NanumGothicBold.ttf" if nanum else None,
        system / "NanumGothicBold.ttf",
        regular,
    )
    noto = _package_dir("manimgx_fonts")
    fallbacks = []
    if noto:
        for name, file in (
            ("arabic", "NotoSansArabic[wght].ttf"),
            ("hebrew", "NotoSansHebrew[wght].ttf"),
            ("symbols", "NotoSansSymbols[wght].ttf"),
            ("emoji", "NotoEmoji[wght].ttf"),
        ):
            if (noto / file).is_file():
                fallbacks.append((name, noto / file))
    # Noto Sans sets the body when it is there: NanumGothic, like most Korean fonts, draws
    # the backslash as a won sign. Hangul then comes from NanumGothic as a fallback.
    body = noto / "NotoSans[wght].ttf" if noto else None
    if body is not None and body.is_file():
        return Fonts(body, bold, regular, (("hangul", regular), *fallbacks))
    return Fonts(regular, bold, regular, tuple(fallbacks))
