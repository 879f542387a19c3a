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
from pptx.parts.slide import NotesSlidePart, SlidePart

from deck import ooxml
from deck.errors import DeckError
from deck.plan import Box, DeckPlan, Para, Picture, Rect, Run, Text
from deck.slides import INSET
from deck.theme import Theme

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


def render(plan: DeckPlan, theme: Theme, diagrams: dict[str, RenderedDiagram] | None = None) -> bytes:
    fonts = ooxml.Fonts(theme.fonts["latin"], theme.fonts["east_asian"], theme.fonts["mono"])
    prs = Presentation()
    old_w, old_h = prs.slide_width, prs.slide_height
    prs.slide_width, prs.slide_height = ooxml.emu(plan.width), ooxml.emu(plan.height)
    master = prs.slide_master
    ooxml.scale_layouts([master._element, *(lay._element for lay in prs.slide_layouts)],
                        prs.slide_width / old_w, prs.slide_height / old_h)
    theme_part = master.part.part_related_by(RT.THEME)
    theme_part._blob = ooxml.theme_fonts(theme_part.blob, fonts)
    layout_part = prs.slide_layouts[TITLE_ONLY_LAYOUT].part
    notes_master_part = prs.part.notes_master_part
    package = prs.part.package
    slide_ids = prs.slides._sldIdLst

    media: dict[str, tuple[Part, Part]] = {}
    by_key: dict[str, SlidePart] = {}
    notes_size = theme.data["sizes"]["notes"]
    for number, spec in enumerate(plan.slides, 1):
        # Parts are made directly: python-pptx's add_slide/notes_slide clone placeholders
        # we replace anyway and scan every relationship, which is quadratic in slides.
        part = SlidePart(PackURI(f"/ppt/slides/slide{number}.xml"), CT.PML_SLIDE, package,
                         ooxml.slide_element([], None))
        part.rels._add_relationship(RT.SLIDE_LAYOUT, layout_part)
        slide_ids._add_sldId(id=255 + number, rId=prs.part.rels._add_relationship(RT.SLIDE, part))
        by_key[spec.key] = part
        shapes = [ooxml.text_shape(spec.title, 2, fonts, INSET, title=True)]
        for i, el in enumerate(spec.elements, start=3):
            if isinstance(el, Text):
                shapes.append(ooxml.text_shape(el, i, fonts, INSET))
            elif isinstance(el, Rect):
                shapes.append(ooxml.rect_shape(el, i))
            elif isinstance(el, Picture):
                png_rid, svg_rid = _media_rids(package, part, el, diagrams or {}, media)
                shapes.append(ooxml.picture_shape(el, i, png_rid, svg_rid))
        part._element = ooxml.slide_element(shapes, spec.background)
        if spec.notes:
            notes = Text(Box(0, 0, 0, 0), tuple(Para((Run(line),)) for line in spec.notes.split("\n")),
                         notes_size, theme.color("text"), "notes", line_spacing=1.2, paragraph_gap=0)
            notes_part = NotesSlidePart(PackURI(f"/ppt/notesSlides/notesSlide{number}.xml"),
                                        CT.PML_NOTES_SLIDE, package, ooxml.notes_element(notes, fonts))
            notes_part.rels._add_relationship(RT.NOTES_MASTER, notes_master_part)
            notes_part.rels._add_relationship(RT.SLIDE, part)
            part.rels._add_relationship(RT.NOTES_SLIDE, notes_part)
    for part in by_key.values():
        for element, target in ooxml.link_targets(part._element):
            ooxml.set_rid(element, part.relate_to(by_key[target], RT.SLIDE))
    _core_properties(prs, plan)
    return ooxml.package_bytes(package, build_epoch())


def _media_rids(package: OpcPackage, part: SlidePart, pic: Picture, diagrams: dict[str, RenderedDiagram],
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
