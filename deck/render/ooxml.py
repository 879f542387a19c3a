"""The one module that writes raw OOXML: the OPC package (content types, relationships,
deterministic zip), shapes and native diagram shapes, text bodies with East Asian fonts
and per-run lang, SVG blips, slide jumps and external links, click builds, theme fonts,
16:9/A4 layouts.

Slides are built as XML text and joined, never parsed: faster than python-pptx's proxy
objects, and the exact element order the schemas demand is visible here.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import re
import time
import zipfile
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

from deck.plan import Box, Connector, Effect, Group, Line, Para, Picture, Rect, Run, Shape, Table, Text
from deck.plan import Faces as Fonts
from deck.text.fonts import EAST_ASIAN, weak_scripts

NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
NSDECL = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
SVG_EXT = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
TABLE_URI = "http://schemas.openxmlformats.org/drawingml/2006/table"
EMU_PER_PT = 12700
_EAST_ASIAN = re.compile(f"[{EAST_ASIAN}]")


@dataclass(frozen=True)
class Langs:
    """Each run's lang follows its own text, so PowerPoint proofs and breaks it right:
    runs with CJK take the deck's language in a Chinese/Japanese/Korean deck, else zh-CN;
    Latin-only runs take the deck's language, or en-US in a CJK deck. altLang names the other."""

    deck: str

    @functools.cached_property
    def _pair(self) -> tuple[str, str]:
        cjk_deck = self.deck.split("-")[0].lower() in ("zh", "ja", "ko")
        return (self.deck, "en-US") if cjk_deck else ("zh-CN", self.deck)

    def of(self, text: str) -> str:
        """The lang and altLang attributes for a run of this text."""
        return self.script(bool(_EAST_ASIAN.search(text)))

    def script(self, east_asian: bool) -> str:
        """The lang and altLang attributes for East Asian or Latin text."""
        cjk, latin = self._pair
        if east_asian:
            return f'lang="{escape(cjk)}" altLang="{escape(latin)}"'
        return f'lang="{escape(latin)}"' + (f' altLang="{escape(self.deck)}"' if latin != self.deck else "")

    @property
    def end(self) -> str:
        """For an end-of-paragraph mark: the deck's language."""
        cjk, latin = self._pair
        return f'lang="{escape(self.deck)}"' + (f' altLang="{escape(latin)}"' if latin != self.deck else "")


def emu(points: float) -> int:
    return round(points * EMU_PER_PT)


def _xfrm(box: Box) -> str:
    return (f'<a:xfrm><a:off x="{emu(box.x)}" y="{emu(box.y)}"/>'
            f'<a:ext cx="{emu(box.w)}" cy="{emu(box.h)}"/></a:xfrm>')


def _fill(color: str | None) -> str:
    return f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>' if color else "<a:noFill/>"


def _lang_pieces(text: str, lang: Langs, weak: dict[int, bool], at: int) -> Iterator[tuple[str, str]]:
    """(piece, lang attributes): the run's text, with each ambiguous quote set in the other script
    than the run's (see fonts.weak_scripts) split off with that script's lang, as PowerPoint picks
    the face of ’ “ ” by lang and LibreOffice by the text around them."""
    own = bool(_EAST_ASIAN.search(text))
    odd = [j for j in range(len(text)) if weak.get(at + j, own) != own] if weak else []
    if not odd:
        yield text, lang.script(own)
        return
    start = 0
    for j in odd:
        if j > start:
            yield text[start:j], lang.script(own)
        yield text[j], lang.script(not own)
        start = j + 1
    if start < len(text):
        yield text[start:], lang.script(own)


