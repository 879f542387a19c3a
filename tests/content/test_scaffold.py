"""`deck init`: a small bank that builds as it is, in English or Chinese."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import no_libreoffice
from lxml import etree

from deck.cli import main
from deck.content.load import load_bank

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@pytest.fixture(autouse=True)
def _no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    import deck.export.pdf

    monkeypatch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)  # PDFs are tested elsewhere; keep this fast


def _texts_and_langs(pptx: Path) -> tuple[list[str], set[str]]:
    """Every a:t text and every run language of the slides and their notes."""
    texts, langs = [], set()
    with zipfile.ZipFile(pptx) as z:
        for name in z.namelist():
            if re.match(r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml$", name):
                root = etree.fromstring(z.read(name))
                texts += [t.text or "" for t in root.iter(f"{A}t")]
                langs |= {el.get("lang") for el in root.iter(f"{A}rPr", f"{A}endParaRPr") if el.get("lang")}
    return texts, langs


@pytest.mark.browser  # the starter diagram, rendered once a run into starter_cache
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_init_builds_every_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str], starter_cache: str,
                                   lang: str) -> None:
    bank_dir = tmp_path / "x"
    assert main(["init", str(bank_dir), "--lang", lang]) == 0
    assert main(["check", "--strict", "--content", str(bank_dir)]) == 0
    bank = load_bank(bank_dir)
    assert len(bank.sections) == 2 and len(bank.diagrams) == 1 and bank.references
    assert sum(1 for q in bank.questions if q.code) == 1
    assert bank.language == ("en" if lang == "en" else "zh-CN")
    deck_yaml = (bank_dir / "deck.yaml").read_text(encoding="utf-8")
    assert deck_yaml.startswith("# yaml-language-server: $schema=content.schema.json\n")
    assert (bank_dir / "README.md").is_file()
    schema = json.loads((bank_dir / "content.schema.json").read_text(encoding="utf-8"))
    for path in [*bank_dir.glob("*.yaml"), bank_dir / "diagrams" / "diagrams.yaml"]:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    capsys.readouterr()
    out = tmp_path / "decks"
    assert main(["build", "-q", "--content", str(bank_dir), "-o", str(out), "--cache", starter_cache]) == 0
    assert "warning" not in capsys.readouterr().err
    decks = sorted(p.name for p in out.glob("*.pptx"))
    assert decks == ["handout.pptx", "mock-scorecard.pptx", "mock.pptx", "study.pptx"]


@pytest.mark.browser
def test_english_init_has_no_chinese_anywhere(tmp_path: Path, starter_cache: str) -> None:
    """Every fixed label comes from the theme's English table and no run is marked zh
    (needs the per-language labels of issue 11)."""
    assert main(["init", str(tmp_path / "x"), "--lang", "en"]) == 0
    out = tmp_path / "decks"
    assert main(["build", "-q", "--content", str(tmp_path / "x"), "-o", str(out), "--cache", starter_cache]) == 0
    for pptx in sorted(out.glob("*.pptx")):
        texts, langs = _texts_and_langs(pptx)
        chinese = sorted({t for t in texts if CJK.search(t)})
        assert not chinese, f"{pptx.name}: {chinese[:8]}"
        assert not {x for x in langs if x.lower().startswith("zh")}, f"{pptx.name}: {langs}"


def test_init_refuses_a_non_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(tmp_path / "x")]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("", encoding="utf-8")
    assert main(["init", str(tmp_path / "file")]) == 2
    assert main(["init", str(tmp_path / "empty")]) == 0  # absent is fine, and so is empty:
    (tmp_path / "empty2").mkdir()
    assert main(["init", str(tmp_path / "empty2"), "--lang", "zh"]) == 0
