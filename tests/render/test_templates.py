"""deck build --template: decks built on real PowerPoint templates (../shared/corpus/templates, read in
place, skipped when absent) and on small ones made here with python-pptx; hostile template files."""

from __future__ import annotations

import functools
import io
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from checks import placement_problems, schema_errors, slide_kinds
from conftest import CONTENT, ENGLISH, REPO, no_libreoffice, study_plans
from lxml import etree
from pptx import Presentation
from pptx.presentation import Presentation as PptxPresentation
from pptx.util import Inches

from deck import resources
from deck.cli import main
from deck.plan import DeckPlan
from deck.render.template import Template, load_template
from deck.render.template_style import paper_theme, styled_theme

CORPUS = REPO.parent / "shared" / "corpus" / "templates"
NAMES = ("wide-corporate.pptx", "classic-4x3.pptx", "dark.pptx", "yahei.pptx", "nyush.potx")
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
SLIDE = re.compile(r"ppt/slides/slide\d+\.xml$")


def corpus(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus template {path} is absent")
    return path


def build(template: Path, out: Path, profile: str = "study", content: Path = ENGLISH, *extra: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{profile}.pptx"
    assert main(["build", "-q", "--content", str(content), "--profile", profile, "--template", str(template),
                 "-o", str(target), *extra]) == 0
    return target


def texts(xml: bytes) -> list[str]:
    return [t.text or "" for t in etree.fromstring(xml).iter(f"{A}t")]


def package_facts(path: Path) -> tuple[dict[str, bytes], list[tuple[str, str]]]:
    """The parts, and every (source part, internal relationship target) pair, resolved."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    targets = []
    for name, data in parts.items():
        if not name.endswith(".rels"):
            continue
        folder = name.rsplit("_rels/", 1)[0]
        for rel in etree.fromstring(data):
            if rel.get("TargetMode") != "External":
                target = rel.get("Target")
                resolved = target.lstrip("/") if target.startswith("/") else str(Path(folder, target))
                targets.append((name, re.sub(r"[^/]+/\.\./", "", resolved)))
    return parts, targets


def template_slide_texts(template: Path) -> set[str]:
    """Longer texts on the template's own slides: none may survive into our deck."""
    with zipfile.ZipFile(template) as z:
        return {t.strip() for n in z.namelist() if SLIDE.match(n) for t in texts(z.read(n)) if len(t.strip()) > 12}


@pytest.fixture(autouse=True)
def _no_pdfs_unless_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds here check the PPTX; only the tests marked libreoffice make real PDFs."""
    if request.node.get_closest_marker("libreoffice") is None:
        import deck.export.pdf

        monkeypatch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)


@functools.cache
def template_of(path: Path) -> Template:
    """A corpus template read once (yahei's takes ~0.6 s); the tests only read it."""
    return load_template(path)


@functools.cache
def opened(deck: Path) -> PptxPresentation:
    """A deck opened once with python-pptx (a yahei deck holds 9 MB of layouts); the tests only read it."""
    return Presentation(str(deck))


# yahei.pptx is a large input (9 MB of layouts, 340,000 elements of art; ~2 s a deck): the checks of a
# deck on it run in the sweep (`make test-sweep`, CI), with its LibreOffice run; the others' here.
BY_WEIGHT = [pytest.param(name, marks=pytest.mark.sweep) if name == "yahei.pptx" else name for name in NAMES]


@pytest.fixture(scope="module", params=BY_WEIGHT)
def corpus_deck(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    template = corpus(request.param)
    return template, build(template, tmp_path_factory.mktemp("tpl"), "study")


def test_corpus_template_keeps_size_masters_and_colours(corpus_deck: tuple[Path, Path]) -> None:
    template, deck = corpus_deck
    ours, theirs = opened(deck), Presentation(io.BytesIO(template_of(template).package))
    assert (ours.slide_width, ours.slide_height) == (theirs.slide_width, theirs.slide_height)
    assert len(ours.slide_masters) == len(theirs.slide_masters)
    assert [len(m.slide_layouts) for m in ours.slide_masters] == [len(m.slide_layouts) for m in theirs.slide_masters]
    with zipfile.ZipFile(deck) as z, zipfile.ZipFile(template) as t:
        def scheme(zf: zipfile.ZipFile) -> list[bytes]:
            return sorted(etree.tostring(etree.fromstring(zf.read(n)).find(f".//{A}clrScheme"))
                          for n in zf.namelist() if re.match(r"ppt/theme/theme\d+\.xml$", n)
                          and etree.fromstring(zf.read(n)).find(f".//{A}clrScheme") is not None)
        assert set(scheme(t)) <= set(scheme(z))


def test_corpus_template_has_no_dangling_or_orphaned_part(corpus_deck: tuple[Path, Path]) -> None:
    _, deck = corpus_deck
    parts, targets = package_facts(deck)
    missing = [(src, t) for src, t in targets if t not in parts]
    assert not missing
    reached = {t for _, t in targets}
    orphans = [n for n in parts if not n.endswith(".rels") and n != "[Content_Types].xml" and n not in reached]
    assert not orphans


def test_corpus_template_slides_and_sample_text_are_gone(corpus_deck: tuple[Path, Path]) -> None:
    template, deck = corpus_deck
    theirs = template_slide_texts(template)
    parts, _ = package_facts(deck)
    ours = {t.strip() for n, d in parts.items() if SLIDE.match(n) for t in texts(d)}
    assert not theirs & ours
    everything = b"".join(parts.values())
    assert b"Short Title. Author." not in everything  # nyush's sample footer
    assert not any("Click to edit" in t for t in ours)


def test_every_slide_title_is_in_a_title_placeholder(corpus_deck: tuple[Path, Path]) -> None:
    _, deck = corpus_deck
    for n, slide in enumerate(opened(deck).slides, 1):
        titles = [s for s in slide.placeholders if s.placeholder_format.type in (1, 3)]  # TITLE, CENTER_TITLE
        assert len(titles) == 1 and titles[0].text_frame.text.strip(), f"slide {n}"


def test_corpus_template_slides_are_schema_valid(corpus_deck: tuple[Path, Path], pml_schema: etree.XMLSchema) -> None:
    _, deck = corpus_deck
    with zipfile.ZipFile(deck) as z:
        for name in z.namelist():
            if SLIDE.match(name) or re.match(r"ppt/notesSlides/notesSlide\d+\.xml$", name):
                assert pml_schema.validate(etree.fromstring(z.read(name))), (name, pml_schema.error_log)


def test_runs_name_theme_fonts_and_keep_lang(corpus_deck: tuple[Path, Path]) -> None:
    _, deck = corpus_deck
    with zipfile.ZipFile(deck) as z:
        root = etree.fromstring(z.read("ppt/slides/slide3.xml"))
    runs = list(root.iter(f"{A}r"))
    assert runs
    for r in runs:
        rpr = r.find(f"{A}rPr")
        assert rpr.find(f"{A}latin").get("typeface") in ("+mn-lt", "+mj-lt", "Consolas")
        assert rpr.find(f"{A}ea").get("typeface") in ("+mn-ea", "+mj-ea")
        assert rpr.get("lang")


def test_theme_fonts_in_nine_of_ten_text_runs(corpus_deck: tuple[Path, Path]) -> None:
    """Outside code, runs name the theme's fonts (+mn/+mj), so PowerPoint shows the template's faces."""
    _, deck = corpus_deck
    themed = other = 0
    with zipfile.ZipFile(deck) as z:
        for name in (n for n in z.namelist() if SLIDE.match(n)):
            for rpr in etree.fromstring(z.read(name)).iter(f"{A}rPr"):
                latin, ea = rpr.find(f"{A}latin"), rpr.find(f"{A}ea")
                if rpr.getparent().tag != f"{A}r" or latin is None or latin.get("typeface") == "Consolas":
                    continue  # code is set in the monospace face on purpose
                theme = latin.get("typeface") in ("+mn-lt", "+mj-lt") and ea is not None and ea.get(
                    "typeface") in ("+mn-ea", "+mj-ea")
                themed, other = themed + theme, other + (not theme)
    assert themed > 50 and themed / (themed + other) >= 0.9, (themed, other)


def test_dividers_sit_in_their_layouts_placeholders(corpus_deck: tuple[Path, Path]) -> None:
    """Title, section and closing slides: the title inside the layout's title placeholder (of its
    type), the subtitle in its subtitle or body placeholder when that lies below the title."""
    template, deck = corpus_deck
    t = template_of(template)
    slides = list(opened(deck).slides)
    sections = [n for n, s in enumerate(slides) if s.shapes.title is not None
                and s.shapes.title.text_frame.text in ("HTTP and APIs", "Databases")]
    assert len(sections) == 2
    for role, index in (("title", 0), ("section", sections[0]), ("section", sections[1]), ("closing", -1)):
        slide, boxes = slides[index], t.boxes[role]
        title = slide.shapes.title
        assert boxes.title is not None and title.placeholder_format.type == (3 if t.layouts[role].title_type ==
                                                                            "ctrTitle" else 1)
        x, y, w, h = (v / 12700 for v in (title.left, title.top, title.width, title.height))
        b = boxes.title
        assert b.x - 0.5 <= x and x + w <= b.x + b.w + 0.5 and b.y - 0.5 <= y and y + h <= b.bottom + 0.5, role
        subtitle = [s for s in slide.shapes if s.name.startswith("subtitle")]
        assert len(subtitle) == 1
        if role == "title":  # every line kept, if need be run together: the bank's counts come last
            assert "interview-deck test bank" in subtitle[0].text_frame.text
            assert "3 questions" in subtitle[0].text_frame.text
        if boxes.body is not None and boxes.body.y >= b.bottom - 14:
            top, left = subtitle[0].top / 12700, subtitle[0].left / 12700
            assert abs(top - boxes.body.y) < 0.5 and abs(left - boxes.body.x) < 0.5, role
        else:
            assert subtitle[0].top / 12700 >= b.bottom


def test_roles_pick_fitting_layouts() -> None:
    classic = template_of(corpus("classic-4x3.pptx"))
    assert classic.layouts["title"].name == "Title Slide"  # not the layout whose title is a ctrTitle
    assert not any(info.static_text for info in classic.layouts.values())  # "Click to edit" text-box traps
    assert classic.area is None  # its 0.79 in body is no content area
    yahei = template_of(corpus("yahei.pptx"))
    assert yahei.layouts["section"].name == "节标题" and yahei.layouts["question"].name.endswith("仅标题")
    assert yahei.layouts["answer"].master == 1  # the master its own slide uses
    dark = template_of(corpus("dark.pptx"))
    assert all(info.background != "FFFFFF" for info in dark.layouts.values())


def test_dark_template_gets_dark_code_and_readable_text() -> None:
    from deck.render.template_style import contrast
    from deck.theme.settings import load_theme

    t = template_of(corpus("dark.pptx"))
    theme = styled_theme(load_theme(), t)
    bg = t.layouts["answer"].background
    assert theme.code.pygments_style == theme.template.dark_code_style
    assert contrast(theme.palette.text, bg) >= 4.5 and contrast(theme.palette.muted, bg) >= 4.5
    assert contrast(theme.palette.divider_text, t.layouts["title"].background) >= 4.5
    for accent, tint in ((theme.palette.primary, theme.palette.answer_tint),
                         (theme.palette.warning, theme.palette.pitfall_tint)):
        assert contrast(accent, tint) >= 4.5
    # Inline `code` sits on its tint inside a block's tint: text stays readable on both.
    assert contrast(theme.palette.text, theme.palette.code_span) >= 4.5
    assert contrast(theme.palette.code_span, bg) < 1.5  # a faint tint of the dark ground, not a light patch


def test_template_build_is_byte_identical(tmp_path: Path) -> None:
    template = corpus("nyush.potx")
    first = build(template, tmp_path / "a", "mock").read_bytes()
    second = build(template, tmp_path / "b", "mock").read_bytes()
    assert first == second


def test_deck_yaml_template_key_relative_to_the_bank(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    for f in ENGLISH.iterdir():
        (bank / f.name).write_bytes(f.read_bytes())
    _small_template(bank / "look.pptx", width=Inches(10), height=Inches(7.5))
    with (bank / "deck.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\ntemplate: look.pptx\n")
    assert main(["build", "-q", "--content", str(bank), "--profile", "mock", "-o", str(tmp_path / "m.pptx")]) == 0
    assert Presentation(str(tmp_path / "m.pptx")).slide_width == Inches(10)


# --- Small templates made here.

def _small_template(path: Path, width: int, height: int, rename: dict[str, str] | None = None,
                    strip_body: bool = False, untype: bool = False) -> Path:
    prs = Presentation()
    prs.slide_width, prs.slide_height = width, height
    for layout in (*prs.slide_layouts, prs.slide_master):
        el = layout.element
        csld = el.find(f"{P}cSld")
        if rename and csld.get("name") in rename and layout is not prs.slide_master:
            csld.set("name", rename[csld.get("name")])
        if untype and layout is not prs.slide_master:
            el.attrib.pop("type", None)
        if strip_body:
            for sp in list(el.iter(f"{P}sp")):
                ph = sp.find(f"{P}nvSpPr/{P}nvPr/{P}ph")
                if ph is not None and ph.get("type") in (None, "body", "obj", "subTitle"):
                    sp.getparent().remove(sp)
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Sample slide of the template"
    prs.save(path)
    return path


def test_small_4x3_template_fits_its_page(tmp_path: Path) -> None:
    template = _small_template(tmp_path / "t.pptx", Inches(10), Inches(7.5))
    deck = build(template, tmp_path, "mock")
    prs = Presentation(str(deck))
    assert (prs.slide_width, prs.slide_height) == (Inches(10), Inches(7.5))
    for slide in prs.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.left + shape.width <= prs.slide_width
            assert shape.top >= 0 and shape.top + shape.height <= prs.slide_height
        assert "Sample slide" not in " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def test_localised_untyped_layout_names_are_a_hint(tmp_path: Path) -> None:
    names = {"Title Slide": "标题幻灯片", "Title Only": "仅标题", "Blank": "空白", "Title and Content": "标题和内容",
             "Section Header": "节标题"}
    template = _small_template(tmp_path / "t.pptx", Inches(13.333), Inches(7.5), rename=names, untype=True)
    t = load_template(template)
    assert t.layouts["title"].name == "标题幻灯片"
    assert t.layouts["question"].name == "仅标题"
    assert t.layouts["section"].name == "节标题"
    assert t.layouts["answer"].name == "标题和内容"


def test_template_without_body_placeholders_uses_our_margins(tmp_path: Path) -> None:
    template = _small_template(tmp_path / "t.pptx", Inches(13.333), Inches(7.5), strip_body=True)
    assert load_template(template).area is None
    deck = build(template, tmp_path, "mock")
    assert len(Presentation(str(deck)).slides) > 5


def test_verbose_names_the_layout_of_each_role(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = _small_template(tmp_path / "t.pptx", Inches(13.333), Inches(7.5))
    build(template, tmp_path, "mock", ENGLISH, "-v")
    err = capsys.readouterr().err
    assert "template layout for question: 'Title Only'" in err and "template layout for answer:" in err
    assert re.search(r"template layout for title: 'Title Slide' .*; title x \d+ y \d+ w \d+ h \d+ pt anchored "
                     r"\w+; text x \d+", err), err


def test_handout_and_scorecard_take_the_templates_colours_and_fonts(tmp_path: Path) -> None:
    """Our A4 page in the template's faces (named outright: our own package has not its theme fonts)
    and colours (section bands in its first accent); without --template, our own look."""
    from deck.theme.settings import load_theme

    template = _small_template(tmp_path / "t.pptx", Inches(13.333), Inches(7.5))
    t = load_template(template)
    paper = paper_theme(load_theme(), styled_theme(load_theme(), t), t)
    ours = load_theme()
    assert paper.palette.divider_bg != ours.palette.divider_bg and paper.fonts.latin == t.fonts["minorFont"]
    for profile, made in (("handout", "handout.pptx"), ("mock", "mock-scorecard.pptx")):
        build(template, tmp_path / "with", profile)
        with zipfile.ZipFile(tmp_path / "with" / made) as z:
            xml = b"".join(z.read(n) for n in z.namelist() if SLIDE.match(n))
        faces = set(re.findall(rb'<a:latin typeface="([^"]+)"', xml))
        assert t.fonts["minorFont"].encode() in faces and ours.fonts.latin.encode() not in faces, faces
        fills = set(re.findall(rb'<a:srgbClr val="([0-9A-F]{6})"', xml))
        assert paper.palette.primary.encode() in fills and ours.palette.primary.encode() not in fills, profile
    with zipfile.ZipFile(tmp_path / "with" / "handout.pptx") as z:
        assert paper.palette.divider_bg.encode() in z.read("ppt/slides/slide1.xml")


def test_exported_template_round_trips(tmp_path: Path, pml_schema: etree.XMLSchema,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """deck template export writes our look (our page, fonts, palette, dark dividers), no slides, schema-valid
    and the same bytes each time; --template takes it back and gives our colours."""
    from checks import schema_errors

    from deck.theme.settings import load_theme

    ours = load_theme()
    path = tmp_path / "ours.pptx"
    assert main(["template", "export", str(path)]) == 0
    first = path.read_bytes()
    assert main(["template", "export", str(path)]) == 0 and path.read_bytes() == first
    assert not Presentation(str(path)).slides and schema_errors(path, pml_schema) == []
    t = load_template(path)
    assert (round(t.width), round(t.height)) == (round(ours.slide.w), round(ours.slide.h))
    assert {r: t.layouts[r].name for r in ("title", "section", "question", "answer")} == {
        "title": "Title Slide", "section": "Section Header", "question": "Title Only", "answer": "Title and Content"}
    assert t.layouts["title"].background == ours.palette.divider_bg == t.layouts["section"].background
    assert t.colors["accent1"] == ours.palette.primary and t.fonts["minorFont"] == ours.fonts.latin
    styled = styled_theme(ours, t).palette
    assert (styled.text, styled.primary, styled.divider_bg) == (ours.palette.text, ours.palette.primary,
                                                                ours.palette.divider_bg)
    deck = build(path, tmp_path / "deck", "mock")
    assert len(Presentation(str(deck)).slides) > 5
    (tmp_path / "theirs.pptx").write_bytes(b"not ours")
    assert main(["template", "export", str(tmp_path / "theirs.pptx")]) != 0
    assert main(["template", "export", str(tmp_path / "ours.potx")]) != 0
    assert (tmp_path / "theirs.pptx").read_bytes() == b"not ours" and not (tmp_path / "ours.potx").exists()
    capsys.readouterr()


# --- Hostile template files: one message naming the file, exit non-zero, nothing written.

def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _members(tmp_path: Path) -> dict[str, bytes]:
    good = _small_template(tmp_path / "good.pptx", Inches(10), Inches(7.5))
    with zipfile.ZipFile(good) as z:
        return {n: z.read(n) for n in z.namelist()}


def _hostile(kind: str, tmp_path: Path) -> Path:
    m = _members(tmp_path)
    if kind == "bomb":
        return _zip(tmp_path / "bomb.pptx", m | {"ppt/media/huge.bin": b"\0" * (40 << 20)})
    if kind == "ratio":
        return _zip(tmp_path / "ratio.pptx", m | {"ppt/media/zeros.png": b"\0" * (8 << 20)})
    if kind == "entity":
        evil = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                + m["ppt/presProps.xml"].split(b"?>", 1)[1])
        return _zip(tmp_path / "entity.pptx", m | {"ppt/presProps.xml": evil})
    if kind == "external":
        rels = m["ppt/slideLayouts/_rels/slideLayout1.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/image" Target="http://example.invalid/logo.png" TargetMode="External"/>'
            b"</Relationships>")
        return _zip(tmp_path / "external.pptx", m | {"ppt/slideLayouts/_rels/slideLayout1.xml.rels": rels})
    if kind == "macro":
        return _zip(tmp_path / "macro.pptm", m)
    if kind == "encrypted":
        path = tmp_path / "locked.pptx"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
        return path
    if kind == "not-a-presentation":
        path = tmp_path / "notes.pptx"
        path.write_text("just text", encoding="utf-8")
        return path
    if kind == "word":
        types = m["[Content_Types].xml"].replace(b"presentationml.presentation.main", b"wordprocessingml.document.main")
        return _zip(tmp_path / "word.pptx", m | {"[Content_Types].xml": types})
    assert kind == "no-master"
    rels = re.sub(rb'<Relationship [^>]*slideMaster"[^>]*/>', b"", m["ppt/_rels/presentation.xml.rels"])
    return _zip(tmp_path / "nomaster.pptx", m | {"ppt/_rels/presentation.xml.rels": rels})


@pytest.mark.parametrize("kind", ["bomb", "ratio", "entity", "external", "macro", "encrypted",
                                  "not-a-presentation", "word", "no-master"])
def test_hostile_template_is_refused_before_anything_is_written(kind: str, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    template = _hostile(kind, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    code = main(["build", "-q", "--content", str(ENGLISH), "--profile", "mock", "--template", str(template),
                 "-o", str(out / "mock.pptx")])
    err = capsys.readouterr().err
    assert code != 0
    assert err.count("error:") == 1 and str(template) in err, err
    assert not any(out.iterdir())


# --- LibreOffice: a sample of the bundled bank on each corpus template, every kind of slide in it.
# The whole bank is ~600 slides a template (a yahei deck alone took LibreOffice ~50 s of CPU): our own
# measure checks all of it on each template, in process; LibreOffice, which confirms that measure, draws
# a sample that holds every kind of study slide on every template, which the test counts on the plans.
# The sample's bundled questions: continued answers, code beside the blocks and continued, and one
# question in each section that shows diagrams (the sections without one add no kind of slide).

SAMPLE = ("data-loading", "decay-relative-position", "dist-memory-budget", "infer-prefill-vs-decode")
KINDS = ("title", "agenda", "section", "diagram native", "diagram picture", "question", "answer",
         "answer continued", "answer with code", "code", "code continued", "table", "table continued", "picture",
         "click build", "references", "references continued", "closing")


@pytest.fixture(scope="module")
def sample_banks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """For the slides deck: the bundled bank with SAMPLE's questions only (every diagram kept, in the
    sections that show them; 8 references), the Markdown test bank's questions (tables, a long table, pictures, code
    blocks) as a seventh section, and the overview diagram once more kept a picture. For the click
    deck: that bank's data-loading (code slides) and Markdown questions alone. And the diagram
    cache: the committed renders (no browser)."""
    root = tmp_path_factory.mktemp("sample")
    bank, click, cache = root / "bank", root / "click", root / "cache"

    def write(path: Path, data: dict) -> None:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    shutil.copytree(CONTENT / "diagrams", bank / "diagrams")
    deck = yaml.safe_load((CONTENT / "deck.yaml").read_text(encoding="utf-8"))
    write(bank / "deck.yaml", deck | {"references": deck["references"][:8]})  # still more than one slide
    shutil.copytree(resources.diagram_cache(), cache)
    shutil.copy(bank / "diagrams/pipeline.mmd", bank / "diagrams/pipeline-picture.mmd")
    for render in sorted(cache.glob("pipeline-*")):  # the same source: the same renders under its id
        shutil.copy(render, cache / render.name.replace("pipeline-", "pipeline-picture-", 1))
    with (bank / "diagrams/diagrams.yaml").open("a", encoding="utf-8") as fh:
        fh.write("pipeline-picture:\n  title: 全景（图片）\n  caption: 同一张全景图，保持为图片\n  native: false\n")
    sections = {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(CONTENT.glob("0*.yaml"))}
    markdown = REPO / "tests" / "markdown" / "zh"
    sections["07-markdown.yaml"] = yaml.safe_load((markdown / "01-md.yaml").read_text(encoding="utf-8"))
    sections["07-markdown.yaml"]["section"].update(id="markdown", number=7, diagrams=["pipeline-picture"])
    click.mkdir()
    write(click / "deck.yaml", {k: v for k, v in deck.items() if k not in ("references", "overview_diagram")})
    for name, data in sections.items():
        kept = [q for q in data["questions"] if q["id"] in SAMPLE or name.startswith("07")]
        if kept:
            write(bank / name, data | {"questions": kept})
        if name.startswith(("01", "07")):
            write(click / name, {"section": {k: v for k, v in data["section"].items() if k != "diagrams"},
                                 "questions": [q for q in kept if q["id"] == "data-loading" or name.startswith("07")]})
    for picture in (p for p in markdown.iterdir() if p.suffix != ".yaml"):  # beside the section, as there
        shutil.copy(picture, bank)
        shutil.copy(picture, click)
    return bank, click, cache


def planned_build(template: Path, content: Path, cache: Path, target: Path, *extra: str) -> DeckPlan:
    """deck build through the CLI onto a template, and the plan it rendered."""
    from deck.render import template_writer

    plans: list[DeckPlan] = []
    render = template_writer.render
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(template_writer, "render", lambda plan, *args: plans.append(plan) or render(plan, *args))
        assert main(["build", "-q", "--content", str(content), "--profile", "study", "--template", str(template),
                     "--cache", str(cache), "-o", str(target), *extra]) == 0
    (plan,) = plans
    return plan


@pytest.fixture(scope="module")
def template_sample(sample_banks: tuple[Path, Path, Path],
                    tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], list[tuple[DeckPlan, Path]]]:
    """The two sample decks on a corpus template, built through the CLI when its test asks:
    name -> [(plan, deck)] for the slides deck and the click deck."""
    bank, click, cache = sample_banks

    def on(name: str) -> list[tuple[DeckPlan, Path]]:
        folder, stem = tmp_path_factory.mktemp("on-template"), Path(name).stem
        return [(planned_build(corpus(name), content, cache, deck, "--reveal", reveal), deck)
                for content, reveal, deck in ((bank, "slides", folder / f"slides-{stem}.pptx"),
                                              (click, "click", folder / f"click-{stem}.pptx"))]

    return on


# `make test` runs this on one template, the 4:3 one (the narrowest boxes: the most wrapping); the
# sweep (`make test-sweep`, CI) on the other four. The in-process checks above run on all five.
SWEPT = [pytest.param(name, marks=() if name == "classic-4x3.pptx" else pytest.mark.sweep) for name in NAMES]


@pytest.mark.parametrize("name", SWEPT)
def test_corpus_template_study_decks_fit_in_libreoffice(name: str, template_sample, pdfs_of) -> None:  # noqa: ANN001
    from checks import plan_problems

    from deck.theme.settings import load_theme

    template = corpus(name)
    # The whole bundled bank, both reveals, by our own measure.
    theme = styled_theme(load_theme(), template_of(template))
    for reveal, plan in zip(("slides", "click"), study_plans(CONTENT, theme, ("slides", "click")), strict=True):
        assert len(plan.slides) > 250 and plan_problems(plan, theme) == [], reveal
    # The samples in LibreOffice (both in one run): every kind of slide, nothing outside its box.
    (slides, _), (click, _) = samples = template_sample(name)
    kinds = slide_kinds(slides) + slide_kinds(click)
    assert [k for k in KINDS if not kinds[k]] == [], dict(kinds)
    decks = [deck for _, deck in samples]
    for deck, pdf in zip(decks, pdfs_of(decks), strict=True):
        assert placement_problems(deck, pdf) == [], deck.name


def test_click_builds_on_a_template_are_schema_valid(tmp_path: Path, pml_schema: etree.XMLSchema) -> None:
    deck = build(corpus("nyush.potx"), tmp_path, "mock", ENGLISH, "--reveal", "click")
    timed = 0
    with zipfile.ZipFile(deck) as z:
        for name in z.namelist():
            if SLIDE.match(name):
                root = etree.fromstring(z.read(name))
                timed += root.find(f"{P}timing") is not None
                assert pml_schema.validate(root), (name, pml_schema.error_log)
    assert timed > 0


def test_tables_and_pictures_on_a_template(tmp_path: Path, pml_schema: etree.XMLSchema) -> None:
    """A Markdown bank's native tables and pictures go through the template writer too: the same
    a:tbl, p:pic with their alt text, one media part per distinct file with its content type."""
    template = _small_template(tmp_path / "t.pptx", Inches(13.333), Inches(7.5))
    deck = build(template, tmp_path, "study", REPO / "tests" / "markdown" / "en")
    with zipfile.ZipFile(deck) as z:
        slides = [etree.fromstring(z.read(n)) for n in z.namelist() if SLIDE.match(n)]
        types = etree.fromstring(z.read("[Content_Types].xml"))
        media = {n: z.read(n) for n in z.namelist() if n.startswith("ppt/media/media-")}
    assert sum(1 for s in slides for _ in s.iter(f"{A}tbl")) >= 3  # the 7-row table and the 40-row one in parts
    descr = {p.find(f"{P}nvPicPr/{P}cNvPr").get("descr") for s in slides for p in s.iter(f"{P}pic")}
    assert {"a loss curve falling and flattening", "bars growing per stage", "question leads to answer"} <= descr
    curve = (REPO / "tests" / "markdown" / "en" / "curve.png").read_bytes()
    assert list(media.values()).count(curve) == 1
    kinds = {t.get("PartName", t.get("Extension")): t.get("ContentType") for t in types}
    assert {kinds.get(f"/{n}") or kinds.get(n.rpartition(".")[2]) for n in media} == {
        "image/png", "image/jpeg", "image/svg+xml"}
    assert schema_errors(deck, pml_schema) == []


def test_slide_kinds_counts_only_what_a_plan_holds() -> None:
    """The coverage count above, on a bank with no diagram, table or picture, its code beside the answer."""
    from deck.content.load import load_bank
    from deck.planning.profiles import study
    from deck.theme.settings import load_theme

    kinds = slide_kinds(study(load_bank(ENGLISH), load_theme(), {}))
    assert {"title", "agenda", "section", "question", "answer", "answer with code", "references",
            "closing"} <= set(kinds)
    assert not {"diagram native", "diagram picture", "table", "picture", "click build", "code"} & set(kinds), kinds
