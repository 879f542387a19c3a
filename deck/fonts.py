"""Find the theme's font files and measure text with them (no python-pptx here).

Widths come from the real font (Pillow/FreeType, `.ttc` collections included),
cached per (font, character) in em units, so a full deck measures each distinct
character once.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

from deck.errors import DeckError

UNITS = 1000  # load fonts at 1000 px so getlength() is in thousandths of an em

# Scripts that take the East Asian font: CJK ideographs, kana, hangul, full-width
# forms and CJK punctuation.
_EA = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
                 "\U00020000-\U0002fa1f]")


@functools.lru_cache(maxsize=65_536)
def is_east_asian(ch: str) -> bool:
    return bool(_EA.match(ch))


@functools.cache
def font_file(family: str) -> tuple[Path, int]:
    """(file, face index) for a fontconfig family name, or a clear error."""
    direct = Path(family)
    if direct.suffix.lower() in {".ttf", ".otf", ".ttc"} and direct.is_file():
        return direct, 0
    if not shutil.which("fc-match"):
        raise DeckError("fontconfig (fc-match) is missing, so fonts cannot be measured; "
                        "install it: apt-get install fontconfig fonts-noto-cjk")
    out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{family}", family],
                         capture_output=True, text=True, check=False).stdout.split("\n")
    if len(out) < 3 or not out[0]:
        raise DeckError(f"no font file found for '{family}'")
    wanted = family.split(":")[0].lower().replace(" ", "")
    if wanted not in out[2].lower().replace(" ", ""):
        raise DeckError(f"font '{family}' is not installed (fontconfig offers '{out[2]}'); "
                        "install it, e.g. apt-get install fonts-noto-cjk fonts-dejavu-core, "
                        "or point the theme's fonts.measure at a font file")
    return Path(out[0]), int(out[1] or 0)


class FontWidths:
    """Advance widths of one font face, in em, cached per character."""

    def __init__(self, family: str) -> None:
        path, index = font_file(family)
        self._font = ImageFont.truetype(str(path), size=UNITS, index=index)
        self._probe = ImageFont.truetype(str(path), size=24, index=index)
        self._notdef = self._shape("\U0010ffff")
        self._em: dict[str, float] = {}

    def _shape(self, ch: str) -> tuple[tuple[int, int], bytes]:
        mask = self._probe.getmask(ch)
        return mask.size, bytes(mask)

    def has(self, ch: str) -> bool:
        """False when the face has no glyph (it would draw .notdef; renderers fall back)."""
        if ch < "\x7f" or "\u4e00" <= ch <= "\u9fff" or ch.isspace():
            return True  # ASCII and CJK ideographs: every face we name has them; skip the render
        return self._shape(ch) != self._notdef

    def em(self, ch: str) -> float:
        width = self._em.get(ch)
        if width is None:
            width = self._em[ch] = self._font.getlength(ch) / UNITS
        return width


@functools.cache
def widths(family: str) -> FontWidths:
    return FontWidths(family)


class Measurer:
    """Width of a string in points at a size, for the sans (regular or bold) or mono role.

    Widths scale linearly with size, so strings are measured once in em and cached:
    the line breaker asks for the same atoms at every candidate size. LibreOffice
    adds space where Chinese meets Latin text (even across a space): `gap` em each.
    Characters a face lacks are measured in the fallback face renderers would use.
    """

    def __init__(self, fonts: dict[str, str], safety: float, asian_latin_gap: float) -> None:
        self._faces = {(False, False): widths(fonts["latin"]), (False, True): widths(fonts["latin_bold"]),
                       (True, False): widths(fonts["mono"]), (True, True): widths(fonts["mono"])}
        self._ea = {False: widths(fonts["east_asian"]), True: widths(fonts["east_asian_bold"])}
        self._fallback = widths(fonts["fallback"])
        self._chars: dict[tuple[bool, bool], dict[str, tuple[float, bool | None]]] = {k: {} for k in self._faces}
        self._strings: dict[tuple[bool, bool], dict[str, float]] = {k: {} for k in self._faces}
        self.gap = asian_latin_gap
        self.safety = safety

    def _char(self, ch: str, key: tuple[bool, bool]) -> tuple[float, bool | None]:
        ea = is_east_asian(ch)
        face = self._ea[key[1]] if ea else self._faces[key]
        entry = ((face if face.has(ch) else self._fallback).em(ch), None if ch.isspace() else ea)
        self._chars[key][ch] = entry
        return entry

    def em(self, text: str, mono: bool = False, bold: bool = False) -> float:
        key = (mono, bold)
        cache = self._strings[key]
        value = cache.get(text)
        if value is None:
            chars = self._chars[key]
            value = 0.0
            prev_ea: bool | None = None
            for ch in text:
                width, ea = chars.get(ch) or self._char(ch, key)
                value += width
                if ea is not None:
                    if prev_ea is not None and ea != prev_ea:
                        value += self.gap
                    prev_ea = ea
            if len(cache) < 200_000:
                cache[text] = value
        return value

    def width(self, text: str, size: float, mono: bool = False, bold: bool = False) -> float:
        return self.em(text, mono, bold) * size * self.safety
