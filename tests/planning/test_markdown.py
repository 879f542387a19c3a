"""Markdown fields built into decks: every construct becomes native text, nothing shows as markup."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from checks import NS, placement_problems, plan_problems, schema_errors
from conftest import build, bundled_bank, english_with_follow_up, fails, need_soffice, no_libreoffice, with_answer
from lxml import etree
from PIL import Image

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


def test_the_scorecard_keeps_the_fields_styles(decks: Path) -> None:
    rs = runs(decks / "mock-scorecard.pptx")
    rpr = {(r.findtext("a:t", namespaces=NS), k) for r in rs for k in ("b", "baseline")
           if r.find("a:rPr", NS).get(k) not in (None, "0")}
    assert ("k", "baseline") in rpr  # $d_k$ in a question or key point
    code = [r for r in rs if r.find("a:rPr/a:latin", NS) is not None
            and r.find("a:rPr/a:latin", NS).get("typeface") == MONO]
    assert code, "code spans keep the code face on the score sheet"


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


def test_libreoffice_draws_everything_in_its_box(decks: Path, pdfs_of) -> None:  # noqa: ANN001
    need_soffice()
    shown = [decks / "study.pptx", decks / "handout.pptx"]
    for pptx, pdf in zip(shown, pdfs_of(shown), strict=True):  # one LibreOffice run
        assert placement_problems(pptx, pdf) == []


def test_bundled_study_deck_typesets_its_formulas(built: Path) -> None:
    shifted = [r for r in runs(built / "study.pptx") if r.find("a:rPr", NS).get("baseline")]
    assert len(shifted) > 100


# --- tables and pictures --------------------------------------------------------------------------
HEADERS = {"format": ["format", "bits", "max value", "use"], "格式": ["格式", "位数", "最大值", "用途"]}
A14 = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
EMBED = R.replace("}id", "}embed")


def tables(deck: Path) -> list[tuple[str, list[list[etree._Element]]]]:
    """Every a:tbl of the deck as (slide part, rows of a:tc)."""
    return [(name, [row.findall("a:tc", NS) for row in tbl.iterfind("a:tr", NS)])
            for name, xml in parts(deck) for tbl in xml.iterfind(".//a:tbl", NS)]


def cell_text(tc: etree._Element) -> str:
    return "".join(t.text or "" for t in tc.iterfind(".//a:t", NS))


def test_tables_are_native_with_styled_cells(decks: Path) -> None:
    found = [rows for _, rows in tables(decks / "study.pptx") if cell_text(rows[0][0]) in HEADERS]
    assert len(found) == 1
    rows = found[0]
    assert (len(rows), {len(r) for r in rows}) == (7, {4})
    assert [cell_text(tc) for tc in rows[0]] == HEADERS[cell_text(rows[0][0])]
    header_runs = [r for tc in rows[0] for r in tc.iterfind(".//a:r", NS)]
    assert all(r.find("a:rPr", NS).get("b") == "1" for r in header_runs)
    body = [r for row in rows[1:] for tc in row for r in tc.iterfind(".//a:r", NS)]
    assert any(r.findtext("a:t", namespaces=NS) == "bf16" and r.find("a:rPr", NS).get("b") == "1" for r in body)
    code = [r for r in body if r.findtext("a:t", namespaces=NS) == "torch.autocast"]
    assert code and code[0].find("a:rPr/a:latin", NS).get("typeface") == MONO
    assert any(r.find("a:rPr", NS).get("baseline") == "30000" for r in body)  # 10^{38}
    fills = {tc.find("a:tcPr/a:solidFill/a:srgbClr", NS).get("val") for tc in rows[0]}
    assert fills == {load_theme().palette.rule}


def test_a_long_table_continues_with_its_header_repeated(decks: Path) -> None:
    parts_ = [(name, rows) for name, rows in tables(decks / "study.pptx") if cell_text(rows[0][1]) == "name"]
    assert len(parts_) >= 2 and len({name for name, _ in parts_}) == len(parts_)  # one part per slide
    assert all([cell_text(tc) for tc in rows[0]] == ["layer", "name", "size", "projection"] for _, rows in parts_)
    numbers = [cell_text(row[0]) for _, rows in parts_ for row in rows[1:]]
    assert numbers == [str(i) for i in range(1, 41)]
    grids = [[int(c.get("w")) for c in xml.iterfind(".//a:gridCol", NS)]
             for name, xml in parts(decks / "study.pptx") if name in {n for n, _ in parts_}]
    shares = [[w / sum(g) for w in g] for g in grids]  # the columns keep their proportions on every part
    assert all(abs(a - b) < 0.05 for s in shares for a, b in zip(s, shares[0], strict=True))
    sizes = {r.get("sz") for _, rows in parts_ for row in rows for r in row[0].iterfind(".//a:rPr", NS)}
    assert len(sizes) == 1, sizes  # and one size: a continued answer does not change size from slide to slide


def test_pictures_are_pictures_with_alt_text_and_their_media(decks: Path) -> None:
    deck = decks / "study.pptx"
    pics = {p.find("p:nvPicPr/p:cNvPr", NS).get("descr"): (name, p) for name, xml in parts(deck)
            for p in xml.iterfind(".//p:pic", NS)}
    alts = {"a loss curve falling and flattening", "下降并趋平的 loss 曲线"}
    assert alts & set(pics) and {"bars growing per stage", "question leads to answer"} <= set(pics)
    with zipfile.ZipFile(deck) as z:
        types = z.read("[Content_Types].xml").decode()
        assert 'Extension="jpeg" ContentType="image/jpeg"' in types

        def targets(key: str) -> list[str]:
            name, pic = pics[key]
            rels = {x.get("Id"): x.get("Target") for x in
                    etree.fromstring(z.read(name.replace("slides/", "slides/_rels/") + ".rels"))}
            blip = pic.find(".//a:blip", NS)
            svg = blip.find(f".//{{{A14}}}svgBlip")
            return [rels[blip.get(EMBED)]] + ([rels[svg.get(EMBED)]] if svg is not None else [])

        assert [t.rpartition(".")[2] for t in targets("bars growing per stage")] == ["jpeg"]
        png, svg = targets("question leads to answer")
        assert png.endswith(".png") and svg.endswith(".svg")
        assert z.read("ppt/" + png.removeprefix("../")).startswith(b"\x89PNG")
        assert z.read("ppt/" + svg.removeprefix("../")) == (FIXTURES / "en" / "flow.svg").read_bytes()
        curve = [n for n in z.namelist() if n.startswith("ppt/media/") and
                 z.read(n) == (FIXTURES / "en" / "curve.png").read_bytes()]
        assert len(curve) == 1  # shown twice (answer and follow-up), stored once


def test_a_deck_with_tables_and_pictures_rebuilds_byte_identical(tmp_path: Path) -> None:
    for n in (1, 2):
        assert main(build(FIXTURES / "zh", tmp_path / f"{n}.pptx")) == 0
    assert (tmp_path / "1.pptx").read_bytes() == (tmp_path / "2.pptx").read_bytes()


@pytest.mark.parametrize(("svg", "why"), [
    ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\n<script>alert(1)</script></svg>',
     "contains <script> (line 2 of the SVG)"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
     '<image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>', "refers to 'file:///etc/passwd'"),
    ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect onload="x()" width="1" height="1"/>'
     '</svg>', "has an event handler 'onload'"),
    ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><style>@import url(https://x.y/a.css);'
     '</style></svg>', "loads a resource"),
])
def test_an_unsafe_svg_is_refused_naming_file_line_question_and_field(
        bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], svg: str, why: str) -> None:
    (bank / "bad.svg").write_text(svg, encoding="utf-8")
    with_answer(bank, "|\n      看图：\n\n      ![bad](bad.svg)")
    err = fails(capsys, build(bank, tmp_path / "out.pptx"))
    assert "01-demo.yaml:" in err and "question 'first-q'" in err and "field 'answer'" in err, err
    assert f"image 'bad.svg' {why}" in err, err
    assert not (tmp_path / "out.pptx").exists()


def test_a_picture_that_is_not_what_its_name_says_is_refused(bank: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "fake.jpg").write_bytes((FIXTURES / "en" / "curve.png").read_bytes())
    with_answer(bank, "|\n      ![chart](fake.jpg)")
    assert "image 'fake.jpg' is named .jpeg but holds PNG" in fails(capsys, build(bank, tmp_path / "o.pptx"))


def test_the_handout_sets_tables_and_pictures_natively_too(decks: Path) -> None:
    deck = decks / "handout.pptx"
    shapes = [tuple(len(rows) for _, rows in tables(deck))]
    assert 7 in shapes[0] and sum(n - 1 for n in shapes[0] if n > 7) >= 40  # the 40 rows, each part with its header
    descr = {p.find("p:nvPicPr/p:cNvPr", NS).get("descr") for _, x in parts(deck) for p in x.iterfind(".//p:pic", NS)}
    assert {"bars growing per stage", "question leads to answer", "the same curve"} <= descr
    text = "".join(t.text or "" for _, x in parts(deck) for t in x.iterfind(".//a:t", NS))
    assert " │ " not in text  # no table is set as rows of text any more


def test_click_builds_reveal_a_table_and_a_picture_with_their_block(decks: Path) -> None:
    """On a click slide the table and the pictures enter with the answer block, not before it."""
    seen = set()
    for _, xml in parts(decks / "click.pptx"):
        targets = {t.get("spid") for t in xml.iterfind(".//p:timing//p:spTgt", NS)}
        for kind, path in (("table", ".//p:graphicFrame"), ("picture", ".//p:pic")):
            for frame in xml.iterfind(path, NS):
                assert frame.find(".//p:cNvPr", NS).get("id") in targets
                seen.add(kind)
    assert seen == {"table", "picture"}


def test_pictures_are_never_drawn_larger_than_their_pixels_and_keep_their_aspect() -> None:
    from deck.plan import Picture

    bank, theme = load_bank(FIXTURES / "en"), load_theme()
    pics = {Path(el.media).name: el.box for s in study(bank, theme, {}).slides for el in s.elements
            if isinstance(el, Picture) and el.media}
    natural = {"curve.png": (240, 120), "bars.jpg": (160, 100), "flow.svg": (300, 90), "pic.png": (8, 6)}  # px
    assert set(pics) == set(natural)
    for name, box in pics.items():
        w, h = natural[name]
        assert box.w <= w * 72 / theme.images.dpi + 1e-6 and box.h <= theme.images.max_height + 1e-6
        assert abs(box.w / box.h - w / h) < 0.01


def test_a_wide_table_wraps_its_widest_columns_inside_the_slide(bank: Path) -> None:
    from deck.plan import Table

    long = "a long explanation that cannot stay on one line of a slide " * 3
    with_answer(bank, f"|\n      | k | v | why |\n      |---|---|---|\n      | 1 | short | {long} |\n"
                      f"      | 2 | **bold** | {long} |")
    b, theme = load_bank(bank), load_theme()
    plan = study(b, theme, {})
    tables_ = [el for s in plan.slides for el in s.elements if isinstance(el, Table)]
    assert len(tables_) == 1
    t = tables_[0]
    assert t.box.x + t.box.w <= plan.width - theme.slide.margin_x * 72 + 1e-6
    assert t.columns[2] > t.columns[1] > t.columns[0]  # the long column takes the room left
    assert t.rows[1] > t.rows[0]  # and wraps
    assert plan_problems(plan, theme) == []


def test_a_table_row_taller_than_a_slide_is_set_as_text_rows(bank: Path) -> None:
    """A cell cannot continue on the next slide: a table with such a row falls back to rows of text
    (cells divided by │), which split at lines like any text."""
    from deck.plan import Table

    with_answer(bank, "|\n      | k | v |\n      |---|---|\n      | 1 | " + "a very long explanation " * 150
                + " |\n      | 2 | short |")
    b, theme = load_bank(bank), load_theme()
    plan = study(b, theme, {})
    assert not [el for s in plan.slides for el in s.elements if isinstance(el, Table)]
    assert any(" │ " in p.text for s in plan.slides for el in s.elements for p in getattr(el, "paras", ()))
    assert plan_problems(plan, theme) == []
    assert plan_problems(handout(b, theme, {}), theme) == []  # an A4 page holds that row: a table there


def test_an_svg_fallback_is_drawn_at_its_shown_size_whatever_it_declares(bank: Path, tmp_path: Path) -> None:
    """An SVG may declare any size (a huge one would make a huge PNG): the fallback is as many pixels
    as the picture is drawn across, times the theme's svg_scale."""
    svg = (FIXTURES / "en" / "flow.svg").read_text(encoding="utf-8")
    (bank / "huge.svg").write_text(svg.replace('width="300" height="90"', 'width="300000" height="90000"'),
                                   encoding="utf-8")
    with_answer(bank, "|\n      ![huge](huge.svg)")
    assert main(build(bank, tmp_path / "o.pptx")) == 0
    with zipfile.ZipFile(tmp_path / "o.pptx") as z:
        png = [n for n in z.namelist() if n.startswith("ppt/media/media-") and n.endswith(".png")]
        width = Image.open(z.open(png[0])).size[0]
        xml = next(x for _, x in parts(tmp_path / "o.pptx") if x.find(".//p:pic", NS) is not None)
    drawn = int(xml.find(".//p:pic/p:spPr/a:xfrm/a:ext", NS).get("cx")) / 12700 * 96 / 72
    assert len(png) == 1 and width == round(drawn * load_theme().images.svg_scale)


