"""DeckPlan -> .pptx on a user's template. python-pptx carries the template's package: its own
slides (with their media, notes and links) are dropped, sample footer text is cleared, and each
planned slide is added on the layout chosen for its role. Our shapes, click builds, East Asian
fonts, SVG pictures and notes are written by deck.render.presentationml into those slide parts; the title
goes into a title placeholder. The zip is then rewritten with fixed times: same input, same bytes.
"""

from __future__ import annotations

import io
import time
import zipfile
from typing import TYPE_CHECKING

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI

from deck.plan import DeckPlan, Faces, Picture, Slide, Text
from deck.render import drawingml, opc, presentationml
from deck.render.media import MediaFile, fallback_width, picture_files
from deck.render.template import NS, ROLE_OF_KIND, Template
from deck.render.writer import build_epoch, link_keys, notes_body, notes_links, slide_body, urls

if TYPE_CHECKING:
    from pptx.slide import Slide as PptxSlide

    from deck.diagrams.cache import RenderedDiagram

NOTES_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.notesSlide+xml"
THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
SECTIONS_EXT = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"  # p14:sectionLst: lists slide ids
_P = f"{{{NS['p']}}}"


def render(plan: DeckPlan, template: Template, diagrams: dict[str, RenderedDiagram] | None = None) -> bytes:
    prs = Presentation(io.BytesIO(template.package))
    _drop_slides(prs)
    _clear_sample_text(prs)
    body = plan.faces
    heading = Faces("+mj-lt", "+mj-ea", body.mono)  # titles take the theme's major (heading) faces
    lang = drawingml.Langs(plan.language)
    layouts = {role: prs.slide_masters[info.master].slide_layouts[info.index]
               for role, info in template.layouts.items()}
    slides = [prs.slides.add_slide(layouts[ROLE_OF_KIND.get(spec.kind, "answer")]) for spec in plan.slides]
    by_key = {spec.key: slide for spec, slide in zip(plan.slides, slides, strict=True)}
    media: dict[str, tuple[Part, Part | None]] = {}
    for number, (spec, slide) in enumerate(zip(plan.slides, slides, strict=True), 1):
        part = slide.part
        links = {key: part.relate_to(by_key[key].part, RT.SLIDE) for key in link_keys(spec)}
        links |= {url: part.relate_to(url, RT.HYPERLINK, is_external=True) for url in urls(spec)}
        info = template.layouts[ROLE_OF_KIND.get(spec.kind, "answer")]
        shapes = [_title(spec.title, heading, lang, plan.inset, links, info.title_type or "title")]
        body_shapes, timing = slide_body(spec, body, lang, plan.inset, links, lambda el, part=part: tuple(  # type: ignore[misc]
            p and part.relate_to(p, RT.IMAGE) for p in _media(el, plan, diagrams or {}, media, prs)))
        _fill(slide.element, shapes + body_shapes)
        if timing:
            slide.element.append(_fragment(timing)[0])
        if spec.notes:
            _notes(slide, spec, number, plan, body, lang, prs.notes_master.part, by_key)
    out = io.BytesIO()
    prs.save(out)
    epoch = build_epoch()
    props = opc.doc_props(plan.title, f"interview-deck {plan.profile}", plan.profile, epoch, len(plan.slides),
                            sum(1 for s in plan.slides if s.notes))
    return _fixed_zip(out.getvalue(), {p.name: p.data for p in props}, epoch)


def _fragment(xml: str) -> etree._Element:
    """Our XML text (prefixes a:, p:, r:) parsed inside a wrapper that declares them."""
    return etree.fromstring(f"<p:wrap {drawingml.NSDECL}>{xml}</p:wrap>")


def _fill(sld: etree._Element, shapes: list[str]) -> None:
    """Replace what add_slide cloned from the layout (prompt placeholders) with our shapes."""
    tree = sld.find("p:cSld/p:spTree", NS)
    for child in list(tree)[2:]:  # keep nvGrpSpPr and grpSpPr
        tree.remove(child)
    for el in _fragment("".join(shapes)):
        tree.append(el)
    # A run may not inherit capitals or letter spacing from the template's text styles: we measured without.
    for rpr in tree.iter(f"{{{NS['a']}}}rPr"):
        rpr.set("cap", "none")
        rpr.set("spc", "0")


def _title(title: Text, faces: Faces, lang: drawingml.Langs, inset: float, links: dict[str, str], kind: str) -> str:
    xml = presentationml.text_shape(title, 2, faces, lang, inset, links, title=True)
    return xml if kind == "title" else xml.replace('<p:ph type="title"/>', f'<p:ph type="{kind}"/>', 1)


