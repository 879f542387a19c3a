"""DeckPlan -> .pptx bytes. deck.ooxml writes every part; this module decides which
parts a plan needs and how they relate."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from deck import ooxml
from deck.errors import DeckError
from deck.plan import Box, DeckPlan, Para, Picture, Rect, Run, Slide, Text

if TYPE_CHECKING:
    from deck.diagrams import RenderedDiagram


def build_epoch() -> int:
    """SOURCE_DATE_EPOCH if set (reproducible builds), else a fixed date."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "1704067200")  # default: 2024-01-01
    try:
        epoch = int(value)
    except ValueError:
        raise DeckError(f"SOURCE_DATE_EPOCH='{value}' is not a whole number of seconds") from None
    return min(max(epoch, 315532800), 4354819199)  # what a zip timestamp can hold: 1980..2107


def render(plan: DeckPlan, diagrams: dict[str, RenderedDiagram] | None = None) -> bytes:
    fonts, inset, lang = plan.faces, plan.inset, ooxml.Langs(plan.language)
    epoch = build_epoch()
    parts = ooxml.skeleton(plan.width, plan.height, fonts)
    numbers = {spec.key: n for n, spec in enumerate(plan.slides, 1)}
    media: dict[str, tuple[str, str]] = {}  # diagram id -> (png, svg) media names, each stored once
    notes_count = 0
    for number, spec in enumerate(plan.slides, 1):
        rels = ooxml.Rels()
        rels.add("layout", "../" + ooxml.TITLE_ONLY_LAYOUT)
        links = {key: rels.add("slide", f"slide{numbers[key]}.xml") for key in _link_keys(spec)}
        shapes = [ooxml.text_shape(spec.title, 2, fonts, lang, inset, links, title=True)]
        for i, el in enumerate(spec.elements, start=3):
            if isinstance(el, Text):
                shapes.append(ooxml.text_shape(el, i, fonts, lang, inset, links))
            elif isinstance(el, Rect):
                shapes.append(ooxml.rect_shape(el, i))
            elif isinstance(el, Picture):
                png, svg = _media(el, diagrams or {}, media, parts)
                shapes.append(ooxml.picture_shape(el, i, rels.add("image", f"../media/{png}"),
                                                  rels.add("image", f"../media/{svg}")))
        if spec.notes:
            notes_count += 1
            style = plan.notes
            notes = Text(Box(0, 0, 0, 0), tuple(Para((Run(line),)) for line in spec.notes.split("\n")),
                         style.size, style.color, "notes", line_spacing=style.line_spacing, paragraph_gap=0)
            notes_rels = ooxml.Rels()
            notes_rels.add("notes_master", "../notesMasters/notesMaster1.xml")
            notes_rels.add("slide", f"../slides/slide{number}.xml")
            parts.append(ooxml.PackagePart(f"ppt/notesSlides/notesSlide{number}.xml",
                                           ooxml.notes_xml(notes, fonts, lang), notes_rels))
            rels.add("notes", f"../notesSlides/notesSlide{number}.xml")
        parts.append(ooxml.PackagePart(f"ppt/slides/slide{number}.xml", ooxml.slide_xml(shapes, spec.background),
                                       rels))
    parts.append(ooxml.presentation_part(len(plan.slides), plan.width, plan.height))
    parts += ooxml.doc_props(plan.title, f"interview-deck {plan.profile}", plan.profile, epoch,
                             len(plan.slides), notes_count)
    return ooxml.package_bytes(parts, epoch)


def _link_keys(spec: Slide) -> list[str]:
    keys = [r.link for el in (spec.title, *spec.elements) if isinstance(el, Text) for p in el.paras
            for r in p.runs if r.link]
    return list(dict.fromkeys(keys))


def _media(pic: Picture, diagrams: dict[str, RenderedDiagram], media: dict[str, tuple[str, str]],
           parts: list[ooxml.PackagePart]) -> tuple[str, str]:
    if pic.diagram not in media:
        rendered = diagrams[pic.diagram]
        n = len(media) + 1
        media[pic.diagram] = (f"image{n}.png", f"image{n}.svg")
        parts += [ooxml.PackagePart(f"ppt/media/image{n}.png", rendered.png_path.read_bytes()),
                  ooxml.PackagePart(f"ppt/media/image{n}.svg", rendered.svg_path.read_bytes())]
    return media[pic.diagram]
