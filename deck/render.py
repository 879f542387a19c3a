"""DeckPlan -> .pptx bytes (python-pptx for the package; deck.ooxml for the XML)."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

from pptx import Presentation
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import OpcPackage, Part
from pptx.opc.packuri import PackURI

from deck import ooxml
from deck.errors import DeckError
from deck.plan import Box, DeckPlan, Para, Picture, Rect, Run, Slide, Text

if TYPE_CHECKING:
    from deck.diagrams import RenderedDiagram

TITLE_ONLY_LAYOUT = 5  # python-pptx default template: "Title Only"


def build_epoch() -> int:
    """SOURCE_DATE_EPOCH if set (reproducible builds), else a fixed date."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "1704067200")  # default: 2024-01-01
    try:
        epoch = int(value)
    except ValueError:
        raise DeckError(f"SOURCE_DATE_EPOCH='{value}' is not a whole number of seconds") from None
    return min(max(epoch, 315532800), 4354819199)  # what a zip timestamp can hold: 1980..2107


def render(plan: DeckPlan, diagrams: dict[str, RenderedDiagram] | None = None) -> bytes:
    fonts = plan.faces
    lang = ooxml.Langs(plan.language)
    inset = plan.inset
    prs = Presentation()
    old_w, old_h = prs.slide_width, prs.slide_height
    ooxml.slide_size(prs, plan.width, plan.height)
    master = prs.slide_master
    ooxml.scale_layouts([master._element, *(lay._element for lay in prs.slide_layouts)],
                        prs.slide_width / old_w, prs.slide_height / old_h)
    theme_part = master.part.part_related_by(RT.THEME)
    theme_part._blob = ooxml.theme_fonts(theme_part.blob, fonts)
    layout_part = prs.slide_layouts[TITLE_ONLY_LAYOUT].part
    notes_master_part = prs.part.notes_master_part
    package = prs.part.package
    slide_ids = prs.slides._sldIdLst

    # Slide and notes parts are made directly as serialized XML: python-pptx's add_slide
    # and notes_slide clone placeholders we replace anyway, scan every relationship
    # (quadratic in slides) and keep an lxml tree per part (memory for big banks).
    parts = [Part(PackURI(f"/ppt/slides/slide{n}.xml"), CT.PML_SLIDE, package)
             for n in range(1, len(plan.slides) + 1)]
    by_key = {spec.key: part for spec, part in zip(plan.slides, parts, strict=True)}
    media: dict[str, tuple[Part, Part]] = {}
    for number, (spec, part) in enumerate(zip(plan.slides, parts, strict=True), 1):
        part.rels._add_relationship(RT.SLIDE_LAYOUT, layout_part)
        slide_ids._add_sldId(id=255 + number, rId=prs.part.rels._add_relationship(RT.SLIDE, part))
        links = {key: part.relate_to(by_key[key], RT.SLIDE) for key in _link_keys(spec)}
        shapes = [ooxml.text_shape(spec.title, 2, fonts, lang, inset, links, title=True)]
        for i, el in enumerate(spec.elements, start=3):
            if isinstance(el, Text):
                shapes.append(ooxml.text_shape(el, i, fonts, lang, inset, links))
            elif isinstance(el, Rect):
                shapes.append(ooxml.rect_shape(el, i))
            elif isinstance(el, Picture):
                png_rid, svg_rid = _media_rids(package, part, el, diagrams or {}, media)
                shapes.append(ooxml.picture_shape(el, i, png_rid, svg_rid))
        part._blob = ooxml.slide_xml(shapes, spec.background)
        if spec.notes:
            style = plan.notes
            notes = Text(Box(0, 0, 0, 0), tuple(Para((Run(line),)) for line in spec.notes.split("\n")),
                         style.size, style.color, "notes", line_spacing=style.line_spacing, paragraph_gap=0)
            notes_part = Part(PackURI(f"/ppt/notesSlides/notesSlide{number}.xml"), CT.PML_NOTES_SLIDE,
                              package, ooxml.notes_xml(notes, fonts, lang))
            notes_part.rels._add_relationship(RT.NOTES_MASTER, notes_master_part)
            notes_part.rels._add_relationship(RT.SLIDE, part)
            part.rels._add_relationship(RT.NOTES_SLIDE, notes_part)
    _core_properties(prs, plan)
    return ooxml.package_bytes(package, build_epoch())


def _link_keys(spec: Slide) -> list[str]:
    keys = [r.link for el in (spec.title, *spec.elements) if isinstance(el, Text) for p in el.paras
            for r in p.runs if r.link]
    return list(dict.fromkeys(keys))


def _media_rids(package: OpcPackage, part: Part, pic: Picture, diagrams: dict[str, RenderedDiagram],
                media: dict[str, tuple[Part, Part]]) -> tuple[str, str]:
    rendered = diagrams[pic.diagram]
    if pic.diagram not in media:
        png_part = package.get_or_add_image_part(str(rendered.png_path))
        svg_name = package.next_partname("/ppt/media/image%d.svg")
        svg_part = Part(PackURI(svg_name), "image/svg+xml", package, rendered.svg_path.read_bytes())
        media[pic.diagram] = (png_part, svg_part)
    png_part, svg_part = media[pic.diagram]
    return part.relate_to(png_part, RT.IMAGE), part.relate_to(svg_part, RT.IMAGE)


def _core_properties(prs: Presentation, plan: DeckPlan) -> None:
    when = dt.datetime.fromtimestamp(build_epoch(), dt.UTC).replace(tzinfo=None)
    core = prs.core_properties
    core.title = plan.title
    core.subject = f"interview-deck {plan.profile}"
    core.author = core.last_modified_by = "interview-deck"
    core.created = core.modified = when
    core.last_printed = when
    core.revision = 1
    core.keywords = plan.profile
