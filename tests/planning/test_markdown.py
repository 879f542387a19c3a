"""Markdown fields built into decks: every construct becomes native text, nothing shows as markup."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from checks import NS, placement_problems, plan_problems, schema_errors
from conftest import need_soffice, no_libreoffice
from lxml import etree

import deck.export.pdf
from deck.cli import main
from deck.content.load import load_bank
from deck.planning.handout import handout
from deck.planning.profiles import study
from deck.theme.settings import load_theme

FIXTURES = Path(__file__).resolve().parent.parent / "markdown"
MARKUP = ("**", "~~", "$", "\\frac", "](", "`", "\\sqrt", "```")
MONO = load_theme().fonts.mono
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@pytest.fixture(scope="module", params=["en", "zh"])
def decks(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(f"md-{request.param}")
    bank = str(FIXTURES / request.param)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)  # placement converts the decks it checks
        assert main(["build", "-q", "--content", bank, "--profile", "all", "-o", str(out)]) == 0
        assert main(["build", "-q", "--content", bank, "--profile", "mock", "--reveal", "click",
                     "-o", str(out / "click.pptx")]) == 0
    for placeholder in out.glob("*.pdf"):
        placeholder.unlink()
    return out


def parts(deck: Path, kind: str = "slides") -> list[tuple[str, etree._Element]]:
    with zipfile.ZipFile(deck) as z:
        return [(n, etree.fromstring(z.read(n))) for n in sorted(z.namelist())
                if re.fullmatch(rf"ppt/{kind}/\w+\.xml", n)]


def runs(deck: Path) -> list[etree._Element]:
    return [r for _, x in parts(deck) for r in x.iterfind(".//a:r", NS)]


def test_no_slide_or_notes_page_shows_markup(decks: Path) -> None:
    for name in ("study", "mock", "handout", "mock-scorecard", "click"):
        for kind in ("slides", "notesSlides"):
            for part, xml in parts(decks / f"{name}.pptx", kind):
                text = "".join(t.text or "" for t in xml.iterfind(".//a:t", NS))
                assert not [m for m in MARKUP if m in text], (name, part, text[:300])


def test_inline_styles_are_run_attributes(decks: Path) -> None:
    rs = runs(decks / "study.pptx")
    attr = {k: {r.findtext("a:t", namespaces=NS) for r in rs if r.find("a:rPr", NS).get(k) not in (None, "0")}
            for k in ("b", "i", "strike")}
    assert {"large", "过大"} & attr["b"] and {"softmax"} <= attr["i"]
    assert {"no", "删除线"} & attr["strike"]
    code = [r for r in rs if r.findtext("a:t", namespaces=NS) == "torch.softmax"]
    assert code and all(r.find("a:rPr/a:latin", NS).get("typeface") == MONO for r in code)
    assert all(r.find("a:rPr/a:highlight", NS) is not None for r in code)


def test_math_is_typeset_with_baseline_shifted_runs(decks: Path) -> None:
    shifted = {(r.findtext("a:t", namespaces=NS), int(r.find("a:rPr", NS).get("baseline")))
               for r in runs(decks / "study.pptx") if r.find("a:rPr", NS).get("baseline")}
    assert ("k", -25000) in shifted and ("2", 30000) in shifted
    assert any(b == 60000 for _, b in shifted) or ("2", 30000) in shifted  # nested scripts lift further


def test_links_are_hyperlinks_to_their_target(decks: Path) -> None:
    with zipfile.ZipFile(decks / "study.pptx") as z:
        for name, xml in parts(decks / "study.pptx"):
            for r in xml.iterfind(".//a:r", NS):
                link = r.find("a:rPr/a:hlinkClick", NS)
                if link is not None and r.findtext("a:t", namespaces=NS) in ("the paper", "原论文"):
                    rels = etree.fromstring(z.read(name.replace("slides/", "slides/_rels/") + ".rels"))
                    target = {x.get("Id"): x.get("Target") for x in rels}[link.get(R)]
                    assert target == "https://arxiv.org/abs/1706.03762"
                    return
    pytest.fail("no link run found")


def test_lists_number_and_nest(decks: Path) -> None:
    paras = [p for _, x in parts(decks / "study.pptx") for p in x.iterfind(".//a:p", NS)]
    numbered = [p for p in paras if p.find("a:pPr/a:buAutoNum", NS) is not None]
    assert len(numbered) >= 3 and numbered[0].find("a:pPr/a:buAutoNum", NS).get("type") == "arabicPeriod"
    nested = [p for p in paras if p.find("a:pPr", NS).get("lvl") == "1" and p.find("a:pPr/a:buChar", NS) is not None]
    top = numbered[0].find("a:pPr", NS)
    assert nested and int(nested[0].find("a:pPr", NS).get("marL")) > int(top.get("marL"))


def test_code_blocks_are_highlighted_monospace_lines(decks: Path) -> None:
    rs = runs(decks / "study.pptx")
    code = [r for r in rs if "set_detect_anomaly" in (r.findtext("a:t", namespaces=NS) or "")]
    assert code and code[0].find("a:rPr/a:latin", NS).get("typeface") == MONO
    coloured = {r.find("a:rPr/a:solidFill/a:srgbClr", NS).get("val") for r in rs
                if "grad_norm" in (r.findtext("a:t", namespaces=NS) or "") or
                r.findtext("a:t", namespaces=NS) == "True"}
    assert len(coloured) >= 1


def test_decks_are_schema_valid(decks: Path, pml_schema: etree.XMLSchema) -> None:
    for name in ("study", "handout", "click"):
        assert schema_errors(decks / f"{name}.pptx", pml_schema) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plans_fit(lang: str) -> None:
    bank, theme = load_bank(FIXTURES / lang), load_theme()
    for plan in (study(bank, theme, {}), handout(bank, theme, {})):
        assert plan_problems(plan, theme) == []


def test_libreoffice_draws_everything_in_its_box(decks: Path, pdf_of) -> None:  # noqa: ANN001
    need_soffice()
    for name in ("study", "handout"):
        deck = decks / f"{name}.pptx"
        assert placement_problems(deck, pdf_of(deck)) == []


def test_bundled_study_deck_typesets_its_formulas(built: Path) -> None:
    shifted = [r for r in runs(built / "study.pptx") if r.find("a:rPr", NS).get("baseline")]
    assert len(shifted) > 100


def test_a_diagram_caption_keeps_its_markdown_on_the_slide() -> None:
    from dataclasses import replace

    from conftest import CONTENT

    from deck.planning.compose import Page
    from deck.planning.slides import diagram_slide

    theme = load_theme()
    bank = load_bank(CONTENT)
    d = replace(next(iter(bank.diagrams.values())), caption="`q_proj` 的 **残差** $d_k$")
    slide = diagram_slide(Page.slide(theme, theme.labels("zh-CN")), d, "d", (1000, 400), "f", 1)
    (caption,) = [el for el in slide.elements if getattr(el, "role", "") == "caption"]
    runs = [r for p in caption.paras for r in p.runs]
    assert "".join(r.text for r in runs) == "q_proj 的 残差 dk"
    assert [r.text for r in runs if r.code] == ["q_proj"] and [r.text for r in runs if r.bold] == ["残差"]
    assert any(r.baseline < 0 and r.text == "k" for r in runs)
    long = replace(d, caption="**很长的说明** " * 60)  # cannot fit whole: cut as plain text, never overflowing
    cut = [el for el in diagram_slide(Page.slide(theme, theme.labels("zh-CN")), long, "d", (1000, 400), "f",
                                      1).elements if getattr(el, "role", "") == "caption"][0]
    assert cut.paras[0].text.endswith("…") and "**" not in cut.paras[0].text


def test_a_link_to_a_question_section_or_diagram_jumps_to_its_slide(tmp_path: Path) -> None:
    """[text](#id): a slide jump in the study deck; a target the mock did not draw stays text; an id
    the bank does not have is a warning naming file, line, question and field."""
    import shutil

    from conftest import ENGLISH

    from deck.planning.profiles import mock
    from deck.planning.selection import MockOptions

    bank_dir = tmp_path / "bank"
    shutil.copytree(ENGLISH, bank_dir)
    path = bank_dir / "01-http.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    follow_up: How do you make a POST safe to retry in your payment API?",
        "    follow_up: See [isolation](#isolation), the [data section](#data) and [nothing](#nope)."),
        encoding="utf-8")
    bank = load_bank(bank_dir)
    (warning,) = [w for w in bank.warnings if "#nope" in w]
    assert warning.startswith(f"bank/{path.name}:6: question 'idempotency', follow_up: link '#nope' names no")
    theme = load_theme()
    runs = {r.text: r for s in study(bank, theme, {}).slides for el in s.elements
            for p in getattr(el, "paras", ()) for r in p.runs}
    assert runs["isolation"].link == "q-isolation" and runs["data section"].link == "section-data"
    assert runs["nothing"].link is None and runs["nothing"].url is None
    drawn = mock(bank, theme, MockOptions(sections=("1",)))  # isolation is in section 2: not in this deck
    runs = {r.text: r for s in drawn.slides for el in s.elements for p in getattr(el, "paras", ()) for r in p.runs}
    assert runs["isolation"].link is None and "#" not in "".join(runs)
