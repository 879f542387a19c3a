"""Picture files a Markdown field shows: their kind and size, and what is refused (deck.content.images)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from deck.content.images import BadImage, inspect


def test_gif_png_and_jpeg_give_their_pixels(tmp_path: Path) -> None:
    for name, fmt in (("a.gif", "GIF"), ("b.png", "PNG"), ("c.jpeg", "JPEG")):
        Image.new("RGB", (30, 20), "red").save(tmp_path / name, fmt)
        img = inspect(tmp_path / name)
        assert (img.kind, img.width, img.height) == ({"GIF": "gif", "PNG": "png", "JPEG": "jpeg"}[fmt], 30, 20)


@pytest.mark.parametrize(("attrs", "size"), [('width="2in" height="1in"', (192, 96)),
                                             ('viewBox="0 0 300 90"', (300, 90)),
                                             ('width="100%" viewBox="0,0,40,10" height="10pt"', (40, 40 / 3))])
def test_an_svg_is_as_large_as_it_says(tmp_path: Path, attrs: str, size: tuple[float, float]) -> None:
    (tmp_path / "x.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg" {attrs}><rect width="1" height="1"/>'
                                    "</svg>", encoding="utf-8")
    img = inspect(tmp_path / "x.svg")
    assert (img.width, img.height) == pytest.approx(size)


@pytest.mark.parametrize(("name", "data", "why"), [
    ("t.gif", b"GIF89a" + b"\0" * 8, "does not decode as GIF"),
    ("e.svg", b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">&x;</svg>',
     "declares entities"),
    ("f.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><foreignObject/></svg>',
     "contains <foreignObject>"),
    ("u.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect style="fill:url(http://x/y)"/></svg>',
     "loads a resource from its style"),
    ("n.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "has no size"),
    ("h.svg", b"<html><body/></html>", "is not an SVG document"),
])
def test_broken_or_unsafe_pictures_are_refused(tmp_path: Path, name: str, data: bytes, why: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(BadImage, match=why):
        inspect(tmp_path / name)


def test_references_inside_the_svg_are_allowed(tmp_path: Path) -> None:
    (tmp_path / "ok.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
        '<defs><linearGradient id="g"/><rect id="r" width="1" height="1"/></defs>'
        '<rect style="fill:url(#g)" width="5" height="5"/><use xlink:href="#r"/>'
        '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/></svg>', encoding="utf-8")
    assert inspect(tmp_path / "ok.svg").kind == "svg"


def test_a_photo_turned_by_exif_is_as_large_as_it_is_shown(tmp_path: Path) -> None:
    img = Image.new("RGB", (40, 20), "red")
    exif = img.getexif()
    exif[0x0112] = 6  # stored on its side, shown turned a quarter clockwise
    img.save(tmp_path / "portrait.jpg", "JPEG", exif=exif)
    assert (inspect(tmp_path / "portrait.jpg").width, inspect(tmp_path / "portrait.jpg").height) == (20, 40)
