"""A user's PowerPoint template read for planning: its slide size, the layout each slide role
uses (chosen from placeholders and layout types over every master; names are only a hint), the
content area of the content layout, each chosen layout's real background, the theme colours and
fonts. `template_style.styled_theme()` turns our theme into one that plans on the template's
page in its colours.

python-pptx opens the (checked) package; the XML it has no API for (backgrounds, colour map,
theme scheme) is read here with lxml.
"""

from __future__ import annotations

import colorsys
import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

from deck.plan import Box, RoleBoxes
from deck.render.template_guard import checked_package

NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
EMU_PER_PT = 12700
ROLES = ("title", "section", "question", "answer", "code", "diagram", "references", "closing")
ROLE_OF_KIND = {"title": "title", "section": "section", "closing": "closing", "question": "question",
                "reveal": "answer", "qa": "answer", "code": "code", "diagram": "diagram",
                "references": "references", "agenda": "references", "howto": "references"}
CONTENT_ROLES = ("answer", "code", "diagram", "references")
TITLE_TYPES = ("title", "ctrTitle")
SAME_MASTER = 5  # score for a layout on the content layout's master: one look across the deck
# Name hints (English and the localised names Office and WPS write), worth less than structure.
HINTS = {
    "title": ("title slide", "标题幻灯片", "标题页", "封面", "タイトル スライド"),
    "section": ("section", "节标题", "章节", "セクション"),
    "question": ("title only", "仅标题", "只有标题", "タイトルのみ"),
    "content": ("title and content", "标题和内容", "content", "内容", "タイトルとコンテンツ"),
    "closing": ("closing", "end", "thank", "结束", "末尾", "结尾", "致谢"),
    "blank": ("blank", "空白", "白紙"),
}


@dataclass(frozen=True)
class LayoutInfo:
    master: int  # index in the presentation's masters
    index: int  # index in that master's layouts
    name: str
    kind: str  # sldLayout@type (title, obj, secHead, titleOnly, blank, ...; cust when absent)
    placeholders: tuple[str, ...]  # ph types, "body" for an untyped or obj content placeholder
    static_text: bool  # non-placeholder shapes with text (sample text we could not remove)
    background: str  # RGB hex of what the slide shows behind our text (approximate for pictures)

    @property
    def title_type(self) -> str | None:
        return next((t for t in self.placeholders if t in TITLE_TYPES), None)


@dataclass(frozen=True)
class Template:
    path: Path
    package: bytes  # checked, a .potx already switched to a presentation
    width: float  # points
    height: float
    area: Box | None  # content area (title top to body bottom), None: our margins on its page
    layouts: dict[str, LayoutInfo]  # by role
    boxes: dict[str, RoleBoxes]  # by role: where its layout puts the title, the text and the content
    colors: dict[str, str]  # the chosen master's scheme: dk1 lt1 dk2 lt2 accent1..6 hlink folHlink
    fonts: dict[str, str]  # major/minor latin and East Asian faces (ea, else the Hans script font)
    masters: int


def load_template(path: Path) -> Template:
    package = checked_package(path)
    prs = Presentation(io.BytesIO(package))
    width, height = prs.slide_width / EMU_PER_PT, prs.slide_height / EMU_PER_PT
    used = _masters_in_use(prs)
    infos = [_layout_info(prs, m, i, layout) for m, master in enumerate(prs.slide_masters)
             for i, layout in enumerate(master.slide_layouts)]
    # Content slides share one palette, dividers another: each role's layout keeps its anchor's light or dark.
    layouts = {"answer": _choose("answer", infos, used), "title": _choose("title", infos, used)}
    for role in ROLES:
        if role not in layouts:
            anchor = layouts["title" if role in ("section", "closing") else "answer"]
            layouts[role] = _choose(role, infos, used, is_dark(anchor.background), layouts["answer"].master)
    layouts = {role: layouts[role] for role in ROLES}
    boxes = {role: _role_boxes(prs, info, width, height) for role, info in layouts.items()}
    theme_root = _theme_root(prs.slide_masters[layouts["answer"].master])
    return Template(path, package, width, height, boxes["answer"].area, layouts, boxes, _scheme(theme_root),
                    _fonts(theme_root), len(prs.slide_masters))


def _role_boxes(prs: Presentation, info: LayoutInfo, width: float, height: float) -> RoleBoxes:
    master = prs.slide_masters[info.master]
    layout = master.slide_layouts[info.index]
    page = Box(0, 0, width, height)
    title = _placeholder(layout, TITLE_TYPES) or _placeholder(master, TITLE_TYPES)
    body = _placeholder(layout, ("subTitle",)) or _placeholder(layout, ("body",))
    return RoleBoxes(_clip(title, page), _anchor(layout, master), _clip(body, page),
                     _area(layout, master, width, height))


