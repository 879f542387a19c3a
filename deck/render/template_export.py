"""deck template export: our default look as a PowerPoint template, to edit in PowerPoint and give
back to --template. Our package's master and eleven standard layouts at the theme's page size, no
slides; its theme names our fonts and carries our palette as the colour scheme (text, background,
accents); the title and section-header layouts show our dark divider ground, so a deck built on the
file keeps its dividers dark. Written like our decks: same theme, same bytes.
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from deck.plan import Faces
from deck.render import opc
from deck.render.template import NS
from deck.render.writer import build_epoch
from deck.theme.settings import Palette, Theme

DIVIDER_LAYOUTS = ("ppt/slideLayouts/slideLayout1.xml", "ppt/slideLayouts/slideLayout3.xml")  # Title Slide, Section
_A, _P = f"{{{NS['a']}}}", f"{{{NS['p']}}}"


def export(theme: Theme) -> bytes:
    f, p, page = theme.fonts, theme.palette, theme.slide
    parts = []
    for part in opc.skeleton(page.w, page.h, Faces(f.latin, f.east_asian, f.mono), p.primary):
        if part.name == "ppt/theme/theme1.xml":
            part = replace(part, data=_scheme(part.data, p))
        elif part.name in DIVIDER_LAYOUTS:
            part = replace(part, data=_dark_ground(part.data, p.divider_bg))
        parts.append(part)
    parts.append(opc.presentation_part(0, page.w, page.h))
    epoch = build_epoch()
    parts += opc.doc_props("interview-deck", "interview-deck template", "template", epoch, 0, 0)
    return opc.package_bytes(parts, epoch)


def _scheme(theme_xml: bytes, p: Palette) -> bytes:
    """The colour scheme from our palette: PowerPoint offers these colours, --template reads them."""
    root = etree.fromstring(theme_xml)
    slots = {"dk1": p.text, "lt1": p.background, "dk2": p.divider_bg, "lt2": p.code_bg, "accent1": p.primary,
             "accent2": p.secondary, "accent3": p.warning, "accent4": p.divider_accent, "accent5": p.muted,
             "accent6": p.rule}
    scheme = root.find(".//a:clrScheme", NS)
    scheme.set("name", "interview-deck")
    for name, color in slots.items():
        slot = scheme.find(f"a:{name}", NS)
        for child in list(slot):
            slot.remove(child)
        etree.SubElement(slot, f"{_A}srgbClr", val=color)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _dark_ground(layout_xml: bytes, color: str) -> bytes:
    """A layout on our divider ground, its text colours swapped to the light ones (colour map)."""
    root = etree.fromstring(layout_xml)
    csld = root.find("p:cSld", NS)
    bg = etree.Element(f"{_P}bg")
    props = etree.SubElement(bg, f"{_P}bgPr")
    etree.SubElement(etree.SubElement(props, f"{_A}solidFill"), f"{_A}srgbClr", val=color)
    etree.SubElement(props, f"{_A}effectLst")
    csld.insert(0, bg)
    override = root.find("p:clrMapOvr", NS)
    for child in list(override):
        override.remove(child)
    mapping = {"bg1": "dk1", "tx1": "lt1", "bg2": "dk2", "tx2": "lt2"} | {
        f"accent{i}": f"accent{i}" for i in range(1, 7)} | {"hlink": "hlink", "folHlink": "folHlink"}
    etree.SubElement(override, f"{_A}overrideClrMapping", mapping)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
