"""The same deck gives the same PDF bytes: LibreOffice's run-dependent dates and ids are rewritten
in place (same length, so the xref offsets stay valid) from the build epoch and the deck."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import need_soffice

from deck.cli import main
from deck.export.pdf import reproducible

# The shapes LibreOffice writes (Info dict with a local offset, trailer, XMP of a PDF/A export).
SAMPLE = (b"%PDF-1.6\n1 0 obj\n<</CreationDate(D:20261201212347+01'00')/ModDate(D:20261201212347Z')>>\n"
          b"endobj\n<xmp:CreateDate>2026-12-01T21:23:47+01:00</xmp:CreateDate>"
          b"<xmpMM:DocumentID>uuid:1b2c3d4e-0000-4f5a-9abc-0123456789ab</xmpMM:DocumentID>\n"
          b"trailer\n<</Size 2/ID [ <FCE0AC7F274941578624CCD9816260E1>\n<FCE0AC7F274941578624CCD9816260E1> ]\n"
          b"/DocChecksum /EBEB455347D4224A75E012EDDD79A93B\n>>\nstartxref\n9\n%%EOF\n")


def test_rewrite_keeps_length_and_uses_epoch_and_deck(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    out = reproducible(SAMPLE, b"deck one")
    assert len(out) == len(SAMPLE)
    assert b"/CreationDate(D:20231114221320+00'00')" in out
    assert b"/ModDate(D:20231114221320Z')" in out
    assert b"<xmp:CreateDate>2023-11-14T22:13:20+00:00<" in out
    ids = re.search(rb"/ID \[ <([0-9A-F]{32})>\n<([0-9A-F]{32})> \]", out)
    assert ids and ids[1] == ids[2] and ids[1] != b"FCE0AC7F274941578624CCD9816260E1"
    assert re.search(rb"uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}<", out)
    assert b"1b2c3d4e" not in out and b"EBEB4553" not in out
    # The run's own values do not matter, the deck does.
    rerun = SAMPLE.replace(b"212347", b"212359").replace(b"FCE0AC7F", b"0123ABCD")
    assert reproducible(rerun, b"deck one") == out
    assert reproducible(SAMPLE, b"deck two") != out


def _build(bank: Path, out: Path) -> bytes:
    out.mkdir()
    assert main(["build", "-q", "--content", str(bank), "--profile", "study", "--pdf",
                 "-o", str(out / "s.pptx")]) == 0
    return (out / "s.pdf").read_bytes()


def _pages(pdf: bytes) -> list[tuple[str, bytes]]:
    import pymupdf

    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return [(page.get_text(), page.get_pixmap(dpi=30).samples) for page in doc]


def test_two_builds_give_the_same_pdf_pages_that_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    need_soffice()
    import pymupdf

    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "deck.yaml").write_text("title: Small bank\n", encoding="utf-8")
    (bank / "01-a.yaml").write_text(
        "section: {id: a, number: 1, title: Attention}\nquestions:\n"
        "  - {id: q1, question: Why GQA?, answer: Fewer KV heads shrink the KV cache., follow_up: How many groups?,"
        " pitfall: Confusing it with MQA., level: 1}\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first, second = _build(bank, tmp_path / "one"), _build(bank, tmp_path / "two")
    assert (tmp_path / "one" / "s.pptx").read_bytes() == (tmp_path / "two" / "s.pptx").read_bytes()
    # LibreOffice embeds the Noto CJK Regular and Bold subsets in either order from run to run (4
    # distinct PDFs of one deck in 8 runs, with or without address randomisation, one CPU or one
    # thread), so the bytes may differ; what a reader gets may not: the same pages, text and
    # pixels, the same fixed dates and ids.
    assert _pages(first) == _pages(second)
    assert b"/CreationDate(D:20231114221320Z')" in first and b"/CreationDate(D:20231114221320Z')" in second
    ids = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>")
    assert ids.search(first)[1] == ids.search(second)[1]
    with pymupdf.open(stream=first, filetype="pdf") as doc:
        assert not doc.is_repaired, "the xref table no longer matches the file"
        with zipfile.ZipFile(tmp_path / "one" / "s.pptx") as deck:
            slides = [n for n in deck.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
        assert doc.page_count == len(slides) > 0
        assert doc.metadata["creationDate"] == "D:20231114221320Z'"
