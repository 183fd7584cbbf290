"""The synthesis's DOCX opens in LibreOffice, as organizers will open it (Writer converts
it to PDF headless; the PDF's text is then read back)."""

import shutil
import subprocess

import pypdf

from cocreate.synthesis import render_docx
from tests.synthesis_sample import HOSTILE, sample


def test_libreoffice_opens_the_docx_with_its_korean_pathways_and_figures(tmp_path):
    data = sample("agree", hostile=True)
    (tmp_path / "synthesis.docx").write_bytes(render_docx.render(data))
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: make test installs libreoffice-writer-nogui"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "synthesis.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    reader = pypdf.PdfReader(tmp_path / "synthesis.pdf")
    # Words only: table cells wrap lines anywhere.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert len(reader.pages) >= 3
    for pathway in data["pathways"]:
        assert pathway["title"].split(":")[0] in text
    assert "평등을 향한 길" in text  # Korean survives Word's format and LibreOffice
    assert "Map vacant municipal housing" in text  # a pathway's step
    assert "<script>" in text and "alert" in text  # hostile text is shown as text…
    assert HOSTILE.split("<img")[0] in text  # …verbatim, not run
