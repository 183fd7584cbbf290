"""The synthesis as PDF (fpdf2, text shaped by HarfBuzz through uharfbuzz).

Pure Python from PyPI: no system library is needed, so `pip install` gives working PDFs.
The fonts are embedded (subset): NanumGothic for Latin and Hangul, with Noto faces as
per-glyph fallbacks for Arabic and Hebrew (shaped, right to left) and monochrome emoji
(cocreate/synthesis/fonts.py). Charts are drawn as vector shapes from the same chart model
as the HTML's SVG. Participant text is only ever laid out as text (never as markup), so a
hostile string is inert. The creation date and the file id come from the data's
"generated_at", so the same data gives the same bytes.
"""

import hashlib
import logging
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from fpdf import FPDF

from cocreate import collector
from cocreate.synthesis import charts, fonts, pdf_fonts
from cocreate.synthesis.charts import Chart
from cocreate.synthesis.pdf_text import Typesetter, needs_shaping
from cocreate.synthesis.view import (
    RoleTable,
    View,
    clean,
    generated,
    is_rtl,
    prepare,
    refs,
    when,
)

# NanumGothic carries its hinting sources (TSI* tables); the subsetter drops them, rightly,
# and would say so on every render.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

BLUE = (33, 102, 172)
GREY = (68, 68, 68)
EMPTY = (253, 224, 221)
HEAD = (238, 242, 247)


def generated_at(data: dict) -> datetime:
    """The data's generation time as an aware datetime (the epoch if it is missing)."""
    try:
        moment = datetime.fromisoformat(str(data.get("generated_at")).replace("Z", "+00:00"))
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Document(FPDF):
    """An A4 page with the workshop's title and a page number at the foot."""

    footer_text = ""
    typesetter: Typesetter

    def footer(self) -> None:
        """Title and page number."""
        self.set_text_color(*GREY)
        width = self.w - self.l_margin - self.r_margin
        text = f"{self.footer_text} · {self.page_no()}"
        self.typesetter.line(self.l_margin, self.h - 12, width, 6, text, size=8, align="C")
        self.set_text_color(0)


def _new_document(data: dict) -> _Document:
    """An empty document with the main faces in; fallback faces come in when a character
    needs one (cocreate/synthesis/pdf_text.py)."""
    found = fonts.find()
    pdf = _Document(format="A4")
    pdf.set_margins(16, 16, 16)
    pdf.set_auto_page_break(True, margin=18)
    pdf_fonts.add(pdf, "main", "", found.regular)
    pdf_fonts.add(pdf, "main", "B", found.bold)
    pdf.set_text_shaping(True)
    moment = generated_at(data)
    pdf.set_creation_date(moment)
    title = clean(data.get("workshop", {}).get("title"))
    pdf.set_title(title)
    pdf.set_creator("Cocreate")
    pdf.set_lang(clean(data.get("language") or "en"))
    pdf.footer_text = title[:80]
    pdf.typesetter = Typesetter(pdf, fallbacks=found.fallbacks)
    return pdf


