"""The synthesis as a Word document (python-docx), for Word and LibreOffice alike.

Headings are Word's own heading styles (navigation pane, table of contents); tables use
the built-in "Table Grid"; each chart is a PNG (charts.png) with its figures also in the
table beside it. Korean runs get an East-Asian font and language, right-to-left
paragraphs are marked bidirectional. python-docx escapes the XML; control characters,
which XML refuses, are removed first (view.clean). The package's dates, its zip entries'
times and its revision come from the data's "generated_at", so the same data gives the
same bytes.

Big workshops: table rows are appended as one XML fragment, styles are looked up once per
document (python-docx looks a style up by name, with XPath, for every paragraph), and
the package is written once with its entries' dates fixed.
"""

import io
import zipfile
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from flask_babel import gettext as _

from cocreate import collector
from cocreate.synthesis import charts
from cocreate.synthesis.render_pdf import (
    generated_at,
    horizon,
    method_lines,
    pathway_evidence,
)
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

#: Fonts named in the document; Word and LibreOffice substitute what they lack.
LATIN_FONT = "Noto Sans"
EAST_ASIAN_FONT = "Malgun Gothic"


def _fonts(style_or_run_element: object) -> None:
    """Set the Latin and East-Asian fonts and Korean as the East-Asian language."""
    rpr = style_or_run_element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "ko-KR")