def _run(run: Run, text: Text, fonts: Fonts, lang: Langs, links: dict[str, str],
         weak: dict[int, bool] | None = None, at: int = 0) -> str:
    size = run.size or text.size
    bold = run.bold or text.bold
    latin = fonts.mono if text.mono or run.code else fonts.latin
    if run.link:
        link = f'<a:hlinkClick r:id="{links[run.link]}" action="ppaction://hlinksldjump"/>'
    elif run.url:  # an external relationship: no action, the target is the URL itself
        link = f'<a:hlinkClick r:id="{links[run.url]}"/>'
    else:
        link = ""
    # lang zh-CN makes PowerPoint apply Chinese line-breaking rules; a:ea names the CJK face.
    baseline = f' baseline="{run.baseline}"' if run.baseline else ""
    strike = ' strike="sngStrike"' if run.strike else ""
    highlight = f'<a:highlight><a:srgbClr val="{run.highlight}"/></a:highlight>' if run.highlight else ""
    props = (f' sz="{round(size * 100)}" b="{int(bold)}" '
             f'i="{int(run.italic)}"{strike}{baseline} dirty="0">{_fill(run.color or text.color)}{highlight}'
             f'<a:latin typeface="{escape(latin)}"/><a:ea typeface="{escape(fonts.east_asian)}"/>'
             f'<a:cs typeface="{escape(latin)}"/>{link}</a:rPr><a:t>')
    return "".join(f'<a:r><a:rPr {attrs}{props}{escape(piece)}</a:t></a:r>'
                   for piece, attrs in _lang_pieces(run.text, lang, weak or {}, at))


def _para(para: Para, text: Text, fonts: Fonts, lang: Langs, links: dict[str, str], restart: bool = True) -> str:
    pitch = text.size * text.line_spacing
    gap = round(pitch * text.paragraph_gap * 100) if para.gap_before else 0
    step = emu(text.bullet_indent * text.size)
    lvl = f' lvl="{min(para.level, 8)}"' if para.level else ""
    if para.bullet:
        hang = emu((text.number_indent if para.number is not None else text.bullet_indent) * text.size)
        marg = f'{lvl} marL="{step * para.level + hang}" indent="-{hang}"'
        # A list continued from the slide before (or after a nested one) says where its numbers start.
        start = f' startAt="{para.number}"' if restart and para.number and para.number > 1 else ""
        bullet = (f'<a:buFont typeface="+mj-lt"/><a:buAutoNum type="arabicPeriod"{start}/>'
                  if para.number is not None else
                  f'<a:buFont typeface="Arial"/><a:buChar char="{"•◦▪"[para.level % 3]}"/>')
    else:
        marg, bullet = f'{lvl} marL="{step * para.level}" indent="0"', "<a:buNone/>"
    weak = weak_scripts("".join(r.text for r in para.runs))
    starts = itertools.accumulate((len(r.text) for r in para.runs), initial=0)  # one more than the runs
    runs = "".join(_run(r, text, fonts, lang, links, weak, at)
                   for r, at in zip(para.runs, starts, strict=False) if r.text)
    end = f'<a:endParaRPr {lang.end} sz="{round(text.size * 100)}" dirty="0"/>'
    # No hanging punctuation: a hung "。" would sit outside the width we measured.
    return (f'<a:p><a:pPr algn="{para.align}"{marg} eaLnBrk="1" latinLnBrk="0" hangingPunct="0">'
            f'<a:lnSpc><a:spcPts val="{round(pitch * 100)}"/></a:lnSpc>'
            f'<a:spcBef><a:spcPts val="{gap}"/></a:spcBef><a:spcAft><a:spcPts val="0"/>'
            f'</a:spcAft>{bullet}</a:pPr>{runs}{end}</a:p>')


def _continues(prev: Para, para: Para) -> bool:
    """Whether a numbered paragraph follows its list's previous item directly (no startAt needed)."""
    return prev.number is not None and prev.level == para.level and prev.bullet