class _Writer:
    """Lays the view out on the pages."""

    def __init__(self, pdf: _Document, view: View):
        self.pdf = pdf
        self.view = view
        self.type = pdf.typesetter

    def lines(
        self, text: str, width: float, style: str, size: float, shaped: bool | None = None
    ) -> list[str]:
        """`text` broken into lines of at most `width` (fpdf2's own breaking is quadratic)."""
        if shaped is None:
            shaped = needs_shaping(text)
        measure = self.type.width
        if "\n" not in text and measure(text, style, size, shaped) <= width:
            return [text]  # most texts: one line
        known = self.type.widths(style, size, shaped)
        out = []
        space = measure(" ", style, size, shaped)
        for paragraph in text.split("\n"):
            line, used = [], 0.0
            for word in paragraph.split(" "):
                w = known.get(word)
                if w is None:
                    w = measure(word, style, size, shaped)
                while w > width and len(word) > 1:  # a word longer than the line
                    cut = max(1, int(len(word) * width / w) - 1)
                    if line:
                        out.append(" ".join(line))
                        line, used = [], 0.0
                    out.append(word[:cut])
                    word = word[cut:]
                    w = measure(word, style, size, shaped)
                extra = w if not line else used + space + w
                if line and extra > width:
                    out.append(" ".join(line))
                    line, used = [word], w
                else:
                    line.append(word)
                    used = extra
            out.append(" ".join(line))
        return out

    def text(
        self,
        text: str,
        size: float,
        width: float | None = None,
        style: str = "",
        leading: float = 0.45,
    ) -> None:
        """`text` at `size`, wrapped, from the left margin down (a new page when full);
        lines `leading` times the size apart (in mm per point)."""
        pdf = self.pdf
        width = width or pdf.w - pdf.l_margin - pdf.r_margin
        height = size * leading
        shaped = needs_shaping(text)
        place = self.type.line
        for line in self.lines(text, width - 1, style, size, shaped):
            if pdf.y + height > pdf.page_break_trigger:
                pdf.add_page()
            align = "R" if shaped and is_rtl(line) else "L"
            place(
                pdf.l_margin,
                pdf.y,
                width,
                height,
                line,
                style=style,
                size=size,
                align=align,
                shaped=shaped,
            )
            pdf.x, pdf.y = pdf.l_margin, pdf.y + height

    # -- blocks -----------------------------------------------------------------------
    def heading(self, text: str, level: int = 2) -> None:
        """A heading (an outline entry too, so PDF readers list the sections)."""
        pdf = self.pdf
        size = {1: 20, 2: 15, 3: 12, 4: 11}[level]
        if pdf.get_y() > pdf.h - 70:  # keep a heading with what follows it
            pdf.add_page()
        pdf.ln(3 if level > 2 else 5)
        if level <= 3:
            pdf.start_section(text[:120], level=level - 1)
        pdf.set_text_color(*(BLUE if level == 2 else (0, 0, 0)))
        self.text(text, size, style="B", leading=0.5)
        pdf.set_text_color(0)
        pdf.ln(1)

    def para(self, text: str, size: float = 10, grey: bool = False, bold: bool = False) -> None:
        """A paragraph of text."""
        pdf = self.pdf
        if grey:
            pdf.set_text_color(*GREY)
        self.text(text, size, style="B" if bold else "")
        pdf.set_text_color(0)
        pdf.ln(0.8)

    def table(
        self,
        headings: list[str],
        rows: list[list[str]],
        widths: tuple[int, ...],
        *,
        size: float = 8.5,
        empty: set[tuple[int, int]] = frozenset(),
        numbers: set[tuple[int, int]] = frozenset(),
    ) -> None:
        """A grid table whose heading row repeats on each page; `empty` cells are shaded,
        `numbers` aligned right.

        Drawn cell by cell with the cached line breaking (fpdf2's own table lays each cell
        out twice and breaks lines in quadratic time: minutes for thousands of ideas).
        """
        pdf = self.pdf
        total = pdf.w - pdf.l_margin - pdf.r_margin
        columns = [total * w / sum(widths) for w in widths]
        line = size * 0.45
        pad = 1.0

        def draw(values: list[str], r: int | None, bold: bool) -> None:
            style = "B" if bold else ""
            wrapped = [
                self.lines(v, c - 2 * pad, style, size)
                for v, c in zip(values, columns, strict=False)
            ]
            height = max(len(w) for w in wrapped) * line + 2 * pad
            if pdf.get_y() + height > pdf.h - pdf.b_margin and r is not None:
                pdf.add_page()
                draw(headings, None, True)
            x, y = pdf.l_margin, pdf.get_y()
            for c, (lines, width) in enumerate(zip(wrapped, columns, strict=False)):
                shaded = bold or (r, c) in empty
                if shaded:
                    pdf.set_fill_color(*(HEAD if bold else EMPTY))
                pdf.rect(x, y, width, height, style="DF" if shaded else "D")
                for k, text in enumerate(lines):
                    self.type.line(
                        x + pad,
                        y + pad + k * line,
                        width - 2 * pad,
                        line,
                        text,
                        style=style,
                        size=size,
                        align="R" if (r, c) in numbers or is_rtl(text) else "L",
                    )
                x += width
            pdf.set_fill_color(255)
            pdf.set_xy(pdf.l_margin, y + height)

        draw(headings, None, True)
        for r, values in enumerate(rows):
            draw(values, r, False)
        pdf.ln(2)

    def role_table(self, caption: str, table: RoleTable | None) -> None:
        """Results by stakeholder role under a small caption, with the few-voters note."""
        if table is None:
            return
        self.para(caption, 9, bold=True)
        lead = (10,) if table.by_idea else ()
        figures = (14,) * (len(table.headings) - len(lead) - 2)
        widths = (*lead, 30, 13, *figures)
        self.table(table.headings, table.rows, widths, size=7.5, numbers=table.numbers)
        if table.note:
            self.para(table.note, 8, grey=True)

    def chart(self, chart: Chart) -> None:
        """A bar chart drawn with vector shapes, full text width."""
        pdf = self.pdf
        if not chart.bars:
            return
        scale = (pdf.w - pdf.l_margin - pdf.r_margin) / charts.WIDTH
        needed = charts.height(chart) * scale
        if pdf.get_y() + needed > pdf.h - 20:
            pdf.add_page()
        x0, y0 = pdf.l_margin, pdf.get_y()
        line = self.type.line
        line(x0, y0, charts.WIDTH * scale, 5, chart.title, style="B", size=9)
        y0 += 5
        x = x0 + charts.LABEL * scale
        for name, colour in zip(chart.series, chart.colours, strict=False):
            pdf.set_fill_color(*_rgb(colour))
            pdf.rect(x, y0 + 1, 3, 3, style="F")
            width = self.type.width(name, "", 7.5)
            line(x + 4, y0, width + 2, 5, name, size=7.5)
            x += width + 10
        bar_width = (charts.WIDTH - charts.LABEL - charts.NOTE) * scale
        row = charts.ROW * scale
        step = row / max(len(chart.series), 1)
        y = y0 + (charts.TOP - 12) * scale
        for bar in chart.bars:
            line(x0, y, charts.LABEL * scale - 2, row, bar.label, size=7.5, align="R")
            for dx, dy, length, colour in charts._segments(chart, bar, bar_width):
                if length > 0:
                    pdf.set_fill_color(*_rgb(colour))
                    h = row if chart.stacked else step
                    pdf.rect(x0 + charts.LABEL * scale + dx, y + dy * scale, length, h, "F")
            line(
                x0 + (charts.WIDTH - charts.NOTE + 4) * scale,
                y,
                charts.NOTE * scale,
                row,
                bar.note,
                size=7.5,
            )
            y += (charts.ROW + charts.GAP) * scale
        pdf.set_fill_color(255)
        pdf.set_xy(x0, y + 2)
        pdf.ln(2)

    # -- sections -----------------------------------------------------------------------
    def cover(self) -> None:
        """Title, question, times in every zone, organizers."""
        w = self.view.data.get("workshop", {})
        self.heading(clean(w.get("title")), 1)
        self.para(clean(w.get("question")), 13)
        if w.get("description"):
            self.para(clean(w.get("description")))
        for t in w.get("times") or []:
            self.para(f"{clean(t.get('zone'))}: {when(t.get('starts'))} – {when(t.get('ends'))}")  # noqa: RUF001
        if w.get("organizers"):
            self.para(_("Organizers") + ": " + "; ".join(clean(o) for o in w["organizers"]))
        self.para(_("Generated at") + ": " + generated(self.view.data), grey=True)

    def method(self) -> None:
        """Voting mode, budget, criteria, phases."""
        self.heading(_("Method"))
        for line in method_lines(self.view):
            self.para("• " + line)

    def participation(self) -> None:
        """Totals, the per-room chart and tables."""
        p = self.view.data.get("participation") or {}
        self.heading(_("Participation"))
        self.para(
            _(
                "%(people)s people took part (%(paper)s on paper); %(voters)s voted.",
                people=p.get("people", 0),
                paper=p.get("paper", 0),
                voters=p.get("voters", 0),
            )
        )
        self.chart(charts.participation_chart(self.view))
        self.table(
            ["#", _("Room"), _("People"), _("On paper"), _("Voters"), _("Ideas")],
            [
                [
                    f"R{n}",
                    clean(r.get("name")),
                    *(str(r.get(k, 0)) for k in ("people", "paper", "voters", "ideas")),
                ]
                for n, r in enumerate(p.get("by_room") or [], start=1)
            ],
            (8, 40, 13, 13, 13, 13),
        )
        self.table(
            [_("Role"), _("People"), _("On paper"), _("Voters")],
            [
                [
                    clean(r.get("role")) or _("no role given"),
                    str(r.get("people", 0)),
                    str(r.get("paper", "—")),
                    str(r.get("voters", 0)),
                ]
                for r in p.get("by_role") or []
            ],
            (40, 15, 15, 15),
        )

    def pathways(self) -> None:
        """Each pathway, strongest first, with its steps and evidence."""
        view = self.view
        pathways = view.data.get("pathways") or []
        self.heading(_("Pathways toward equality"))
        if not pathways:
            self.para(_("No pathway was drafted."))
            return
        self.para(
            _(
                "Strongest support first. Support is the votes on the ideas a pathway "
                "builds on, added up."
            )
        )
        self.chart(charts.pathway_chart(view))
        for n, pw in enumerate(pathways, start=1):
            self.heading(f"P{n}. {clean(pw.get('title'))}", 3)
            self.para(pathway_evidence(view, pw), 9, grey=True)
            if pw.get("challenge"):
                self.para(_("Challenge") + ": " + clean(pw["challenge"]))
            if pw.get("vision"):
                self.para(_("Vision") + ": " + clean(pw["vision"]))
            if pw.get("steps"):
                self.table(
                    ["#", _("Action"), _("Who"), _("When"), _("Indicator")],
                    [
                        [
                            str(k),
                            clean(s.get("action")),
                            clean(s.get("actor")),
                            horizon(s.get("horizon")),
                            clean(s.get("indicator")),
                        ]
                        for k, s in enumerate(pw["steps"], start=1)
                    ],
                    (6, 40, 22, 14, 30),
                )
            self.role_table(_("Support by stakeholder role"), view.support_by_role(pw))
            for heading, labels in view.tag_line(pw.get("tag_ids") or []):
                self.para(f"{heading}: {labels}", 9)
            self.para(_("Builds on ideas") + ": " + refs(pw.get("idea_ids") or []), 9, grey=True)
            for c in pw.get("comments") or []:
                who = clean(c.get("author")) or _("anonymous")
                self.para(f"“{clean(c.get('text'))}” — {who}", 8.5, grey=True)

    def cross_themes(self) -> None:
        """The themes several rooms share."""
        self.heading(_("Cross-room themes"))
        items = self.view.data.get("cross_themes") or []
        if not items:
            self.para(_("No cross-room theme was kept."))
        for ct in items:
            self.heading(clean(ct.get("name")), 4)
            if ct.get("description"):
                self.para(clean(ct["description"]))
            self.para(_("Support") + ": " + self.view.results(ct.get("support")), 9, grey=True)
            for t in ct.get("themes") or []:
                self.para(f"• {clean(t.get('room'))}: {clean(t.get('name'))}", 9)

    def rooms(self) -> None:
        """Each room's chart, top ideas and themes."""
        view = self.view
        self.heading(_("Rooms"))
        for room in view.data.get("rooms") or []:
            self.heading(clean(room.get("name")), 3)
            if room.get("topic"):
                self.para(clean(room["topic"]))
            self.para(
                _(
                    "%(people)s people, %(voters)s voted.",
                    people=room.get("people", 0),
                    voters=room.get("voters", 0),
                ),
                9,
                grey=True,
            )
            top = view.room_ideas(room)
            if top:
                self.chart(charts.room_chart(view, room))
                self.table(
                    [_("Idea"), _("Text"), _("Results")],
                    [
                        [f"#{i['id']}", clean(i.get("text")), view.results(i.get("results"))]
                        for i in top
                    ],
                    (10, 60, 40),
                )
                self.role_table(_("Top ideas by stakeholder role"), view.ideas_by_role(top))
            for t in room.get("themes") or []:
                self.para(
                    f"{clean(t.get('name'))}: {view.results(t.get('support'))} · "
                    + _("ideas")
                    + " "
                    + refs(t.get("idea_ids") or []),
                    9,
                )

    def coverage(self) -> None:
        """The rights-by-groups and domains-by-groups matrices, with the gaps named."""
        self.heading(_("Intersectional coverage"))
        self.para(
            _(
                "Each cell counts the ideas / pathways tagged with both the row and the "
                "column. Empty cells are shaded."
            )
        )
        for mx in self.view.matrices:
            if not mx.rows or not mx.columns:
                continue
            self.heading(mx.title, 4)
            first = 34
            other = max(8, int((178 - first) / len(mx.columns)))
            empty = {
                (r, c + 1)
                for r, row in enumerate(mx.cells)
                for c, cell in enumerate(row)
                if cell.empty
            }
            self.table(
                ["", *mx.columns],
                [
                    [mx.rows[r], *(f"{c.ideas} / {c.pathways}" for c in row)]
                    for r, row in enumerate(mx.cells)
                ],
                (first, *([other] * len(mx.columns))),
                size=7,
                empty=empty,
            )
            if mx.gaps:
                self.para(_("Not addressed") + ": " + "; ".join(mx.gaps), 9, bold=True)

    def appendix(self) -> None:
        """Every visible idea: a line of evidence, then its text (paper ideas marked).

        Laid out idea by idea rather than as one table, and shaped only where the text
        needs it (right-to-left scripts, combining marks, emoji sequences): thousands of
        ideas stay fast.
        """
        view, pdf = self.view, self.pdf
        pdf.add_page()
        self.heading(_("Appendix: every visible idea"))
        width = pdf.w - pdf.l_margin - pdf.r_margin
        rooms = {r["id"]: clean(r.get("name")) for r in view.data.get("rooms") or []}
        for i in view.data.get("ideas") or []:
            head = " · ".join(
                part
                for part in (
                    f"#{i['id']}",
                    rooms.get(i.get("room_id"), ""),
                    view.author(i),
                    view.results(i.get("results")),
                )
                if part
            )
            text = clean(i.get("text"))
            details = clean(i.get("details"))
            tags = "; ".join(view.tag(t) for t in i.get("tag_ids") or [])
            if pdf.get_y() > pdf.h - 34:
                pdf.add_page()
            pdf.set_text_color(*GREY)
            self.text(head, 7, width)
            pdf.set_text_color(0)
            for part, size in ((text, 8.5), (details, 7.5), (tags, 7)):
                if part:
                    self.text(part, size, width)
            pdf.ln(1.2)


