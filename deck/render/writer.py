"""DeckPlan -> .pptx bytes. deck.render.opc, presentationml and drawingml write every part; this module decides which
parts a plan needs and how they relate."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from deck.errors import DeckError
from deck.plan import Box, DeckPlan, Faces, Group, Picture, Rect, Run, Shape, Slide, Table, Text
from deck.render import drawingml, opc, presentationml
from deck.render.media import fallback_width, picture_files

if TYPE_CHECKING:
    from deck.diagrams.cache import RenderedDiagram


def build_epoch() -> int:
    """SOURCE_DATE_EPOCH if set (reproducible builds), else a fixed date."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "1704067200")  # default: 2024-01-01
    try:
        epoch = int(value)
    except ValueError:
        raise DeckError(f"SOURCE_DATE_EPOCH='{value}' is not a whole number of seconds") from None
    return min(max(epoch, 315532800), 4354819199)  # what a zip timestamp can hold: 1980..2107


def slide_body(spec: Slide, fonts: Faces, lang: drawingml.Langs, inset: float, links: dict[str, str],
               picture: Callable[[Picture], tuple[str, str | None]]) -> tuple[list[str], str]:
    """A slide's shapes after its title (ids from 3) and its click timing; picture relates a
    picture's PNG (or JPEG, GIF) and SVG and gives their relationship ids. Our package and a template
    share it."""
    shapes: list[str] = []
    steps: dict[int, list[int]] = {}
    text_ids: set[int] = set()
    i = 3
    for el in spec.elements:
        if el.step:  # a group is one target: its id is the first of its run of ids
            steps.setdefault(el.step, []).append(i)
        if isinstance(el, Text):
            text_ids.add(i)
            shapes.append(presentationml.text_shape(el, i, fonts, lang, inset, links))
        elif isinstance(el, Rect):
            shapes.append(presentationml.rect_shape(el, i))
        elif isinstance(el, Shape):
            shapes.append(presentationml.drawn_shape(el, i))
        elif isinstance(el, Group):
            xml, i = presentationml.group_shape(el, i, fonts, lang, links)
            shapes.append(xml)
            continue
        elif isinstance(el, Picture):
            shapes.append(presentationml.picture_shape(el, i, *picture(el)))
        elif isinstance(el, Table):
            shapes.append(presentationml.table_shape(el, i, fonts, lang, links))
        i += 1
    clicks = [presentationml.ClickStep(tuple(steps[n]), spec.effect) for n in sorted(steps)]
    return shapes, presentationml.timing_xml(clicks, text_ids)


def render(plan: DeckPlan, diagrams: dict[str, RenderedDiagram] | None = None) -> bytes:
    fonts, inset, lang = plan.faces, plan.inset, drawingml.Langs(plan.language)
    epoch = build_epoch()
    parts = opc.skeleton(plan.width, plan.height, fonts, plan.link_color)
    numbers = {spec.key: n for n, spec in enumerate(plan.slides, 1)}
    media: dict[str, tuple[str, str | None]] = {}  # diagram id or picture file -> media names, each stored once
    notes_count = 0
    for number, spec in enumerate(plan.slides, 1):
        rels = opc.Rels()
        rels.add("layout", "../" + opc.TITLE_ONLY_LAYOUT)
        links = {key: rels.add("slide", f"slide{numbers[key]}.xml") for key in link_keys(spec)}
        links |= {url: rels.add("hyperlink", url, external=True) for url in urls(spec)}
        shapes = [presentationml.text_shape(spec.title, 2, fonts, lang, inset, links, title=True)]
        body, timing = slide_body(spec, fonts, lang, inset, links, lambda el, rels=rels: tuple(  # type: ignore[misc]
            name and rels.add("image", f"../media/{name}") for name in _media(el, plan, diagrams or {}, media, parts)))
        shapes += body
        if spec.notes:
            notes_count += 1
            notes_rels = opc.Rels()
            notes_rels.add("notes_master", "../notesMasters/notesMaster1.xml")
            notes_rels.add("slide", f"../slides/slide{number}.xml")
            keys, targets = notes_links(spec)  # the notes part relates its own links
            jumps = {key: notes_rels.add("slide", f"../slides/slide{numbers[key]}.xml") for key in keys}
            jumps |= {url: notes_rels.add("hyperlink", url, external=True) for url in targets}
            parts.append(opc.PackagePart(f"ppt/notesSlides/notesSlide{number}.xml", presentationml.notes_xml(
                notes_body(spec, plan), fonts, lang, jumps), notes_rels))
            rels.add("notes", f"../notesSlides/notesSlide{number}.xml")
        slide = presentationml.slide_xml(shapes, spec.background, timing)
        parts.append(opc.PackagePart(f"ppt/slides/slide{number}.xml", slide, rels))
    parts.append(opc.presentation_part(len(plan.slides), plan.width, plan.height))
    parts += opc.doc_props(plan.title, f"interview-deck {plan.profile}", plan.profile, epoch,
                             len(plan.slides), notes_count)
    return opc.package_bytes(parts, epoch)