def text_body(text: Text, fonts: Fonts, lang: Langs, inset: float | tuple[float, float, float, float],
              links: dict[str, str] | None = None, wrap: bool = True) -> str:
    """inset: one for every side, or (left, top, right, bottom)."""
    left, top, right, bottom = (emu(v) for v in (inset if isinstance(inset, tuple) else (inset,) * 4))
    paras = "".join(_para(p, text, fonts, lang, links or {}, not (i and _continues(text.paras[i - 1], p)))
                    for i, p in enumerate(text.paras)) or "<a:p/>"
    return (f'<p:txBody><a:bodyPr wrap="{"square" if wrap else "none"}" lIns="{left}" tIns="{top}" rIns="{right}" '
            f'bIns="{bottom}" anchor="{text.anchor}" rtlCol="0"><a:noAutofit/></a:bodyPr><a:lstStyle/>{paras}'
            '</p:txBody>')


def text_shape(text: Text, shape_id: int, fonts: Fonts, lang: Langs, inset: float, links: dict[str, str],
               title: bool = False) -> str:
    if title:
        nv = (f'<p:nvSpPr><p:cNvPr id="{shape_id}" name="Title {shape_id}"/><p:cNvSpPr>'
              '<a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr>')
    else:
        nv = (f'<p:nvSpPr><p:cNvPr id="{shape_id}" name="{text.role} {shape_id}"/>'
              '<p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>')
    return (f'<p:sp>{nv}<p:spPr>{_xfrm(text.box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
            f'{_fill(text.fill)}<a:ln><a:noFill/></a:ln></p:spPr>{text_body(text, fonts, lang, inset, links)}</p:sp>')


def rect_shape(rect: Rect, shape_id: int) -> str:
    line = (f'<a:ln w="9525">{_fill(rect.line)}</a:ln>' if rect.line else "<a:ln><a:noFill/></a:ln>")
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="Rectangle {shape_id}"/><p:cNvSpPr/>'
            f'<p:nvPr/></p:nvSpPr><p:spPr>{_xfrm(rect.box)}<a:prstGeom prst="rect"><a:avLst/>'
            f'</a:prstGeom>{_fill(rect.fill)}{line}</p:spPr></p:sp>')


def picture_shape(pic: Picture, shape_id: int, png_rid: str, svg_rid: str | None) -> str:
    """A picture; with an SVG, a PNG blip carrying an svgBlip extension: vector in PowerPoint 2016+,
    the PNG elsewhere. descr is its alt text (screen readers)."""
    svg = (f'<a:extLst><a:ext uri="{SVG_EXT}"><asvg:svgBlip xmlns:asvg="{SVG_NS}" r:embed="{svg_rid}"/></a:ext>'
           '</a:extLst>') if svg_rid else ""
    return (f'<p:pic><p:nvPicPr><p:cNvPr id="{shape_id}" name="{"Picture" if pic.media else "Diagram"} {shape_id}" '
            f'descr="{escape(pic.alt, {chr(34): "&quot;"})}"/><p:cNvPicPr><a:picLocks noChangeAspect="1"/>'
            f'</p:cNvPicPr><p:nvPr/></p:nvPicPr><p:blipFill><a:blip r:embed="{png_rid}">{svg}'
            f'</a:blip><a:stretch><a:fillRect/></a:stretch></p:blipFill><p:spPr>'
            f'{_xfrm(pic.box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>')


def table_shape(table: Table, shape_id: int, fonts: Fonts, lang: Langs, links: dict[str, str]) -> str:
    """A native table (p:graphicFrame holding a:tbl) with every cell's fill, borders and insets
    written out, so it looks the same without a table style in any engine."""
    b = table.border
    edges = "".join(f'<a:{side} w="{emu(b.width)}" cmpd="sng">{_fill(b.color)}<a:prstDash val="solid"/></a:{side}>'
                    for side in ("lnL", "lnR", "lnT", "lnB"))
    mar = f'marL="{emu(table.pad_x)}" marR="{emu(table.pad_x)}" marT="{emu(table.pad_y)}" marB="{emu(table.pad_y)}"'
    rows = []
    for row, h in zip(table.cells, table.rows, strict=True):
        cells = "".join(
            f'<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{"".join(_para(p, cell, fonts, lang, links) for p in cell.paras)}'
            f'</a:txBody><a:tcPr {mar} anchor="t">{edges}{_fill(cell.fill)}</a:tcPr></a:tc>' for cell in row)
        rows.append(f'<a:tr h="{emu(h)}">{cells}</a:tr>')
    grid = "".join(f'<a:gridCol w="{emu(w)}"/>' for w in table.columns)
    box = table.box
    return (f'<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{shape_id}" name="Table {shape_id}"/>'
            '<p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr>'
            f'<p:xfrm><a:off x="{emu(box.x)}" y="{emu(box.y)}"/><a:ext cx="{emu(box.w)}" cy="{emu(box.h)}"/></p:xfrm>'
            f'<a:graphic><a:graphicData uri="{TABLE_URI}"><a:tbl><a:tblPr firstRow="{int(table.header)}" bandRow="0"/>'
            f'<a:tblGrid>{grid}</a:tblGrid>{"".join(rows)}</a:tbl></a:graphicData></a:graphic></p:graphicFrame>')