def _rgb(colour: str) -> tuple[int, int, int]:
    """#rrggbb as a tuple."""
    return tuple(int(colour[k : k + 2], 16) for k in (1, 3, 5))


def horizon(value: object) -> str:
    """A step's horizon in words."""
    return {"short": _("short term"), "medium": _("medium term"), "long": _("long term")}.get(
        str(value), clean(value)
    )


def method_lines(view: View) -> list[str]:
    """The method, one line each."""
    m = view.data.get("workshop", {}).get("method") or {}
    modes = {"dots": _("dots"), "agree": _("agree / disagree / pass"), "scores": _("scores")}
    lines = [_("Voting mode: %(mode)s", mode=modes.get(view.mode, view.mode))]
    if view.mode == "dots":
        lines.append(
            _(
                "%(dots)s dots per person and room, at most %(max)s on one idea",
                dots=m.get("dots_per_room"),
                max=m.get("max_dots_per_idea"),
            )
        )
    if view.mode == "scores" and m.get("criteria"):  # other modes keep them, unused
        criteria = "; ".join(clean(c) for c in m["criteria"])
        lines.append(_("Criteria (scored 1–5)") + ": " + criteria)  # noqa: RUF001
    if m.get("phases"):
        lines.append(_("Phases of each room") + ": " + ", ".join(clean(p) for p in m["phases"]))
    lines.append(
        _("Ideas reviewed before they were shown")
        if m.get("premoderation")
        else _("Ideas shown as soon as they were posted")
    )
    lines.append(_("Each figure names its evidence: #12 is idea 12 in the appendix."))
    return lines


