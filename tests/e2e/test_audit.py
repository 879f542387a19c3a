"""A third-party validator's verdict on what we write: openxml-audit (PyPI, test extra) applies
PowerPoint's own rules beyond the XSD (relationship targets, id uniqueness, timing trees, content
types) and predicts whether PowerPoint opens the file cleanly. Every kind of deck we make is
checked: the bundled bank's, an English bank's (all profiles, click builds), a Markdown bank's,
and decks on a user's template."""

from __future__ import annotations

import itertools
import zipfile
from collections import Counter
from collections.abc import Set
from pathlib import Path

import pytest
from conftest import ENGLISH, REPO, XSD_DIR, no_libreoffice
from lxml import etree

import deck.export.pdf
from deck.cli import main

audit = pytest.importorskip("openxml_audit", reason="test extra: pip install openxml-audit")
TEMPLATES = REPO.parent / "shared" / "corpus" / "templates"
MARKDOWN = REPO / "tests" / "markdown" / "zh"


class SiblingPositions:
    """openxml-audit names each element by its place among same-tag siblings, found by walking the
    siblings once per element: quadratic where a template's art holds 2,477 points in one path
    (yahei.pptx, ~7 s of the audit's 9). Here each parent's children are walked once. The children
    are held, so lxml hands out the same proxy (and id) for an element while the audit runs."""

    def __init__(self) -> None:
        self.parents: dict[int, tuple[etree._Element, list[etree._Element], dict[int, int]]] = {}

    def __call__(self, element: etree._Element) -> int:
        parent = element.getparent()
        if parent is None:
            return 1
        held = self.parents.get(id(parent))
        if held is None:
            children, seen, places = list(parent), Counter(), {}
            for child in children:
                seen[child.tag] += 1
                places[id(child)] = seen[child.tag]
            held = self.parents[id(parent)] = (parent, children, places)
        return held[2][id(element)]


def findings(deck: Path, schema: bool = True, skip: Set[str] = frozenset()) -> list[str]:
    """The audit's errors; schema=False leaves out its schema rules, and skip names parts they pass
    over (see the bundled decks' and the templates' tests)."""
    validator = audit.OpenXmlValidator(schema_validation=schema)
    if skip:
        check = validator._schema_validator.validate_part
        validator._schema_validator.validate_part = lambda part, context: (
            [] if part.uri.lstrip("/") in skip else check(part, context))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(audit.context, "_sibling_position", SiblingPositions())
        result = validator.validate(deck)
    return [f"{deck.name}: {e}" for e in result.errors]


def diagram_parts(deck: Path) -> set[str]:
    """The slides that hold a native diagram (a p:grpSp)."""
    with zipfile.ZipFile(deck) as z:
        return {n for n in z.namelist() if n.startswith("ppt/slides/slide") and b"<p:grpSp>" in z.read(n)}


BLANKLESS = etree.XMLParser(remove_blank_text=True)


def unchanged_parts(deck: Path, template: Path) -> set[str]:
    """The XML parts of the deck that are the template's, the same in canonical form: masters,
    layouts, themes (never a slide or notes page of ours, even one whose relationships match)."""
    def canonical(z: zipfile.ZipFile, name: str) -> bytes:  # as python-pptx parses and writes it
        return etree.tostring(etree.fromstring(z.read(name), BLANKLESS))

    with zipfile.ZipFile(deck) as ours, zipfile.ZipFile(template) as theirs:
        shared = {n for n in set(ours.namelist()) & set(theirs.namelist())
                  if not n.startswith(("ppt/slides/", "ppt/notesSlides/"))}
        return {n for n in shared if n.endswith((".xml", ".rels")) and canonical(ours, n) == canonical(theirs, n)}


Construct = tuple[str, str, tuple[str, ...], tuple[str, ...]]


def constructs(deck: Path, parts: Set[str] | None = None) -> set[Construct]:
    """Each kind of element a deck holds, in every XML part (or in the parts named): its parent's tag,
    its tag, its attribute names and its children's tags in order (a run of one tag counted once)."""
    out = set()
    with zipfile.ZipFile(deck) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")) and (parts is None or name in parts):
                for el in etree.fromstring(z.read(name)).iter("{*}*"):
                    parent = el.getparent()
                    children = tuple(tag for tag, _ in itertools.groupby(c.tag for c in el.iterchildren("{*}*")))
                    out.add(("" if parent is None else parent.tag, el.tag, tuple(sorted(el.attrib)), children))
    return out


