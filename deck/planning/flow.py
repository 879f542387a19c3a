"""A field's flow when it holds more than paragraphs: native tables and pictures between runs of
text, each measured like text (so a block holding them fits its slide or page) and placed as
measured; compose.Page.split_flow continues a long one (tables at rows, the header repeated). A flow
of paragraphs only never comes here (compose fits it as one text frame)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from deck.plan import Box, Element, Line, Para, Picture, Table
from deck.planning.richtext import ImageItem, Item, TableItem
from deck.text import layout
from deck.text.layout import Measure, Paragraph, Style
from deck.theme.settings import PT_PER_IN

if TYPE_CHECKING:
    from deck.planning.compose import Page

Segment = list[Paragraph] | TableItem | ImageItem


def native(items: Sequence[Item]) -> bool:
    """Whether a flow holds a table or a picture (else it is text, set in one frame)."""
    return any(not isinstance(i, Paragraph) for i in items)


def segments(items: Sequence[Item]) -> list[Segment]:
    """Runs of paragraphs, and the tables and pictures between them."""
    out: list[Segment] = []
    for item in items:
        if isinstance(item, Paragraph):
            if out and isinstance(out[-1], list):
                out[-1].append(item)
            else:
                out.append([item])
        else:
            out.append(item)
    return out


# Each part of a long table measures its columns by the whole table (TableItem.columns_of, shared by
# every part): keyed by that tuple's identity, as hashing its thousands of cells per measure made a
# 4,000-row table quadratic. The entry holds the rows, so the id is not reused while it is cached.
_NATURAL: dict[tuple[int, float, Measure], tuple[tuple[tuple[Paragraph, ...], ...], tuple[float, ...]]] = {}


def _natural(rows: tuple[tuple[Paragraph, ...], ...], size: float, face: Measure) -> tuple[float, ...]:
    """Each column's width without wrapping: its widest cell at this size (a hair wider: the line
    breaker counts a line exactly as wide as its box as too wide)."""
    key = (id(rows), size, face)
    held = _NATURAL.get(key)
    if held is not None:
        return held[1]
    widths = tuple(max((cell.measure or face)(cell.text, size) for cell in column) * (1 + 1e-6)
                   for column in zip(*rows, strict=True))
    if len(_NATURAL) >= 4096:
        _NATURAL.clear()
    _NATURAL[key] = (rows, widths)
    return widths


def _share(natural: Sequence[float], width: float) -> list[float]:
    """Column widths in the width: natural where the table fits; else narrow columns keep theirs and
    the wide ones share what is left in proportion to their text (they wrap)."""
    if sum(natural) <= width:
        return list(natural)
    fixed: dict[int, float] = {}
    while True:
        rest = [j for j in range(len(natural)) if j not in fixed]
        room = width - sum(fixed.values())
        small = [j for j in rest if natural[j] <= room / len(rest)]
        if not small:
            break
        fixed |= {j: natural[j] for j in small}
    total = sum(natural[j] for j in rest)
    return [fixed.get(j, room * natural[j] / total) for j in range(len(natural))]


def grid(c: Page, table: TableItem, width: float, size: float) -> tuple[list[float], list[float]]:
    """Column widths and row heights of a table at a cell size, at most width wide."""
    tab = c.theme.tables
    pad = 2 * tab.pad_x
    natural = _natural(table.columns_of or table.rows, size, c.theme.sans)
    columns = [w + pad for w in _share(natural, width - pad * len(natural))]
    style = c.theme.style(size)

    def cell_h(cell: Paragraph, w: float) -> float:
        face = cell.measure or c.theme.sans
        if face(cell.text, size) * (1 + 1e-6) <= w - pad:  # one line, no break: no spare line for long tokens
            return size * style.line_spacing
        return layout.layout([cell], w - pad, size, style, face)[1]

    rows = [max(cell_h(cell, w) for cell, w in zip(row, columns, strict=True)) + 2 * tab.pad_y for row in table.rows]
    return columns, rows


def image_size(c: Page, image: ImageItem, width: float, max_h: float) -> tuple[float, float]:
    """A picture as wide as the width allows, at most max_h tall and never past its natural size."""
    img, dpi = image.image, c.theme.images.dpi
    w = min(width, img.width * PT_PER_IN / dpi)
    h = w * img.height / img.width
    if h > max_h:
        h, w = max_h, max_h * img.width / img.height
    return w, h


def height(c: Page, items: Sequence[Item], width: float, size: float, style: Style, max_h: float) -> float:
    """The flow's height in a frame of this width at a text size (insets included, as height_of)."""
    total = 0.0
    for seg in segments(items):
        if isinstance(seg, list):
            total += c.height_of(seg, width, size, style)
        elif isinstance(seg, TableItem):
            total += sum(grid(c, seg, width - 2 * c.inset, size * c.theme.tables.scale)[1]) + 2 * c.inset
        else:
            total += image_size(c, seg, width - 2 * c.inset, max_h)[1] + 2 * c.inset
    return total


def place(c: Page, items: Sequence[Item], box: Box, size: float, style: Style, role: str, max_h: float,
          styled: Callable[[list[Paragraph]], Sequence[Para]] | None = None) -> list[Element]:
    """The flow top to bottom from the box's top: a text frame per run of paragraphs (styled turns
    them into plan paragraphs where the caller styles them its own way), tables and pictures inset
    like the text beside them."""
    out: list[Element] = []
    y, inner = box.y, box.w - 2 * c.inset
    for seg in segments(items):
        if isinstance(seg, list):
            h = c.height_of(seg, box.w, size, style)
            out.append(c.text(Box(box.x, y, box.w, h), styled(seg) if styled else seg, size, role))
        elif isinstance(seg, TableItem):
            out.append(table(c, seg, box.x + c.inset, y + c.inset, inner, size * c.theme.tables.scale))
            h = out[-1].box.h + 2 * c.inset
        else:
            w, ph = image_size(c, seg, inner, max_h)
            out.append(Picture(Box(box.x + c.inset, y + c.inset, w, ph), "", seg.alt, media=str(seg.image.path)))
            h = ph + 2 * c.inset
        y += h
    return out


def table(c: Page, item: TableItem, x: float, y: float, width: float, size: float) -> Table:
    """The table at (x, y): a cell per grid cell, the header row on its fill."""
    tab, theme = c.theme.tables, c.theme
    columns, rows = grid(c, item, width, size)
    cells = []
    top = y
    for i, (row, h) in enumerate(zip(item.rows, rows, strict=True)):
        left, line = x, []
        for cell, w in zip(row, columns, strict=True):
            fill = theme.color(tab.header_fill if i == 0 else tab.fill)
            line.append(c.text(Box(left, top, w, h), [cell], size, "cell", fill=fill))
            left += w
        cells.append(tuple(line))
        top += h
    return Table(Box(x, y, sum(columns), sum(rows)), tuple(columns), tuple(rows), tuple(cells), header=True,
                 border=Line(theme.color(tab.border), tab.border_width), pad_x=tab.pad_x, pad_y=tab.pad_y)


def merged(units: Sequence[Item]) -> list[Item]:
    """Rows of one table side by side become one table again (with its header row once)."""
    out: list[Item] = []
    for u in units:
        last = out[-1] if out else None
        if isinstance(u, TableItem) and isinstance(last, TableItem) and last.columns_of is u.columns_of:
            out[-1] = TableItem((*last.rows, *u.rows[1:]), u.columns_of)
        else:
            out.append(u)
    return out