def _clip(box: Box | None, page: Box) -> Box | None:
    """The part of a placeholder on the page (templates place titles a point above its edge)."""
    if box is None:
        return None
    x0, y0 = max(box.x, page.x), max(box.y, page.y)
    x1, y1 = min(box.x + box.w, page.x + page.w), min(box.bottom, page.bottom)
    return Box(x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


def _anchor(layout: object, master: object) -> str:
    """The title placeholder's vertical anchor, the layout's else the master's (else top)."""
    for owner in (layout, master):
        for ph in owner.placeholders:  # type: ignore[attr-defined]
            node = ph.element.find("p:nvSpPr/p:nvPr/p:ph", NS)
            body_pr = ph.element.find("p:txBody/a:bodyPr", NS)
            if node is not None and _ph_type(node) in TITLE_TYPES and body_pr is not None and body_pr.get("anchor"):
                return body_pr.get("anchor")
    return "t"


def _masters_in_use(prs: Presentation) -> set[int]:
    """Masters the template's own slides use: its authors' choice for content."""
    ids = [id(m.element) for m in prs.slide_masters]
    return {ids.index(id(s.slide_layout.slide_master.element)) for s in prs.slides}


def _ph_type(ph: etree._Element) -> str:
    kind = ph.get("type", "obj")
    return "body" if kind in ("obj", "body") else kind


def _layout_info(prs: Presentation, m: int, i: int, layout: object) -> LayoutInfo:
    el = layout.element  # type: ignore[attr-defined]
    phs = tuple(_ph_type(ph) for ph in el.iterfind(".//p:cSld/p:spTree//p:ph", NS))
    static = any("".join(sp.itertext()).strip() for sp in el.iterfind(".//p:cSld/p:spTree/p:sp", NS)
                 if sp.find("p:nvSpPr/p:nvPr/p:ph", NS) is None and sp.find("p:txBody", NS) is not None)
    master = prs.slide_masters[m]
    return LayoutInfo(m, i, el.find("p:cSld", NS).get("name", ""),
                      el.get("type", "cust"), phs, static, _background(layout, master))


def _score(role: str, info: LayoutInfo, used: set[int]) -> float:
    phs, kind, name = info.placeholders, info.kind, info.name.lower()
    title, body = info.title_type is not None, phs.count("body")

    def hint(key: str) -> bool:
        return any(h in name for h in HINTS[key])

    score = 2.0 if info.master in used else 0.0
    score -= 20 if info.static_text else 0
    if role in ("title", "closing"):
        score += 6 * (kind == "title") + 3 * ("ctrTitle" in phs) + 2 * ("subTitle" in phs) + 5 * hint("title")
        score -= 4 * hint("content")
        score += 4 * hint("closing") if role == "closing" else 0
        score -= 3 * (kind == "secHead")
    elif role == "section":
        score += 8 * (kind == "secHead") + 4 * hint("section") + 2 * title + 1 * (kind == "title")
    elif role == "question":
        score += 6 * (kind == "titleOnly") + 4 * (title and body == 0) + 2 * hint("question") + 2 * title
        score -= 1 * len([p for p in phs if p not in ("dt", "ftr", "sldNum", "title", "ctrTitle")])
    else:
        score += 4 * title + 4 * (body == 1) + 2 * (body > 1) + 3 * (kind == "obj") + 1 * hint("content")
        score -= 2 * (kind in ("title", "secHead")) + 2 * ("pic" in phs)
    return score


def _choose(role: str, infos: list[LayoutInfo], used: set[int], dark: bool | None = None,
            master: int | None = None) -> LayoutInfo:
    """The best layout for a role (of the given darkness when one exists, on the content's master
    by preference); with nothing that fits, a blank-ish one (our shapes do the rest)."""
    same = [i for i in infos if dark is None or is_dark(i.background) == dark] or infos

    def score(info: LayoutInfo) -> float:
        return _score(role, info, used) + (SAME_MASTER if info.master == master else 0)

    best = max(same, key=lambda info: (score(info), -info.master, -info.index))
    if score(best) > 2:
        return best
    blankish = [i for i in same if not i.static_text]
    return min(blankish or same, key=lambda i: (len(i.placeholders), i.master not in used, i.master, i.index))


def _box(shape: object) -> Box | None:
    vals = [getattr(shape, k, None) for k in ("left", "top", "width", "height")]
    if any(v is None for v in vals):
        return None
    x, y, w, h = (v / EMU_PER_PT for v in vals)  # type: ignore[operator]
    return Box(x, y, w, h)


def _placeholder(container: object, kinds: tuple[str, ...]) -> Box | None:
    for ph in container.placeholders:  # type: ignore[attr-defined]
        node = ph.element.find("p:nvSpPr/p:nvPr/p:ph", NS)
        if node is not None and _ph_type(node) in kinds:
            return _box(ph)
    return None


def _area(layout: object, master: object, width: float, height: float) -> Box | None:
    """Title top to body bottom, across the body's width (the layout's, after master inheritance,
    else the master's); None when neither is a usable content area (e.g. a 0.8 in body)."""
    for source in (layout, master):
        body = _placeholder(source, ("body",))
        title = _placeholder(source, TITLE_TYPES) or _placeholder(master, TITLE_TYPES)
        if body is None:
            continue
        top = title.y if title is not None and title.y < body.y else body.y
        x0, y0 = max(body.x, 0.0), max(top, 0.0)
        box = Box(x0, y0, min(body.x + body.w, width) - x0, min(body.bottom, height) - y0)
        box = _clear_of_artwork(box, layout, master, width * height)
        if box.w >= width / 2 and box.h >= height / 2:
            return box
    return None


def _clear_of_artwork(box: Box, layout: object, master: object, page: float) -> Box:
    """The area shrunk off the logos, bands and pictures of the layout (and of the master when the
    layout shows its shapes) that reach into it: from the top for those in its upper half, else from
    the bottom. Artwork covering much of the page is a backdrop, not an obstacle."""
    owners = [layout] + ([master] if layout.element.get("showMasterSp") != "0" else [])  # type: ignore[attr-defined]
    top, bottom = box.y, box.bottom
    for owner in owners:
        for shape in owner.shapes:  # type: ignore[attr-defined]
            art = None if shape.is_placeholder else _box(shape)
            if art is None or art.w * art.h > page / 3:
                continue
            if art.x >= box.x + box.w or art.x + art.w <= box.x or art.y >= bottom or art.bottom <= top:
                continue
            if art.y + art.h / 2 < (box.y + box.bottom) / 2:
                top = max(top, art.bottom)
            else:
                bottom = min(bottom, art.y)
    return Box(box.x, top, box.w, max(bottom - top, 0.0))


def _theme_root(master: object) -> etree._Element:
    part = master.part.part_related_by(RT.THEME)  # type: ignore[attr-defined]
    return etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False, no_network=True))