def _line(line: Line | None) -> str:
    if line is None:
        return "<a:ln><a:noFill/></a:ln>"
    dash = f'<a:prstDash val="{line.dash}"/>' if line.dash else ""
    ends = "".join(f'<a:{tag} type="{kind}" w="{line.end_size}" len="{line.end_size}"/>'
                   for tag, kind in (("headEnd", line.head), ("tailEnd", line.tail)) if kind)
    return f'<a:ln w="{emu(line.width)}">{_fill(line.color)}{dash}<a:round/>{ends}</a:ln>'


def _custom_geometry(shape: Shape) -> str:
    """a:custGeom in the shape's own EMU space: moveTo / lnTo / cubicBezTo / close."""
    def pt(x: object, y: object) -> str:
        return f'<a:pt x="{emu(float(x))}" y="{emu(float(y))}"/>'  # type: ignore[arg-type]

    ops = []
    for op in shape.path:
        kind, *v = op
        if kind == "M":
            ops.append(f"<a:moveTo>{pt(*v)}</a:moveTo>")
        elif kind == "L":
            ops.append(f"<a:lnTo>{pt(*v)}</a:lnTo>")
        elif kind == "C":
            ops.append(f"<a:cubicBezTo>{pt(v[0], v[1])}{pt(v[2], v[3])}{pt(v[4], v[5])}</a:cubicBezTo>")
        else:
            ops.append("<a:close/>")
    fill = "" if shape.closed else ' fill="none"'
    # Sites as shares of the shape's width and height, so they stay on the outline when it is
    # resized; each faces away from the centre (ang), so a connector the editor reroutes leaves outwards.
    w, h = max(shape.box.w, 1e-9), max(shape.box.h, 1e-9)
    guides = "".join(f'<a:gd name="sx{k}" fmla="*/ w {round(x / w * 100000)} 100000"/>'
                     f'<a:gd name="sy{k}" fmla="*/ h {round(y / h * 100000)} 100000"/>'
                     for k, (x, y) in enumerate(shape.sites))
    sites = "".join(f'<a:cxn ang="{_site_angle(x - w / 2, y - h / 2)}"><a:pos x="sx{k}" y="sy{k}"/></a:cxn>'
                    for k, (x, y) in enumerate(shape.sites))
    return (f'<a:custGeom><a:avLst/><a:gdLst>{guides}</a:gdLst><a:ahLst/><a:cxnLst>{sites}</a:cxnLst>'
            '<a:rect l="l" t="t" r="r" b="b"/>'
            '<a:pathLst>'
            f'<a:path w="{emu(shape.box.w)}" h="{emu(shape.box.h)}"{fill}>{"".join(ops)}</a:path></a:pathLst>'
            '</a:custGeom>')


def _site_angle(dx: float, dy: float) -> int:
    """The direction (60000ths of a degree, clockwise from +x) of the side a site sits on."""
    if abs(dx) >= abs(dy):
        return 0 if dx >= 0 else 10800000
    return 5400000 if dy > 0 else 16200000