class _Writer:
    """Adds the view's sections to a python-docx Document."""

    def __init__(self, view: View):
        self.view = view
        self.doc = Document()
        for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title"):
            _fonts(self.doc.styles[name].element)
        self.doc.styles["Normal"].font.size = Pt(10)
        section = self.doc.sections[0]
        section.left_margin = section.right_margin = Cm(2)
        self.style_ids: dict[str, str] = {}

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        """A new paragraph in the named `style` (its id looked up once per document)."""
        p = self.doc.add_paragraph()
        if text:
            p.add_run(text)
        if style is not None:
            found = self.style_ids.get(style)
            if found is None:
                found = self.style_ids[style] = self.doc.styles[style].style_id
            p._p.style = found
        return p

    def heading(self, text: str, level: int) -> None:
        """A heading in Word's own style (level 0 is the title)."""
        self.paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def para(
        self, text: str, *, bold_lead: str = "", small: bool = False, style: str | None = None
    ) -> None:
        """A paragraph; right-to-left text is marked so."""
        p = self.paragraph(style=style)
        if bold_lead:
            p.add_run(bold_lead + ": ").bold = True
        run = p.add_run(text)
        if small:
            run.font.size = Pt(8.5)
            run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
        if is_rtl(text) and not bold_lead:
            ppr = p._p.get_or_add_pPr()
            ppr.append(OxmlElement("w:bidi"))
            run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def table(
        self,
        headings: list[str],
        rows: list[list[str]],
        empty: set[tuple[int, int]] = frozenset(),
    ) -> Paragraph:
        """A grid table with a heading row that repeats on each page; the `empty`
        (row, column) cells of `rows` are shaded. Returns the empty paragraph after it."""
        table = self.doc.add_table(rows=0, cols=len(headings))
        if "Table Grid" not in self.style_ids:
            self.style_ids["Table Grid"] = self.doc.styles["Table Grid"].style_id
        table._tbl.tblPr.style = self.style_ids["Table Grid"]
        # Rows as one XML fragment: python-docx's add_row, cell.text and run.bold take
        # about half a millisecond a cell, seconds for the appendix of a big workshop.
        head = "".join(_cell_xml(text, bold=True) for text in headings)
        body = "".join(
            "<w:tr>"
            + "".join(_cell_xml(text, (r, c) in empty) for c, text in enumerate(values))
            + "</w:tr>"
            for r, values in enumerate(rows)
        )
        fragment = parse_xml(
            f"<w:tbl {nsdecls('w')}><w:tr><w:trPr><w:tblHeader/></w:trPr>{head}</w:tr>"
            f"{body}</w:tbl>"
        )
        table._tbl.extend(list(fragment))
        return self.paragraph()

    def role_table(self, caption: str, table: RoleTable | None) -> None:
        """Results by stakeholder role under a caption, with the few-voters note."""
        if table is None:
            return
        self.para(caption, style="Caption")
        after = self.table(table.headings, table.rows)
        if table.note:
            after.add_run(table.note).font.size = Pt(8.5)

    def chart(self, chart: charts.Chart) -> None:
        """A chart as a PNG picture with its title as caption."""
        if not chart.bars:
            return
        self.doc.add_picture(io.BytesIO(charts.png(chart)), width=Cm(16))
        self.para(chart.title, small=True, style="Caption")

    def build(self) -> None:
        """Every section, in the documents' order."""
        view, doc = self.view, self.doc
        data = view.data
        w = data.get("workshop", {})
        self.heading(clean(w.get("title")), 0)
        self.para(clean(w.get("question")))
        if w.get("description"):
            self.para(clean(w["description"]))
        for t in w.get("times") or []:
            self.para(
                f"{when(t.get('starts'))} – {when(t.get('ends'))}",  # noqa: RUF001
                bold_lead=clean(t.get("zone")),
            )
        if w.get("organizers"):
            self.para("; ".join(clean(o) for o in w["organizers"]), bold_lead=_("Organizers"))
        self.para(generated(data), bold_lead=_("Generated at"), small=True)

        self.heading(_("Method"), 1)
        for line in method_lines(view):
            self.para(line, style="List Bullet")

        p = data.get("participation") or {}
        self.heading(_("Participation"), 1)
        self.para(
            _(
                "%(people)s people took part (%(paper)s on paper); %(voters)s voted.",
                people=p.get("people", 0),
                paper=p.get("paper", 0),
                voters=p.get("voters", 0),
            )
        )
        self.chart(charts.participation_chart(view))
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
        )

        self.heading(_("Pathways toward equality"), 1)
        pathways = data.get("pathways") or []
        if pathways:
            self.para(
                _(
                    "Strongest support first. Support is the votes on the ideas a "
                    "pathway builds on, added up."
                )
            )
            self.chart(charts.pathway_chart(view))
        else:
            self.para(_("No pathway was drafted."))
        for n, pw in enumerate(pathways, start=1):
            self.heading(f"P{n}. {clean(pw.get('title'))}", 2)
            self.para(pathway_evidence(view, pw), small=True)
            if pw.get("challenge"):
                self.para(clean(pw["challenge"]), bold_lead=_("Challenge"))
            if pw.get("vision"):
                self.para(clean(pw["vision"]), bold_lead=_("Vision"))
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
                )
            self.role_table(_("Support by stakeholder role"), view.support_by_role(pw))
            for heading, labels in view.tag_line(pw.get("tag_ids") or []):
                self.para(labels, bold_lead=heading)
            self.para(refs(pw.get("idea_ids") or []), bold_lead=_("Builds on ideas"))
            for c in pw.get("comments") or []:
                who = clean(c.get("author")) or _("anonymous")
                self.para(f"“{clean(c.get('text'))}” — {who}", small=True)

        self.heading(_("Cross-room themes"), 1)
        items = data.get("cross_themes") or []
        if not items:
            self.para(_("No cross-room theme was kept."))
        for ct in items:
            self.heading(clean(ct.get("name")), 3)
            if ct.get("description"):
                self.para(clean(ct["description"]))
            self.para(view.results(ct.get("support")), bold_lead=_("Support"))
            for t in ct.get("themes") or []:
                self.para(f"{clean(t.get('room'))}: {clean(t.get('name'))}", style="List Bullet")

        self.heading(_("Rooms"), 1)
        for room in data.get("rooms") or []:
            self.heading(clean(room.get("name")), 2)
            if room.get("topic"):
                self.para(clean(room["topic"]))
            self.para(
                _(
                    "%(people)s people, %(voters)s voted.",
                    people=room.get("people", 0),
                    voters=room.get("voters", 0),
                ),
                small=True,
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
                )
                self.role_table(_("Top ideas by stakeholder role"), view.ideas_by_role(top))
            for t in room.get("themes") or []:
                self.para(
                    f"{view.results(t.get('support'))} · "
                    + _("ideas")
                    + " "
                    + refs(t.get("idea_ids") or []),
                    bold_lead=clean(t.get("name")),
                )

        self.heading(_("Intersectional coverage"), 1)
        self.para(
            _(
                "Each cell counts the ideas / pathways tagged with both the row and the "
                "column. Empty cells are shaded."
            )
        )
        for mx in view.matrices:
            if not mx.rows or not mx.columns:
                continue
            self.heading(mx.title, 3)
            self.table(
                ["", *mx.columns],
                [
                    [mx.rows[r], *(f"{c.ideas} / {c.pathways}" for c in row)]
                    for r, row in enumerate(mx.cells)
                ],
                empty={
                    (r, c + 1)
                    for r, row in enumerate(mx.cells)
                    for c, cell in enumerate(row)
                    if cell.empty
                },
            )
            if mx.gaps:
                self.para("; ".join(mx.gaps), bold_lead=_("Not addressed"))

        doc.add_page_break()
        self.heading(_("Appendix: every visible idea"), 1)
        rooms = {r["id"]: clean(r.get("name")) for r in data.get("rooms") or []}
        self.table(
            [_("Idea"), _("Room"), _("Text"), _("By"), _("Tags"), _("Results")],
            [
                [
                    f"#{i['id']}",
                    rooms.get(i.get("room_id"), ""),
                    clean(i.get("text"))
                    + (("\n" + clean(i["details"])) if i.get("details") else ""),
                    view.author(i),
                    "; ".join(view.tag(t) for t in i.get("tag_ids") or []),
                    view.results(i.get("results")),
                ]
                for i in data.get("ideas") or []
            ],
        )


