"""DrawingML: what goes inside a shape, the same on a slide, in a table cell or on a notes page:
units, colours, outlines, custom geometry with connection sites, and text bodies (paragraphs with
bullets and numbering, runs with East Asian fonts, per-run lang, links, baseline shifts).

Written as XML text and joined, never parsed: faster than python-pptx's proxy objects, and the
exact element order the schemas demand is visible here. deck.render.presentationml puts these
into slides; deck.render.opc packs the parts.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from deck.plan import Box, Line, Para, Run, Shape, Text
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
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
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
        return self._scripts[east_asian]

    @functools.cached_property
    def _scripts(self) -> tuple[str, str]:
        """(Latin, East Asian) attributes, made once: every run of a deck asks for them."""
        cjk, latin = self._pair
        return (f'lang="{escape(latin)}"' + (f' altLang="{escape(self.deck)}"' if latin != self.deck else ""),
                f'lang="{escape(cjk)}" altLang="{escape(latin)}"')

    @functools.cached_property
    def end(self) -> str:
        """For an end-of-paragraph mark: the deck's language."""
        cjk, latin = self._pair
        return f'lang="{escape(self.deck)}"' + (f' altLang="{escape(latin)}"' if latin != self.deck else "")


def emu(points: float) -> int:
    return round(points * EMU_PER_PT)


def escape(text: str) -> str:
    """XML character data: what xml.sax.saxutils.escape gives, without importing that module
    (it imports urllib.request and the http and email packages, ~13 ms a build)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: str) -> str:
    """Text for an XML attribute value in double quotes."""
    return escape(value).replace('"', "&quot;")


def xfrm(box: Box) -> str:
    return (f'<a:xfrm><a:off x="{emu(box.x)}" y="{emu(box.y)}"/>'
            f'<a:ext cx="{emu(box.w)}" cy="{emu(box.h)}"/></a:xfrm>')


def solid_fill(color: str | None) -> str:
    return f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>' if color else "<a:noFill/>"


def _lang_pieces(text: str, lang: Langs, weak: dict[int, bool], at: int) -> Iterator[tuple[str, str]]:
    """(piece, lang attributes): the run's text, with each ambiguous quote set in the other script
    than the run's (see fonts.weak_scripts) split off with that script's lang, as PowerPoint picks
    the face of ’ “ ” by lang and LibreOffice by the text around them."""
    own = bool(_EAST_ASIAN.search(text))
    odd = [i - at for i, east_asian in weak.items() if at <= i < at + len(text) and east_asian != own]
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


@functools.lru_cache(maxsize=64)
def _typefaces(latin: str, east_asian: str) -> str:
    """A run's faces by script (escaped once a deck: every run names them)."""
    return (f'<a:latin typeface="{escape(latin)}"/><a:ea typeface="{escape(east_asian)}"/>'
            f'<a:cs typeface="{escape(latin)}"/>')


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
             f'i="{int(run.italic)}"{strike}{baseline} dirty="0">{solid_fill(run.color or text.color)}{highlight}'
             f'{_typefaces(latin, fonts.east_asian)}{link}</a:rPr><a:t>')
    if not weak:  # no ambiguous quote in the paragraph (most): one run, one lang
        return f'<a:r><a:rPr {lang.of(run.text)}{props}{escape(run.text)}</a:t></a:r>'
    return "".join(f'<a:r><a:rPr {attrs}{props}{escape(piece)}</a:t></a:r>'
                   for piece, attrs in _lang_pieces(run.text, lang, weak, at))


def paragraph(para: Para, text: Text, fonts: Fonts, lang: Langs, links: dict[str, str], restart: bool = True) -> str:
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
    paras = "".join(paragraph(p, text, fonts, lang, links or {}, not (i and _continues(text.paras[i - 1], p)))
                    for i, p in enumerate(text.paras)) or "<a:p/>"
    return (f'<p:txBody><a:bodyPr wrap="{"square" if wrap else "none"}" lIns="{left}" tIns="{top}" rIns="{right}" '
            f'bIns="{bottom}" anchor="{text.anchor}" rtlCol="0"><a:noAutofit/></a:bodyPr><a:lstStyle/>{paras}'
            '</p:txBody>')


def outline(line: Line | None) -> str:
    if line is None:
        return "<a:ln><a:noFill/></a:ln>"
    dash = f'<a:prstDash val="{line.dash}"/>' if line.dash else ""
    ends = "".join(f'<a:{tag} type="{kind}" w="{line.end_size}" len="{line.end_size}"/>'
                   for tag, kind in (("headEnd", line.head), ("tailEnd", line.tail)) if kind)
    return f'<a:ln w="{emu(line.width)}">{solid_fill(line.color)}{dash}<a:round/>{ends}</a:ln>'


def custom_geometry(shape: Shape) -> str:
    """a:custGeom in the shape's own EMU space: moveTo / lnTo / cubicBezTo / close."""
    def pt(x: object, y: object) -> str:
        return f'<a:pt x="{emu(float(x))}" y="{emu(float(y))}"/>'  # type: ignore[arg-type]

    def ops(path: tuple[tuple[object, ...], ...]) -> str:
        out = []
        for op in path:
            kind, *v = op
            if kind == "M":
                out.append(f"<a:moveTo>{pt(*v)}</a:moveTo>")
            elif kind == "L":
                out.append(f"<a:lnTo>{pt(*v)}</a:lnTo>")
            elif kind == "C":
                out.append(f"<a:cubicBezTo>{pt(v[0], v[1])}{pt(v[2], v[3])}{pt(v[4], v[5])}</a:cubicBezTo>")
            else:
                out.append("<a:close/>")
        return "".join(out)

    fill = "" if shape.closed else ' fill="none"'
    size = f'w="{emu(shape.box.w)}" h="{emu(shape.box.h)}"'
    # Inner strokes in a second path over the filled outline (unfilled, so the outline's fill stays).
    detail = f'<a:path {size} fill="none">{ops(shape.detail)}</a:path>' if shape.detail else ""
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
            f'<a:path {size}{fill}>{ops(shape.path)}</a:path>{detail}</a:pathLst>'
            '</a:custGeom>')


def _site_angle(dx: float, dy: float) -> int:
    """The direction (60000ths of a degree, clockwise from +x) of the side a site sits on."""
    if abs(dx) >= abs(dy):
        return 0 if dx >= 0 else 10800000
    return 5400000 if dy > 0 else 16200000
