"""A Markdown field as layout paragraphs of styled runs (deck.content.rich blocks → deck.text.layout):
list items keep their bullet or number and nesting, code blocks become highlighted monospace lines,
math its baseline-shifted runs. Each paragraph names the face it is measured in."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from deck.content import rich
from deck.plan import Run
from deck.text.highlight import code_lines
from deck.text.layout import Paragraph
from deck.theme.settings import Theme

TABLE_SEP = " │ "  # between a table row's cells (tables are set as rows of text)
# URL syntax kept as it is (and % so an already-encoded link is not encoded twice).
URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def link_target(url: str) -> str:
    """A checked URL as a relationship target: non-ASCII (an IDN, a Chinese path) percent-encoded
    as UTF-8, which every reader of the package opens; the slide shows the URL as written."""
    return quote(url, safe=URL_SAFE)


def runs(spans: Sequence[rich.Span], theme: Theme, bold: bool = False) -> tuple[Run, ...]:
    tint = theme.palette.code_span
    return tuple(Run(s.text, bold=s.bold or bold, italic=s.italic, strike=s.strike, code=s.code,
                     url=link_target(s.url) if s.url and not s.url.startswith("#") else None,
                     link=s.url if s.url and s.url.startswith("#") else None,  # resolved by planning.anchors
                     baseline=s.baseline, highlight=tint if s.code else None) for s in spans if s.text)


def styled(rs: tuple[Run, ...], theme: Theme, **kw: object) -> Paragraph:
    """A paragraph of runs; measured as mixed faces unless every run is plain."""
    plain = all(not (r.bold or r.italic or r.code or r.baseline) for r in rs)
    text = "".join(r.text for r in rs)
    if plain and len(rs) <= 1:
        return Paragraph(text, **kw)  # type: ignore[arg-type]
    return Paragraph(text, runs=rs, measure=None if plain else theme.mixed, **kw)  # type: ignore[arg-type]


def _code(block: rich.Block, theme: Theme) -> list[Paragraph]:
    colored = code_lines(block.source, block.language or "text", theme.code.pygments_style)
    return [Paragraph(line, runs=tuple(Run(r.text, color=r.color, bold=r.bold, italic=r.italic, code=True)
                                       for r in colored[i]) or (Run(line, code=True),),
                      level=block.level, gap=i == 0, measure=theme.mono)
            for i, line in enumerate(block.source.split("\n"))]


def _table(block: rich.Block, theme: Theme) -> list[Paragraph]:
    out = []
    for i, row in enumerate(block.rows):
        rs: list[Run] = []
        for j, cell in enumerate(row):
            if j:
                rs.append(Run(TABLE_SEP, color=theme.palette.muted))
            rs += runs(cell, theme, bold=i == 0)
        out.append(styled(tuple(rs), theme, level=block.level, gap=i == 0))
    return out


def paragraphs(text: str, theme: Theme) -> list[Paragraph]:
    """The field's paragraphs, ready to fit, split and place."""
    out: list[Paragraph] = []
    for b in rich.blocks(text):
        if b.kind == "code":
            out += _code(b, theme)
        elif b.kind == "table":
            out += _table(b, theme)
        elif b.kind == "image":
            out.append(styled(runs((rich.Span(b.text or b.source, italic=True),), theme), theme))
        elif b.kind == "item":
            out.append(styled(runs(b.spans, theme), theme, bullet=True, level=b.level, number=b.number))
        elif b.spans:
            out.append(styled(runs(b.spans, theme, bold=b.kind == "heading"), theme, level=b.level))
    return out
