"""Picture files a Markdown field shows (`![alt](path)`): their kind, their size in CSS pixels, and
whether they are safe to embed. A PNG, JPEG or GIF must decode as the type its name says; an SVG is
refused if it could run script or reach outside the deck (script, event handlers, foreignObject,
DTDs, links to anything but its own fragments or inline pictures)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from PIL import Image

KINDS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".svg": "svg"}
_PILLOW = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF"}
MAX_BYTES = 16 * 1024 * 1024
_SVG = "{http://www.w3.org/2000/svg}"
_FORBIDDEN = {"script", "foreignObject", "handler", "iframe", "embed", "object"}
_INLINE = re.compile(r"^\s*(#|data:image/(png|jpeg|gif);)", re.I)
_CSS_URL = re.compile(r"url\(\s*['\"]?(?!#)|@import", re.I)
_LENGTH = re.compile(r"^\s*([0-9.]+(?:e[+-]?\d+)?)\s*(px|pt|pc|in|cm|mm)?\s*$", re.I)
ORIENTATION = 0x0112  # the EXIF tag
_PER_PX = {"px": 1.0, "pt": 96 / 72, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}


class BadImage(ValueError):
    """Why a picture cannot be embedded (the message follows the picture's path)."""


@dataclass(frozen=True)
class ImageFile:
    path: Path
    kind: str  # png, jpeg, gif, svg
    width: float  # CSS pixels (an SVG's declared size)
    height: float


def kind_of(path: str) -> str | None:
    """The picture kind its name says, None for a kind a deck cannot embed."""
    return KINDS.get(Path(path).suffix.lower())


@functools.lru_cache(maxsize=256)
def inspect(path: Path) -> ImageFile:
    """The picture at path, checked; BadImage says what is wrong."""
    kind = kind_of(path.name)
    if kind is None:
        raise BadImage("is not a PNG, JPEG, GIF or SVG file")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise BadImage(f"is larger than {MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise BadImage(f"cannot be read ({exc.strerror})") from None
    w, h = _svg_size(data) if kind == "svg" else _bitmap_size(data, kind)
    return ImageFile(path, kind, w, h)


def _bitmap_size(data: bytes, kind: str) -> tuple[float, float]:
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            found = img.format
            img.verify()  # a truncated or corrupt file fails here, not in PowerPoint
        with Image.open(io.BytesIO(data)) as img:
            size = img.size
            if upright_turn(img):  # a camera's portrait photo: stored on its side, shown upright
                size = size[::-1]
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds; each means "not a picture"
        raise BadImage(f"does not decode as {_PILLOW[kind]} ({type(exc).__name__})") from None
    if found != _PILLOW[kind]:
        raise BadImage(f"is named .{kind} but holds {found or 'something else'}: rename it or convert it")
    return float(size[0]), float(size[1])


def upright_turn(img: Image.Image) -> bool:
    """Whether the picture's EXIF orientation turns it a quarter (orientations 5 to 8)."""
    return img.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8)


def _svg_size(data: bytes) -> tuple[float, float]:
    """The SVG's size once it is known to be safe: width/height, else its viewBox."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BadImage(f"is not well-formed SVG ({exc.msg})") from None
    if root.getroottree().docinfo.internalDTD is not None or b"<!ENTITY" in data:
        raise BadImage("declares entities, which an SVG picture must not")
    if root.tag != _SVG + "svg":
        raise BadImage("is not an SVG document (its root is not <svg>)")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        where = f"(line {el.sourceline} of the SVG)"
        if name in _FORBIDDEN:
            raise BadImage(f"contains <{name}> {where}; pictures may not hold script or HTML")
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname
            if local.lower().startswith("on"):
                raise BadImage(f"has an event handler '{local}' {where}")
            if local in ("href", "src") and not _INLINE.match(value):
                raise BadImage(f"refers to '{value[:60]}' {where}; only '#id' and inline data pictures are allowed")
            if local == "style" and _CSS_URL.search(value):
                raise BadImage(f"loads a resource from its style {where}")
        if name == "style" and _CSS_URL.search(el.text or ""):
            raise BadImage(f"loads a resource from a <style> sheet {where}")
    box = (root.get("viewBox") or "").replace(",", " ").split()
    dims = []
    for key, k in (("width", 2), ("height", 3)):
        m = _LENGTH.match(root.get(key) or "")
        if m:
            dims.append(float(m[1]) * _PER_PX[(m[2] or "px").lower()])
        elif len(box) == 4 and _LENGTH.match(box[k]):
            dims.append(float(box[k]))
        else:
            raise BadImage(f"has no size: give the <svg> a {key} or a viewBox")
    if min(dims) <= 0:
        raise BadImage("has an empty size")
    return dims[0], dims[1]
