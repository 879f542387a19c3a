"""The rich-text model of a Markdown field: blocks (paragraphs, list items, headings, code, tables,
images) of styled spans, parsed once per distinct text by the shared parser (deck.content.markdown).

Planning turns blocks into plan paragraphs and runs (slides, pages, speaker notes); plain() is the
field as text without markup (restated questions, alt text, the check that nothing was swallowed by
accidental emphasis).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from markdown_it.token import Token

from deck.content.latex import typeset
from deck.content.markdown import parser

Kind = Literal["para", "item", "heading", "code", "table", "image", "math"]
_URL = re.compile(r"^(?:https?|mailto|ftp):", re.I)
_ANCHOR = re.compile(r"^#[^\s#]+$")  # a slide of the deck: a question's, section's or diagram's id
# A `$` that opens nothing: followed by a letter or a backslash, so `$5` and `US$` stay quiet.
_UNCLOSED = re.compile(r"\$(?=[A-Za-z\\{])")
# Raw HTML stays text (`<think>`), but `<br>` is how Markdown writers break a line in tables and lists.
_BR = re.compile(r"<br\s*/?>", re.I)
# What makes a field more than lines of text and top-level "- " bullets: inline markup (an `_` that is
# not inside a word, `~~`, a link's `](`, `][` or `]:`, `<` before text), entities, other block starts
# (nested or numbered lists, quotes, headings, setext underlines, rules, indented code, a table's
# delimiter row), a tab ending a line (the parser keeps it). A lone `~`, `|`, `>`, `#` or `[x]` is text.
_MARKDOWN = re.compile(r"[*`$\\]|~~|\][(\[:]|<(?!\s|$)|&#?[A-Za-z0-9]+;|^[>#]|(?<![^\W_])_|_(?![^\W_])|^[ \t]"
                       r"|^(?:[+=]|\d{1,9}[.)])|^-(?! (?![-+>#]|\d{1,9}[.)]|\s)\S)|^[|: \t-]*-[|: \t-]*$|\t[ \t]*$",
                       re.M)
_SUP = str.maketrans("0123456789+-=()abcdefghijklmnoprstuvwxyzT⊤−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀᵀ⁻")
_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx−", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₋")


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    url: str | None = None
    baseline: int = 0  # percent x 1000: > 0 superscript, < 0 subscript
    math: bool = False  # typeset from $…$ (its text is not the source's)


@dataclass(frozen=True)
class Block:
    kind: Kind
    spans: tuple[Span, ...] = ()
    level: int = 0  # indent steps: list nesting of an item, depth of a quote or continuation
    number: int | None = None  # an ordered item's number (None: a bullet)
    language: str = ""  # code
    source: str = ""  # code source, image path
    rows: tuple[tuple[tuple[Span, ...], ...], ...] = ()  # table: header row first
    line: int = 0  # line within the field (0-based) where the block starts

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Problem:
    line: int  # within the field, 0-based
    message: str
    needle: str = ""  # the source text at fault, to find its column


@dataclass(frozen=True)
class Rich:
    blocks: tuple[Block, ...]
    problems: tuple[Problem, ...]
    images: tuple[tuple[int, str], ...]  # (line within the field, path) of every ![alt](path)

    @property
    def anchors(self) -> list[tuple[int, str]]:
        """(line within the field, '#name') of every link to a slide: [text](#question-id)."""
        spans = [(b.line, s) for b in self.blocks for s in (*b.spans, *(x for row in b.rows for c in row for x in c))]
        return list(dict.fromkeys((line, s.url) for line, s in spans if s.url and s.url.startswith("#")))


@dataclass
class _Style:
    bold: bool = False
    italic: bool = False
    strike: bool = False
    url: str | None = None


def _math(source: str, style: _Style, problems: list[Problem], line: int) -> list[Span]:
    m = typeset(source)
    problems += [Problem(line, f"unknown math command {cmd}, shown as its source", cmd) for cmd in m.unknown]
    return [Span(p.text, bold=style.bold or p.bold, italic=p.italic or style.italic, strike=style.strike,
                 url=style.url, baseline=p.baseline, math=True) for p in m.pieces]


def _inline(token: Token, problems: list[Problem], line: int, images: list[tuple[int, str]]) -> list[list[Span]]:
    """An inline token's spans, split into lines at line breaks."""
    lines: list[list[Span]] = [[]]
    style = _Style()
    for child in token.children or ():
        t = child.type
        if t in ("strong_open", "strong_close"):
            style.bold = t == "strong_open"
        elif t in ("em_open", "em_close"):
            style.italic = t == "em_open"
        elif t in ("s_open", "s_close"):
            style.strike = t == "s_open"
        elif t == "link_open":
            href = str(child.attrs.get("href", ""))
            style.url = href if _URL.match(href) or _ANCHOR.match(href) else None
        elif t == "link_close":
            style.url = None
        elif t in ("softbreak", "hardbreak"):
            lines.append([])
            line += 1
        elif t == "code_inline":
            lines[-1].append(Span(child.content, style.bold, style.italic, style.strike, True, style.url))
        elif t in ("math_inline", "math_inline_double"):  # $$…$$ inside a paragraph: set inline
            lines[-1] += _math(child.content, style, problems, line)
        elif t == "image":
            images.append((line, str(child.attrs.get("src", ""))))
            lines[-1].append(Span(child.content, style.bold, True, style.strike, url=style.url))
        elif child.content:
            for hit in _UNCLOSED.finditer(child.content):
                at = child.content[hit.start():hit.start() + 12]
                problems.append(Problem(line, f"'$' at '{at}' opens math that never closes; write \\$ for a "
                                              "dollar sign", at))
            pieces = _BR.split(child.content)
            for k, piece in enumerate(pieces):
                if k:
                    lines.append([])
                piece = piece.lstrip(" ") if k else piece  # the spaces around a <br> are not text
                piece = piece.rstrip(" ") if k < len(pieces) - 1 else piece
                if piece:
                    lines[-1].append(Span(piece, style.bold, style.italic, style.strike, url=style.url))
    return lines


@functools.lru_cache(maxsize=8192)
def parse(text: str) -> Rich:
    """The field's blocks and what is wrong with its Markdown (unknown math commands, unclosed `$`).
    Text with no markup but "- " bullets (most fields) is one block per line without the parser."""
    if not _MARKDOWN.search(text):
        return Rich(tuple(Block("item", (Span(s[2:].strip(" \t")),), line=i) if s.startswith("- ") else
                          Block("para", (Span(s),), line=i)
                          for i, line in enumerate(text.split("\n")) if (s := line.strip(" \t"))), (), ())
    return parse_markdown(text)


def parse_markdown(text: str) -> Rich:
    """parse() through the Markdown parser."""
    tokens = parser().parse(text)
    source = text.split("\n")
    blocks: list[Block] = []
    problems: list[Problem] = []
    images: list[tuple[int, str]] = []
    lists: list[list[int | None]] = []  # per open list: [next number] or [None] for bullets
    quote = 0
    marker: tuple[int, int | None] | None = None  # the item whose first paragraph comes next
    table: list[tuple[tuple[Span, ...], ...]] = []
    row: list[tuple[Span, ...]] = []
    heading = False
    table_line = 0
    for i, tok in enumerate(tokens):
        t, line = tok.type, tok.map[0] if tok.map else 0
        if t in ("bullet_list_open", "ordered_list_open"):
            lists.append([int(str(tok.attrs.get("start", 1))) if t == "ordered_list_open" else None])
        elif t in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t == "list_item_open":
            number = lists[-1][0]
            if number is not None:
                lists[-1][0] = number + 1
            marker = (len(lists) - 1, number)
        elif t == "blockquote_open":
            quote += 1
        elif t == "blockquote_close":
            quote -= 1
        elif t == "heading_open":
            heading = True
        elif t == "heading_close":
            heading = False
        elif t in ("fence", "code_block"):
            blocks.append(Block("code", language=tok.info.strip().split(" ")[0], source=tok.content.rstrip("\n"),
                                level=len(lists) + quote, line=line))
        elif t == "math_block":
            blocks.append(Block("math", tuple(_math(tok.content, _Style(), problems, line)), level=len(lists) + quote,
                                line=line))
        elif t == "table_open":
            table_line = line
        elif t == "tr_close":
            table.append(tuple(row))
            row = []
        elif t == "table_close":
            blocks.append(Block("table", rows=tuple(table), line=table_line))
            table = []
        elif t == "inline":
            if tokens[i - 1].type in ("th_open", "td_open"):
                parts = _inline(tok, problems, line, images)  # a cell is one line: a <br> in it is a space
                row.append(tuple(s for k, part in enumerate(parts) for s in ((Span(" "),) if k else ()) + tuple(part)))
                continue
            kids = tok.children or []
            if len(kids) == 1 and kids[0].type == "image":  # a picture on its own line
                images.append((line, str(kids[0].attrs.get("src", ""))))
                blocks.append(Block("image", (Span(kids[0].content),), source=str(kids[0].attrs.get("src", "")),
                                    line=line))
                continue
            depth = len(lists) + quote
            for k, spans in enumerate(_inline(tok, problems, line, images)):
                if quote:
                    spans = [replace(s, italic=True) for s in spans]
                if heading:
                    spans = [replace(s, bold=True) for s in spans]
                if k == 0 and marker is not None:
                    blocks.append(Block("item", tuple(spans), level=marker[0] + quote, number=marker[1], line=line))
                    marker = None
                else:
                    kind: Kind = "heading" if heading else "para"
                    # A lazy continuation line (not indented under its item) reads as the paragraph
                    # after the list, as plain-text banks mean it: set it at the quote's level.
                    lazy = lists and k and line + k < len(source) and not source[line + k][:1].isspace()
                    blocks.append(Block(kind, tuple(spans), level=quote if lazy else depth, line=line + k))
    if not blocks and text.strip():  # only a rule or empty items, or nesting past the parser's limit
        blocks.append(Block("para", (Span(text.strip()),)))  # shown as written rather than lost
    return Rich(tuple(blocks), tuple(problems), tuple(images))


def blocks(text: str) -> tuple[Block, ...]:
    return parse(text).blocks


def span_text(spans: Sequence[Span]) -> str:
    """Spans as plain text: scripts as Unicode sub/superscript characters where all have one, else ^/_."""
    out = []
    for shift, group in itertools.groupby(spans, lambda s: (s.baseline > 0) - (s.baseline < 0)):
        text = "".join(s.text for s in group)
        if shift:
            table, mark = (_SUP, "^") if shift > 0 else (_SUB, "_")
            shifted = text.translate(table)
            if any(ch.translate(table) == ch for ch in text):  # a character without a script form
                shifted = mark + (text if len(text) == 1 else "{" + text + "}")
            text = shifted
        out.append(text)
    return "".join(out)


@functools.lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """The field without markup, one line per block (list items keep a '- ' or 'N. ' marker)."""
    lines: list[str] = []
    for b in blocks(text):
        pad = "  " * b.level
        if b.kind == "item":
            lines.append(pad + ("- " if b.number is None else f"{b.number}. ") + span_text(b.spans))
        elif b.kind == "code":
            lines += b.source.split("\n")
        elif b.kind == "table":
            lines += [" | ".join(span_text(cell) for cell in row) for row in b.rows]
        else:
            lines.append(pad + span_text(b.spans))
    return "\n".join(lines)


def flat(text: str) -> str:
    """The field on one line without markup (a restated question, a score sheet row)."""
    return " ".join(line.strip() for line in plain(text).split("\n") if line.strip())