def test_sibling_positions_match_the_audits_own(built: Path) -> None:
    """The faster count gives the audit the same paths, on a slide of ours and on mixed siblings."""
    with zipfile.ZipFile(built / "study.pptx") as z:
        slide = etree.fromstring(z.read("ppt/slides/slide2.xml"))
    mixed = etree.fromstring("<r><a/><b/><a><a/><!--c--><a/></a><!--c--><?p?><b/><a/></r>")
    positions = SiblingPositions()
    for tree in (slide, mixed):
        elements = list(tree.iter())
        assert [positions(e) for e in elements] == [audit.context._sibling_position(e) for e in elements]
    assert [positions(e) for e in mixed.iter("a")] == [1, 2, 1, 2, 3]


# The audit is pure Python. Its schema rules cost ~80 % of its time, and the shipped decks are big
# (the study deck ~5 s): those rules check each kind of element, which the sample decks below and the
# shipped decks' diagram pages hold between them (test_english_markdown_and_click_decks_open_cleanly),
# and every part of every shipped deck is validated against the XSD in lxml (test_decks.test_schema_valid).
# Without the XSD (no ../shared) the decks get the schema rules whole. The rest (relationships, ids,
# timing trees, content types) runs on every part: of the dense sample's four decks in `make test`
# (every diagram and section, the densest questions), of the bundled bank's whole in the sweep.
SHIPPED = ("study.pptx", "mock.pptx", "handout.pptx", "mock-scorecard.pptx")


@pytest.mark.parametrize("bank", ["dense_built", pytest.param("built", marks=pytest.mark.sweep)])
@pytest.mark.parametrize("name", SHIPPED)
def test_the_bundled_decks_open_cleanly_in_powerpoint(bank: str, name: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(bank)
    assert {d.name for d in folder.glob("*.pptx")} >= set(SHIPPED)
    with zipfile.ZipFile(folder / name) as z:
        others = set(z.namelist()) - diagram_parts(folder / name)
    assert findings(folder / name, skip=others if (XSD_DIR / "pml.xsd").is_file() else frozenset()) == []


def test_english_markdown_and_click_decks_open_cleanly(built: Path, dense_built: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)  # the PDFs are not what is checked here
    for args in (["--content", str(ENGLISH), "--profile", "study", "-o", str(tmp_path / "study.pptx")],
                 ["--content", str(ENGLISH), "--profile", "mock", "-o", str(tmp_path / "mock.pptx")],
                 ["--content", str(ENGLISH), "--profile", "study", "--reveal", "click", "-o", str(tmp_path / "c.pptx")],
                 ["--content", str(MARKDOWN), "--profile", "study", "-o", str(tmp_path / "md.pptx")]):
        assert main(["build", "-q", "--cache", str(tmp_path / "cache"), *args]) == 0
    decks = sorted(tmp_path.rglob("*.pptx"))
    assert len(decks) == 5  # the mock brings its scorecard
    assert [f for d in decks for f in findings(d)] == []
    # What the schema rules saw, with the dense sample's diagram pages (audited above), is every kind of
    # element the four shipped decks hold: 482 kinds today, the native diagrams' only on those pages.
    dense = [dense_built / name for name in SHIPPED]
    seen = set().union(*(constructs(d, diagram_parts(d)) for d in dense), *map(constructs, decks))
    missing = set().union(*(constructs(built / name) for name in SHIPPED)) - seen
    assert len(seen) > 450 and sorted(missing) == []


@pytest.mark.skipif(not TEMPLATES.is_dir(), reason="../shared/corpus/templates is not beside the repository")
@pytest.mark.parametrize("name", ["classic-4x3.pptx", "dark.pptx", "nyush.potx", "wide-corporate.pptx",
                                  pytest.param("yahei.pptx", marks=pytest.mark.sweep)])  # 9 MB of layouts: swept
def test_decks_on_the_corpus_templates_open_cleanly(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)
    assert sorted(t.name for t in TEMPLATES.glob("*.p?tx")) == ["classic-4x3.pptx", "dark.pptx", "nyush.potx",
                                                               "wide-corporate.pptx", "yahei.pptx"]
    out = tmp_path / "mock.pptx"
    assert main(["build", "-q", "--content", str(ENGLISH), "--profile", "mock", "--reveal", "click",
                 "--template", str(TEMPLATES / name), "--cache", str(tmp_path / "cache"), "-o", str(out)]) == 0
    theirs = unchanged_parts(out, TEMPLATES / name)
    assert {"ppt/slideLayouts/slideLayout1.xml", "ppt/theme/theme1.xml"} & theirs
    assert findings(out, skip=theirs) == []
