"""DeckPlan -> .pptx bytes (python-pptx for the package; deck.ooxml for the XML)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI

from deck import ooxml
from deck.plan import Box, DeckPlan, Para, Picture, Rect, Run, Text
from deck.slides import INSET
from deck.theme import Theme

if TYPE_CHECKING:
    from deck.diagrams import RenderedDiagram

TITLE_ONLY_LAYOUT = 5  # python-pptx default template: "Title Only"


def build_epoch() -> int:
    """SOURCE_DATE_EPOCH if set (reproducible builds), else a fixed date."""
    return int(os.environ.get("SOURCE_DATE_EPOCH", "1704067200"))  # 2024-01-01


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
    layout = prs.slide_layouts[TITLE_ONLY_LAYOUT]
    _fast_partnames(prs.part.package)

    media: dict[str, tuple[Part, Part]] = {}
    by_key: dict[str, object] = {}
    notes_size = theme.data["sizes"]["notes"]
    for spec in plan.slides:
        slide = prs.slides.add_slide(layout)
        by_key[spec.key] = slide
        shapes = [ooxml.text_shape(spec.title, 2, fonts, INSET, title=True)]
        for i, el in enumerate(spec.elements, start=3):
            if isinstance(el, Text):
                shapes.append(ooxml.text_shape(el, i, fonts, INSET))
            elif isinstance(el, Rect):
                shapes.append(ooxml.rect_shape(el, i))
            elif isinstance(el, Picture):
                png_rid, svg_rid = _media_rids(prs, slide, el, diagrams or {}, media)
                shapes.append(ooxml.picture_shape(el, i, png_rid, svg_rid))
        ooxml.replace_shapes(slide._element, shapes)
        if spec.background:
            ooxml.set_background(slide._element, spec.background)
        if spec.notes:
            notes = Text(Box(0, 0, 0, 0), tuple(Para((Run(line),)) for line in spec.notes.split("\n")),
                         notes_size, theme.color("text"), "notes", line_spacing=1.2, paragraph_gap=0)
            ooxml.set_notes(slide.notes_slide._element, notes, fonts)
    for slide in by_key.values():
        for element, target in ooxml.link_targets(slide._element):  # type: ignore[attr-defined]
            ooxml.set_rid(element, slide.part.relate_to(by_key[target].part, RT.SLIDE))  # type: ignore[attr-defined]
    _core_properties(prs, plan)
    return _save(prs)


def _fast_partnames(package: object) -> None:
    """python-pptx walks every part to name each new notes slide (quadratic in slides);
    remember the names in use instead."""
    used = {str(p.partname) for p in package.iter_parts()}  # type: ignore[attr-defined]
    counters: dict[str, int] = {}

    def next_partname(template: str) -> PackURI:
        n = counters.get(template, 1)
        while template % n in used:
            n += 1
        counters[template] = n + 1
        used.add(template % n)
        return PackURI(template % n)

    package.next_partname = next_partname  # type: ignore[attr-defined]


def _media_rids(prs: Presentation, slide: object, pic: Picture, diagrams: dict[str, RenderedDiagram],
                media: dict[str, tuple[Part, Part]]) -> tuple[str, str]:
    rendered = diagrams[pic.diagram]
    if pic.diagram not in media:
        package = prs.part.package
        png_part = package.get_or_add_image_part(str(rendered.png_path))
        svg_name = package.next_partname("/ppt/media/image%d.svg")
        svg_part = Part(PackURI(svg_name), "image/svg+xml", package, rendered.svg_path.read_bytes())
        media[pic.diagram] = (png_part, svg_part)
    png_part, svg_part = media[pic.diagram]
    part = slide.part  # type: ignore[attr-defined]
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


def _save(prs: Presentation) -> bytes:
    import io

    buffer = io.BytesIO()
    prs.save(buffer)
    return ooxml.deterministic_zip(buffer.getvalue(), build_epoch())


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target and rename: a failure never leaves a partial file."""
    import tempfile

    from deck.errors import DeckError

    path = Path(path)
    if path.is_dir():
        raise DeckError(f"output '{path}' is a directory; give a file name like {path / 'deck.pptx'}")
    if not path.parent.is_dir():
        raise DeckError(f"output folder '{path.parent}' does not exist; create it first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise DeckError(f"cannot write in '{path.parent}': {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
