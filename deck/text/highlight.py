"""Pygments tokens to coloured text runs (never pictures): code stays editable."""

from __future__ import annotations

import functools

from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.util import ClassNotFound

from deck.plan import Run

ALIASES = {"shell": "bash", "sh": "bash", "console": "bash", "yml": "yaml", "plain": "text",
           "c++": "cpp", "py": "python"}


@functools.cache
def lexer_for(language: str) -> Lexer:
    try:
        return get_lexer_by_name(ALIASES.get(language, language), stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


def is_known(language: str) -> bool:
    return not isinstance(lexer_for(language), TextLexer) or ALIASES.get(language, language) == "text"


@functools.cache
def _style(name: str) -> dict:
    style = get_style_by_name(name)
    return {token: style.style_for_token(token) for token, _ in style}


@functools.lru_cache(maxsize=4096)
def code_lines(source: str, language: str, style_name: str) -> tuple[tuple[Run, ...], ...]:
    """Runs per source line, each coloured as the Pygments style says (cached: a snippet
    is laid out at several sizes and in several profiles)."""
    styles = _style(style_name)
    lines: list[list[Run]] = [[]]
    for token, value in lexer_for(language).get_tokens(source):
        s = styles.get(token) or styles.get(token.parent) or {}
        for i, piece in enumerate(value.split("\n")):
            if i:
                lines.append([])
            if piece:
                prev = lines[-1][-1] if lines[-1] else None
                run = Run(piece, color=s.get("color") or None, bold=bool(s.get("bold")),
                          italic=bool(s.get("italic")))
                if prev and (prev.color, prev.bold, prev.italic) == (run.color, run.bold, run.italic):
                    lines[-1][-1] = Run(prev.text + piece, prev.color, prev.bold, prev.italic)
                else:
                    lines[-1].append(run)
    want = source.count("\n") + 1
    return tuple(tuple(line) for line in (lines + [[] for _ in range(want)])[:want])