def notes_body(spec: Slide, plan: DeckPlan) -> Text:
    """The slide's notes as the text of a notes page's body (its box is the notes master's)."""
    style = plan.notes
    return Text(Box(0, 0, 0, 0), spec.notes, style.size, style.color, "notes", line_spacing=style.line_spacing,
                paragraph_gap=0)


def notes_links(spec: Slide) -> tuple[list[str], list[str]]:
    """The slide keys and URLs the notes link to (see link_keys and urls)."""
    runs = [r for p in spec.notes for r in p.runs]
    return (list(dict.fromkeys(r.link for r in runs if r.link)),
            list(dict.fromkeys(r.url for r in runs if r.url and not r.link)))


def _runs(spec: Slide) -> list[Run]:
    texts = [spec.title, *spec.elements, *(c for el in spec.elements if isinstance(el, Group) for c in el.children),
             *(c for el in spec.elements if isinstance(el, Table) for row in el.cells for c in row)]
    return [r for el in texts if isinstance(el, Text) for p in el.paras for r in p.runs]


def link_keys(spec: Slide) -> list[str]:
    shapes = [c.link for el in spec.elements if isinstance(el, Group) for c in el.children
              if isinstance(c, Shape) and c.link]  # diagram nodes that jump to a slide
    return list(dict.fromkeys([*(r.link for r in _runs(spec) if r.link), *shapes]))


def urls(spec: Slide) -> list[str]:
    """External link targets (a link dict key; slide keys never contain ':', URLs do)."""
    shapes = [c.url for el in spec.elements if isinstance(el, Group) for c in el.children
              if isinstance(c, Shape) and c.url]  # diagram nodes with a click link
    return list(dict.fromkeys([*(r.url for r in _runs(spec) if r.url and not r.link), *shapes]))


def _media(pic: Picture, plan: DeckPlan, diagrams: dict[str, RenderedDiagram],
           media: dict[str, tuple[str, str | None]], parts: list[opc.PackagePart]) -> tuple[str, str | None]:
    """The media names of a picture, its parts added the first time: a diagram's PNG and SVG, or a
    bank picture's file(s), named by content (two names for one file are one part)."""
    key = f"{pic.media}@{fallback_width(pic, plan.svg_scale)}" if pic.media else pic.diagram  # per drawn size
    if key not in media:
        if pic.media:
            blip, svg = picture_files(pic.media, plan.faces.latin, fallback_width(pic, plan.svg_scale))
            have = {p.name for p in parts}
            parts += [opc.PackagePart(f"ppt/media/{f.name}", f.data) for f in (blip, svg)
                      if f is not None and f"ppt/media/{f.name}" not in have]
            media[key] = (blip.name, svg.name if svg else None)
        else:
            rendered = diagrams[pic.diagram]
            n = sum(1 for k in media if k in diagrams) + 1
            media[key] = (f"image{n}.png", f"image{n}.svg")
            parts += [opc.PackagePart(f"ppt/media/image{n}.png", rendered.png_path.read_bytes()),
                      opc.PackagePart(f"ppt/media/image{n}.svg", rendered.svg_path.read_bytes())]
    return media[key]
