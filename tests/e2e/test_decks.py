"""The written decks, opened and read back: structure, fonts, schema validity,
LibreOffice rendering (no text outside its box), reproducibility."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from checks import placement_problems, schema_errors
from conftest import CONTENT, DENSE, STRESS, bundled_bank, study_plans
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER

from deck.content.load import load_bank
from deck.planning.notes import field
from deck.theme.settings import load_theme

CJK = re.compile("[\u4e00-\u9fff]")
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def slides_of(deck: Path) -> list:
    return list(Presentation(str(deck)).slides)


def title_of(slide) -> str:  # noqa: ANN001
    shape = slide.shapes.title
    assert shape is not None and shape.placeholder_format.type == PP_PLACEHOLDER.TITLE
    return shape.text_frame.text


def test_study_structure(built: Path) -> None:
    bank = bundled_bank()
    slides = slides_of(built / "study.pptx")
    ordered = [q.question for q in bank.questions]
    # Each question slide holds the question as its title and is followed by its reveal.
    seen = []
    for i, slide in enumerate(slides[:-1]):
        title = title_of(slide)
        marker = next((sh.text_frame.text for sh in slide.shapes if sh.name.startswith("marker")), "")
        if re.search(r"Q \d+ / \d+", marker):
            seen.append(title)
            reveal = slides[i + 1]
            labels = [sh.text_frame.text for sh in reveal.shapes if sh.name.startswith("label")]
            assert labels[:1] and labels[0].startswith("标准答"), title
            assert title_of(reveal).startswith(title[:10].strip()), title
            notes = slide.notes_slide.notes_text_frame.text
            q = bank.questions[len(seen) - 1]
            answer, follow_up, pitfall = ("\n".join(p.text for p in field(x, load_theme()))  # no markup
                                          for x in (q.answer, q.follow_up, q.pitfall))
            assert answer.split("\n")[0][:20] in notes and follow_up[:20] in notes and pitfall[:20] in notes
    assert seen == ordered


def test_study_has_sections_agenda_links_diagrams(built: Path) -> None:
    deck = built / "study.pptx"
    slides = slides_of(deck)
    titles = [title_of(s) for s in slides]
    bank = bundled_bank()
    for s in bank.sections:
        assert s.title in titles
    agenda = slides[1]
    links = [r for sh in agenda.shapes if sh.has_text_frame for p in sh.text_frame.paragraphs for r in p.runs
             if r._r.find(f"{A}rPr/{A}hlinkClick") is not None]
    assert len(links) == len(bank.sections)
    rid = links[0]._r.find(f"{A}rPr/{A}hlinkClick").get(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    target = agenda.part.related_part(rid)
    assert title_of(target.slide) == bank.sections[0].title
    assert "参考文献" in titles
    # The five bundled diagrams are flowcharts: native groups of shapes with their text, no pictures.
    pictures = [sh for s in slides for sh in s.shapes if sh.shape_type == 13]
    groups = [sh for s in slides for sh in s.shapes if sh.shape_type == 6]
    assert pictures == [] and len(groups) == 5
    assert all(any(c.has_text_frame and c.text_frame.text.strip() for c in g.shapes) for g in groups)


def test_every_chinese_run_has_east_asian_font(built: Path) -> None:
    for name in ("study.pptx", "mock.pptx", "handout.pptx"):
        with zipfile.ZipFile(built / name) as z:
            for part in (n for n in z.namelist() if re.match(r"ppt/(slides|notesSlides)/\w+\.xml$", n)):
                xml = z.read(part).decode("utf-8")
                for run in re.findall(r"<a:r>.*?</a:r>", xml):
                    if CJK.search(re.sub(r"<a:rPr.*?</a:rPr>|<[^>]+>", "", run)):
                        assert '<a:ea typeface="Noto Sans CJK SC"/>' in run and 'lang="zh-CN"' in run, part


@pytest.mark.parametrize("name", ["study.pptx", "mock.pptx", "handout.pptx", "mock-scorecard.pptx"])
def test_schema_valid(built: Path, pml_schema, name: str) -> None:  # noqa: ANN001
    assert schema_errors(built / name, pml_schema) == []


def test_schema_check_can_fail(tmp_path: Path, built: Path, pml_schema) -> None:  # noqa: ANN001
    broken = tmp_path / "broken.pptx"
    with zipfile.ZipFile(built / "mock.pptx") as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "ppt/slides/slide1.xml":
                data = data.replace(b"<a:bodyPr ", b"<a:bodyPr bogus=\"1\" ", 1)
            dst.writestr(item, data)
    assert schema_errors(broken, pml_schema)


# The CLI's four outputs, built in a fresh interpreter; LibreOffice is stubbed out (no PDF).
REBUILD = """
import sys
from deck.export import pdf as export
from deck.cli import main

def no_pdf(*_args, **_kw):
    raise export.ExportError("no PDF in this test")