def drawn_shape(shape: Shape, shape_id: int, fonts: Fonts | None = None, lang: Langs | None = None,
                links: dict[str, str] | None = None) -> str:
    """A p:sp with preset or custom geometry, solid fill, an outline with dash and line ends, and
    its own text (a diagram node's label) when it has one."""
    if shape.geometry == "custom":
        geometry = _custom_geometry(shape)
    else:
        guides = "".join(f'<a:gd name="{name}" fmla="val {value}"/>' for name, value in shape.adjust)
        geometry = f'<a:prstGeom prst="{shape.geometry}"><a:avLst>{guides}</a:avLst></a:prstGeom>'
    flips = (' flipH="1"' if shape.flip_h else "") + (' flipV="1"' if shape.flip_v else "")
    b = shape.box
    xfrm = (f'<a:xfrm{flips}><a:off x="{emu(b.x)}" y="{emu(b.y)}"/>'
            f'<a:ext cx="{emu(b.w)}" cy="{emu(b.h)}"/></a:xfrm>')
    fill = _fill(shape.fill if shape.closed else None)
    body = ""
    if shape.text is not None:
        if fonts is None or lang is None:
            raise ValueError(f"{shape.name}: a shape with text needs fonts and a language")
        body = text_body(shape.text, fonts, lang, shape.insets, wrap=shape.wrap)
    name = f'id="{shape_id}" name="{escape(shape.name, {chr(34): "&quot;"})}"'
    # An external link's relationship (deck.render.writer.urls) is the target itself; a slide jump's, the slide.
    click = f'<a:hlinkClick r:id="{(links or {})[shape.link]}" action="ppaction://hlinksldjump"/>' if shape.link \
        else f'<a:hlinkClick r:id="{(links or {})[shape.url]}"/>' if shape.url else ""
    c_nv = f"<p:cNvPr {name}>{click}</p:cNvPr>" if click else f"<p:cNvPr {name}/>"
    return (f'<p:sp><p:nvSpPr>{c_nv}<p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr>{xfrm}{geometry}{fill}'
            f'{_line(shape.line)}</p:spPr>{body}</p:sp>')


def connector_shape(conn: Connector, shape_id: int, ids: dict[str, int]) -> str:
    """A p:cxnSp: a preset connector whose ends are glued (a:stCxn/a:endCxn) to shapes by id."""
    glue = "".join(f'<a:{tag} id="{ids[g.shape]}" idx="{g.site}"/>'
                   for tag, g in (("stCxn", conn.start), ("endCxn", conn.end)) if g is not None)
    b = conn.box
    attrs = (f' rot="{conn.rot * 60000}"' if conn.rot else "") + (' flipH="1"' if conn.flip_h else "") + \
        (' flipV="1"' if conn.flip_v else "")
    guides = "".join(f'<a:gd name="{name}" fmla="val {value}"/>' for name, value in conn.adjust)
    return (f'<p:cxnSp><p:nvCxnSpPr><p:cNvPr id="{shape_id}" name="{escape(conn.name, {chr(34): "&quot;"})}"/>'
            f'<p:cNvCxnSpPr>{glue}</p:cNvCxnSpPr><p:nvPr/></p:nvCxnSpPr><p:spPr><a:xfrm{attrs}>'
            f'<a:off x="{emu(b.x)}" y="{emu(b.y)}"/><a:ext cx="{emu(b.w)}" cy="{emu(b.h)}"/></a:xfrm>'
            f'<a:prstGeom prst="{conn.geometry}"><a:avLst>{guides}</a:avLst></a:prstGeom><a:noFill/>'
            f'{_line(conn.line)}</p:spPr></p:cxnSp>')


