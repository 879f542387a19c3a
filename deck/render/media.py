"""A bank's picture files as package parts: PNG, JPEG and GIF as they are; an SVG with a PNG
fallback rendered here (resvg), for engines that draw only the PNG. Parts are named by their
content hash: one part per distinct file, the same name on every build."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from deck.content.images import ORIENTATION, kind_of
from deck.errors import DeckError
from deck.plan import Picture

CSS_PX_PER_PT = 96 / 72  # units: a CSS pixel is 1/96 in, a point 1/72 in

CONTENT_TYPE = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml"}


@dataclass(frozen=True)
class MediaFile:
    name: str  # file name under ppt/media/
    data: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPE[self.name.rpartition(".")[2]]


def _named(data: bytes, ext: str) -> MediaFile:
    return MediaFile(f"media-{hashlib.sha256(data).hexdigest()[:16]}.{ext}", data)


def fallback_width(pic: Picture, scale: float) -> int:
    """Pixels across an SVG picture's PNG fallback: scale per CSS pixel of the size it is drawn at
    (never its declared size: an SVG may declare any)."""
    return max(1, round(pic.box.w * CSS_PX_PER_PT * scale))


@functools.lru_cache(maxsize=64)
def picture_files(path: str, font: str, width: int) -> tuple[MediaFile, MediaFile | None]:
    """The picture's blip file and, for an SVG, the SVG beside its PNG fallback (width pixels across)."""
    data = Path(path).read_bytes()
    kind = kind_of(path)
    assert kind is not None, "planning places only pictures the loader checked"
    if kind == "jpeg":
        return _named(upright(data), kind), None
    if kind != "svg":
        return _named(data, kind), None
    try:
        png = svg_png(data, font, width)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DeckError(f"cannot draw the SVG picture {path} as PNG: {exc}") from None
    return _named(png, "png"), _named(data, "svg")


def upright(jpeg: bytes) -> bytes:
    """The JPEG with its EXIF orientation applied to the pixels, so that every engine draws it
    upright whether or not it honours the tag."""
    import io

    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(jpeg)) as img:
        if img.getexif().get(ORIENTATION, 1) == 1:
            return jpeg  # as it is, bit for bit
        out = io.BytesIO()
        ImageOps.exif_transpose(img).save(out, "JPEG", quality=95)  # once, when the photo is turned
        return out.getvalue()


def svg_png(svg: bytes, font: str, width: int) -> bytes:
    """The SVG drawn as a PNG this many pixels across, text without a face in the deck's."""
    import resvg_py  # only a deck with an SVG picture needs it

    return bytes(resvg_py.svg_to_bytes(svg_string=svg.decode("utf-8"), width=width, font_family=font,
                                       sans_serif_family=font))
