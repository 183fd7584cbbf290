"""Bar charts of the synthesis: one model, drawn as inline SVG (HTML), as PNG (DOCX) and
with fpdf2's own shapes (render_pdf).

A bar is labelled with its evidence (an idea's #id, a room or pathway number) rather than
with its text: the table beside each chart holds the text, in any script and direction,
while a chart's own labels stay short and need no text shaping. Agree/disagree results are
stacked agree | disagree | pass, so a divided idea shows as a divided bar.
"""

import io
from dataclasses import dataclass
from html import escape

from flask_babel import gettext as _

from cocreate.synthesis import fonts
from cocreate.synthesis.view import View, clean, idea_ref, number

#: Colour-blind-safe colours (ColorBrewer PRGn / Paul Tol), by series name.
COLOURS = ("#2166ac", "#1b7837", "#762a83", "#999999", "#e08214", "#35978f", "#8c510a")


@dataclass
class Bar:
    """One bar: a short label, its values by series, and a note printed after it."""

    label: str
    values: list[float]
    note: str = ""


@dataclass
class Chart:
    """A horizontal bar chart: stacked series (one bar) or grouped (one thin bar each)."""

    title: str
    series: list[str]
    bars: list[Bar]
    stacked: bool = True
    scale: float | None = None  # fixed maximum (scores: 5), else the largest bar

    @property
    def maximum(self) -> float:
        """The value a full-width bar stands for."""
        if self.scale:
            return self.scale
        totals = [sum(b.values) if self.stacked else max(b.values, default=0) for b in self.bars]
        return max(totals, default=0) or 1.0

    @property
    def colours(self) -> list[str]:
        """One colour per series."""
        return [COLOURS[i % len(COLOURS)] for i in range(len(self.series))]


def _bar(view: View, label: str, results: dict | None) -> Bar:
    """A bar of results in the workshop's voting mode."""
    r = results or {}
    if view.mode == "agree":
        return Bar(
            label,
            [float(r.get(k) or 0) for k in ("agree", "disagree", "pass")],
            _("divisiveness %(v)s", v=number(r.get("divisiveness"))),
        )
    if view.mode == "scores":
        means = {clean(c.get("criterion")): c.get("mean") or 0 for c in r.get("criteria", [])}
        criteria = _criteria(view)
        return Bar(
            label,
            [float(means.get(c, 0)) for c in criteria],
            " / ".join(number(means.get(c, 0)) for c in criteria),
        )
    return Bar(label, [float(r.get("dots") or 0)], number(r.get("dots") or 0))


def _criteria(view: View) -> list[str]:
    """The workshop's criteria names, in order."""
    return [clean(c) for c in view.data["workshop"]["method"].get("criteria", [])]


def _mode_chart(view: View, title: str, bars: list[Bar]) -> Chart:
    """A chart of results in the workshop's voting mode."""
    if view.mode == "agree":
        return Chart(title, [_("agree"), _("disagree"), _("pass")], bars)
    if view.mode == "scores":
        return Chart(title, _criteria(view), bars, stacked=False, scale=5.0)
    return Chart(title, [_("dots")], bars)


def room_chart(view: View, room: dict) -> Chart:
    """A room's top ideas' results in the workshop's voting mode."""
    bars = [_bar(view, idea_ref(i["id"]), i.get("results")) for i in view.room_ideas(room)]
    return _mode_chart(view, _("%(room)s: top ideas", room=clean(room.get("name"))), bars)


def pathway_chart(view: View) -> Chart:
    """Each pathway's support (its ideas' votes added up; P1 = the strongest)."""
    bars = [
        _bar(view, f"P{n}", p.get("support"))
        for n, p in enumerate(view.data.get("pathways", []), start=1)
    ]
    return _mode_chart(view, _("Pathways: support"), bars)


def participation_chart(view: View) -> Chart:
    """People, voters and ideas per room (R1 = the first room)."""
    rooms = view.data.get("participation", {}).get("by_room", [])
    bars = [
        Bar(
            f"R{n}",
            [float(r.get("people", 0)), float(r.get("voters", 0)), float(r.get("ideas", 0))],
            f"{r.get('people', 0)} / {r.get('voters', 0)} / {r.get('ideas', 0)}",
        )
        for n, r in enumerate(rooms, start=1)
    ]
    return Chart(
        _("Participation per room"), [_("people"), _("voters"), _("ideas")], bars, stacked=False
    )


# -- drawing ------------------------------------------------------------------------------

