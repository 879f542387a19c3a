"""Speaker notes keep the fields' Markdown as native runs: read back from every notes page of decks
built through the CLI from the Markdown fixture banks (study, mock with reveal slides and click)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from checks import NS, schema_errors
from conftest import ENGLISH, REPO, english_with_follow_up, need_soffice, no_libreoffice
from lxml import etree

import deck.export.pdf
from deck.cli import main
from deck.content.load import load_bank
from deck.export.pdf import soffice
from deck.planning.digest import listen_for
from deck.planning.notes import Notes
from deck.planning.profiles import study
from deck.theme.settings import load_theme

FIXTURES = REPO / "tests" / "markdown"
THEME = load_theme()
MONO = THEME.fonts.mono
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
DECKS = ("study", "mock", "click")


@pytest.fixture(scope="module", params=["en", "zh"])
def decks(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(f"notes-{request.param}")
    bank = str(FIXTURES / request.param)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)  # the mock's scorecard PDF
        for name, extra in (("study", ()), ("mock", ()), ("click", ("--reveal", "click"))):
            profile = "study" if name == "study" else "mock"
            assert main(["build", "-q", "--content", bank, "--profile", profile, *extra,
                         "-o", str(out / f"{name}.pptx")]) == 0
    return out


def notes_pages(path: Path) -> list[tuple[str, etree._Element, dict[str, etree._Element]]]:
    """Every notes part: its name, its XML and its relationships by id."""
    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if re.fullmatch(r"ppt/notesSlides/notesSlide\d+\.xml", n))
        return [(n, etree.fromstring(z.read(n)),
                 {r.get("Id"): r for r in etree.fromstring(z.read(n.replace("notesSlides/", "notesSlides/_rels/")
                                                                + ".rels")).iter(REL)}) for n in names]


def body(xml: etree._Element) -> etree._Element:
    """The notes page's body placeholder (not the slide image)."""
    return next(sp for sp in xml.iterfind(".//p:sp", NS) if sp.find(".//p:ph", NS).get("type") == "body")


def notes_runs(path: Path) -> list[etree._Element]:
    return [r for _, xml, _ in notes_pages(path) for r in body(xml).iterfind(".//a:r", NS)]


def text(r: etree._Element) -> str:
    return r.findtext("a:t", namespaces=NS) or ""


@pytest.mark.parametrize("name", DECKS)
def test_notes_runs_carry_bold_italic_and_strike(decks: Path, name: str) -> None:
    rs = notes_runs(decks / f"{name}.pptx")
    attr = {k: {text(r) for r in rs if r.find("a:rPr", NS).get(k) not in (None, "0")} for k in ("b", "i", "strike")}
    assert {"large", "过大"} & attr["b"] and {"softmax"} <= attr["i"], attr
    assert {"no", "删除线"} & attr["strike"] and {"speeds up", "加速"} & attr["strike"]
    assert {"Answer", "标准答"} & attr["b"]  # the theme's block labels, bold
    assert not {"Answer", "标准答"} & attr["i"]
    plain = [r for r in rs if text(r) in (" unit-variance entries have variance ", " 维向量点积，方差为 ")]
    assert plain and all(r.find("a:rPr", NS).get(k) == "0" for r in plain for k in ("b", "i"))


@pytest.mark.parametrize("name", DECKS)
def test_notes_code_spans_and_blocks_use_the_code_face(decks: Path, name: str) -> None:
    rs = notes_runs(decks / f"{name}.pptx")
    spans = [r for r in rs if text(r) in ("torch.softmax", "head_dim")]
    assert len(spans) >= 2 and all(r.find("a:rPr/a:latin", NS).get("typeface") == MONO for r in spans)
    assert all(r.find("a:rPr/a:ea", NS) is not None for r in spans)  # CJK in code still finds a face
    block = [r for r in rs if "set_detect_anomaly" in text(r)]
    assert block and block[0].find("a:rPr/a:latin", NS).get("typeface") == MONO
    prose = [r for r in rs if text(r) in ("softmax",)]
    assert prose and all(r.find("a:rPr/a:latin", NS).get("typeface") != MONO for r in prose)


@pytest.mark.parametrize("name", DECKS)
def test_notes_math_is_baseline_shifted_runs(decks: Path, name: str) -> None:
    shifted = {(text(r), int(r.find("a:rPr", NS).get("baseline"))) for r in notes_runs(decks / f"{name}.pptx")
               if r.find("a:rPr", NS).get("baseline")}
    assert ("k", -25000) in shifted and ("2", 30000) in shifted, shifted  # d_k and x^2
    assert ("38", 30000) in shifted  # 10^{38} in a table set as rows of text