def _scheme(theme: etree._Element) -> dict[str, str]:
    out = {}
    scheme = theme.find(".//a:clrScheme", NS)
    for slot in scheme if scheme is not None else ():
        color = slot.find("a:srgbClr", NS)
        value = color.get("val") if color is not None else (slot.find("a:sysClr", NS).get("lastClr")
                                                             if slot.find("a:sysClr", NS) is not None else None)
        if value:
            out[etree.QName(slot).localname] = value.upper()
    for key, value in (("dk1", "000000"), ("lt1", "FFFFFF")):
        out.setdefault(key, value)  # the schema's own defaults for a scheme missing them
    for key in ("dk2", "lt2", "accent1", "accent2", "accent3"):
        out.setdefault(key, out["dk1"] if key.startswith("d") or key.startswith("a") else out["lt1"])
    return out


def _fonts(theme: etree._Element) -> dict[str, str]:
    out = {}
    for kind in ("majorFont", "minorFont"):
        el = theme.find(f".//a:fontScheme/a:{kind}", NS)
        if el is None:
            continue
        latin, ea = el.find("a:latin", NS), el.find("a:ea", NS)
        hans = next((f.get("typeface", "") for f in el.findall("a:font", NS) if f.get("script") == "Hans"), "")
        out[kind] = latin.get("typeface", "") if latin is not None else ""
        out[kind + "_ea"] = (ea.get("typeface", "") if ea is not None else "") or hans
    return out


DARK = 0.18  # relative luminance below which a background counts as dark (between black and mid grey)


