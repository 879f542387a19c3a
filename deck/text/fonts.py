"""Find the theme's font files and measure text with them (no python-pptx here).

Widths come from the real font (Pillow/FreeType, `.ttc` collections included),
cached per (font, character) in em units, so a full deck measures each distinct
character once.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

from deck.errors import DeckError

UNITS = 1000  # load fonts at 1000 px so getlength() is in thousandths of an em

# Scripts that take the East Asian font: CJK ideographs, kana, hangul, full-width
# forms and CJK punctuation.
EAST_ASIAN = ("\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
              "\U00020000-\U0002fa1f")  # a regex character-class body
_EA = re.compile(f"[{EAST_ASIAN}]")

# Punctuation Unicode calls ambiguous that the Latin and the East Asian faces draw at different widths
# (Noto Sans CJK SC: a full em; its JP face: proportional). LibreOffice sets such a "weak" character in
# the script of the strong character before it (at the start of a paragraph, the one after it), so
# "it’s" takes the Latin face and "“注意力”" the Chinese one (checked on LibreOffice 7.4).
AMBIGUOUS = "\u00b7\u2018\u2019\u201c\u201d\u2022"
_AMBIGUOUS = re.compile(f"[{AMBIGUOUS}]")
_NOT_STRONG = AMBIGUOUS + " \t\n\r\u00a0\u2002\u2003\u2009\u3000"  # what decides no script


@functools.lru_cache(maxsize=65_536)
def is_east_asian(ch: str) -> bool:
    return bool(_EA.match(ch))


def weak_scripts(text: str) -> dict[int, bool]:
    """For each ambiguous character of a paragraph's text (by index): whether it is set in the
    East Asian face, as LibreOffice decides (the strong character before it, else the one after it,
    else Latin). Empty when the text has none, which is most text."""
    out: dict[int, bool] = {}
    for m in _AMBIGUOUS.finditer(text):
        i = m.start()
        strong = text[:i].rstrip(_NOT_STRONG)[-1:] or text[i + 1:].lstrip(_NOT_STRONG)[:1]
        out[i] = bool(strong) and is_east_asian(strong)
    return out


@functools.cache
def font_file(family: str) -> tuple[Path, int]:
    """(file, face index) for a fontconfig family name, or a clear error."""
    direct = Path(family)
    if direct.suffix.lower() in {".ttf", ".otf", ".ttc"} and direct.is_file():
        return direct, 0
    lib = _fontconfig()
    if lib is not None:
        file, index, families = _fc_match(lib, family)
    elif shutil.which("fc-match"):
        file, index, families = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{family}", family],
                                               capture_output=True, text=True, check=False).stdout.split("\n")[:3]
    else:
        raise DeckError("fontconfig (fc-match) is missing, so fonts cannot be measured; "
                        "install it: apt-get install fontconfig fonts-noto-cjk")
    if not file:
        raise DeckError(f"no font file found for '{family}'")
    wanted = family.split(":")[0].lower().replace(" ", "")
    if wanted not in families.lower().replace(" ", ""):
        raise DeckError(f"font '{family}' is not installed (fontconfig offers '{families}'); "
                        "install it, e.g. apt-get install fonts-noto-cjk fonts-dejavu-core, "
                        "or point the theme's fonts.measure at a font file")
    return Path(file), int(index or 0)


@functools.cache
def _fontconfig() -> ctypes.CDLL | None:
    """The library fc-match runs on, loaded once: every fc-match process reads fontconfig's
    configuration and caches again (~6 ms CPU each, seven fonts a build). None where it is not
    on the loader's path (then we run fc-match)."""
    try:
        lib = ctypes.CDLL("libfontconfig.so.1")
    except OSError:
        return None
    lib.FcNameParse.restype = ctypes.c_void_p
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    lib.FcFontMatch.restype = ctypes.c_void_p
    lib.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    lib.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    lib.FcPatternGetInteger.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    return lib


def _fc_match(lib: ctypes.CDLL, family: str) -> tuple[str, str, str]:
    """(file, index, families) as fc-match's %{file}, %{index} and %{family} give them: the calls
    fc-match makes (parse, substitute, match) in the default configuration."""
    pattern = lib.FcNameParse(family.encode())
    if not pattern:
        return "", "", ""
    lib.FcConfigSubstitute(None, pattern, 0)  # 0: FcMatchPattern
    lib.FcDefaultSubstitute(pattern)
    result = ctypes.c_int()
    font = lib.FcFontMatch(None, pattern, ctypes.byref(result))
    lib.FcPatternDestroy(pattern)
    if not font:
        return "", "", ""
    text, number = ctypes.c_char_p(), ctypes.c_int()

    def strings(name: bytes) -> list[str]:
        out = []
        while lib.FcPatternGetString(font, name, len(out), ctypes.byref(text)) == 0:  # 0: FcResultMatch
            out.append(os.fsdecode(text.value))  # a file name is bytes; a family UTF-8
        return out

    file, families = strings(b"file"), strings(b"family")
    index = str(number.value) if lib.FcPatternGetInteger(font, b"index", 0, ctypes.byref(number)) == 0 else ""
    lib.FcPatternDestroy(font)
    return (file or [""])[0], index, ",".join(families)


class FontWidths:
    """Advance widths of one font face, in em, cached per character."""

    def __init__(self, family: str) -> None:
        path, index = font_file(family)
        # Single characters need no shaping: the basic engine gives raqm's advances to
        # within pixel rounding at 1000 px (0.05 % of an em), five times faster, and
        # combining marks measure 0, as they render.
        basic = ImageFont.Layout.BASIC
        self._font = ImageFont.truetype(str(path), size=UNITS, index=index, layout_engine=basic)
        self._probe = ImageFont.truetype(str(path), size=24, index=index, layout_engine=basic)
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