def group_shape(group: Group, first_id: int, fonts: Fonts, lang: Langs, links: dict[str, str]) -> tuple[str, int]:
    """One p:grpSp whose child space equals its box (children keep slide coordinates).
    Returns the XML and the next free shape id. Labels are fitted to their boxes: no inset."""
    b = group.box
    off, ext = f'x="{emu(b.x)}" y="{emu(b.y)}"', f'cx="{emu(b.w)}" cy="{emu(b.h)}"'
    parts = [f'<p:grpSp><p:nvGrpSpPr><p:cNvPr id="{first_id}" name="{escape(group.name, {chr(34): "&quot;"})}" '
             f'descr="{escape(group.alt, {chr(34): "&quot;"})}"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
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


XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def slide_xml(shapes_xml: list[str], background: str | None, timing: str = "") -> bytes:
    """A whole p:sld with our shapes (no placeholders cloned from the layout)."""
    bg = f"<p:bg><p:bgPr>{_fill(background)}<a:effectLst/></p:bgPr></p:bg>" if background else ""
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


def notes_xml(text: Text, fonts: Fonts, lang: Langs) -> bytes:
    """A p:notes with the slide image and a body placeholder holding our text."""
    body = text_body(text, fonts, lang, 0)
    return (
        f'{XML_HEAD}<p:notes {NSDECL}><p:cSld><p:spTree>{_GROUP}'
        '<p:sp><p:nvSpPr><p:cNvPr id="2" name="Slide Image Placeholder 1"/><p:cNvSpPr><a:spLocks noGrp="1" '
        'noRot="1" noChangeAspect="1"/></p:cNvSpPr><p:nvPr><p:ph type="sldImg"/></p:nvPr></p:nvSpPr>'
        '<p:spPr/></p:sp><p:sp><p:nvSpPr><p:cNvPr id="3" name="Notes Placeholder 2"/><p:cNvSpPr>'
        '<a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr>'
        f'<p:spPr/>{body}</p:sp></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr>'
        '</p:notes>').encode()


def scale_layouts(elements: list[etree._Element], sx: float, sy: float) -> None:
    """Move master and layout placeholders from the template's 4:3 to our page size."""
    for root in elements:
        for xfrm in root.iter(f"{{{NS['a']}}}xfrm"):
            off, ext = xfrm.find("a:off", NS), xfrm.find("a:ext", NS)
            if off is not None:
                off.set("x", str(round(int(off.get("x")) * sx)))
                off.set("y", str(round(int(off.get("y")) * sy)))
            if ext is not None:
                ext.set("cx", str(round(int(ext.get("cx")) * sx)))
                ext.set("cy", str(round(int(ext.get("cy")) * sy)))


def theme_fonts(theme_xml: bytes, fonts: Fonts) -> bytes:
    """Name our faces in the theme's font scheme, with a Hans script entry, so text typed
    later in PowerPoint also gets a Chinese face."""
    root = etree.fromstring(theme_xml)
    for kind in ("majorFont", "minorFont"):
        el = root.find(f".//a:fontScheme/a:{kind}", NS)
        el.find("a:latin", NS).set("typeface", fonts.latin)
        el.find("a:ea", NS).set("typeface", fonts.east_asian)
        for script in el.findall("a:font", NS):
            if script.get("script") == "Hans":
                script.set("typeface", fonts.east_asian)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def theme_link_colors(theme_xml: bytes, color: str) -> bytes:
    """Hyperlinks (visited or not) in our link colour: PowerPoint and LibreOffice draw
    link text in the theme's hlink/folHlink colours, not the run's own."""
    root = etree.fromstring(theme_xml)
    for kind in ("hlink", "folHlink"):
        slot = root.find(f".//a:clrScheme/a:{kind}", NS)
        for child in list(slot):
            slot.remove(child)
        etree.SubElement(slot, f"{{{NS['a']}}}srgbClr", val=color)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- The OPC package: content types, relationships, parts, zip. Owned here rather than
# through python-pptx's private package writer, so no python-pptx version is pinned.

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
REL = {
    "document": _R + "officeDocument",
    "core": "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
    "app": _R + "extended-properties",
    "master": _R + "slideMaster", "layout": _R + "slideLayout", "slide": _R + "slide",
    "notes": _R + "notesSlide", "notes_master": _R + "notesMaster", "theme": _R + "theme",
    "pres_props": _R + "presProps", "view_props": _R + "viewProps", "table_styles": _R + "tableStyles",
    "image": _R + "image", "hyperlink": _R + "hyperlink",
}
_PML = "application/vnd.openxmlformats-officedocument.presentationml."
CONTENT_TYPES = {  # by the folder (or file) a part lives in
    "ppt/presentation.xml": _PML + "presentation.main+xml",
    "ppt/slides": _PML + "slide+xml", "ppt/notesSlides": _PML + "notesSlide+xml",
    "ppt/slideMasters": _PML + "slideMaster+xml", "ppt/slideLayouts": _PML + "slideLayout+xml",
    "ppt/notesMasters": _PML + "notesMaster+xml",
    "ppt/theme": "application/vnd.openxmlformats-officedocument.theme+xml",
    "ppt/presProps.xml": _PML + "presProps+xml", "ppt/viewProps.xml": _PML + "viewProps+xml",
    "ppt/tableStyles.xml": _PML + "tableStyles+xml",
    "docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    "docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
}
DEFAULT_TYPES = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml",
                 "png": "image/png", "svg": "image/svg+xml"}
