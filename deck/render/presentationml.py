"""PresentationML: the shape tree of a slide (text boxes, rectangles, pictures with SVG,
native tables, drawn shapes, glued connectors, groups), whole slides and notes pages, and the
timing tree of click builds. Their insides are DrawingML (deck.render.drawingml).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from deck.plan import Connector, Effect, Group, Picture, Rect, Shape, Table, Text
from deck.plan import Faces as Fonts
from deck.render.drawingml import (
    NSDECL,
    SVG_EXT,
    SVG_NS,
    TABLE_URI,
    XML_HEAD,
    Langs,
    attr,
    custom_geometry,
    emu,
    outline,
    paragraph,
    solid_fill,
    text_body,
    xfrm,
)


def text_shape(text: Text, shape_id: int, fonts: Fonts, lang: Langs, inset: float, links: dict[str, str],
               title: bool = False) -> str:
    if title:
        nv = (f'<p:nvSpPr><p:cNvPr id="{shape_id}" name="Title {shape_id}"/><p:cNvSpPr>'
              '<a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr>')
    else:
        nv = (f'<p:nvSpPr><p:cNvPr id="{shape_id}" name="{text.role} {shape_id}"/>'
              '<p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>')
    return (f'<p:sp>{nv}<p:spPr>{xfrm(text.box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
            f'{solid_fill(text.fill)}<a:ln><a:noFill/></a:ln></p:spPr>'
            f'{text_body(text, fonts, lang, inset, links)}</p:sp>')


def rect_shape(rect: Rect, shape_id: int) -> str:
    line = (f'<a:ln w="9525">{solid_fill(rect.line)}</a:ln>' if rect.line else "<a:ln><a:noFill/></a:ln>")
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="Rectangle {shape_id}"/><p:cNvSpPr/>'
            f'<p:nvPr/></p:nvSpPr><p:spPr>{xfrm(rect.box)}<a:prstGeom prst="rect"><a:avLst/>'
            f'</a:prstGeom>{solid_fill(rect.fill)}{line}</p:spPr></p:sp>')


def picture_shape(pic: Picture, shape_id: int, png_rid: str, svg_rid: str | None) -> str:
    """A picture; with an SVG, a PNG blip carrying an svgBlip extension: vector in PowerPoint 2016+,
    the PNG elsewhere. descr is its alt text (screen readers)."""
    svg = (f'<a:extLst><a:ext uri="{SVG_EXT}"><asvg:svgBlip xmlns:asvg="{SVG_NS}" r:embed="{svg_rid}"/></a:ext>'
           '</a:extLst>') if svg_rid else ""
    return (f'<p:pic><p:nvPicPr><p:cNvPr id="{shape_id}" name="{"Picture" if pic.media else "Diagram"} {shape_id}" '
            f'descr="{attr(pic.alt)}"/><p:cNvPicPr><a:picLocks noChangeAspect="1"/>'
            f'</p:cNvPicPr><p:nvPr/></p:nvPicPr><p:blipFill><a:blip r:embed="{png_rid}">{svg}'
            f'</a:blip><a:stretch><a:fillRect/></a:stretch></p:blipFill><p:spPr>'
            f'{xfrm(pic.box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>')


def table_shape(table: Table, shape_id: int, fonts: Fonts, lang: Langs, links: dict[str, str]) -> str:
    """A native table (p:graphicFrame holding a:tbl) with every cell's fill, borders and insets
    written out, so it looks the same without a table style in any engine."""
    b = table.border
    edges = "".join(f'<a:{side} w="{emu(b.width)}" cmpd="sng">{solid_fill(b.color)}<a:prstDash val="solid"/></a:{side}>'
                    for side in ("lnL", "lnR", "lnT", "lnB"))
    mar = f'marL="{emu(table.pad_x)}" marR="{emu(table.pad_x)}" marT="{emu(table.pad_y)}" marB="{emu(table.pad_y)}"'
    rows = []
    for row, h in zip(table.cells, table.rows, strict=True):
        texts = ("".join(paragraph(p, cell, fonts, lang, links) for p in cell.paras) for cell in row)
        cells = "".join(
            f'<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{paras}</a:txBody><a:tcPr {mar} anchor="t">{edges}'
            f'{solid_fill(cell.fill)}</a:tcPr></a:tc>' for cell, paras in zip(row, texts, strict=True))
        rows.append(f'<a:tr h="{emu(h)}">{cells}</a:tr>')
    grid = "".join(f'<a:gridCol w="{emu(w)}"/>' for w in table.columns)
    box = table.box
    return (f'<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{shape_id}" name="Table {shape_id}"/>'
            '<p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr>'
            f'<p:xfrm><a:off x="{emu(box.x)}" y="{emu(box.y)}"/><a:ext cx="{emu(box.w)}" cy="{emu(box.h)}"/></p:xfrm>'
            f'<a:graphic><a:graphicData uri="{TABLE_URI}"><a:tbl><a:tblPr firstRow="{int(table.header)}" bandRow="0"/>'
            f'<a:tblGrid>{grid}</a:tblGrid>{"".join(rows)}</a:tbl></a:graphicData></a:graphic></p:graphicFrame>')


def drawn_shape(shape: Shape, shape_id: int, fonts: Fonts | None = None, lang: Langs | None = None,
                links: dict[str, str] | None = None) -> str:
    """A p:sp with preset or custom geometry, solid fill, an outline with dash and line ends, and
    its own text (a diagram node's label) when it has one."""
    if shape.geometry == "custom":
        geometry = custom_geometry(shape)
    else:
        guides = "".join(f'<a:gd name="{name}" fmla="val {value}"/>' for name, value in shape.adjust)
        geometry = f'<a:prstGeom prst="{shape.geometry}"><a:avLst>{guides}</a:avLst></a:prstGeom>'
    flips = (' flipH="1"' if shape.flip_h else "") + (' flipV="1"' if shape.flip_v else "")
    b = shape.box
    xfrm = (f'<a:xfrm{flips}><a:off x="{emu(b.x)}" y="{emu(b.y)}"/>'
            f'<a:ext cx="{emu(b.w)}" cy="{emu(b.h)}"/></a:xfrm>')
    fill = solid_fill(shape.fill if shape.closed else None)
    body = ""
    if shape.text is not None:
        if fonts is None or lang is None:
            raise ValueError(f"{shape.name}: a shape with text needs fonts and a language")
        body = text_body(shape.text, fonts, lang, shape.insets, wrap=shape.wrap)
    name = f'id="{shape_id}" name="{attr(shape.name)}"'
    # An external link's relationship (deck.render.writer.urls) is the target itself; a slide jump's, the slide.
    click = f'<a:hlinkClick r:id="{(links or {})[shape.link]}" action="ppaction://hlinksldjump"/>' if shape.link \
        else f'<a:hlinkClick r:id="{(links or {})[shape.url]}"/>' if shape.url else ""
    c_nv = f"<p:cNvPr {name}>{click}</p:cNvPr>" if click else f"<p:cNvPr {name}/>"
    return (f'<p:sp><p:nvSpPr>{c_nv}<p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr>{xfrm}{geometry}{fill}'
            f'{outline(shape.line)}</p:spPr>{body}</p:sp>')


def connector_shape(conn: Connector, shape_id: int, ids: dict[str, int]) -> str:
    """A p:cxnSp: a preset connector whose ends are glued (a:stCxn/a:endCxn) to shapes by id."""
    glue = "".join(f'<a:{tag} id="{ids[g.shape]}" idx="{g.site}"/>'
                   for tag, g in (("stCxn", conn.start), ("endCxn", conn.end)) if g is not None)
    b = conn.box
    attrs = (f' rot="{conn.rot * 60000}"' if conn.rot else "") + (' flipH="1"' if conn.flip_h else "") + \
        (' flipV="1"' if conn.flip_v else "")
    guides = "".join(f'<a:gd name="{name}" fmla="val {value}"/>' for name, value in conn.adjust)
    return (f'<p:cxnSp><p:nvCxnSpPr><p:cNvPr id="{shape_id}" name="{attr(conn.name)}"/>'
            f'<p:cNvCxnSpPr>{glue}</p:cNvCxnSpPr><p:nvPr/></p:nvCxnSpPr><p:spPr><a:xfrm{attrs}>'
            f'<a:off x="{emu(b.x)}" y="{emu(b.y)}"/><a:ext cx="{emu(b.w)}" cy="{emu(b.h)}"/></a:xfrm>'
            f'<a:prstGeom prst="{conn.geometry}"><a:avLst>{guides}</a:avLst></a:prstGeom><a:noFill/>'
            f'{outline(conn.line)}</p:spPr></p:cxnSp>')


def group_shape(group: Group, first_id: int, fonts: Fonts, lang: Langs, links: dict[str, str]) -> tuple[str, int]:
    """One p:grpSp whose child space equals its box (children keep slide coordinates).
    Returns the XML and the next free shape id. Labels are fitted to their boxes: no inset."""
    b = group.box
    off, ext = f'x="{emu(b.x)}" y="{emu(b.y)}"', f'cx="{emu(b.w)}" cy="{emu(b.h)}"'
    parts = [f'<p:grpSp><p:nvGrpSpPr><p:cNvPr id="{first_id}" name="{attr(group.name)}" '
             f'descr="{attr(group.alt)}"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
             f'<p:grpSpPr><a:xfrm><a:off {off}/><a:ext {ext}/><a:chOff {off}/><a:chExt {ext}/></a:xfrm>'
             '</p:grpSpPr>']
    # Connectors name the shapes they are glued to; ids are given in document order.
    ids = {c.name: first_id + 1 + k for k, c in enumerate(group.children) if isinstance(c, Shape)}
    next_id = first_id + 1
    for child in group.children:
        if isinstance(child, Text):
            parts.append(text_shape(child, next_id, fonts, lang, 0, links))
        elif isinstance(child, Connector):
            parts.append(connector_shape(child, next_id, ids))
        else:
            parts.append(drawn_shape(child, next_id, fonts, lang, links))
        next_id += 1
    parts.append("</p:grpSp>")
    return "".join(parts), next_id


_GROUP = ('<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
          '<p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/><a:chOff x="0" y="0"/>'
          '<a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>')


def slide_xml(shapes_xml: list[str], background: str | None, timing: str = "") -> bytes:
    """A whole p:sld with our shapes (no placeholders cloned from the layout)."""
    bg = f"<p:bg><p:bgPr>{solid_fill(background)}<a:effectLst/></p:bgPr></p:bg>" if background else ""
    return (f'{XML_HEAD}<p:sld {NSDECL}><p:cSld>{bg}<p:spTree>{_GROUP}{"".join(shapes_xml)}</p:spTree>'
            f'</p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr>{timing}</p:sld>').encode()


@dataclass(frozen=True)
class ClickStep:
    """One click of a slide's build: these shapes enter together, in this order."""

    shape_ids: tuple[int, ...]
    effect: Effect


PRESET = {"appear": 1, "fade": 10}  # PowerPoint's entrance preset ids


def timing_xml(steps: Sequence[ClickStep], text_ids: Collection[int]) -> str:
    """p:timing for click builds, shaped as PowerPoint writes them: the main sequence
    holds one click group per step; its first shape is the clickEffect, the others
    enter withEffect. Time node ids count up in document order, so equal plans give
    equal XML. `text_ids` are the shapes with a text body: only those get a p:bldP
    (a paragraph build entry; pictures, groups and text-less shapes have none)."""
    if not steps:
        return ""
    ids = iter(range(3, 1 << 31))
    built = [i for step in steps for i in step.shape_ids if i in text_ids]
    groups = "".join(_click_group(step, ids, text_ids) for step in steps)
    seq_cond = '<p:cond evt="{}" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>'
    bld = "".join(f'<p:bldP spid="{i}" grpId="0" animBg="1"/>' for i in dict.fromkeys(built))
    return ('<p:timing><p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot">'
            '<p:childTnLst><p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" '
            f'nodeType="mainSeq"><p:childTnLst>{groups}</p:childTnLst></p:cTn>'
            f'<p:prevCondLst>{seq_cond.format("onPrev")}</p:prevCondLst>'
            f'<p:nextCondLst>{seq_cond.format("onNext")}</p:nextCondLst></p:seq></p:childTnLst>'
            f'</p:cTn></p:par></p:tnLst>{f"<p:bldLst>{bld}</p:bldLst>" if bld else ""}</p:timing>')


_NOW = '<p:stCondLst><p:cond delay="0"/></p:stCondLst>'


def _click_group(step: ClickStep, ids: Iterator[int], text_ids: Collection[int]) -> str:
    outer, inner = next(ids), next(ids)
    effects = "".join(_entrance(spid, step.effect, ids, "withEffect" if k else "clickEffect", spid in text_ids)
                      for k, spid in enumerate(step.shape_ids))
    return (f'<p:par><p:cTn id="{outer}" fill="hold"><p:stCondLst><p:cond delay="indefinite"/></p:stCondLst>'
            f'<p:childTnLst><p:par><p:cTn id="{inner}" fill="hold">{_NOW}<p:childTnLst>{effects}'
            '</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>')


def _entrance(spid: int, effect: Effect, ids: Iterator[int], node_type: str, built: bool) -> str:
    """One shape's entrance: visibility set at once, plus a fade filter for 'fade'."""
    node, show = next(ids), next(ids)
    target = f'<p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl>'
    fade = ""
    if effect.kind == "fade":
        fade = (f'<p:animEffect transition="in" filter="fade"><p:cBhvr><p:cTn id="{next(ids)}" '
                f'dur="{effect.duration_ms}"/>{target}</p:cBhvr></p:animEffect>')
    group = ' grpId="0"' if built else ""  # ties the effect to its p:bldP entry
    return (f'<p:par><p:cTn id="{node}" presetID="{PRESET[effect.kind]}" presetClass="entr" presetSubtype="0" '
            f'fill="hold"{group} nodeType="{node_type}">{_NOW}<p:childTnLst><p:set><p:cBhvr>'
            f'<p:cTn id="{show}" dur="1" fill="hold">{_NOW}</p:cTn>{target}<p:attrNameLst>'
            '<p:attrName>style.visibility</p:attrName></p:attrNameLst></p:cBhvr><p:to><p:strVal val="visible"/>'
            f'</p:to></p:set>{fade}</p:childTnLst></p:cTn></p:par>')


def notes_xml(text: Text, fonts: Fonts, lang: Langs, links: dict[str, str]) -> bytes:
    """A p:notes with the slide image and a body placeholder holding our text; links: relationship
    ids of the notes part by slide key and URL."""
    body = text_body(text, fonts, lang, 0, links)
    return (
        f'{XML_HEAD}<p:notes {NSDECL}><p:cSld><p:spTree>{_GROUP}'
        '<p:sp><p:nvSpPr><p:cNvPr id="2" name="Slide Image Placeholder 1"/><p:cNvSpPr><a:spLocks noGrp="1" '
        'noRot="1" noChangeAspect="1"/></p:cNvSpPr><p:nvPr><p:ph type="sldImg"/></p:nvPr></p:nvSpPr>'
        '<p:spPr/></p:sp><p:sp><p:nvSpPr><p:cNvPr id="3" name="Notes Placeholder 2"/><p:cNvSpPr>'
        '<a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr>'
        f'<p:spPr/>{body}</p:sp></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr>'
        '</p:notes>').encode()