export.pdf_bytes = no_pdf
sys.exit(main(["build", "-q", "-o", sys.argv[1]]))
"""


def test_byte_identical_rebuild(built: Path, tmp_path: Path) -> None:
    """Another interpreter with another hash seed: set and dict order cannot leak into the files."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(CONTENT.parent.parent)}
    subprocess.run([sys.executable, "-c", REBUILD, str(tmp_path)], env=env, check=True, timeout=300)
    for name in ("study.pptx", "mock.pptx", "handout.pptx", "mock-scorecard.pptx"):
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


def test_the_sample_holds_the_whole_decks_slides_of_its_questions(dense_sample: tuple[Path, set[str]]) -> None:
    """What LibreOffice draws of the dense sample in `make test` is what it would draw of those
    questions in the whole deck: the same slides, boxes and text (but the counters: the marker's
    "Q 4 / 30" and the page number). And every kind of slide is in it."""
    bank, kept = dense_sample
    (whole,), (sample,) = study_plans(CONTENT), study_plans(bank)

    def placed(plan) -> list:  # noqa: ANN001
        return [(s.kind, s.title, [e for e in s.elements if getattr(e, "role", "") not in ("marker", "footer")])
                for s in plan.slides if s.question_id in kept]

    assert len(kept) >= DENSE and placed(sample) == placed(whole)
    assert {s.kind for s in sample.slides} == {s.kind for s in whole.slides}
    assert len(sample.slides) < len(whole.slides) / 4


def test_study_renders_in_libreoffice_with_nothing_outside_its_box(
        bank_pdfs: tuple[Path, dict[str, tuple[Path, Path]]]) -> None:
    import pymupdf

    deck, pdf = bank_pdfs[1]["study.pptx"]
    with pymupdf.open(pdf) as doc:
        assert len(doc) == len(slides_of(deck))
        text = "".join(doc[i].get_text() for i in range(3, 8))
        assert "\ufffd" not in text and CJK.search(text)
    assert placement_problems(deck, pdf) == []


def test_stress_bank_is_as_big_as_promised() -> None:
    """1,500-character answer, 80-line code, 200-character question, 120-character
    identifier in mixed text, 25 bullets, long tokens glued to Chinese."""
    qs = {q.id: q for q in load_bank(STRESS).questions}
    assert len(qs["long-answer"].answer) >= 1500
    assert qs["long-code"].code is not None and len(qs["long-code"].code.source.splitlines()) >= 80
    assert len(qs["long-question"].question) >= 200
    assert max(map(len, re.findall(r"[A-Za-z_]+", qs["mixed-identifier"].answer))) >= 120
    assert qs["bullets-25"].answer.count("- ") >= 25
    assert re.search(r"[\u4e00-\u9fff][a-z][\w./:-]{60,}[\u4e00-\u9fff]", qs["glued-tokens"].answer)


def test_stress_bank_continues_and_stays_in_its_boxes(stress_deck: Path, pdf_of) -> None:  # noqa: ANN001
    titles = [title_of(s) for s in slides_of(stress_deck)]
    assert any("代码 续" in t for t in titles)
    labels = [sh.text_frame.text for s in slides_of(stress_deck) for sh in s.shapes if sh.name.startswith("label")]
    assert any(lab.startswith("标准答（续 2/") for lab in labels)
    assert placement_problems(stress_deck, pdf_of(stress_deck)) == []


def test_placement_check_can_fail(tmp_path: Path, stress_deck: Path, pdf_of) -> None:  # noqa: ANN001
    """Shrink one text box in the PPTX and the PDF check must notice."""
    from pptx.util import Emu

    prs = Presentation(str(stress_deck))
    for shape in prs.slides[4].shapes:
        if shape.name.startswith("answer"):
            shape.height = Emu(shape.height // 4)
    shrunk = tmp_path / "shrunk.pptx"
    prs.save(str(shrunk))
    assert placement_problems(shrunk, pdf_of(shrunk))


def test_code_is_highlighted_text(built: Path) -> None:
    from pygments.styles import get_style_by_name
    from pygments.token import Keyword

    from deck.theme.settings import load_theme

    style = get_style_by_name(load_theme().code.pygments_style)
    palette = {s["color"].upper() for _, s in style if s["color"]}
    code_runs = []
    for slide in slides_of(built / "study.pptx"):
        for sh in slide.shapes:
            if sh.name.startswith("code"):
                code_runs += [r for p in sh.text_frame.paragraphs for r in p.runs]
    assert code_runs
    colors = {r.font.color.rgb.__str__() for r in code_runs if r.font.color and r.font.color.type}
    assert len(colors & palette) >= 3
    keyword = next(r for r in code_runs if r.text.strip() in ("import", "def", "return"))
    assert str(keyword.font.color.rgb) == style.style_for_token(Keyword)["color"].upper()
    chinese_comment = next(r for r in code_runs if r.text.startswith("#") and CJK.search(r.text))
    assert chinese_comment._r.find(f"{A}rPr/{A}ea").get("typeface") == "Noto Sans CJK SC"
    assert chinese_comment._r.find(f"{A}rPr/{A}latin").get("typeface") == "Consolas"