@pytest.mark.parametrize("name", DECKS)
def test_notes_links_are_hyperlinks_to_their_target(decks: Path, name: str) -> None:
    found = 0
    for part, xml, rels in notes_pages(decks / f"{name}.pptx"):
        for r in body(xml).iterfind(".//a:r", NS):
            link = r.find("a:rPr/a:hlinkClick", NS)
            if text(r) in ("the paper", "原论文"):
                assert link is not None, part
                rel = rels[link.get(R)]
                assert rel.get("Target") == "https://arxiv.org/abs/1706.03762" and rel.get("TargetMode") == "External"
                assert rel.get("Type").endswith("/hyperlink")
                found += 1
            else:
                assert link is None, (part, text(r))
    assert found >= 1


@pytest.mark.parametrize("name", DECKS)
def test_notes_lists_number_and_nest(decks: Path, name: str) -> None:
    paras = [p for _, xml, _ in notes_pages(decks / f"{name}.pptx") for p in body(xml).iterfind(".//a:p", NS)]
    numbered = [p for p in paras if p.find("a:pPr/a:buAutoNum", NS) is not None]
    assert len(numbered) >= 3 and {p.find("a:pPr/a:buAutoNum", NS).get("type") for p in numbered} == {"arabicPeriod"}
    first = "".join(t.text for t in numbered[0].iterfind(".//a:t", NS))
    assert first.startswith(("Look at the", "找到")), first  # the number is the bullet's, not text
    nested = [p for p in paras if p.find("a:pPr", NS).get("lvl") == "1" and p.find("a:pPr/a:buChar", NS) is not None]
    assert nested and int(nested[0].find("a:pPr", NS).get("marL")) > int(numbered[0].find("a:pPr", NS).get("marL"))
    bullets = [p for p in paras if p.find("a:pPr/a:buChar", NS) is not None and p.find("a:pPr", NS).get("lvl") is None]
    assert bullets  # the pitfall's top-level list
    assert not [p for p in paras if re.match(r"(- |\d+\. )", "".join(t.text for t in p.iterfind(".//a:t", NS)))]


def test_notes_pages_are_schema_valid(decks: Path, pml_schema: etree.XMLSchema) -> None:
    for name in DECKS:
        assert schema_errors(decks / f"{name}.pptx", pml_schema) == []


@pytest.mark.parametrize("on_template", [False, True])
def test_a_link_to_a_question_in_the_notes_jumps_to_its_slide(tmp_path: Path, on_template: bool) -> None:
    """[text](#id) in a field jumps from the notes page to the question's slide, as on the slide
    (our package, and a template's through python-pptx)."""
    from pptx import Presentation

    bank = english_with_follow_up(
        tmp_path / "bank", "Compare [isolation](#isolation) and see [RFC 9110](https://www.rfc-editor.org/rfc/rfc9110).")
    keys = [s.key for s in study(load_bank(bank), THEME, {d: (800, 400) for d in load_bank(bank).diagrams}).slides]
    template = tmp_path / "t.pptx"
    Presentation().save(str(template))
    extra = ["--template", str(template)] if on_template else []
    assert main(["build", "-q", "--content", str(bank), "--profile", "study", *extra,
                 "-o", str(tmp_path / "s.pptx")]) == 0
    targets = {}
    for _, xml, rels in notes_pages(tmp_path / "s.pptx"):
        for r in body(xml).iterfind(".//a:r", NS):
            link = r.find("a:rPr/a:hlinkClick", NS)
            if link is not None:
                rel = rels[link.get(R)]
                targets[text(r)] = (rel.get("Target"), link.get("action"), rel.get("TargetMode"))
    assert targets["isolation"] == (f"../slides/slide{keys.index('q-isolation') + 1}.xml", "ppaction://hlinksldjump",
                                    None)
    assert targets["RFC 9110"] == ("https://www.rfc-editor.org/rfc/rfc9110", None, "External")


def test_notes_on_a_template_keep_their_runs_and_links(tmp_path: Path, pml_schema: etree.XMLSchema) -> None:
    from pptx import Presentation

    template = tmp_path / "t.pptx"
    Presentation().save(str(template))
    out = tmp_path / "study.pptx"
    assert main(["build", "-q", "--content", str(FIXTURES / "en"), "--profile", "study", "--template", str(template),
                 "-o", str(out)]) == 0
    rs = notes_runs(out)
    assert any(text(r) == "torch.softmax" and r.find("a:rPr/a:latin", NS).get("typeface") == MONO for r in rs)
    links = [(rels[r.find("a:rPr/a:hlinkClick", NS).get(R)].get("Target"))
             for _, xml, rels in notes_pages(out) for r in body(xml).iterfind(".//a:r", NS)
             if r.find("a:rPr/a:hlinkClick", NS) is not None]
    assert links and set(links) == {"https://arxiv.org/abs/1706.03762"}
    assert schema_errors(out, pml_schema) == []


