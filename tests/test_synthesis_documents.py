"""The synthesis documents (HTML, PDF, DOCX), each read back by a real reader: the
pathways, figures and charts are there, hostile text is inert, Korean glyphs are drawn,
and the same data gives the same bytes."""

import copy
import io
import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from docx import Document

from cocreate.synthesis import build, render_docx, render_html, render_markdown, render_pdf
from tests import synthesis_world
from tests.synthesis_sample import HOSTILE, sample

MODES = ("dots", "agree", "scores")


@pytest.fixture(scope="module", params=MODES)
def data(request):
    """A hand-made synthesis dict in each voting mode."""
    return sample(request.param)


# -- readers -------------------------------------------------------------------------------


class _Html(HTMLParser):
    """Collects the tags, attributes and text of a page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def read_html(blob: bytes) -> _Html:
    """The parsed page."""
    page = _Html()
    page.feed(blob.decode("utf-8"))
    return page


def pdf_text(blob: bytes) -> str:
    """The PDF's text as pypdf extracts it."""
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(blob)).pages)


def docx_text(blob: bytes) -> tuple[Document, str]:
    """The document and all its paragraphs' and cells' text."""
    doc = Document(io.BytesIO(blob))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return doc, "\n".join(parts)


# -- content -------------------------------------------------------------------------------


def test_html_has_the_pathways_figures_and_charts_and_is_offline(data):
    blob = render_html.render(data)
    page = read_html(blob)
    text = "".join(page.text)
    for pathway in data["pathways"]:
        assert pathway["title"] in text
        for step in pathway["steps"]:
            assert step["action"] in text and step["indicator"] in text
    first = data["ideas"][0]
    assert render_html.prepare(data).results(first["results"]) in text
    if data["workshop"]["method"]["voting_mode"] == "agree":
        assert "divisiveness" in text
    tags = [t for t, _ in page.tags]
    assert tags[0] == "html" and page.tags[0][1]["lang"] == "en"
    assert tags.count("svg") == 2 + len(data["rooms"])  # participation, pathways, rooms
    assert tags.count("rect") > 10  # bars, not only tables
    assert "script" not in tags and "img" not in tags and "link" not in tags
    for _tag, attrs in page.tags:
        assert "style" not in attrs
        assert not any(k.startswith("on") for k in attrs)
        for key in ("src", "href"):
            assert not attrs.get(key, "#").startswith(("http", "//"))
    css, source = render_html.stylesheet()
    assert f"<style>{css}</style>".encode() in blob
    assert source in render_html.content_security_policy()
    for time in data["workshop"]["times"]:
        assert time["zone"] in text
    for idea in data["ideas"]:
        assert f'id="idea-{idea["id"]}"' in blob.decode()


def test_html_escapes_hostile_text(data):
    blob = render_html.render(data).decode()
    assert HOSTILE not in blob
    assert "&lt;script&gt;alert(" in blob
    assert "<script" not in blob.lower() and "onerror=" not in blob.replace("onerror=alert", "")


def test_pdf_has_the_pathways_figures_and_no_active_content(data):
    blob = render_pdf.render(data)
    text = pdf_text(blob)
    flat = re.sub(r"\s+", " ", text)
    for pathway in data["pathways"]:
        assert pathway["title"] in flat
        assert pathway["steps"][0]["action"] in flat
    assert "Intersectional coverage" in flat and "Appendix" in flat
    for idea in data["ideas"]:
        assert f"#{idea['id']}" in flat
    if data["workshop"]["method"]["voting_mode"] == "agree":
        idea = data["ideas"][0]["results"]
        assert f"{idea['agree']} agree · {idea['disagree']} disagree" in flat
        assert "divisiveness" in flat
    # hostile text is text: it appears as typed and nothing in the file can run
    assert '<script>alert("x")</script>' in flat
    for active in (b"/JavaScript", b"/JS ", b"/Launch", b"/URI", b"/SubmitForm"):
        assert active not in blob


def test_pdf_charts_are_drawn():
    blob = render_pdf.render(sample("dots"))
    reader = pypdf.PdfReader(io.BytesIO(blob))
    contents = b"".join(p.get_contents().get_data() for p in reader.pages[:3])
    assert contents.count(b" re f") + contents.count(b" re\nf") + contents.count(b"re F") > 10


def test_pdf_embeds_fonts_for_korean_arabic_hebrew_and_emoji():
    reader = pypdf.PdfReader(io.BytesIO(render_pdf.render(sample("agree"))))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).split("+")[-1])
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, TrueType
    assert any("Nanum" in n for n in names)
    assert any("Arabic" in n for n in names) and any("Hebrew" in n for n in names)
    assert any("Emoji" in n for n in names)