MEDIA_TYPES = {"jpeg": "image/jpeg", "gif": "image/gif"}  # declared only in a package that holds such a picture
BASE = Path(__file__).resolve().parent / "skeleton"
BASE_SIZE = (9144000, 6858000)  # EMU: the skeleton's master and layouts are laid out for 4:3
TITLE_ONLY_LAYOUT = "slideLayouts/slideLayout6.xml"


@dataclass
class Rels:
    """One part's relationships, numbered rId1.. in the order first added."""

    items: list[tuple[str, str, bool]] = field(default_factory=list)

    def add(self, kind: str, target: str, external: bool = False) -> str:
        key = (REL[kind], target, external)
        if key not in self.items:
            self.items.append(key)
        return f"rId{self.items.index(key) + 1}"

    def xml(self) -> bytes:
        rows = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target="{escape(target, {chr(34): "&quot;"})}"'
                       + (' TargetMode="External"/>' if external else "/>")
                       for i, (kind, target, external) in enumerate(self.items, 1))
        return (f'{XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f"{rows}</Relationships>").encode()


@dataclass(frozen=True)
class PackagePart:
    name: str  # zip member name, e.g. ppt/slides/slide1.xml
    data: bytes
    rels: Rels | None = None


def _rels_name(name: str) -> str:
    folder, _, file = name.rpartition("/")
    return f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"


def _content_type(name: str) -> str | None:
    """The Override content type of a part, None where the extension's Default serves."""
    return CONTENT_TYPES.get(name) or CONTENT_TYPES.get(name.rpartition("/")[0])


def skeleton(width: float, height: float, fonts: Fonts, link_color: str) -> list[PackagePart]:
    """Master, layouts, themes, notes master and properties (with their own .rels files,
    kept as they are), scaled to the page, naming our fonts and link colour."""
    sx, sy = emu(width) / BASE_SIZE[0], emu(height) / BASE_SIZE[1]
    parts = []
    for path in sorted(BASE.rglob("*.xml")):
        name = path.relative_to(BASE).as_posix()
        if name == "presentation.xml":
            continue
        data = path.read_bytes()
        if name.startswith(("slideMasters/", "slideLayouts/")):
            root = etree.fromstring(data)
            scale_layouts([root], sx, sy)
            data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        elif name.startswith("theme/"):
            data = theme_link_colors(theme_fonts(data, fonts), link_color)
        parts.append(PackagePart("ppt/" + name, data))
        rels = BASE / _rels_name(name)
        if rels.is_file():
            parts.append(PackagePart("ppt/" + _rels_name(name), rels.read_bytes()))
    return parts


def presentation_part(slide_count: int, width: float, height: float) -> PackagePart:
    """presentation.xml from the skeleton's, with our slide list, notes master and page size."""
    rels = Rels()
    master = rels.add("master", "slideMasters/slideMaster1.xml")
    notes_master = rels.add("notes_master", "notesMasters/notesMaster1.xml")
    slides = [rels.add("slide", f"slides/slide{n}.xml") for n in range(1, slide_count + 1)]
    for kind, target in (("theme", "theme/theme1.xml"), ("pres_props", "presProps.xml"),
                         ("view_props", "viewProps.xml"), ("table_styles", "tableStyles.xml")):
        rels.add(kind, target)
    root = etree.fromstring((BASE / "presentation.xml").read_bytes())
    p, r = f"{{{NS['p']}}}", f"{{{NS['r']}}}"
    masters = root.find("p:sldMasterIdLst", NS)
    masters[0].set(f"{r}id", master)
    notes = etree.Element(f"{p}notesMasterIdLst")
    etree.SubElement(notes, f"{p}notesMasterId").set(f"{r}id", notes_master)
    slide_list = etree.Element(f"{p}sldIdLst")
    for n, rid in enumerate(slides):
        etree.SubElement(slide_list, f"{p}sldId", id=str(256 + n)).set(f"{r}id", rid)
    masters.addnext(notes)
    if slides:  # the schema wants at least one sldId in a sldIdLst
        notes.addnext(slide_list)
    size = root.find("p:sldSz", NS)
    size.attrib.clear()  # no type: "custom", true for 16:9 at 13.333 in and for A4 pages alike
    size.set("cx", str(emu(width)))
    size.set("cy", str(emu(height)))
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return PackagePart("ppt/presentation.xml", data, rels)


def doc_props(title: str, subject: str, keywords: str, epoch: int, slides: int, notes: int) -> list[PackagePart]:
    when = dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = f'xsi:type="dcterms:W3CDTF">{when}'
    core = (f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><dc:subject>{escape(subject)}</dc:subject>"
            f"<dc:creator>interview-deck</dc:creator><cp:keywords>{escape(keywords)}</cp:keywords>"
            f"<cp:lastModifiedBy>interview-deck</cp:lastModifiedBy><cp:revision>1</cp:revision>"
            f"<dcterms:created {stamp}</dcterms:created><dcterms:modified {stamp}</dcterms:modified>"
            "</cp:coreProperties>")
    app = (f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           f"<Application>interview-deck</Application><PresentationFormat>Custom</PresentationFormat>"
           f"<Slides>{slides}</Slides><Notes>{notes}</Notes></Properties>")
    return [PackagePart("docProps/core.xml", core.encode()), PackagePart("docProps/app.xml", app.encode())]


def package_bytes(parts: list[PackagePart], epoch: int) -> bytes:
    """The .pptx: content types, package relationships, then every part and its .rels,
    each zip entry stamped with the build time so equal input gives equal bytes."""
    root_rels = Rels()
    for kind, target in (("document", "ppt/presentation.xml"), ("core", "docProps/core.xml"),
                         ("app", "docProps/app.xml")):
        root_rels.add(kind, target)
    members: list[tuple[str, bytes]] = [("_rels/.rels", root_rels.xml())]
    for part in parts:
        members.append((part.name, part.data))
        if part.rels is not None and part.rels.items:
            members.append((_rels_name(part.name), part.rels.xml()))
    overrides = "".join(f'<Override PartName="/{name}" ContentType="{ctype}"/>' for name, _ in members
                        if (ctype := _content_type(name)))
    present = {name.rpartition(".")[2] for name, _ in members}
    kinds = DEFAULT_TYPES | {ext: ctype for ext, ctype in MEDIA_TYPES.items() if ext in present}
    defaults = "".join(f'<Default Extension="{ext}" ContentType="{ctype}"/>' for ext, ctype in kinds.items())
    types = (f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             f"{defaults}{overrides}</Types>").encode()
    stamp = max(time.gmtime(epoch)[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in [("[Content_Types].xml", types), *members]:
            entry = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, data)
    return out.getvalue()