def test_libreoffice_draws_the_notes_runs_as_written(tmp_path: Path) -> None:
    """The notes pages exported by LibreOffice: labels bold, code in a monospace face, the numbers
    of a numbered list drawn by the engine (they are not in our text), d_k's k lowered and x^2's 2
    raised, smaller."""
    import pymupdf

    need_soffice()
    deck = tmp_path / "study.pptx"
    assert main(["build", "-q", "--content", str(FIXTURES / "en"), "--profile", "study", "-o", str(deck)]) == 0
    notes_only = ('pdf:impress_pdf_Export:{"ExportNotesPages":{"type":"boolean","value":"true"},'
                  '"ExportOnlyNotesPages":{"type":"boolean","value":"true"}}')
    subprocess.run([soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
                    "--convert-to", notes_only, "--outdir", str(tmp_path / "out"), str(deck)],
                   env={**os.environ, "HOME": str(tmp_path)}, capture_output=True, timeout=300, check=True)
    with pymupdf.open(tmp_path / "out" / "study.pdf") as doc:
        lines = [[s for s in line["spans"] if s["text"].strip()] for page in doc
                 for block in page.get_text("dict")["blocks"] for line in block.get("lines", [])]
    spans = [s for line in lines for s in line]
    assert any(s["text"] == "Answer" and "Bold" in s["font"] for s in spans)
    assert any(s["text"] == "-100" and "Mono" in s["font"] for s in spans)
    assert any(s["text"] == "torch.softmax" and "Mono" in s["font"] for s in spans)
    numbered = [[s["text"] for s in line][:2] for line in lines if line and re.fullmatch(r"\d\.", line[0]["text"])]
    assert numbered[:3] == [["1.", "Look at the "], ["2.", "Check the inputs:"], ["3.", "Lower the learning rate."]]
    shifts = {(a["text"][-1], b["text"]): (b["origin"][1] - a["origin"][1], b["size"] / a["size"])
              for line in lines for a, b in zip(line, line[1:], strict=False)}
    (low, small), (high, smaller) = shifts[("d", "k")], shifts[("x", "2")]
    assert low > 1 and high < -1 and small < 0.8 and smaller < 0.8, shifts


# --- the templates' text: labels are text, fields are parsed on their own -----------------------------


def test_labels_and_section_names_with_markdown_characters_stay_text() -> None:
    bank = load_bank(ENGLISH)
    q = bank.questions[0]
    labels = replace(THEME.labels("en"), answer="*Ans_wer*", colon=" | ", pitfall="1. `Pit`",
                     notes_question_head="# [{section}] {i}/{n} ")
    paras = Notes(THEME).render("notes_question.j2", q, section="C++ & <b>*core*</b>", number=1, total=2,
                                labels=labels)
    lines = [p.text for p in paras]
    assert lines[0].startswith("# [C++ & <b>*core*</b>] 1/2 ") and "*Ans_wer* |" in lines
    assert "1. `Pit` |" in lines
    label = next(p for p in paras if p.text == "*Ans_wer* |")
    assert [(r.text, r.bold) for r in label.runs] == [("*Ans_wer*", True), (" |", False)]
    assert not any(p.bullet for p in paras if p.text.startswith("1."))
    lines = [p.text for p in Notes(THEME).render("notes_reveal.j2", q, click=True, labels=replace(
        labels, notes_reveal="- {blocks}\n+ two\n---\n10) ten $5 and $6 ~~no~~ &amp;"))]
    assert lines == ["- *Ans_wer* → Ask back → 1. `Pit`", "+ two", "---", "10) ten $5 and $6 ~~no~~ &amp;"]


def test_a_field_cannot_swallow_the_labels_after_it(tmp_path: Path) -> None:
    """An unclosed code fence or a list at the end of a field ends with the field."""
    q = load_bank(ENGLISH).questions[0]
    q = replace(q, answer="Run this:\n```python\nx = 1", follow_up="- one\n- two")
    paras = Notes(THEME).render("notes_question.j2", q, section="s", number=1, total=1, labels=THEME.labels("en"))
    lines = [p.text for p in paras]
    follow, pitfall = lines.index("Ask back:"), lines.index("Pitfall:")
    assert lines[lines.index("x = 1") - 1] == "Run this:" and lines.index("x = 1") < follow
    assert [p.text for p in paras[follow + 1:pitfall] if p.bullet] == ["one", "two"]
    assert paras[pitfall].runs[0].bold and not paras[pitfall].bullet
    code = next(p for p in paras if p.text == "x = 1")
    assert all(r.code for r in code.runs)