#: Layout in abstract units (SVG pixels; the PNG doubles them).
WIDTH, LABEL, NOTE, ROW, GAP, TOP = 640, 56, 150, 18, 6, 30


def _segments(chart: Chart, bar: Bar, width: float) -> list[tuple[float, float, float, str]]:
    """(x offset, y offset, length, colour) of each piece of a bar `width` wide at most."""
    out = []
    step = ROW / max(len(chart.series), 1)
    x = 0.0
    for k, (value, colour) in enumerate(zip(bar.values, chart.colours, strict=False)):
        length = width * value / chart.maximum
        if chart.stacked:
            out.append((x, 0.0, length, colour))
            x += length
        else:
            out.append((0.0, k * step, length, colour))
    return out


def height(chart: Chart) -> int:
    """The chart's height in layout units."""
    return TOP + len(chart.bars) * (ROW + GAP) + 4


def svg(chart: Chart) -> str:
    """The chart as an inline SVG element (escaped; no script, no style attributes)."""
    bar_width = WIDTH - LABEL - NOTE
    h = height(chart)
    step = ROW / max(len(chart.series), 1)
    title = escape(chart.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {h}" width="{WIDTH}" height="{h}">',
        f"<title>{title}</title>",
    ]
    x = LABEL
    for name, colour in zip(chart.series, chart.colours, strict=False):
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="12">{escape(name)}</text>')
        x += 24 + 8 * len(name)
    for n, bar in enumerate(chart.bars):
        y = TOP + n * (ROW + GAP)
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + ROW - 5}" font-size="12" '
            f'text-anchor="end">{escape(bar.label)}</text>'
        )
        for dx, dy, length, colour in _segments(chart, bar, bar_width):
            if length > 0:
                hh = ROW if chart.stacked else step
                parts.append(
                    f'<rect x="{LABEL + dx:.1f}" y="{y + dy:.1f}" width="{length:.1f}" '
                    f'height="{hh:.1f}" fill="{colour}"/>'
                )
        parts.append(
            f'<text x="{WIDTH - NOTE + 6}" y="{y + ROW - 5}" font-size="11">'
            f"{escape(bar.note)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def png(chart: Chart, scale: int = 2) -> bytes:
    """The chart as a PNG image (Pillow; labels in the PDF's main font)."""
    from PIL import Image, ImageDraw, ImageFont

    face = str(fonts.find().hangul)
    font = ImageFont.truetype(face, 12 * scale)
    small = ImageFont.truetype(face, 11 * scale)
    h = height(chart)
    image = Image.new("RGB", (WIDTH * scale, h * scale), "white")
    draw = ImageDraw.Draw(image)
    step = ROW / max(len(chart.series), 1)
    x = LABEL
    for name, colour in zip(chart.series, chart.colours, strict=False):
        draw.rectangle([x * scale, 6 * scale, (x + 12) * scale, 18 * scale], fill=colour)
        draw.text(((x + 16) * scale, 5 * scale), name, font=font, fill="black")
        x += 24 + int(draw.textlength(name, font=font) / scale)
    bar_width = WIDTH - LABEL - NOTE
    for n, bar in enumerate(chart.bars):
        y = TOP + n * (ROW + GAP)
        draw.text(
            ((LABEL - 6) * scale, (y + 2) * scale), bar.label, font=font, fill="black", anchor="ra"
        )
        for dx, dy, length, colour in _segments(chart, bar, bar_width):
            if length > 0:
                hh = ROW if chart.stacked else step
                draw.rectangle(
                    [
                        (LABEL + dx) * scale,
                        (y + dy) * scale,
                        (LABEL + dx + length) * scale,
                        (y + dy + hh) * scale,
                    ],
                    fill=colour,
                )
        draw.text(((WIDTH - NOTE + 6) * scale, (y + 3) * scale), bar.note, font=small, fill="black")
    out = io.BytesIO()
    # Flat colours compress well even at level 1 (a third less time for a tenth more size);
    # the DOCX zips them again anyway.
    image.save(out, format="PNG", optimize=False, compress_level=1)
    return out.getvalue()


def room_charts(view: View) -> list[tuple[dict, Chart]]:
    """Each room with its chart, in the rooms' order."""
    return [(room, room_chart(view, room)) for room in view.data.get("rooms", [])]


def all_charts(view: View) -> dict[str, object]:
    """Every chart of the document by place: participation, pathways, and one per room."""
    return {
        "participation": participation_chart(view),
        "pathways": pathway_chart(view),
        "rooms": {room["id"]: chart for room, chart in room_charts(view)},
    }
