"""Click reveal (--reveal click): the plan, the p:timing written for it, what LibreOffice
keeps of it (ODP) and shows (PDF, final state); external hyperlinks for references."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from checks import placement_problems, schema_errors
from conftest import STRESS, bundled_bank, need_soffice, no_libreoffice
from lxml import etree

import deck.export.pdf
from deck.cli import main
from deck.content.load import load_bank
from deck.errors import ContentError
from deck.plan import Effect
from deck.planning.profiles import mock, study
from deck.planning.selection import MockOptions
from deck.render import drawingml, presentationml
from deck.theme.settings import load_theme

BANK = bundled_bank()
THEME = load_theme()
DONE_WHEN = ["--profile", "mock", "--reveal", "click", "--shuffle", "--seed", "3", "--limit", "6"]
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
NS = {"p": P[1:-1]}
BLOCKS = THEME.blocks(THEME.labels("zh-CN"))
LABELS = [b.label for b in BLOCKS]  # 标准答, 反问点, 坑位: the click order
ROLES = {b.role for b in BLOCKS}


def _plan(reveal: str = "click"):  # noqa: ANN202
    return mock(BANK, THEME, MockOptions(shuffle=True, seed=3, limit=6, reveal=reveal))  # type: ignore[arg-type]


def test_plan_one_slide_per_question_blocks_behind_clicks_in_order() -> None:
    plan, slides_plan = _plan(), _plan("slides")
    asked = [s.question_id for s in slides_plan.slides if s.kind == "question"]
    qa = [s for s in plan.slides if s.kind == "qa"]
    assert not [s for s in plan.slides if s.kind in ("question", "reveal")]
    assert list(dict.fromkeys(s.question_id for s in qa)) == asked  # each drawn question, in order
    for qid in asked:
        own = [s for s in qa if s.question_id == qid]
        assert own[0].key == f"q-{qid}" and own[0].title.paras[0].text.rstrip("…") in BANK_BY_ID[qid].question
        labels = []
        for s in own:
            steps = sorted({el.step for el in s.elements} - {0})
            assert steps == list(range(1, len(steps) + 1)) and s.effect.kind in ("appear", "fade")
            for step in steps:
                block = [el for el in s.elements if el.step == step]
                roles = [getattr(el, "role", "rect") for el in block]
                # tint, accent bar, label, text (code beside the answer enters with it)
                assert roles[:4] == ["rect", "rect", "label", roles[3]] and roles[3] in ROLES
                labels.append(block[2].paras[0].text[:3])
            # marker and question stay visible from the start
            assert any(getattr(el, "role", "") == "marker" and el.step == 0 for el in s.elements)
        assert labels == LABELS, qid
        # both sets of notes on the one slide: the interviewer's and the reveal's
        assert "听什么" in own[0].notes_text and "先请对方复述思路" in own[0].notes_text


BANK_BY_ID = {q.id: q for q in BANK.questions}


def test_timing_writer_is_general_and_schema_valid(pml_schema: etree.XMLSchema) -> None:
    steps = [presentationml.ClickStep((5, 3), Effect("fade", 250)), presentationml.ClickStep((4,), Effect())]
    xml = presentationml.timing_xml(steps, text_ids={3})
    slide = presentationml.slide_xml(['<p:sp><p:nvSpPr><p:cNvPr id="3" name="t"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr>'
                             '<p:spPr/></p:sp>'], None, xml)
    root = etree.fromstring(slide)
    assert pml_schema.validate(root), pml_schema.error_log
    groups = root.findall(".//p:seq/p:cTn/p:childTnLst/p:par", NS)
    assert [[int(t.get("spid")) for t in g.iter(f"{P}spTgt")][::2] for g in groups] == [[5, 3], [4]]
    effects = root.findall(".//p:cTn[@presetClass='entr']", NS)
    assert [(e.get("presetID"), e.get("nodeType")) for e in effects] == [
        ("10", "clickEffect"), ("10", "withEffect"), ("1", "clickEffect")]
    fades = root.findall(".//p:animEffect", NS)
    assert len(fades) == 2 and all(f.get("filter") == "fade" and f.get("transition") == "in" for f in fades)
    assert fades[0].find("p:cBhvr/p:cTn", NS).get("dur") == "250"
    # only the shape with a text body gets a build entry, and its effect the matching group
    assert [(b.get("spid"), b.get("grpId")) for b in root.iter(f"{P}bldP")] == [("3", "0")]
    assert [e.get("grpId") for e in effects] == [None, "0", None]
    ids = [int(c.get("id")) for c in root.iter(f"{P}cTn")]
    assert ids == list(range(1, len(ids) + 1))  # stable, counted in document order
    assert presentationml.timing_xml([], text_ids=set()) == ""


@pytest.fixture(scope="module")
def click_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("click") / "mock.pptx"
    with pytest.MonkeyPatch.context() as patch:  # the scorecard's PDF is not under test here
        patch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)
        assert main(["build", "-q", *DONE_WHEN, "-o", str(out)]) == 0
    return out


def _slides(deck: Path) -> list[etree._Element]:
    with zipfile.ZipFile(deck) as z:
        names = sorted((n for n in z.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)),
                       key=lambda n: int(re.findall(r"\d+", n)[0]))
        return [etree.fromstring(z.read(n)) for n in names]


def _click_targets(slide: etree._Element) -> list[list[str]]:
    """Per click group of the main sequence, the names of the shapes it reveals."""
    names = {sp.get("id"): sp.get("name") for sp in slide.iter(f"{P}cNvPr")}
    groups = slide.findall(".//p:cTn[@nodeType='mainSeq']/p:childTnLst/p:par", NS)
    return [list(dict.fromkeys(names[t.get("spid")] for t in g.iter(f"{P}spTgt"))) for g in groups]


def test_written_deck_clicks_target_the_blocks_in_order(click_deck: Path, pml_schema: etree.XMLSchema) -> None:
    assert schema_errors(click_deck, pml_schema) == []
    plan = _plan()
    slides = _slides(click_deck)
    assert len(slides) == len(plan.slides)
    labels: dict[str, list[str]] = {}
    for spec, slide in zip(plan.slides, slides, strict=True):
        groups = _click_targets(slide)
        if spec.kind != "qa":
            assert slide.find("p:timing", NS) is None, spec.key
            continue
        assert groups, spec.key
        text = {sp.find("p:nvSpPr/p:cNvPr", NS).get("name"): "".join(sp.itertext()) for sp in slide.iter(f"{P}sp")}
        for group in groups:  # tint, accent bar, label, block text
            assert [n.split()[0] for n in group[:4]] == ["Rectangle", "Rectangle", "label", group[3].split()[0]]
            assert group[3].split()[0] in ROLES
            labels.setdefault(spec.question_id, []).append(text[group[2]][:3])
        # the build list names exactly the revealed text shapes
        names = {sp.get("id"): sp.get("name") for sp in slide.iter(f"{P}cNvPr")}
        assert {names[b.get("spid")] for b in slide.iter(f"{P}bldP")} == {
            n for g in groups for n in g if not n.startswith("Rectangle")}
    assert len(labels) == 6 and all(order == LABELS for order in labels.values())


def test_click_deck_rebuilds_byte_identical(click_deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)
    again = tmp_path / "mock.pptx"
    assert main(["build", "-q", *DONE_WHEN, "-o", str(again)]) == 0
    assert again.read_bytes() == click_deck.read_bytes()


def _soffice(deck: Path, fmt: str, out: Path) -> Path:
    need_soffice()
    subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{out}/lo-profile",
                    "--headless", "--convert-to", fmt, "--outdir", str(out), str(deck)],
                   check=True, capture_output=True, timeout=180)
    return out / f"{deck.stem}.{fmt}"


def test_libreoffice_keeps_the_on_click_effects_in_block_order(click_deck: Path, tmp_path: Path) -> None:
    odp = _soffice(click_deck, "odp", tmp_path)
    with zipfile.ZipFile(odp) as z:
        root = etree.fromstring(z.read("content.xml"))
    ns = {"draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
          "anim": "urn:oasis:names:tc:opendocument:xmlns:animation:1.0",
          "pres": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
          "smil": "urn:oasis:names:tc:opendocument:xmlns:smil-compatible:1.0",
          "xml": "http://www.w3.org/XML/1998/namespace"}
    node_type, target = f"{{{ns['pres']}}}node-type", f"{{{ns['smil']}}}targetElement"
    pages = root.findall(".//draw:page", ns)
    pptx = _slides(click_deck)
    assert len(pages) == len(pptx)
    checked = 0
    for page, slide in zip(pages, pptx, strict=True):
        expected = _click_targets(slide)
        ids = {el.get(f"{{{ns['draw']}}}id") or el.get(f"{{{ns['xml']}}}id"): el.get(f"{{{ns['draw']}}}name")
               for el in page.iter() if el.get(f"{{{ns['draw']}}}name")}
        got: list[list[str]] = []
        for el in page.iter(f"{{{ns['anim']}}}par"):
            kind = el.get(node_type)
            if kind == "on-click":
                got.append([])
            if kind in ("on-click", "with-previous"):
                got[-1] += list(dict.fromkeys(ids[t.get(target)] for t in el.iter() if t.get(target)))
        assert got == expected
        checked += bool(expected)
    assert checked >= 6


def test_pdf_of_a_click_deck_shows_the_final_state(click_deck: Path, tmp_path: Path) -> None:
    import pymupdf

    pdf = _soffice(click_deck, "pdf", tmp_path)
    plan = _plan()
    with pymupdf.open(pdf) as doc:
        assert len(doc) == len(plan.slides)
        for page, spec in zip(doc, plan.slides, strict=True):
            if spec.kind == "qa":
                text = page.get_text().replace("\n", "")
                for el in spec.elements:
                    if el.step and getattr(el, "role", "") == "label":
                        assert el.paras[0].text in text, spec.key
    assert placement_problems(click_deck, pdf) == []


def plan_questions(plan):  # noqa: ANN001, ANN201
    """(first click slide, question text) per question."""
    by_id = {q.id: q for q in load_bank(STRESS).questions}
    firsts = {s.question_id: s for s in reversed(plan.slides) if s.kind == "qa"}
    return [(s, by_id[qid].question) for qid, s in firsts.items()]


def test_stress_bank_in_click_mode_stays_in_its_boxes(tmp_path: Path) -> None:
    """213-character question atop its slide, answers continued over slides, 80-line code."""
    deck = tmp_path / "study.pptx"
    assert main(["build", "-q", "--content", str(STRESS), "--profile", "study", "--reveal", "click",
                 "-o", str(deck)]) == 0
    plan = study(load_bank(STRESS), THEME, {}, "click")
    long_q = next(q for q in plan_questions(plan) if len(q[1]) >= 200)
    assert long_q[0].title.paras[0].text == long_q[1]  # the whole question, not cut
    assert any("（续 2/" in el.paras[0].text for s in plan.slides for el in s.elements
               if getattr(el, "role", "") == "marker")
    assert placement_problems(deck, _soffice(deck, "pdf", tmp_path)) == []


def _bank(tmp_path: Path, deck_yaml: str) -> Path:
    bank = tmp_path / "bank"
    bank.mkdir(parents=True)
    (bank / "deck.yaml").write_text(deck_yaml, encoding="utf-8")
    (bank / "01-a.yaml").write_text(
        "section: {id: a, number: 1, title: A}\nquestions:\n"
        "  - {id: q1, question: 问题一, answer: 答案, follow_up: 反问, pitfall: 坑, level: 1}\n", encoding="utf-8")
    return bank


def test_code_beside_the_blocks_enters_with_the_answer(tmp_path: Path) -> None:
    bank = _bank(tmp_path, "title: t\n")
    text = (bank / "01-a.yaml").read_text(encoding="utf-8").replace(
        "level: 1}", "level: 1, code: {language: python, source: 'x = 1'}}")
    (bank / "01-a.yaml").write_text(text, encoding="utf-8")
    plan = study(load_bank(bank), THEME, {}, "click")
    (qa,) = [s for s in plan.slides if s.kind == "qa"]
    code = [el for el in qa.elements if getattr(el, "role", "") == "code"]
    answer = next(el for el in qa.elements if getattr(el, "role", "") == "answer")
    assert code and code[0].step == answer.step == 1
    panel = next(el for el in qa.elements if getattr(el, "fill", None) == THEME.color("code_bg"))
    assert panel.step == 1
    assert not [s for s in plan.slides if s.kind == "code"]  # it fitted beside, no code slide


def test_deck_yaml_sets_reveal_per_profile_and_the_flag_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)  # the scorecard's PDF is not under test
    bank = _bank(tmp_path, "title: t\nprofiles:\n  mock: {reveal: click}\n")
    assert load_bank(bank).profiles["mock"].reveal == "click"
    for flags, timed in (([], True), (["--reveal", "slides"], False)):
        out = tmp_path / f"m{len(flags)}.pptx"
        assert main(["build", "-q", "--content", str(bank), "--profile", "mock", *flags, "-o", str(out)]) == 0
        assert any(s.find("p:timing", NS) is not None for s in _slides(out)) is timed
    study = tmp_path / "s.pptx"  # the setting is per profile: study stays on two slides
    assert main(["build", "-q", "--content", str(bank), "--profile", "study", "-o", str(study)]) == 0
    assert all(s.find("p:timing", NS) is None for s in _slides(study))


def test_bad_reveal_setting_names_file_line_and_field(tmp_path: Path) -> None:
    bank = _bank(tmp_path, "title: t\nprofiles:\n  mock:\n    reveal: clicks\n")
    with pytest.raises(ContentError) as err:
        load_bank(bank)
    message = str(err.value)
    assert "deck.yaml:4" in message and "profiles.mock.reveal" in message and "click" in message
    with pytest.raises(ContentError, match="unknown key 'handout'"):
        load_bank(_bank(tmp_path / "x", "title: t\nprofiles: {handout: {reveal: click}}\n"))


URL = "https://arxiv.org/abs/1706.03762?x=1&y=2"


@pytest.mark.libreoffice  # the handout is always exported to PDF, and its links are checked
def test_reference_urls_are_external_hyperlinks_in_slides_handout_and_pdf(tmp_path: Path) -> None:
    import pymupdf
    from pptx import Presentation

    bank = _bank(tmp_path, f"title: t\nreferences:\n  - {{title: Attention, year: 2017, url: '{URL}'}}\n")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["build", "-q", "--content", str(bank), "--profile", "study", "-o", str(out / "study.pptx")]) == 0
    assert main(["build", "-q", "--content", str(bank), "--profile", "handout", "-o", str(out / "handout.pptx")]) == 0
    for name in ("study.pptx", "handout.pptx"):
        linked = []
        for slide in Presentation(str(out / name)).slides:
            for shape in slide.shapes:
                for run in (r for p in shape.text_frame.paragraphs for r in p.runs) if shape.has_text_frame else ():
                    click = run._r.find(f"{A}rPr/{A}hlinkClick")
                    if click is not None and run.text == URL:
                        rel = slide.part.rels[click.get(f"{{{drawingml.NS['r']}}}id")]
                        linked.append((rel.is_external, rel.target_ref, click.get("action")))
        assert linked == [(True, URL, None)], name
        with zipfile.ZipFile(out / name) as z:  # links drawn in the theme's link colour, ours
            scheme = etree.fromstring(z.read("ppt/theme/theme1.xml")).find(f".//{A}clrScheme")
        assert [scheme.find(f"{A}{k}/{A}srgbClr").get("val") for k in ("hlink", "folHlink")] == \
            [THEME.color("primary")] * 2
    if shutil.which("soffice"):  # the handout is exported to PDF whenever LibreOffice is there
        with pymupdf.open(out / "handout.pdf") as doc:
            uris = [link.get("uri") for page in doc for link in page.get_links()]
        assert URL in uris


def test_click_notes_say_the_question_once_and_name_the_scorecard() -> None:
    plan = mock(BANK, THEME, MockOptions(reveal="click", limit=3, scorecard="talk-scorecard.pdf"))
    for slide in (s for s in plan.slides if s.kind == "qa"):
        q = next(q for q in BANK.questions if q.id == slide.question_id)
        assert slide.notes_text.count(q.question) == 1, q.id
        assert "逐块对照" in slide.notes_text  # the reveal how-to is still there
    howto = next(s for s in plan.slides if s.kind == "howto")
    assert any("talk-scorecard.pdf" in p.text for el in howto.elements if hasattr(el, "paras") for p in el.paras)


def test_a_question_too_long_for_a_click_slide_keeps_its_own_slides() -> None:
    from dataclasses import replace

    q = BANK.questions[0]
    long_q = replace(q, question="请说明" + "为什么多头注意力在长上下文里仍然有效，" * 30 + "并给出例子？")
    section = replace(BANK.sections[0], questions=(long_q, *BANK.sections[0].questions[1:2]))
    bank = replace(BANK, sections=(section,))
    slides = [s for s in mock(bank, THEME, MockOptions(reveal="click")).slides if s.question_id == q.id]
    kinds = [s.kind for s in slides]
    assert "qa" not in kinds and kinds[0] == "question" and "reveal" in kinds  # nothing of the question is cut
    shown = "".join(p.text for s in slides if s.kind == "question" for p in s.title.paras)
    assert shown.replace("\n", "") == long_q.question
