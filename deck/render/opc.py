"""The OPC package: our master, layouts, theme and notes master from the skeleton (scaled to the
page, our fonts and link colours in the theme), presentation.xml, document properties, content
types, relationships and the deterministic zip.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from deck.plan import Faces as Fonts
from deck.render.drawingml import NS, XML_HEAD, attr, emu, escape


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
        rows = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target="{attr(target)}"'
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
