"""Mock interview, handout and scorecard: plans and written files."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from checks import placement_problems, plan_problems
from conftest import CONTENT, bundled_bank, fake_pdf, no_libreoffice
from pptx import Presentation

import deck.export.pdf
from deck.cli import main
from deck.content.load import load_bank
from deck.errors import DeckError
from deck.planning.handout import handout, scorecard
from deck.planning.notes import field
from deck.planning.profiles import mock, study
from deck.planning.references import references
from deck.planning.selection import MockOptions, draw
from deck.theme.settings import load_theme

BANK = bundled_bank()
THEME = load_theme()


def question_pairs(plan) -> list[str]:  # noqa: ANN001
    """Question ids of question slides, checking each is followed by its own reveal."""
    ids = []
    for i, slide in enumerate(plan.slides):
        if slide.kind == "question":
            nxt = plan.slides[i + 1]
            assert nxt.kind == "reveal" and nxt.question_id == slide.question_id
            ids.append(slide.question_id)
    return ids


def test_mock_shuffle_seed_limit() -> None:
    opts = MockOptions(shuffle=True, seed=7, limit=12)
    first = question_pairs(mock(BANK, THEME, opts))
    assert len(first) == 12 == len(set(first))
    assert question_pairs(mock(BANK, THEME, opts)) == first
    assert question_pairs(mock(BANK, THEME, MockOptions(shuffle=True, seed=8, limit=12))) != first
    plan = mock(BANK, THEME, opts)
    assert not [s for s in plan.slides if s.kind == "section"]
    by_id = {q.id: q for q in BANK.questions}
    for slide in plan.slides:
        if slide.kind == "question":
            q = by_id[slide.question_id]
            text = slide.notes_text  # every field whole, without markup
            assert all("\n".join(p.text for p in field(x, THEME)) in text for x in (q.answer, q.follow_up, q.pitfall))
            assert not [m for m in ("**", "$", "`", "\\") if m in text], text
            assert "听什么" in slide.notes_text
    assert "7" in plan.slides[0].elements[-1].paras[1].text  # the seed is on the title slide


def test_mock_filters() -> None:
    picked = draw(BANK, MockOptions(sections=("3", "inference"), levels=(3, 3)))
    assert picked and {s.number for s, _ in picked} == {3, 6} and {q.level for _, q in picked} == {3}
    with pytest.raises(DeckError, match="no section 9"):
        draw(BANK, MockOptions(sections=("9",)))


def test_mock_empty_selection_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bank_dir = tmp_path / "c"
    bank_dir.mkdir()
    (bank_dir / "deck.yaml").write_text("title: t\n", encoding="utf-8")
    (bank_dir / "01-a.yaml").write_text(
        "section: {id: a, number: 1, title: A}\nquestions:\n"
        "  - {id: q1, question: 问, answer: 答, follow_up: 反, pitfall: 坑, level: 1}\n", encoding="utf-8")
    out = tmp_path / "none.pptx"
    assert main(["build", "-q", "--content", str(bank_dir), "--profile", "mock", "--level", "3",
                 "-o", str(out)]) == 2
    assert "select no question" in capsys.readouterr().err and not out.exists()


def test_handout_every_question_once_and_a4(built: Path) -> None:
    plan = handout(BANK, THEME, {d: (1600, 900) for d in BANK.diagrams})
    assert round(plan.width / 72 * 25.4) == 210 and round(plan.height / 72 * 25.4) == 297
    texts = [el.paras[0].runs[1].text for s in plan.slides for el in s.elements
             if getattr(el, "role", "") == "question"]
    assert sorted(texts) == sorted(q.question for q in BANK.questions)  # once each, none split
    prs = Presentation(str(built / "handout.pptx"))
    assert (round(prs.slide_width / 36000), round(prs.slide_height / 36000)) == (210, 297)


def test_handout_never_leaves_a_section_band_alone_on_a_page() -> None:
    plan = handout(BANK, THEME, {d: (1600, 900) for d in BANK.diagrams})
    for page in plan.slides:
        roles = {getattr(el, "role", "") for el in page.elements} - {"footer", ""}
        assert roles != {"section"}, f"{page.key} holds only a section band"


def test_handout_and_scorecard_always_get_their_pdf(built: Path) -> None:
    """Paper profiles are exported without --pdf (by the LibreOffice stand-in here): each PDF made
    from the deck beside it; the study and mock decks get none."""
    for name in ("handout", "mock-scorecard"):
        assert (built / f"{name}.pdf").read_bytes() == fake_pdf((built / f"{name}.pptx").read_bytes()), name
    assert not (built / "study.pdf").exists() and not (built / "mock.pdf").exists()


def test_handout_pdf_pages_and_placement(bank_pdfs: tuple[Path, dict[str, tuple[Path, Path]]]) -> None:
    import pymupdf

    deck, pdf = bank_pdfs[1]["handout.pptx"]
    with pymupdf.open(pdf) as doc:
        assert len(doc) == len(Presentation(str(deck)).slides)
        assert round(doc[0].rect.width) == 595 and round(doc[0].rect.height) == 842
    assert placement_problems(deck, pdf) == []


def test_scorecard_pdf_is_a4_with_every_question_in_its_box(
        bank_pdfs: tuple[Path, dict[str, tuple[Path, Path]]]) -> None:
    import pymupdf

    content, pdfs = bank_pdfs
    deck, pdf = pdfs["mock-scorecard.pptx"]
    with pymupdf.open(pdf) as doc:
        assert len(doc) == len(Presentation(str(deck)).slides)
        assert {(round(page.rect.width), round(page.rect.height)) for page in doc} == {(595, 842)}
        text = "".join("".join(page.get_text().split()) for page in doc)  # lines break differently
    assert [q.id for q in load_bank(content).questions if "".join(q.question.split())[:12] not in text] == []
    assert placement_problems(deck, pdf) == []


def test_scorecard_rows_follow_the_deck() -> None:
    opts = MockOptions(shuffle=True, seed=3, limit=9)
    deck_order = question_pairs(mock(BANK, THEME, opts))
    card = scorecard(BANK, THEME, opts)
    by_question = {q.question: q.id for q in BANK.questions}
    rows = [by_question[el.paras[0].runs[1].text] for s in card.slides for el in s.elements
            if getattr(el, "role", "") == "score-row"]
    assert rows == deck_order


def test_handout_contents_paginates_for_many_sections() -> None:
    from dataclasses import replace

    sections = tuple(replace(s, id=f"{s.id}-{k}", number=s.number + 6 * k, questions=s.questions[:1])
                     for k in range(10) for s in BANK.sections)
    plan = handout(replace(BANK, sections=sections), THEME, {d: (1600, 900) for d in BANK.diagrams})
    contents = [s for s in plan.slides if s.title.paras[0].text == "目录"]
    assert len(contents) > 1
    listed = [el.paras[0].runs[0].text for s in contents for el in s.elements
              if getattr(el, "role", "") == "contents" and len(el.paras[0].runs) == 2]
    assert len(listed) == 60 and len(set(listed)) == 60
    for s in contents:
        assert all(el.box.bottom <= plan.height - 40 for el in s.elements if getattr(el, "role", "") == "contents")


def test_overview_diagram_listed_by_a_section_is_shown_once() -> None:
    from dataclasses import replace

    from deck.planning.profiles import study

    first = replace(BANK.sections[0], diagrams=(BANK.overview_diagram, *BANK.sections[0].diagrams))
    bank = replace(BANK, sections=(first, *BANK.sections[1:]))
    plan = study(bank, THEME, {d: (1600, 900) for d in BANK.diagrams})
    shown = [el.diagram for s in plan.slides for el in s.elements if hasattr(el, "diagram")]
    assert shown.count(BANK.overview_diagram) == 1
    assert len({s.key for s in plan.slides}) == len(plan.slides)  # jump targets stay unique
    section = next(s for s in plan.slides if s.key == f"section-{first.id}")
    assert f"{len(BANK.sections[0].diagrams)} 张图" in section.elements[-1].paras[0].text


def test_references_show_venue_and_link_in_study_and_handout() -> None:
    paras = references(BANK, THEME.labels(BANK.language), THEME)
    first = paras[0]
    assert first.text.startswith("Attention Is All You Need（Vaswani et al., 2017）  NeurIPS 2017")
    link = next(r for r in first.runs if r.url)
    assert link.url == link.text == "https://arxiv.org/abs/1706.03762"
    assert all(r.venue for r in BANK.references if "arxiv.org" in r.url)  # every paper says where it appeared
    pages = handout(BANK, THEME, {d: (1000, 400) for d in BANK.diagrams}).slides
    texts = [p.text for s in pages[-3:] for el in s.elements if hasattr(el, "paras") for p in el.paras]
    assert any(t.startswith("Attention Is All You Need") and "NeurIPS 2017" in t for t in texts)


def test_a_reference_note_keeps_its_markdown_and_is_measured_in_its_faces() -> None:
    ref = replace(BANK.references[0], note="serve it with `vllm serve`, **fast**, see [docs](https://docs.vllm.ai)")
    bank = replace(BANK, references=(ref,) * 40)  # long enough to continue on a second slide
    (para,) = set(references(bank, THEME.labels(bank.language), THEME))
    assert "`" not in para.text and "**" not in para.text and "](" not in para.text
    assert any(r.code and r.text == "vllm serve" for r in para.runs)
    assert any(r.bold and r.text == "fast" for r in para.runs)
    assert any(r.url == "https://docs.vllm.ai" and r.text == "docs" for r in para.runs)
    plan = study(bank, THEME, {d: (1000, 400) for d in bank.diagrams})
    assert len([s for s in plan.slides if s.kind == "references"]) > 1
    assert plan_problems(plan, THEME) == []


def test_handout_shows_the_overview_diagram_once_before_the_sections() -> None:
    plan = handout(BANK, THEME, {d: (1000, 400) for d in BANK.diagrams})
    titles = [p.text for s in plan.slides for p in s.title.paras]
    overview = BANK.diagrams[BANK.overview_diagram].title
    first_section = next(i for i, t in enumerate(titles) if t.startswith("一、"))
    assert titles.count(overview) == 1 and titles.index(overview) < first_section


def test_a_mock_only_build_needs_no_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "bank"
    shutil.copytree(CONTENT, root)
    (root / "diagrams" / "pipeline.mmd").write_text("flowchart LR\n  A[new] --> B[never rendered]\n", encoding="utf-8")
    monkeypatch.setenv("DECK_BROWSER", "/nonexistent")
    monkeypatch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)  # the scorecard's PDF is not under test
    assert main(["build", "-q", "--content", str(root), "--profile", "mock", "-o", str(tmp_path / "m.pptx")]) == 0
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(tmp_path / "s.pptx")]) == 2


def test_handout_contents_rows_jump_to_their_sections_in_the_pdf(
        bank_pdfs: tuple[Path, dict[str, tuple[Path, Path]]]) -> None:
    import pymupdf

    content, pdfs = bank_pdfs
    sections = load_bank(content).sections
    pdf = pymupdf.open(pdfs["handout.pptx"][1])
    targets = sorted({link["page"] for link in pdf[1].get_links() if link["kind"] == pymupdf.LINK_GOTO})
    assert len(targets) == len(sections) == len(BANK.sections)
    for section, page in zip(sections, targets, strict=True):
        assert "".join(section.title.split()) in "".join(pdf[page].get_text().split())  # spacing differs in PDF text