#: A shaded (empty) coverage cell's properties.
_SHADE = '<w:tcPr><w:shd w:val="clear" w:fill="FDE0DD"/></w:tcPr>'


def _cell_xml(text: str, shaded: bool = False, bold: bool = False) -> str:
    """A table cell holding `text` (escaped; a newline is a line break)."""
    lines = "<w:br/>".join(
        f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n")
    )
    run = f"<w:r><w:rPr><w:b/></w:rPr>{lines}</w:r>" if bold else f"<w:r>{lines}</w:r>"
    return f"<w:tc>{_SHADE if shaded else ''}<w:p>{run}</w:p></w:tc>"


class _DatedZip:
    """python-docx's zip writer with every entry dated `moment` (python-docx's own uses
    the clock), so the package is compressed once rather than written and re-zipped."""

    def __init__(self, out: io.BytesIO, moment: tuple[int, int, int, int, int, int]):
        self._zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
        self._moment = moment

    def write(self, pack_uri: object, blob: bytes) -> None:
        """Add one part."""
        info = zipfile.ZipInfo(pack_uri.membername, date_time=self._moment)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, blob)

    def close(self) -> None:
        """Write the zip's directory."""
        self._zip.close()


def _save(doc: object, moment: tuple[int, int, int, int, int, int]) -> bytes:
    """The package as `Document.save` writes it (python-docx's PackageWriter steps), its
    entries dated `moment`."""
    package = doc.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    writer = _DatedZip(out, moment)
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    writer.close()
    return out.getvalue()


def render(data: dict) -> bytes:
    """The synthesis as a DOCX document."""
    # The builder's dict keeps hundreds of thousands of objects alive, and the tens of
    # thousands a document allocates set off full collections that walked them all again
    # (about a tenth of a PDF's time); the collector frees the library's cycles afterwards.
    with collector.held():
        return _render(data)


def _render(data: dict) -> bytes:
    """The synthesis as a DOCX document (the collector held)."""
    writer = _Writer(prepare(data))
    writer.build()
    moment = generated_at(data).replace(tzinfo=None, microsecond=0)
    props = writer.doc.core_properties
    props.title = clean(data.get("workshop", {}).get("title"))[:250]
    props.author = props.last_modified_by = "Cocreate"
    props.created = props.modified = props.last_printed = moment
    props.revision = 1
    props.comments = ""
    stamp = (
        max(moment.year, 1980),
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )
    return _save(writer.doc, stamp)