def _face_names(blob: bytes) -> set[str]:
    """The names of the faces a PDF's pages use."""
    reader = pypdf.PdfReader(io.BytesIO(blob))
    return {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_pdf_embeds_only_the_faces_its_text_needs():
    plain = {
        "generated_at": "2024-10-08T12:30:00Z",
        "workshop": {"title": "Plain workshop", "question": "Only Latin here"},
    }
    names = _face_names(render_pdf.render(plain))
    assert names and not any(s in n for n in names for s in ("Arabic", "Hebrew", "Emoji"))
    plain["workshop"]["question"] = "Only Latin here, and عربي"
    assert any("Arabic" in n for n in _face_names(render_pdf.render(plain)))


def test_pdf_renders_in_threads_give_the_same_bytes():
    # Downloads are rendered in a thread pool; the parsed faces are shared between them.
    data = sample("agree")
    alone = render_pdf.render(data)
    with ThreadPoolExecutor(3) as pool:
        together = list(pool.map(render_pdf.render, [data] * 3))
    assert together == [alone] * 3


def _title_ink(title: str) -> "list[int]":
    """The rendered pixels of page 1's title line for a workshop titled `title`."""
    data = sample("dots", hostile=False)
    data["workshop"]["title"] = title
    pdf = pypdfium2.PdfDocument(render_pdf.render(data))
    try:
        image = pdf[0].render(scale=2).to_pil().convert("L")
    finally:
        pdf.close()
    return list(image.crop((0, 60, image.width, 160)).tobytes())


def test_pdf_draws_korean_glyphs_not_boxes():
    first = _title_ink("평등을 향한 길")
    second = _title_ink("주거권 보장하라")
    ink = sum(1 for v in first if v < 128)
    assert ink > 500  # something is drawn
    # Tofu (or nothing) would look the same for two different strings of equal length.
    assert sum(1 for a, b in zip(first, second, strict=True) if abs(a - b) > 64) > 300


def test_docx_has_headings_tables_pathways_figures_and_a_chart(data):
    blob = render_docx.render(data)
    doc, text = docx_text(blob)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for n, pathway in enumerate(data["pathways"], start=1):
        assert f"P{n}. {pathway['title']}" in headings
        assert pathway["steps"][1]["indicator"] in text
    assert "Appendix: every visible idea" in headings
    assert len(doc.inline_shapes) == 2 + len(data["rooms"])
    for idea in data["ideas"]:
        assert f"#{idea['id']}" in text
    assert HOSTILE in text  # kept as text, escaped by the XML writer
    normal = doc.styles["Normal"].element.rPr
    assert normal.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    with zipfile.ZipFile(io.BytesIO(blob)) as package:
        assert package.testzip() is None
        pngs = [n for n in package.namelist() if n.endswith(".png")]
        assert pngs and package.read(pngs[0]).startswith(b"\x89PNG")
        assert b"<script" not in package.read("word/document.xml")


def test_docx_marks_right_to_left_paragraphs():
    data = sample("dots")
    data["workshop"]["question"] = "كيف نضمن الحق في السكن للجميع؟"
    doc = Document(io.BytesIO(render_docx.render(data)))
    para = next(p for p in doc.paragraphs if p.text == data["workshop"]["question"])
    assert (
        para._p.pPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bidi")
        is not None
    )


def test_control_characters_do_not_break_any_format():
    data = sample("dots")
    data["ideas"][0]["text"] = "bell\x07 null\x00 esc\x1b ok"
    assert b"bell null esc ok" in render_html.render(data)
    assert "bell null esc ok" in docx_text(render_docx.render(data))[1]
    assert "bell null esc ok" in pdf_text(render_pdf.render(data))


# -- determinism ---------------------------------------------------------------------------


@pytest.mark.parametrize("renderer", [render_html, render_pdf, render_docx])
def test_same_data_same_bytes(renderer):
    data = sample("agree")
    first = renderer.render(copy.deepcopy(data))
    assert renderer.render(copy.deepcopy(data)) == first
    later = dict(data, generated_at="2031-01-01T00:00:00+00:00")
    assert renderer.render(later) != first  # the stated "generated at" is the one change


def test_pdf_bytes_do_not_depend_on_the_process():
    # Set order changes with each process's hash seed; the PDF's glyph codes must not.
    script = (
        "import hashlib, sys; from cocreate.synthesis import render_pdf; "
        "from tests.synthesis_sample import sample; "
        "sys.stdout.write(hashlib.sha256(render_pdf.render(sample('agree'))).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1 and len(next(iter(digests))) == 64


def test_pdf_and_docx_dates_come_from_the_data():
    data = sample("dots")
    meta = pypdf.PdfReader(io.BytesIO(render_pdf.render(data))).metadata
    assert meta.creation_date.replace(tzinfo=UTC) == datetime(2024, 10, 8, 12, 30, tzinfo=UTC)
    props = Document(io.BytesIO(render_docx.render(data))).core_properties
    assert props.created == props.modified == datetime(2024, 10, 8, 12, 30, tzinfo=UTC)
    with zipfile.ZipFile(io.BytesIO(render_docx.render(data))) as package:
        assert {i.date_time for i in package.infolist()} == {(2024, 10, 8, 12, 30, 0)}


# -- real builder output -------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_documents_of_a_built_workshop(ctx, world, mode):
    made = synthesis_world.make(world, mode)
    data = build.build(made["id"], generated_at=datetime(2025, 10, 1, 12, 0, tzinfo=UTC))
    html = render_html.render(data)
    pdf = render_pdf.render(data)
    docx = render_docx.render(data)
    pathway = data["pathways"][0]
    assert pathway["title"].split("<")[0].strip() in pdf_text(pdf)
    assert "&lt;script&gt;" in html.decode() and "<script>" not in html.decode()
    _doc, text = docx_text(docx)
    assert pathway["title"] in text
    assert "Affordable housing for migrants" in text
    assert "@SUM(A1) hidden later" not in text  # hidden ideas are not in the documents
    assert render_pdf.render(data) == pdf and render_docx.render(data) == docx


# -- results by stakeholder role -------------------------------------------------------


class _Rows(HTMLParser):
    """Collects the text of each table row's cells."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _role_rows_everywhere(data: dict) -> dict[str, list[list[str]]]:
    """The table rows of the HTML, DOCX and Markdown, and the PDF's lines as words."""
    rows = _Rows()
    rows.feed(render_html.render(data).decode())
    doc = Document(io.BytesIO(render_docx.render(data)))
    markdown = render_markdown.render(data)
    return {
        "html": rows.rows,
        "docx": [[c.text for c in row.cells] for t in doc.tables for row in t.rows],
        "md": [
            [c.strip() for c in line.strip("|").split("|")]
            for line in markdown.splitlines()
            if line.startswith("|")
        ],
        "pdf": [line.split() for line in pdf_text(render_pdf.render(data)).splitlines()],
    }


def test_results_by_stakeholder_role_in_every_format(ctx, world):
    made = synthesis_world.make(world, "agree")
    data = build.build(made["id"], generated_at=datetime(2025, 10, 1, 12, 0, tzinfo=UTC))
    i1 = next(i["id"] for i in data["ideas"] if i["text"] == "Affordable housing for migrants")
    few = "1 (few)"
    # The pathway builds on i1 (Local government agrees, a Resident disagrees, someone
    # without a role passes) and i2 (the same Resident agrees): the Resident's dissent
    # shows as divisiveness 1, not averaged into the pathway's total.
    pathway = [
        ["Local government", few, "1", "0", "0", "1", "0"],
        ["Resident", few, "1", "1", "0", "0.50", "1"],
        ["no role given", few, "0", "0", "1", "0", "0"],
    ]
    top_idea = [
        [f"#{i1}", "Local government", few, "1", "0", "0", "1", "0"],
        [f"#{i1}", "Resident", few, "0", "1", "0", "0", "0"],
        [f"#{i1}", "no role given", few, "0", "0", "1", "0", "0"],
    ]
    for name, rows in _role_rows_everywhere(data).items():
        if name == "pdf":  # words of each line: "1 (few)" is two of them
            rows = [" ".join(r) for r in rows]
            expected = [" ".join(r) for r in pathway + top_idea]
        else:
            expected = pathway + top_idea
        for row in expected:
            assert row in rows, (name, row)
    text = pdf_text(render_pdf.render(data))
    assert "Support by stakeholder role" in text and "Top ideas by stakeholder role" in text
    assert "fewer than 5 people with that role voted" in text


@pytest.mark.parametrize("mode", ["dots", "scores"])
def test_results_by_stakeholder_role_in_other_modes(ctx, world, mode):
    made = synthesis_world.make(world, mode)
    data = build.build(made["id"], generated_at=datetime(2025, 10, 1, 12, 0, tzinfo=UTC))
    headings = {
        "dots": ["Stakeholder role", "Voters", "Dots"],
        "scores": ["Stakeholder role", "Voters", "Impact", "Feasibility", "Mean"],
    }[mode]
    for name, rows in _role_rows_everywhere(data).items():
        if name == "pdf":
            assert " ".join(headings) in [" ".join(r) for r in rows], name
        else:
            assert headings in rows and ["Idea", *headings] in rows, name


def test_the_method_names_the_criteria_only_when_ideas_were_scored(data):
    """A workshop keeps its criteria in every mode (a template carries them), but only a
    scores workshop used them: the others' method says nothing of them."""
    data = copy.deepcopy(data)
    data["workshop"]["method"]["criteria"] = ["Impact on equality", "Feasibility"]
    scored = data["workshop"]["method"]["voting_mode"] == "scores"
    texts = {
        "html": " ".join(read_html(render_html.render(data)).text),
        "pdf": pdf_text(render_pdf.render(data)),
        "docx": docx_text(render_docx.render(data))[1],
    }
    for fmt, text in texts.items():
        assert ("Criteria (scored" in text) == scored, (fmt, data["workshop"]["method"])