def test_mock_notes_listen_for_the_answers_sentences_with_their_styles() -> None:
    """Without key points, the mock's notes list the answer's first sentences, styled as written."""
    bank = load_bank(FIXTURES / "en")
    q = next(q for q in bank.questions if q.id == "blocks")
    points = listen_for(q, THEME)
    assert ["\n".join(para.text for para in p) for p in points] == [
        "First checks", "Look at the first step that goes bad.", "Check the inputs:", "labels all -100?"]
    assert [r.text for p in points for para in p for r in para.runs if r.bold] == ["First checks", "first"]
    assert [r.text for p in points for para in p for r in para.runs if r.code] == ["-100"]


def test_section_intros_and_diagram_notes_keep_their_runs(tmp_path: Path) -> None:
    """The notes of a section divider (its intro) and of a diagram slide are Markdown fields too."""
    from conftest import CONTENT

    from deck.planning.compose import Page
    from deck.planning.slides import diagram_slide

    bank = tmp_path / "bank"
    shutil.copytree(ENGLISH, bank)
    path = bank / "01-http.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  title: HTTP and APIs\n", "  title: HTTP and APIs\n  intro: |\n    Read **this** first:\n"
        "    1. `PUT` twice\n    2. [the RFC](https://www.rfc-editor.org/rfc/rfc9110)\n"), encoding="utf-8")
    b = load_bank(bank)
    divider = next(s for s in study(b, THEME, {d: (800, 400) for d in b.diagrams}).slides if s.key == "section-http")
    runs = [r for p in divider.notes for r in p.runs]
    assert [r.text for r in runs if r.bold] == ["this"] and [r.text for r in runs if r.code] == ["PUT"]
    assert [r.url for r in runs if r.url] == ["https://www.rfc-editor.org/rfc/rfc9110"]
    assert [p.number for p in divider.notes] == [None, 1, 2]
    d = replace(next(iter(load_bank(CONTENT).diagrams.values())), notes="**Q** = $xW_Q$, `rms` of $x^2$")
    slide = diagram_slide(Page.slide(THEME, THEME.labels("en")), d, "d", (1000, 400), "f", 1)
    runs = [r for p in slide.notes for r in p.runs]
    assert [r.text for r in runs if r.bold] == ["Q"] and [r.text for r in runs if r.code] == ["rms"]
    assert [(r.text, r.baseline) for r in runs if r.baseline] == [("Q", -25000), ("2", 30000)]


def test_a_paragraph_that_is_one_link_or_one_struck_run_keeps_it(bank: Path) -> None:
    """On the slide and in the notes (a lone run was taken for plain text and lost its link)."""
    from conftest import with_answer

    with_answer(bank, "|\n      [the RFC](https://www.rfc-editor.org/rfc/rfc9110)\n      ~~struck~~")
    b = load_bank(bank)
    slides = study(b, THEME, {d: (800, 400) for d in b.diagrams}).slides
    reveal = next(s for s in slides if s.kind == "reveal")
    for where in ([r for el in reveal.elements for p in getattr(el, "paras", ()) for r in p.runs],
                  [r for s in slides if s.kind == "question" for p in s.notes for r in p.runs]):
        assert [r.url for r in where if r.text == "the RFC"] == ["https://www.rfc-editor.org/rfc/rfc9110"]
        assert [r.strike for r in where if r.text == "struck"] == [True]


def test_a_theme_folders_own_notes_template_writes_markdown_around_the_fields(tmp_path: Path) -> None:
    """A theme's notes template is Markdown: its own ** marks bold, a field inside a line is that
    field's runs, a field on a line of its own its paragraphs."""
    from deck import resources

    folder = tmp_path / "house"
    folder.mkdir()
    shutil.copy(resources.themes_dir() / "default" / "theme.yaml", folder / "theme.yaml")
    (folder / "notes_question.j2").write_text(
        "**Ask** *{{ question.question }}* ({{ number }}/{{ total }})\n{{ question.answer }}\n", encoding="utf-8")
    theme = load_theme(str(folder))
    b = load_bank(FIXTURES / "en")
    slides = study(b, theme, {d: (800, 400) for d in b.diagrams}).slides
    notes = next(s for s in slides if s.key == "q-blocks").notes
    head = notes[0]
    assert [(r.text, r.bold) for r in head.runs[:2]] == [("Ask", True), (" ", False)]
    assert head.text == "Ask How do you debug a training run whose loss becomes NaN? (2/5)"
    assert all(r.italic for r in head.runs[2:-1])
    assert [p.number for p in notes if p.number] == [1, 2, 3] and notes[1].text == "First checks"
