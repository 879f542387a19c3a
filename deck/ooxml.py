"""The one module that writes raw OOXML: shapes, text bodies with East Asian fonts,
SVG blips, slide jumps, theme fonts, 16:9/A4 layouts and deterministic zips.

Shapes are built as XML text and parsed once per slide: faster than python-pptx's
proxy objects, and the exact element order the schemas demand is visible here.
"""

from __future__ import annotations

import functools
import io
import re
import time
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree
from pptx.opc.package import OpcPackage
from pptx.opc.packuri import PackURI
from pptx.opc.serialized import PackageWriter
from pptx.presentation import Presentation

from deck.fonts import EAST_ASIAN
from deck.plan import Box, Para, Picture, Rect, Run, Text
from deck.plan import Faces as Fonts

NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
NSDECL = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
SVG_EXT = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
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
        cjk, latin = self._pair
        if _EAST_ASIAN.search(text):
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


def _run(run: Run, text: Text, fonts: Fonts, lang: Langs, links: dict[str, str]) -> str:
    size = run.size or text.size
    bold = run.bold or text.bold
    latin = fonts.mono if text.mono else fonts.latin
    link = (f'<a:hlinkClick r:id="{links[run.link]}" action="ppaction://hlinksldjump"/>'
            if run.link else "")
    # lang zh-CN makes PowerPoint apply Chinese line-breaking rules; a:ea names the CJK face.
    return (f'<a:r><a:rPr {lang.of(run.text)} sz="{round(size * 100)}" b="{int(bold)}" '
            f'i="{int(run.italic)}" dirty="0">{_fill(run.color or text.color)}'
            f'<a:latin typeface="{escape(latin)}"/><a:ea typeface="{escape(fonts.east_asian)}"/>'
            f'<a:cs typeface="{escape(latin)}"/>{link}</a:rPr><a:t>{escape(run.text)}</a:t></a:r>')


def _para(para: Para, text: Text, fonts: Fonts, lang: Langs, links: dict[str, str]) -> str:
    pitch = text.size * text.line_spacing
    gap = round(pitch * text.paragraph_gap * 100) if para.gap_before else 0
    if para.bullet:
        indent = emu(text.bullet_indent * text.size)
        marg = f' marL="{indent}" indent="-{indent}"'
        bullet = '<a:buFont typeface="Arial"/><a:buChar char="•"/>'
    else:
        marg, bullet = ' marL="0" indent="0"', "<a:buNone/>"
    runs = "".join(_run(r, text, fonts, lang, links) for r in para.runs if r.text)
    end = f'<a:endParaRPr {lang.end} sz="{round(text.size * 100)}" dirty="0"/>'
    # No hanging punctuation: a hung "。" would sit outside the width we measured.
    return (f'<a:p><a:pPr algn="{para.align}"{marg} eaLnBrk="1" latinLnBrk="0" hangingPunct="0">'
            f'<a:lnSpc><a:spcPts val="{round(pitch * 100)}"/></a:lnSpc>'
            f'<a:spcBef><a:spcPts val="{gap}"/></a:spcBef><a:spcAft><a:spcPts val="0"/>'
            f'</a:spcAft>{bullet}</a:pPr>{runs}{end}</a:p>')


def text_body(text: Text, fonts: Fonts, lang: Langs, inset: float, links: dict[str, str] | None = None) -> str:
    ins = emu(inset)
    paras = "".join(_para(p, text, fonts, lang, links or {}) for p in text.paras) or "<a:p/>"
    return (f'<p:txBody><a:bodyPr wrap="square" lIns="{ins}" tIns="{ins}" rIns="{ins}" bIns="{ins}" '
            f'anchor="{text.anchor}" rtlCol="0"><a:noAutofit/></a:bodyPr><a:lstStyle/>{paras}</p:txBody>')


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


def picture_shape(pic: Picture, shape_id: int, png_rid: str, svg_rid: str) -> str:
    """PNG blip with an svgBlip extension: vector in PowerPoint 2016+, PNG elsewhere."""
    return (f'<p:pic><p:nvPicPr><p:cNvPr id="{shape_id}" name="Diagram {shape_id}" '
            f'descr="{escape(pic.alt, {chr(34): "&quot;"})}"/><p:cNvPicPr><a:picLocks noChangeAspect="1"/>'
            f'</p:cNvPicPr><p:nvPr/></p:nvPicPr><p:blipFill><a:blip r:embed="{png_rid}"><a:extLst>'
            f'<a:ext uri="{SVG_EXT}"><asvg:svgBlip xmlns:asvg="{SVG_NS}" r:embed="{svg_rid}"/></a:ext>'
            f'</a:extLst></a:blip><a:stretch><a:fillRect/></a:stretch></p:blipFill><p:spPr>'
            f'{_xfrm(pic.box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>')


_GROUP = ('<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
          '<p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/><a:chOff x="0" y="0"/>'
          '<a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>')


XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def slide_xml(shapes_xml: list[str], background: str | None) -> bytes:
    """A whole p:sld with our shapes (no placeholders cloned from the layout)."""
    bg = f"<p:bg><p:bgPr>{_fill(background)}<a:effectLst/></p:bgPr></p:bg>" if background else ""
    return (f'{XML_HEAD}<p:sld {NSDECL}><p:cSld>{bg}<p:spTree>{_GROUP}{"".join(shapes_xml)}</p:spTree>'
            '</p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>').encode()


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


def slide_size(prs: Presentation, width: float, height: float) -> None:
    """Set p:sldSz to our page (points). The template says type="screen4x3"; neither our
    16:9 page (13.333 x 7.5 in) nor A4 portrait is one of the preset sizes, so no type
    (the schema's default, custom)."""
    prs.slide_width, prs.slide_height = emu(width), emu(height)
    size = prs._element.find("p:sldSz", NS)
    if "type" in size.attrib:
        del size.attrib["type"]


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


class _FixedTimeZip:
    """python-pptx's physical writer interface, with a fixed timestamp on every entry
    so equal input gives equal bytes (python-pptx stamps the current time)."""

    def __init__(self, zf: zipfile.ZipFile, stamp: tuple[int, ...]) -> None:
        self.zf, self.stamp = zf, stamp

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        entry = zipfile.ZipInfo(pack_uri.membername, date_time=self.stamp)  # type: ignore[arg-type]
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        self.zf.writestr(entry, blob)


def package_bytes(package: OpcPackage, epoch: int) -> bytes:
    """The .pptx bytes of a package: python-pptx's own serialization, our zip entries."""
    stamp = max(time.gmtime(epoch)[:6], (1980, 1, 1, 0, 0, 0))
    writer = PackageWriter(io.BytesIO(), package._rels, tuple(package.iter_parts()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        phys = _FixedTimeZip(zf, stamp)
        writer._write_content_types_stream(phys)  # type: ignore[arg-type]
        writer._write_pkg_rels(phys)  # type: ignore[arg-type]
        writer._write_parts(phys)  # type: ignore[arg-type]
    return out.getvalue()