class Face:
    """Width of text in one role (sans, sans bold or mono), in em at size 1 with the
    safety margin included; calling a Face, face(text, size), gives points.

    Widths scale linearly with size, so characters and strings are measured once and
    cached: the line breaker asks for the same text at every candidate size.
    LibreOffice adds space where Chinese meets Latin text (even across a space): `gap`
    em each. Characters a face lacks are measured in the first fallback face that has them
    (what fontconfig gives renderers: DejaVu Sans, then the emoji font), else in the first.
    """

    def __init__(self, latin: FontWidths, east_asian: FontWidths, fallbacks: tuple[FontWidths, ...],
                 safety: float, asian_latin_gap: float) -> None:
        self._latin, self._east_asian, self._fallbacks = latin, east_asian, fallbacks
        self._chars: dict[str, tuple[float, bool | None]] = {}
        self._weak: dict[tuple[str, bool], tuple[float, bool | None]] = {}
        self._strings: dict[str, float] = {}
        self.safety = safety
        self.gap = asian_latin_gap * safety

    def _width(self, ch: str, face: FontWidths) -> float:
        if not face.has(ch):
            face = next((f for f in self._fallbacks if f.has(ch)), self._fallbacks[0])
        return face.em(ch) * self.safety

    def char(self, ch: str) -> tuple[float, bool | None]:
        """(width, East Asian or None for spaces); an ambiguous character as if after Latin text."""
        entry = self._chars.get(ch)
        if entry is None:
            ea = is_east_asian(ch)
            entry = self._chars[ch] = (self._width(ch, self._east_asian if ea else self._latin),
                                       None if ch.isspace() else ea)
        return entry

    def char_as(self, ch: str, ea: bool) -> tuple[float, bool | None]:
        """An ambiguous character set in the East Asian or in the Latin face."""
        entry = self._weak.get((ch, ea))
        if entry is None:
            entry = self._weak[ch, ea] = (self._width(ch, self._east_asian if ea else self._latin), ea)
        return entry

    def edges(self, text: str) -> tuple[list[float], list[float]]:
        """Left and right edge of every character of the text set on one line from 0
        (a Chinese/Latin gap goes before the character that follows it)."""
        chars, char = self._chars, self.char
        weak = weak_scripts(text) if _AMBIGUOUS.search(text) else {}
        entries = [chars.get(ch) or char(ch) for ch in text] if weak else []
        for i, east_asian in weak.items():
            entries[i] = self.char_as(text[i], east_asian)
        # The loop twice, as the hot path (no ambiguous character, most text) looks characters up
        # as it goes: a list or a generator first costs a third more.
        gap = self.gap
        lefts: list[float] = []
        rights: list[float] = []
        pos = 0.0
        prev: bool | None = None
        if weak:
            for width, ea in entries:
                if ea is not None:
                    if prev is not None and ea != prev:
                        pos += gap
                    prev = ea
                lefts.append(pos)
                pos += width
                rights.append(pos)
            return lefts, rights
        for ch in text:
            width, ea = chars.get(ch) or char(ch)
            if ea is not None:
                if prev is not None and ea != prev:
                    pos += gap
                prev = ea
            lefts.append(pos)
            pos += width
            rights.append(pos)
        return lefts, rights

    def em(self, text: str) -> float:
        value = self._strings.get(text)
        if value is None:
            value = self.edges(text)[1][-1] if text else 0.0
            if len(self._strings) < 200_000:
                self._strings[text] = value
        return value

    def __call__(self, text: str, size: float) -> float:
        return self.em(text) * size


class Widest(Face):
    """Several faces at once: each character as wide as in the widest of them, so a line that
    mixes regular, bold and code runs is never measured narrower than it is set."""

    def __init__(self, *faces: Face) -> None:
        self._faces = faces
        self._chars: dict[str, tuple[float, bool | None]] = {}
        self._weak: dict[tuple[str, bool], tuple[float, bool | None]] = {}
        self._strings: dict[str, float] = {}
        self.safety = max(f.safety for f in faces)
        self.gap = max(f.gap for f in faces)

    def char(self, ch: str) -> tuple[float, bool | None]:
        entry = self._chars.get(ch)
        if entry is None:
            widths = [f.char(ch) for f in self._faces]
            entry = self._chars[ch] = (max(w for w, _ in widths), widths[0][1])
        return entry

    def char_as(self, ch: str, ea: bool) -> tuple[float, bool | None]:
        entry = self._weak.get((ch, ea))
        if entry is None:
            entry = self._weak[ch, ea] = (max(f.char_as(ch, ea)[0] for f in self._faces), ea)
        return entry


def _installed(family: str) -> FontWidths | None:
    try:
        return widths(family)
    except DeckError:
        return None


def faces(fonts: dict[str, str], safety: float, asian_latin_gap: float) -> dict[str, Face]:
    """The sans, sans_bold and mono roles of a theme's `fonts.measure` table. The emoji font is
    optional: where it is not installed, emoji draw as boxes anyway."""
    emoji = _installed(fonts["emoji"]) if fonts.get("emoji") else None
    fallbacks = (widths(fonts["fallback"]),) + ((emoji,) if emoji else ())

    def face(latin: str, east_asian: str) -> Face:
        return Face(widths(fonts[latin]), widths(fonts[east_asian]), fallbacks, safety, asian_latin_gap)

    return {"sans": face("latin", "east_asian"), "sans_bold": face("latin_bold", "east_asian_bold"),
            "mono": face("mono", "east_asian")}
