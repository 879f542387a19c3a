"""A Markdown field as layout paragraphs of styled runs (deck.content.rich blocks → deck.text.layout):
list items keep their bullet or number and nesting, code blocks become highlighted monospace lines,
math its baseline-shifted runs. Each paragraph names the face it is measured in."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import quote

from deck.content import rich
from deck.content.images import BadImage, ImageFile, inspect, kind_of
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
    if not rs or (len(rs) == 1 and rs[0] == Run(text)):  # one run without style or link: the text alone
        return Paragraph(text, **kw)  # type: ignore[arg-type]
    return Paragraph(text, runs=rs, measure=None if plain else theme.mixed, **kw)  # type: ignore[arg-type]


def _code(block: rich.Block, theme: Theme) -> list[Paragraph]:
    colored = code_lines(block.source, block.language or "text", theme.code.pygments_style)
    return [Paragraph(line, runs=tuple(Run(r.text, color=r.color, bold=r.bold, italic=r.italic, code=True)
                                       for r in colored[i]) or (Run(line, code=True),),
                      level=block.level, gap=i == 0, measure=theme.mono)
            for i, line in enumerate(block.source.split("\n"))]


@dataclass(frozen=True)
class TableItem:
    """A Markdown table in a field's flow: rows of one-paragraph cells, the header row first."""

    rows: tuple[tuple[Paragraph, ...], ...]
    columns_of: tuple[tuple[Paragraph, ...], ...] = ()  # rows that size the columns (a part: the whole table)


@dataclass(frozen=True)
class ImageItem:
    """A picture on its own line in a field's flow."""

    image: ImageFile
    alt: str


Item = Paragraph | TableItem | ImageItem


def _table_item(block: rich.Block, theme: Theme) -> TableItem:
    width = max(len(row) for row in block.rows)
    return TableItem(tuple(tuple(styled(runs(row[j], theme, bold=i == 0), theme) if j < len(row) else Paragraph("")
                                 for j in range(width)) for i, row in enumerate(block.rows)))


def _image_item(block: rich.Block, root: Path) -> ImageItem | None:
    """The picture of an image block, None where only its alt text can stand (remote, another kind)."""
    path = (root / block.source).resolve()
    if "://" in block.source or kind_of(block.source) is None or not path.is_relative_to(root.resolve()):
        return None
    try:
        return ImageItem(inspect(path), block.text)
    except (BadImage, OSError):  # the loader has refused these already; a bank made otherwise shows the alt text
        return None


def table_rows(table: TableItem, theme: Theme) -> list[Paragraph]:
    """A table as rows of text, cells divided by │, the header row bold: where a native table cannot
    stand (a question; a row taller than a slide)."""
    out = []
    for i, row in enumerate(table.rows):
        rs: list[Run] = []
        for j, cell in enumerate(row):
            if j:
                rs.append(Run(TABLE_SEP, color=theme.palette.muted))
            rs += [r for r in cell.runs or (Run(cell.text),) if r.text]
        out.append(styled(tuple(rs), theme, gap=i == 0))
    return out


def alt_text(alt: str, theme: Theme) -> Paragraph:
    """A picture that cannot be shown, as its alt text in italics."""
    return styled(runs((rich.Span(alt, italic=True),), theme), theme)


def joined(parts: Sequence[Sequence[Run]], sep: Run) -> tuple[Run, ...]:
    """Runs of several parts on one line with sep between, neighbours of one style merged."""
    flat = [r for i, part in enumerate(parts) for r in ([sep] if i else []) + [r for r in part if r.text]]
    out: list[Run] = []
    for _, group in itertools.groupby(flat, _look):
        same = list(group)
        out.append(same[0] if len(same) == 1 else replace(same[0], text="".join(r.text for r in same)))
    return tuple(out)


# Every attribute of a run but its text: neighbours that share it are one run.
_look = operator.attrgetter(*(f.name for f in fields(Run) if f.name != "text"))


def one_line(text: str, theme: Theme, bold: bool = False) -> tuple[Run, ...]:
    """The field on one line with its styles (a score-sheet row): its paragraphs joined by a space."""
    parts = [tuple(replace(r, bold=r.bold or bold) for r in p.runs or (Run(p.text),))
             for p in paragraphs(text, theme)]
    return joined(parts, Run(" ", bold=bold))


def paragraphs(text: str, theme: Theme) -> list[Paragraph]:
    """The field's paragraphs, ready to fit, split and place (a table as rows of text, a picture as
    its alt text: for places that hold text only)."""
    return [p for p in flow(text, theme) if isinstance(p, Paragraph)]


def flow(text: str, theme: Theme, root: Path | None = None) -> list[Item]:
    """The field's paragraphs with, given the bank folder its pictures are in, its tables as native
    tables and its pictures (on their own line) as pictures."""
    out: list[Item] = []
    for b in rich.blocks(text):
        if b.kind == "code":
            out += _code(b, theme)
        elif b.kind == "table":
            out += [_table_item(b, theme)] if root is not None else table_rows(_table_item(b, theme), theme)
        elif b.kind == "image":
            image = _image_item(b, root) if root is not None else None
            out.append(image or alt_text(b.text or b.source, theme))
        elif b.kind == "item":
            out.append(styled(runs(b.spans, theme), theme, bullet=True, level=b.level, number=b.number))
        elif b.spans:
            out.append(styled(runs(b.spans, theme, bold=b.kind == "heading"), theme, level=b.level))
    return out