def luminance(rgb: str) -> float:
    def chan(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (chan(int(rgb[i:i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def is_dark(rgb: str) -> bool:
    return luminance(rgb) < DARK


# --- Backgrounds: the colour a slide on this layout shows, resolved through the colour map.

def _clr_map(layout: object, master: object) -> dict[str, str]:
    override = layout.element.find("p:clrMapOvr/a:overrideClrMapping", NS)  # type: ignore[attr-defined]
    source = override if override is not None else master.element.find("p:clrMap", NS)  # type: ignore[attr-defined]
    mapping = dict(source.attrib) if source is not None else {}
    return {"bg1": "lt1", "tx1": "dk1", "bg2": "lt2", "tx2": "dk2"} | mapping


def scheme_color(el: etree._Element | None, scheme: dict[str, str], clr_map: dict[str, str]) -> str | None:
    """An a:*Clr element as RGB hex, with lumMod/lumOff/shade/tint applied."""
    if el is None:
        return None
    tag = etree.QName(el).localname
    if tag == "srgbClr":
        rgb = el.get("val", "")
    elif tag == "schemeClr":
        slot = el.get("val", "")
        rgb = scheme.get(clr_map.get(slot, slot), "")
    elif tag == "sysClr":
        rgb = el.get("lastClr", "")
    elif tag == "prstClr":
        rgb = {"black": "000000", "white": "FFFFFF"}.get(el.get("val", ""), "")
    else:
        return None
    if len(rgb) != 6:
        return None
    h, lum, s = colorsys.rgb_to_hls(*(int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4)))
    for mod in el:
        val = int(mod.get("val", "100000")) / 100000
        name = etree.QName(mod).localname
        if name == "lumMod":
            lum *= val
        elif name == "lumOff":
            lum += val
        elif name == "shade":
            lum *= val
        elif name == "tint":
            lum = lum * val + (1 - val)
    return _hex(colorsys.hls_to_rgb(h, min(max(lum, 0.0), 1.0), s))


def _hex(rgb: tuple[float, float, float]) -> str:
    return "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02X}" for c in rgb)


def _background(layout: object, master: object) -> str:
    scheme = _scheme(_theme_root(master))
    cmap = _clr_map(layout, master)
    for owner in (layout, master):
        bg = owner.element.find("p:cSld/p:bg", NS)  # type: ignore[attr-defined]
        if bg is None:
            continue
        ref = bg.find("p:bgRef", NS)
        if ref is not None:
            color = scheme_color(ref[0] if len(ref) else None, scheme, cmap)
            if color:
                return color
        props = bg.find("p:bgPr", NS)
        if props is None:
            continue
        fill = props[0] if len(props) else None
        kind = etree.QName(fill).localname if fill is not None else ""
        if kind == "solidFill":
            color = scheme_color(fill[0] if len(fill) else None, scheme, cmap)  # type: ignore[index]
        elif kind == "gradFill":
            stops = [scheme_color(gs[0] if len(gs) else None, scheme, cmap)
                     for gs in fill.iterfind("a:gsLst/a:gs", NS)]  # type: ignore[union-attr]
            color = _mean([s for s in stops if s])
        elif kind == "blipFill":
            color = _picture_mean(owner, fill)
        else:
            color = None
        if color:
            return color
    return scheme.get(cmap.get("bg1", "lt1"), "FFFFFF")


def _mean(colors: list[str]) -> str | None:
    if not colors:
        return None
    chans = [sum(int(c[i:i + 2], 16) for c in colors) / len(colors) / 255 for i in (0, 2, 4)]
    return _hex((chans[0], chans[1], chans[2]))


def _picture_mean(owner: object, fill: etree._Element) -> str | None:
    """The average colour of a picture background (PNG/JPEG; None for what Pillow cannot read)."""
    blip = fill.find("a:blip", NS)
    rid = blip.get(f"{{{NS['r']}}}embed") if blip is not None else None
    if not rid:
        return None
    try:
        blob = owner.part.related_part(rid).blob  # type: ignore[attr-defined]
        with Image.open(io.BytesIO(blob)) as img:
            img.draft("RGB", (64, 64))  # JPEG decodes small; size is bounded by the guard's part limit
            if img.width * img.height > 50_000_000:
                return None
            r, g, b = img.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))  # type: ignore[misc]
    except (OSError, KeyError, ValueError, Image.DecompressionBombError):
        return None
    return f"{r:02X}{g:02X}{b:02X}"


def installed(family: str) -> str | None:
    """The family fontconfig gives for a name, and whether it is that font (else a substitute)."""
    if not family:
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}", family], capture_output=True, text=True,
                             check=False, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.split(",")[0] or None


def describe(t: Template) -> list[str]:
    """What --verbose says: the page, the content area and the layout of each role with its boxes."""
    def box(b: Box | None) -> str:
        return f"x {b.x:.0f} y {b.y:.0f} w {b.w:.0f} h {b.h:.0f} pt" if b else "none"

    lines = [f"template: {t.path} ({t.width:g}x{t.height:g} pt, {t.masters} master(s))",
             "template content area: " + (box(t.area) if t.area else "none usable; our margins on its page")]
    for role, info in t.layouts.items():
        boxes = t.boxes[role]
        lines.append(f"template layout for {role}: '{info.name}' (master {info.master + 1}, "
                     f"layout {info.index + 1}, background #{info.background}; title {box(boxes.title)} "
                     f"anchored {boxes.anchor}; text {box(boxes.body)})")
    return lines
