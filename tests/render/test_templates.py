"""deck build --template: decks built on real PowerPoint templates (../shared/corpus/templates, read in
place, skipped when absent) and on small ones made here with python-pptx; hostile template files."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from checks import placement_problems
from conftest import CONTENT, ENGLISH, REPO, no_libreoffice
from lxml import etree
from pptx import Presentation
from pptx.util import Inches

from deck.cli import main
from deck.render.template import load_template

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


@pytest.fixture(scope="module", params=NAMES)
def corpus_deck(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    template = corpus(request.param)
    return template, build(template, tmp_path_factory.mktemp("tpl"), "study")


def test_corpus_template_keeps_size_masters_and_colours(corpus_deck: tuple[Path, Path]) -> None:
    template, deck = corpus_deck
    ours, theirs = Presentation(str(deck)), Presentation(io.BytesIO(load_template(template).package))
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
    for n, slide in enumerate(Presentation(str(deck)).slides, 1):
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


def test_roles_pick_fitting_layouts() -> None:
    classic = load_template(corpus("classic-4x3.pptx"))
    assert classic.layouts["title"].name == "Title Slide"  # not the layout whose title is a ctrTitle
    assert not any(info.static_text for info in classic.layouts.values())  # "Click to edit" text-box traps
    assert classic.area is None  # its 0.79 in body is no content area
    yahei = load_template(corpus("yahei.pptx"))
    assert yahei.layouts["section"].name == "节标题" and yahei.layouts["question"].name.endswith("仅标题")
    assert yahei.layouts["answer"].master == 1  # the master its own slide uses
    dark = load_template(corpus("dark.pptx"))
    assert all(info.background != "FFFFFF" for info in dark.layouts.values())


def test_dark_template_gets_dark_code_and_readable_text() -> None:
    from deck.render.template_style import contrast
    from deck.theme.settings import load_theme

    t = load_template(corpus("dark.pptx"))
    theme = t.theme(load_theme())
    bg = t.layouts["answer"].background
    assert theme.code.pygments_style == theme.template.dark_code_style
    assert contrast(theme.palette.text, bg) >= 4.5 and contrast(theme.palette.muted, bg) >= 4.5
    assert contrast(theme.palette.divider_text, t.layouts["title"].background) >= 4.5
    for accent, tint in ((theme.palette.primary, theme.palette.answer_tint),
                         (theme.palette.warning, theme.palette.pitfall_tint)):
        assert contrast(accent, tint) >= 4.5


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
    code = main(["build", "-q", "--content", str(ENGLISH), "--profile", "mock", "--template", str(template),
                 "-o", str(out / "mock.pptx")])
    err = capsys.readouterr().err
    assert code != 0
    assert err.count("error:") == 1 and str(template) in err, err
    assert not out.exists() or not any(out.iterdir())


# --- LibreOffice: the bundled bank's study and mock decks on each corpus template, 0 placement findings.

# Known: with DejaVu Sans standing in for Calibri/Arial/Segoe UI, LibreOffice keeps "adapter，add_weighted_adapter"
# (CJK comma between Latin words) on one line where deck.text.layout breaks after the comma, so a few restated
# questions take one line more than measured (1-6 of ~700 slides). yahei and nyush give 0 findings.
BREAK_MISMATCH = pytest.mark.xfail(strict=True, reason="deck.text.layout breaks after a CJK comma before Latin; "
                                   "LibreOffice does not (a few titles one line over)")


@pytest.fixture(scope="session")
def corpus_pdfs(tmp_path_factory: pytest.TempPathFactory, pdfs_of):  # noqa: ANN001, ANN201
    """name -> {deck stem: (deck, pdf)}: a template's study and mock decks of the bundled bank and the
    mock's scorecard, all three converted in one LibreOffice run (was three runs: a start-up each)."""
    import deck.export.pdf

    made: dict[str, dict[str, tuple[Path, Path]]] = {}

    def make(name: str) -> dict[str, tuple[Path, Path]]:
        if name not in made:
            out = tmp_path_factory.mktemp("tpl-lo")
            with pytest.MonkeyPatch.context() as mp:  # the scorecard's PDF is made below, with the decks
                mp.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)
                decks = [build(corpus(name), out, profile, CONTENT) for profile in ("study", "mock")]
            scorecard = out / "mock-scorecard.pptx"
            scorecard.with_suffix(".pdf").unlink()  # the placeholder
            decks.append(scorecard)
            made[name] = {d.stem: (d, pdf) for d, pdf in zip(decks, pdfs_of(decks), strict=True)}
        return made[name]

    return make


def _on_libreoffice(name: str) -> list[pytest.MarkDecorator]:
    # One xdist group per template: its two tests run in one worker, which converts both decks at once.
    return [pytest.mark.xdist_group(f"template-{name}"),
            *([BREAK_MISMATCH] if name in ("wide-corporate.pptx", "classic-4x3.pptx", "dark.pptx") else [])]


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", [pytest.param(n, marks=_on_libreoffice(n)) for n in NAMES])
@pytest.mark.parametrize("profile", ["study", "mock"])
def test_corpus_template_decks_fit_in_libreoffice(name: str, profile: str, corpus_pdfs) -> None:  # noqa: ANN001
    made = corpus_pdfs(name)
    deck, pdf = made[profile]
    assert placement_problems(deck, pdf) == []
    if profile == "mock":  # LibreOffice converts the scorecard a mock build makes (as `deck build` does)
        import pymupdf

        scorecard, pdf = made["mock-scorecard"]
        with pymupdf.open(pdf) as doc:
            assert doc.page_count == len(Presentation(str(scorecard)).slides) > 0


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
