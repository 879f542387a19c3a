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
    wanted = family.lower().replace(" ", "")
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
        self._em: dict[str, float] = {}

    def em(self, ch: str) -> float:
        width = self._em.get(ch)
        if width is None:
            width = self._em[ch] = self._font.getlength(ch) / UNITS
        return width


@functools.cache
def widths(family: str) -> FontWidths:
    return FontWidths(family)


class Measurer:
    """Width of a string in points at a size, for the sans or the mono role.

    Widths scale linearly with size, so strings are measured once in em and cached:
    the line breaker asks for the same atoms at every candidate size. LibreOffice
    adds space where Chinese meets Latin text (even across a space): `gap` em each.
    """

    def __init__(self, latin: str, east_asian: str, mono: str, safety: float, asian_latin_gap: float) -> None:
        self._fonts = {False: widths(latin), True: widths(mono)}
        self.gap = asian_latin_gap
        self._ea = widths(east_asian)
        self._chars: dict[bool, dict[str, float]] = {False: {}, True: {}}
        self._strings: dict[bool, dict[str, float]] = {False: {}, True: {}}
        self.safety = safety

    def _char(self, ch: str, mono: bool) -> float:
        em = (self._ea if is_east_asian(ch) else self._fonts[mono]).em(ch)
        self._chars[mono][ch] = em
        return em

    def em(self, text: str, mono: bool = False) -> float:
        cache = self._strings[mono]
        value = cache.get(text)
        if value is None:
            chars = self._chars[mono]
            value = 0.0
            prev_ea: bool | None = None
            for ch in text:
                w = chars.get(ch)
                value += self._char(ch, mono) if w is None else w
                if not ch.isspace():
                    ea = is_east_asian(ch)
                    if prev_ea is not None and ea != prev_ea:
                        value += self.gap
                    prev_ea = ea
            if len(cache) < 200_000:
                cache[text] = value
        return value

    def width(self, text: str, size: float, mono: bool = False) -> float:
        return self.em(text, mono) * size * self.safety
