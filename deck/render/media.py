"""A bank's picture files as package parts: PNG, JPEG and GIF as they are; an SVG with a PNG
fallback rendered here (resvg), for engines that draw only the PNG. Parts are named by their
content hash: one part per distinct file, the same name on every build."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from deck.content.images import kind_of
from deck.errors import DeckError

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


@functools.lru_cache(maxsize=64)
def picture_files(path: str, font: str, scale: float) -> tuple[MediaFile, MediaFile | None]:
    """The picture's blip file and, for an SVG, the SVG beside its PNG fallback."""
    data = Path(path).read_bytes()
    kind = kind_of(path)
    assert kind is not None, "planning places only pictures the loader checked"
    if kind != "svg":
        return _named(data, kind), None
    try:
        png = svg_png(data, font, scale)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DeckError(f"cannot draw the SVG picture {path} as PNG: {exc}") from None
    return _named(png, "png"), _named(data, "svg")


def svg_png(svg: bytes, font: str, scale: float) -> bytes:
    """The SVG drawn as a PNG at scale pixels per CSS pixel, text without a face in the deck's."""
    import resvg_py  # only a deck with an SVG picture needs it

    return bytes(resvg_py.svg_to_bytes(svg_string=svg.decode("utf-8"), zoom=scale, font_family=font,
                                       sans_serif_family=font))