def _media(pic: Picture, plan: DeckPlan, diagrams: dict[str, RenderedDiagram],
           media: dict[str, tuple[Part, Part | None]], prs: Presentation) -> tuple[Part, Part | None]:
    """A picture's parts, made the first time: a diagram's PNG and SVG, or a bank picture's file(s),
    one part per distinct content (ours, from deck.render.media)."""
    key = f"{pic.media}@{fallback_width(pic, plan.svg_scale)}" if pic.media else pic.diagram  # per drawn size
    if key not in media:
        package = prs.part.package
        if pic.media:
            def part(f: MediaFile) -> Part:  # one part per distinct content, under its content name
                if f.name not in media:
                    media[f.name] = (Part(PackURI(f"/ppt/media/{f.name}"), f.content_type, package, f.data), None)
                return media[f.name][0]

            blip, svg = picture_files(pic.media, plan.faces.latin, fallback_width(pic, plan.svg_scale))
            media[key] = (part(blip), part(svg) if svg else None)
        else:
            rendered = diagrams[pic.diagram]
            png = Part(package.next_partname("/ppt/media/deck-image%d.png"), "image/png", package,
                       rendered.png_path.read_bytes())
            svg = Part(PackURI(png.partname.replace(".png", ".svg")), "image/svg+xml", package,
                       rendered.svg_path.read_bytes())
            media[key] = (png, svg)
    return media[key]


def _notes(slide: object, spec: Slide, number: int, plan: DeckPlan, faces: Faces, lang: drawingml.Langs,
           notes_master: Part, by_key: dict[str, PptxSlide]) -> None:
    """The notes part written whole by presentationml (python-pptx's notes_slide searches every part for a
    free name, once per slide: quadratic in the deck); its links relate the notes part."""
    part = slide.part  # type: ignore[attr-defined]
    notes = Part(PackURI(f"/ppt/notesSlides/notesSlide{number}.xml"), NOTES_TYPE, part.package)
    notes.relate_to(notes_master, RT.NOTES_MASTER)
    notes.relate_to(part, RT.SLIDE)
    keys, urls_ = notes_links(spec)
    links = {key: notes.relate_to(by_key[key].part, RT.SLIDE) for key in keys}
    links |= {url: notes.relate_to(url, RT.HYPERLINK, is_external=True) for url in urls_}
    notes.blob = presentationml.notes_xml(notes_body(spec, plan), faces, lang, links)
    part.relate_to(notes, RT.NOTES_SLIDE)


def _drop_slides(prs: Presentation) -> None:
    """The template's own slides go, and with them (unreachable, so never saved) their media,
    notes and links; so do custom shows and section lists that name them."""
    pres = prs.element
    ids = pres.find("p:sldIdLst", NS)
    for sld in list(ids) if ids is not None else []:
        rid = sld.get(f"{{{NS['r']}}}id")
        ids.remove(sld)
        prs.part.drop_rel(rid)
    for el in pres.findall("p:custShowLst", NS):
        pres.remove(el)
    for ext in pres.findall("p:extLst/p:ext", NS):
        if ext.get("uri") == SECTIONS_EXT:
            ext.getparent().remove(ext)


def _clear_sample_text(prs: Presentation) -> None:
    """Footer placeholders on masters and layouts hold sample text ("Short Title. Author."): empty them."""
    for master in prs.slide_masters:
        for owner in (master, *master.slide_layouts):
            for ph in owner.element.iterfind(".//p:ph[@type='ftr']", NS):
                sp = ph.getparent().getparent().getparent()
                for para in sp.iterfind("p:txBody/a:p", NS):
                    for run in para.findall("a:r", NS) + para.findall("a:fld", NS):
                        para.remove(run)


def _fixed_zip(data: bytes, replace: dict[str, bytes], epoch: int) -> bytes:
    """python-pptx stamps each entry with the time of day: rewrite every entry, in python-pptx's
    (deterministic) order, with the build time, and our document properties. The package thumbnail
    (a picture of the template's own first slide) goes with its relationship."""
    stamp = max(time.gmtime(epoch)[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        root_rels = etree.fromstring(src.read("_rels/.rels"))
        thumbs = {rel.get("Target", "").lstrip("/") for rel in root_rels if rel.get("Type") == THUMBNAIL}
        for rel in [r for r in root_rels if r.get("Type") == THUMBNAIL]:
            root_rels.remove(rel)
        replace = replace | {"_rels/.rels": etree.tostring(root_rels, xml_declaration=True, encoding="UTF-8",
                                                           standalone=True)}
        for info in src.infolist():
            if info.filename in thumbs:
                continue
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)  # type: ignore[arg-type]
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, replace.get(info.filename, src.read(info)))
    return out.getvalue()
