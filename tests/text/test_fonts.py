"""Fonts: curly quotes in the face LibreOffice draws them with (no "it’ s"), the runs' lang
telling PowerPoint the same, and emoji measured with the emoji font set-up installs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import build

from deck.cli import main
from deck.plan import Box, Para, Run, Text
from deck.plan import Faces as Fonts
from deck.render.drawingml import Langs, text_body
from deck.text import fonts
from deck.text.fonts import DeckError, font_file, weak_scripts, widths
from deck.theme.settings import load_theme

THEME = load_theme()
FONTS = Fonts(THEME.fonts.latin, THEME.fonts.east_asian, THEME.fonts.mono)
RUN = re.compile(r'<a:r><a:rPr lang="([^"]*)"[^>]*>.*?<a:t>([^<]*)</a:t></a:r>')


@pytest.mark.parametrize(("text", "scripts"), [
    ("plain text, no quote", {}),
    ("it’s", {2: False}),
    ("“注意力”是", {0: True, 4: True}),  # leading: the character after it decides
    ("他说“hello”。", {2: True, 8: False}),
    ("the “attention” 机制", {4: False, 14: False}),  # a space is no strong character
    ("‘’“”test", dict.fromkeys(range(4), False)),
    ("· 中 • x", {0: True, 4: True}),
    ("x · 中", {2: False}),
    ("“”", {0: False, 1: False}),
])
def test_quotes_take_the_script_libreoffice_gives_them(text: str, scripts: dict[int, bool]) -> None:
    # Each case as LibreOffice 7.4 drew it (Latin face Noto Sans CJK JP, East Asian SC).
    assert weak_scripts(text) == scripts


def test_english_apostrophe_is_as_narrow_as_the_straight_one() -> None:
    sans, bold = THEME.sans, THEME.sans_bold
    for face in (sans, bold):
        assert face.em("it’s") == pytest.approx(face.em("it's"), abs=0.06)
        assert face.em("“quoted”") < face.em("quoted") + 1.3  # two proportional quotes, not two ems
    # Beside Chinese the same quotes are a full em, as the Chinese face draws them.
    assert sans.em("“注意力”") == pytest.approx(5 * sans.em("注"), rel=0.01)
    assert sans.em("他说“") - sans.em("他说") == pytest.approx(sans.em("注"))  # “ after 说: full
    assert sans.em("他说“hello”") - sans.em("他说“hello") < 0.6 * sans.em("注")  # ” after Latin: narrow


def test_quote_beside_other_script_gets_its_own_run_and_lang() -> None:
    """PowerPoint picks the face of ’ “ ” by the run's lang: a quote LibreOffice sets in the other
    script than its run's is split off with that script's lang; everything else stays one run."""
    def runs(deck: str, *texts: str) -> list[tuple[str, str]]:
        para = Para(tuple(Run(t) for t in texts))
        body = text_body(Text(Box(0, 0, 400, 100), (para,), 20, "111111", "answer"), FONTS, Langs(deck), 4)
        return RUN.findall(body)

    assert runs("en", "It’s “fine”.") == [("en", "It’s “fine”.")]
    assert runs("zh-CN", "注意力机制。") == [("zh-CN", "注意力机制。")]
    assert runs("zh-CN", "他说“hello”。") == [("zh-CN", "他说“hello"), ("en-US", "”"), ("zh-CN", "。")]
    assert runs("zh-CN", "中文 it’s 好") == [("zh-CN", "中文 it"), ("en-US", "’"), ("zh-CN", "s 好")]
    # Context crosses runs: a Latin run opening with a quote right after Chinese text.
    assert runs("zh-CN", "他说", "“hi”") == [("zh-CN", "他说"), ("zh-CN", "“"), ("en-US", "hi”")]
    assert runs("en", "“注意力”") == [("zh-CN", "“注意力”")]


def _emoji_font() -> Path:
    try:
        return font_file("Symbola")[0]
    except DeckError:
        pytest.skip("the emoji font (fonts-symbola, scripts/setup.sh) is not installed")


def test_emoji_are_measured_with_the_emoji_font() -> None:
    _emoji_font()
    sans, emoji, fallback = THEME.sans, widths("Symbola"), widths("DejaVu Sans")
    for ch in "🎯✅🔥📖👉":
        assert not fallback.has(ch) and emoji.has(ch), ch
        assert sans.em(ch) == pytest.approx(emoji.em(ch) * THEME.fonts.safety_margin), ch
    assert sans.em("✅") != pytest.approx(fallback.em("\U0010ffff") * THEME.fonts.safety_margin)


def test_libreoffice_draws_quotes_narrow_and_emoji_from_a_font(tmp_path: Path, pdf_of) -> None:  # noqa: ANN001
    """Looked at through the PDF: the apostrophe of "it’s" advances as far as a straight one
    (SC drew a full em), and the emoji are drawn from the emoji font, not as empty boxes."""
    import pymupdf

    _emoji_font()
    md = tmp_path / "bank.md"
    md.write_text("# Quotes\n\n## Basics\n\n### 1. Why is it’s narrow?\n\n"
                  "It’s narrow and it's narrow. 🎯 Target ✅ done 🔥 hot\n", encoding="utf-8")
    out = tmp_path / "study.pptx"
    assert main(build(md, out)) == 0
    pdf = pdf_of(out)
    doc = pymupdf.open(pdf)
    advances: dict[str, list[float]] = {"’": [], "'": []}
    fonts: set[str] = set()
    for page in doc:
        for block in page.get_text("rawdict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    chars = span["chars"]
                    for a, b in zip(chars, chars[1:], strict=False):
                        if a["c"] in advances and b["c"] == "s":
                            advances[a["c"]].append((b["origin"][0] - a["origin"][0]) / span["size"])
                    if any(ord(c["c"]) > 0x2600 for c in chars):
                        fonts.add(span["font"])
    assert advances["’"] and advances["'"], advances
    assert max(advances["’"]) < 0.4 and max(advances["’"]) == pytest.approx(max(advances["'"]), abs=0.05)
    assert any("Symbola" in f for f in fonts), fonts


MEASURED = tuple(v for v in vars(THEME.fonts.measure).values() if v)


@pytest.mark.parametrize("family", [*MEASURED, "Noto Color Emoji", "Consolas", "No Such Font 12"])
def test_font_lookup_in_process_gives_what_fc_match_gives(family: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fonts are found through libfontconfig in the process (one configuration read for all of
    them); the same name through the fc-match program gives the same file, face and error."""
    if fonts._fontconfig() is None or not shutil.which("fc-match"):
        pytest.skip("needs both libfontconfig and fc-match")

    def lookup() -> tuple[Path, int] | str:
        try:
            return font_file.__wrapped__(family)
        except DeckError as exc:
            return str(exc)

    in_process = lookup()
    monkeypatch.setattr(fonts, "_fontconfig", lambda: None)
    assert lookup() == in_process
    if family in MEASURED:
        assert isinstance(in_process, tuple) and in_process[0].is_file()
    monkeypatch.setattr(fonts.shutil, "which", lambda _: None)
    with pytest.raises(DeckError, match="fontconfig"):
        font_file.__wrapped__(family)