def test_a_markdown_bank_shows_its_pictures_and_reports_an_unsafe_one(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A .md bank read in place finds its pictures beside it; one the loader would refuse is left as
    its alt text, and the import report says why (the line and the reason)."""
    (tmp_path / "curve.png").write_bytes((FIXTURES / "en" / "curve.png").read_bytes())
    (tmp_path / "evil.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">'
                                       "<script>x()</script></svg>", encoding="utf-8")
    (tmp_path / "bank.md").write_text("# Bank\n\n## Basics\n\n### 1. What is a curve?\n\nThis:\n\n"
                                      "![a curve](curve.png)\n\n![evil](evil.svg)\n", encoding="utf-8")
    assert main(build(tmp_path / "bank.md", tmp_path / "o.pptx")) == 0
    assert "image 'evil.svg' contains <script>" in capsys.readouterr().err
    descr = [p.find("p:nvPicPr/p:cNvPr", NS).get("descr") for _, x in parts(tmp_path / "o.pptx")
             for p in x.iterfind(".//p:pic", NS)]
    assert descr == ["a curve"]


def test_a_diagram_caption_keeps_its_markdown_on_the_slide() -> None:
    from dataclasses import replace

    from deck.planning.compose import Page
    from deck.planning.slides import diagram_slide

    theme = load_theme()
    bank = bundled_bank()
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
    from deck.planning.profiles import mock
    from deck.planning.selection import MockOptions

    bank_dir = english_with_follow_up(
        tmp_path / "bank", "See [isolation](#isolation), the [data section](#data) and [nothing](#nope).")
    bank = load_bank(bank_dir)
    (warning,) = [w for w in bank.warnings if "#nope" in w]
    assert warning.startswith("bank/01-http.yaml:6: question 'idempotency', follow_up: link '#nope' names no")
    theme = load_theme()
    runs = {r.text: r for s in study(bank, theme, {}).slides for el in s.elements
            for p in getattr(el, "paras", ()) for r in p.runs}
    assert runs["isolation"].link == "q-isolation" and runs["data section"].link == "section-data"
    assert runs["nothing"].link is None and runs["nothing"].url is None
    drawn = mock(bank, theme, MockOptions(sections=("1",)))  # isolation is in section 2: not in this deck
    runs = {r.text: r for s in drawn.slides for el in s.elements for p in getattr(el, "paras", ()) for r in p.runs}
    assert runs["isolation"].link is None and "#" not in "".join(runs)


def test_a_photo_turned_by_exif_is_embedded_upright(bank: Path, tmp_path: Path) -> None:
    img = Image.new("RGB", (60, 30), "white")
    img.paste((200, 0, 0), (0, 0, 30, 30))  # red on the left as stored: on top once turned clockwise
    exif = img.getexif()
    exif[0x0112] = 6
    img.save(bank / "photo.jpg", "JPEG", exif=exif)
    with_answer(bank, "|\n      ![a portrait photo](photo.jpg)")
    assert main(build(bank, tmp_path / "o.pptx")) == 0
    pic = next(p for _, xml in parts(tmp_path / "o.pptx") for p in xml.iterfind(".//p:pic", NS))
    ext = pic.find(".//a:xfrm/a:ext", NS)
    assert int(ext.get("cy")) == pytest.approx(2 * int(ext.get("cx")), rel=0.01)  # drawn as shown: tall
    with zipfile.ZipFile(tmp_path / "o.pptx") as z:
        media = [n for n in z.namelist() if n.startswith("ppt/media/") and n.endswith(".jpeg")]
        assert len(media) == 1
        upright = Image.open(io.BytesIO(z.read(media[0])))
    assert upright.size == (30, 60) and upright.getexif().get(0x0112, 1) == 1
    top, bottom = upright.getpixel((15, 10)), upright.getpixel((15, 50))
    assert top[0] > 150 > top[1] and min(bottom) > 200  # red on top, white below
