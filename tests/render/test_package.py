"""The OPC package we write ourselves: content types, relationships, properties."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

import pytest
from conftest import XSD_DIR
from lxml import etree

DECKS = ["study.pptx", "mock.pptx", "handout.pptx", "mock-scorecard.pptx"]
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _schema(name: str) -> etree.XMLSchema:
    if not (XSD_DIR / name).exists():
        pytest.skip(f"OOXML schemas not found at {XSD_DIR}")
    return etree.XMLSchema(etree.parse(str(XSD_DIR / name)))


@pytest.mark.parametrize("name", DECKS)
def test_content_types_relationships_and_app_properties_are_schema_valid(built: Path, name: str) -> None:
    types, rels = _schema("opc-contentTypes.xsd"), _schema("opc-relationships.xsd")
    app = _schema("shared-documentPropertiesExtended.xsd")
    with zipfile.ZipFile(built / name) as z:
        checks = [("[Content_Types].xml", types), ("docProps/app.xml", app)]
        checks += [(n, rels) for n in z.namelist() if n.endswith(".rels")]
        for member, schema in checks:
            assert schema.validate(etree.fromstring(z.read(member))), (member, schema.error_log)


@pytest.mark.parametrize("name", DECKS)
def test_every_part_is_typed_related_and_every_target_exists(built: Path, name: str) -> None:
    with zipfile.ZipFile(built / name) as z:
        names = set(z.namelist())
        ct = etree.fromstring(z.read("[Content_Types].xml"))
        overrides = {e.get("PartName").lstrip("/") for e in ct if e.tag.endswith("Override")}
        defaults = {e.get("Extension") for e in ct if e.tag.endswith("Default")}
        assert overrides <= names
        reached = {"[Content_Types].xml"}
        for rels_name in (n for n in names if n.endswith(".rels")):
            reached.add(rels_name)
            source_dir = posixpath.dirname(posixpath.dirname(rels_name))
            for rel in etree.fromstring(z.read(rels_name)):
                if rel.get("TargetMode") == "External":
                    continue
                target = posixpath.normpath(posixpath.join(source_dir, rel.get("Target")))
                assert target in names, (rels_name, rel.get("Target"))
                reached.add(target)
        for member in names:
            assert member in overrides or member.rpartition(".")[2] in defaults, member
        assert names == reached, names - reached  # no orphan part
        assert not any(re.search(r"thumbnail|printerSettings", n) for n in names)


def test_presentation_lists_every_slide_and_the_page_size(built: Path) -> None:
    from pptx import Presentation

    with zipfile.ZipFile(built / "study.pptx") as z:
        pres = z.read("ppt/presentation.xml").decode()
        slides = [n for n in z.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
    assert pres.count("<p:sldId ") == len(slides)
    assert "<p:notesMasterIdLst>" in pres and "screen4x3" not in pres
    deck = Presentation(str(built / "study.pptx"))
    assert (deck.slide_width, deck.slide_height) == (12191695, 6858000)
    handout = Presentation(str(built / "handout.pptx"))
    assert abs(handout.slide_width / handout.slide_height - 210 / 297) < 1e-3
    assert deck.core_properties.title and deck.core_properties.author == "interview-deck"