def pathway_evidence(view: View, pw: dict) -> str:
    """A pathway's room, support and endorsements in one line."""
    return " · ".join(
        [
            _("Room") + ": " + clean(pw.get("room")),
            _("Support") + ": " + view.results(pw.get("support")),
            ngettext("%(num)s endorsement", "%(num)s endorsements", pw.get("endorsements") or 0),
        ]
    )


def render(data: dict) -> bytes:
    """The synthesis as a PDF document."""
    # The builder's dict keeps hundreds of thousands of objects alive, and the tens of
    # thousands a document allocates set off full collections that walked them all again
    # (about a tenth of a PDF's time); the collector frees the library's cycles afterwards.
    with collector.held():
        return _render(data)


def _render(data: dict) -> bytes:
    """The synthesis as a PDF document (the collector held)."""
    view = prepare(data)
    pdf = _new_document(data)
    pdf.add_page()
    writer = _Writer(pdf, view)
    writer.cover()
    writer.method()
    writer.participation()
    writer.pathways()
    writer.cross_themes()
    writer.rooms()
    writer.coverage()
    writer.appendix()
    # fpdf2 would otherwise derive the file id from the clock.
    digest = hashlib.md5(str(data.get("generated_at")).encode(), usedforsecurity=False)
    pdf.file_id = lambda: f"<{digest.hexdigest().upper()}><{digest.hexdigest().upper()}>"
    return bytes(pdf.output())
