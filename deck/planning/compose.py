"""Composition: a page (16:9 slide or A4 sheet, geometry from the theme) and frames that
measure and place in one call through deck.text.layout; every continuation (answers, lists,
long questions, code, handout Q&As, contents) goes through deck.text.paginate.

Frames return plan elements (deck.plan); planners say what goes on a page and where
its areas are, never how text is measured.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from deck.content.model import Section
from deck.plan import Box, DeckPlan, Element, Faces, NotesStyle, Para, Picture, Rect, Run, Slide, Text
from deck.planning import anchors, flow
from deck.planning.richtext import Item, TableItem, alt_text, table_rows
from deck.text import layout
from deck.text.fonts import Face
from deck.text.highlight import code_lines
from deck.text.layout import Paragraph, Style
from deck.text.paginate import paginate
from deck.theme.labels import Labels
from deck.theme.settings import PT_PER_IN, BlockStyle, Theme
from deck.theme.typed_yaml import Range

# Code tokens: a word, a run of spaces, or one other character (CJK, punctuation).
_CODE_TOKEN = re.compile(r"[A-Za-z0-9_]+|\s+|.")
_CLOSERS = set(",.;:)]}，。；：）】」")


@dataclass(frozen=True)
class Block:
    """One labelled block of a stack (标准答 / 反问点 / 坑位 or a part of one)."""

    style: BlockStyle
    label: str
    paras: tuple[Item, ...]  # paragraphs, and the field's tables and pictures where they are native

    @property
    def role(self) -> str:
        return self.style.role


@dataclass(frozen=True)
class Page:
    """A page's geometry and the frames that fill it."""

    theme: Theme
    labels: Labels
    w: float
    h: float
    left: float  # content area: left edge, top, width, bottom
    top: float
    content_w: float
    content_bottom: float
    foot: float  # the bottom margin's top edge: footers sit between content_bottom and here
    picture_h: float  # the tallest a field's picture is drawn
    root: Path | None = None  # the bank folder: given, a field's tables and pictures are native

    @classmethod
    def slide(cls, theme: Theme, labels: Labels, root: Path | None = None, role: str = "answer") -> Page:
        """The page of a slide role: a template's content area for that role's layout, else the
        content layout's, else the slide margins."""
        s, tallest = theme.slide, theme.images.max_height
        boxes = theme.role(role)
        a = (boxes.area if boxes else None) or theme.area
        if a is not None:
            return cls(theme, labels, s.w, s.h, a.x, a.y, a.w, a.bottom - s.footer_height * PT_PER_IN, a.bottom,
                       tallest, root)
        mx = s.margin_x * PT_PER_IN
        foot = s.h - s.margin_bottom * PT_PER_IN
        return cls(theme, labels, s.w, s.h, mx, s.margin_top * PT_PER_IN, s.w - 2 * mx,
                   foot - s.footer_height * PT_PER_IN, foot, tallest, root)

    @classmethod
    def a4(cls, theme: Theme, labels: Labels, root: Path | None = None) -> Page:
        a = theme.handout
        m = a.margin
        return cls(theme, labels, a.w, a.h, m, m, a.w - 2 * m, a.h - m - a.layout.footer_room, a.h - m,
                   theme.images.handout_max_height, root)

    def plan(self, profile: str, title: str, slides: tuple[Slide, ...], language: str) -> DeckPlan:
        """The deck of these slides on pages of this size, with what the writer needs from the
        theme: faces, notes style, inset, link colour."""
        t, f = self.theme, self.theme.fonts
        return DeckPlan(profile=profile, title=title, width=self.w, height=self.h, slides=anchors.resolve(slides),
                        faces=Faces(f.latin, f.east_asian, f.mono), inset=t.layout.inset,
                        notes=NotesStyle(t.sizes.notes, t.palette.text, f.line_spacing),
                        link_color=t.palette.primary, svg_scale=t.images.svg_scale, language=language)

    @property
    def inset(self) -> float:
        return self.theme.layout.inset

    @property
    def content(self) -> Box:
        return Box(self.left, self.top, self.content_w, self.content_bottom - self.top)

    def section_label(self, section: Section) -> str:
        return self.labels.section_label(section.number, section.title)

    # Text frames.

    def text(self, box: Box, paras: Sequence[Paragraph | Para], size: float, role: str,
             color: str | None = None, **kw: object) -> Text:
        fonts = self.theme.fonts
        out = tuple(p if isinstance(p, Para) else
                    Para(p.runs or (Run(p.text),), bullet=p.bullet, gap_before=i > 0 and p.gap, level=p.level,
                         number=p.number)
                    for i, p in enumerate(paras))
        return Text(box=box, paras=out, size=size, role=role,
                    color=color or self.theme.palette.text, line_spacing=fonts.line_spacing,
                    paragraph_gap=fonts.paragraph_gap, **kw)  # type: ignore[arg-type]

    def fit(self, text: str | Sequence[Paragraph], box: Box, style: Style, bold: bool = False) -> layout.Fit:
        paras = layout.paragraphs(text) if isinstance(text, str) else text
        measure = self.theme.sans_bold if bold else self.theme.sans
        return layout.fit(paras, box.w - 2 * self.inset, box.h - 2 * self.inset, style, measure)

    def fit_or_cut(self, text: str, box: Box, style: Style, bold: bool = False) -> tuple[str, float]:
        """Largest size that fits; text that does not fit at the minimum is cut with an
        ellipsis (for one-line headings and captions, never for answers)."""
        f = self.fit(text, box, style, bold)
        if f.fits:
            return text, f.size
        measure = self.theme.sans_bold if bold else self.theme.sans
        lines = max(1, int((box.h - 2 * self.inset) // (style.min_size * style.line_spacing)))
        return layout.truncate(text, box.w - 2 * self.inset, lines, style.min_size, measure), style.min_size

    def line(self, text: str, box: Box, sizes: Range, role: str, color: str | None = None, bold: bool = False,
             align: Literal["l", "ctr", "r"] = "l", anchor: Literal["t", "ctr", "b"] = "t") -> Text:
        """A heading, caption or footer: fitted into the box between the sizes, cut if it must be."""
        fitted, size = self.fit_or_cut(text, box, self.theme.style(sizes), bold)
        return self.text(box, [Para((Run(fitted),), align=align)], size, role, color, bold=bold, anchor=anchor)

    def styled_line(self, paras: Sequence[Paragraph], box: Box, sizes: Range, role: str, color: str | None = None,
                    align: Literal["l", "ctr", "r"] = "l") -> Text:
        """A caption from a Markdown field: its runs' styles kept when it fits whole, else cut as plain text."""
        f = self.fit(paras, box, self.theme.style(sizes))
        if not f.fits:
            return self.line(" ".join(p.text for p in paras), box, sizes, role, color, align=align)
        return self.text(box, [Para(p.runs or (Run(p.text),), align=align) for p in paras], f.size, role, color)

    def line_h(self, size: float, lines: int = 1) -> float:
        """Height of a text box holding `lines` lines at `size`, insets included."""
        return size * self.theme.fonts.line_spacing * lines + 2 * self.inset

    def height_of(self, paras: Sequence[Paragraph], width: float, size: float, style: Style | None = None,
                  bold: bool = False) -> float:
        """Height of a text box of this width holding the paragraphs, insets included."""
        measure = self.theme.sans_bold if bold else self.theme.sans
        return layout.layout(paras, width - 2 * self.inset, size, style or self.theme.style(size),
                             measure)[1] + 2 * self.inset

    def split(self, paras: Sequence[Paragraph], box_w: float, box_h: float, style: Style) -> list[list[Paragraph]]:
        """Chunks of the paragraphs that each fit a text box of this size at the style's minimum."""
        return layout.split(paras, box_w - 2 * self.inset, box_h - 2 * self.inset, style, self.theme.sans)

    def lines(self, text: str, box_w: float, size: float, bold: bool = False) -> tuple[str, ...]:
        """The text's lines in a text box of this width."""
        return layout.break_lines(text, box_w - 2 * self.inset, size, self.theme.sans_bold if bold else self.theme.sans)

    def truncate(self, text: str, box_w: float, lines: int, size: float, bold: bool = False) -> str:
        """At most that many lines in a text box of this width; an ellipsis marks the cut."""
        return layout.truncate(text, box_w - 2 * self.inset, lines, size,
                               self.theme.sans_bold if bold else self.theme.sans)

    @staticmethod
    def largest(style: Style, ok: Callable[[float], bool]) -> float:
        """The largest size of the style's range at which ok(size) holds, else its minimum."""
        return layout.largest(style.min_size, style.max_size, 1.0, ok) or style.min_size

    # Areas.

    @staticmethod
    def columns(area: Box, share: float, gutter: float) -> tuple[Box, Box]:
        """Two columns: the left takes `share` of the width; `gutter` each side of the split."""
        split = area.w * share
        return (Box(area.x, area.y, split - gutter, area.h),
                Box(area.x + split + gutter, area.y, area.w - split - gutter, area.h))

    @staticmethod
    def diagram_box(area: Box, size_px: tuple[int, int]) -> Box:
        """The largest box of the diagram's aspect ratio centred in the area: a picture goes
        here (or native shapes drawn into it)."""
        ratio = size_px[0] / size_px[1]
        w = min(area.w, area.h * ratio)
        h = w / ratio
        return Box(area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, h)

    def picture(self, area: Box, size_px: tuple[int, int], diagram: str, alt: str) -> Picture:
        return Picture(self.diagram_box(area, size_px), diagram, alt)

    # A stack of labelled blocks.

    def block_height(self, block: Block, width: float, size: float) -> float:
        """Height of a block at a body size: label line, body text, one overlap between them."""
        lay, style = self.theme.layout, self.theme.style(block.style.size)
        body_w, body_size = width - lay.block_pad - lay.block_right, min(size, style.max_size)
        if flow.native(block.paras):
            body = flow.height(self, block.paras, body_w, body_size, style, self.picture_h)
        else:
            body = self.height_of(block.paras, body_w, body_size, style)  # type: ignore[arg-type]
        return self.line_h(self.theme.sizes.block_label) - lay.block_body_overlap + body

    def block(self, block: Block, box: Box, size: float, step: int = 0) -> list[Element]:
        """A tinted block with an accent bar, its label and its body, placed as block_height measured."""
        lay = self.theme.layout
        accent = block.style.accent
        label_size = self.theme.sizes.block_label
        label_h = self.line_h(label_size)
        x, w = box.x + lay.block_pad, box.w - lay.block_pad - lay.block_right
        body_y = box.y + label_h - lay.block_body_overlap
        body_box, body_size = Box(x, body_y, w, box.bottom - body_y), min(size, block.style.size.max)
        body = flow.place(self, block.paras, body_box, body_size, self.theme.style(block.style.size), block.role,
                          self.picture_h) if flow.native(block.paras) else \
            [self.text(body_box, block.paras, body_size, block.role)]  # type: ignore[arg-type]
        out: list[Element] = [
            Rect(box, block.style.tint), Rect(Box(box.x, box.y, lay.block_bar, box.h), accent),
            self.text(Box(x, box.y + lay.block_label_y, w, label_h), [Para((Run(block.label),))], label_size,
                      "label", accent, bold=True),
            *body]
        return [replace(el, step=step) for el in out] if step else out

    def stack_size(self, blocks: Sequence[Block], area: Box) -> float | None:
        """The largest common size at which the blocks fit the area; None if not even at their minimum."""
        gaps = self.theme.layout.block_gap * (len(blocks) - 1)
        sizes = [b.style.size for b in blocks]
        return layout.largest(max(s.min for s in sizes), max(s.max for s in sizes), 1.0,
                              lambda s: sum(self.block_height(b, area.w, s) for b in blocks) + gaps <= area.h)

    def stack(self, blocks: Sequence[Block], area: Box, steps: bool = False,
              size: float | None = None) -> list[Element] | None:
        """Blocks top to bottom at the largest common size that fits the area (or at the size
        given), each as tall as its text; None if they do not fit at the minimum sizes. With
        steps, the elements of block i carry step i + 1 (a click build reveals them one by one)."""
        lay = self.theme.layout
        gaps = lay.block_gap * (len(blocks) - 1)
        size = size or self.stack_size(blocks, area)
        if size is None:
            return None
        heights = [self.block_height(b, area.w, size) for b in blocks]
        extra = min((area.h - sum(heights) - gaps) / len(blocks), lay.block_extra)  # room, not stretched panels
        out: list[Element] = []
        y = area.y
        for i, (b, h) in enumerate(zip(blocks, heights, strict=True)):
            out += self.block(b, Box(area.x, y, area.w, h + extra), size, i + 1 if steps else 0)
            y += h + extra + lay.block_gap
        return out

    def split_blocks(self, blocks: Sequence[Block], area: Box) -> list[list[Block]]:
        """Blocks too long for one area: each is split at paragraphs/sentences into parts
        labelled like 标准答（续 2/3）, and the parts are paginated onto as few areas as fit."""
        lay = self.theme.layout
        body_h = area.h - self.line_h(self.theme.sizes.block_label) + lay.block_body_overlap
        parts: list[Block] = []
        width = area.w - lay.block_pad - lay.block_right
        for b in blocks:
            style = self.theme.style(b.style.size)
            chunks = self.split_flow(b.paras, width, body_h, style) if flow.native(b.paras) else \
                self.split(b.paras, width, body_h, style)  # type: ignore[arg-type]
            parts += [replace(b, label=b.label + self.labels.mark(i + 1, len(chunks)), paras=tuple(chunk))
                      for i, chunk in enumerate(chunks)]
        return paginate(parts, lambda page, _i: self.stack_size(page, area) is not None)

    def split_flow(self, items: Sequence[Item], width: float, body_h: float, style: Style) -> list[list[Item]]:
        """Parts of a flow holding tables or pictures that each fit a frame of this width and height at
        the minimum size: text split as layout.split splits it, a table longer than a frame at rows (each
        part with the header row), pictures whole."""
        def fits(page: Sequence[Item], _i: int = 0) -> bool:
            return flow.height(self, flow.merged(page), width, style.min_size, style, self.picture_h) <= body_h

        def text(paras: list[Paragraph]) -> list[Paragraph]:
            return [p for chunk in self.split(paras, width, body_h, style) for p in chunk]

        units: list[Item] = []
        for seg in flow.segments(items):
            if isinstance(seg, list):
                units += text(seg)
            elif isinstance(seg, TableItem) and fits([seg]):
                units.append(seg)  # a table that fits a frame stays whole (on the next part if need be)
            elif isinstance(seg, TableItem):
                whole = seg.columns_of or seg.rows
                rows: list[Item] = [TableItem((seg.rows[0], row), whole) for row in seg.rows[1:]]
                # A row taller than a whole frame cannot be split inside a cell: that table is set as text rows.
                units += rows if all(fits([r]) for r in rows) else text(table_rows(seg, self.theme))
            else:  # a picture taller than the frame (a template's small content area) gives way to its alt text
                units += [seg] if fits([seg]) else text([alt_text(seg.alt, self.theme)])
        return [flow.merged(page) for page in paginate(units, fits)]

    # Code.

    def code(self, language: str, source: str, box: Box, first_line: int = 1, sizes: Range | None = None,
             number_w: int | None = None) -> list[Element] | None:
        """A tinted panel of highlighted, numbered code in the box: at the largest size at which
        no line wraps, else at the largest at which the wrapped rows fit (long lines wrap at
        token boundaries: code reads better a little smaller than broken); None if it does not fit."""
        style = self.theme.style(sizes or self.theme.sizes.code)
        lines = source.split("\n")
        number_w = number_w or len(str(first_line + len(lines))) + 1
        inner_w, inner_h = self._code_inner(box)
        mono, mark = self.theme.mono, self.theme.code.continuation

        def fits(size: float, whole_lines: bool) -> bool:
            rows = [len(code_rows(mono, ln, inner_w, size, number_w, mark)[0]) for ln in lines]
            return (not whole_lines or max(rows) == 1) and sum(rows) * size * style.line_spacing <= inner_h

        size = layout.largest(style.min_size, style.max_size, 1.0, lambda s: fits(s, True)) or \
            layout.largest(style.min_size, style.max_size, 1.0, lambda s: fits(s, False))
        if size is None:
            return None
        return self._code_panel(language, lines, box, first_line, size, number_w)

    def code_pages(self, language: str, source: str, box: Box, sizes: Range | None = None,
                   shrink: float | None = None) -> list[list[Element]]:
        """Code on as many panels as it needs: one panel at the largest size that fits the box,
        else every panel at the minimum size. With shrink, each panel is only as tall as its
        rows, insets and `shrink` points of padding."""
        style = self.theme.style(sizes or self.theme.sizes.code)
        lines, mono, mark = source.split("\n"), self.theme.mono, self.theme.code.continuation
        number_w = len(str(1 + len(lines))) + 1
        inner_w, inner_h = self._code_inner(box)
        pad_h = 2 * self.inset + (shrink or 0)

        def rows(chunk: Sequence[int], size: float) -> int:
            return sum(len(code_rows(mono, lines[i], inner_w, size, number_w, mark)[0]) for i in chunk)

        def sized(chunk: Sequence[int], size: float) -> Box:
            need = rows(chunk, size) * size * style.line_spacing + pad_h
            return replace(box, h=min(box.h, need)) if shrink is not None else box

        if shrink is not None:  # the whole code in a panel as tall as it is at the largest size, if that fits
            tall = sized(range(len(lines)), style.max_size)
            whole = self.code(language, source, tall, sizes=sizes, number_w=number_w)
        else:
            whole = self.code(language, source, box, sizes=sizes, number_w=number_w)
        if whole:
            return [whole]
        size = style.min_size
        pages = paginate(range(len(lines)), lambda chunk, _i: rows(chunk, size) * size * style.line_spacing
                         <= inner_h)
        return [self._code_panel(language, [lines[i] for i in chunk], sized(chunk, size), chunk[0] + 1, size,
                                 number_w, source=source) for chunk in pages]

    def _code_inner(self, box: Box) -> tuple[float, float]:
        lay = self.theme.layout
        return box.w - 2 * self.inset - 2 * lay.code_pad_x, box.h - 2 * self.inset - 2 * lay.code_pad_y

    def _code_panel(self, language: str, lines: Sequence[str], box: Box, first_line: int, size: float,
                    number_w: int, source: str | None = None) -> list[Element]:
        lay, palette, mark = self.theme.layout, self.theme.palette, self.theme.code.continuation
        inner_w, _ = self._code_inner(box)
        # Highlight the whole source once (a chunk alone could start inside a string).
        colored = code_lines(source if source is not None else "\n".join(lines), language,
                             self.theme.code.pygments_style)[first_line - 1 if source is not None else 0:]
        paras: list[Para] = []
        for index, line in enumerate(lines):
            starts, indent = code_rows(self.theme.mono, line, inner_w, size, number_w, mark)
            for j, runs in enumerate(_split_runs(colored[index], starts)):
                if j == 0:
                    head = [Run(f"{first_line + index:>{number_w - 1}} ", color=palette.muted)]
                else:  # a wrapped line's continuation: the line's indent, then a muted mark
                    head = [Run(" " * number_w + indent, color=palette.muted),
                            Run(mark, color=palette.muted)]
                paras.append(Para((*head, *runs)))
        panel = Rect(box, palette.code_bg, palette.code_border)
        text = self.text(Box(box.x + lay.code_pad_x, box.y + lay.code_pad_y, box.w - 2 * lay.code_pad_x,
                             box.h - 2 * lay.code_pad_y), paras, size, "code", mono=True)
        return [panel, replace(text, paragraph_gap=0.0)]


@functools.lru_cache(maxsize=65_536)
def code_rows(mono: Face, line: str, width: float, size: float, number_w: int,
              mark: str) -> tuple[tuple[int, ...], str]:
    """Where a code line wraps: start offsets of its rows, and the indent continuation rows
    repeat before the mark. Rows break before a token (word, punctuation, CJK character)
    where one fits, inside a token only when it alone is wider than a row. Widths come
    from the mono Face (its Chinese/Latin spacing included) with the number gutter."""
    limit = width / size
    pad = mono.em(" " * number_w)
    if not line or pad + mono.em(line) <= limit:  # most lines: no wrap
        return (0,), ""
    lefts, rights = mono.edges(line)
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if mono.em(indent + mark) > (limit - pad) / 2:  # a deep indent would leave no room
        indent = ""
    hang = pad + mono.em(indent + mark) + mono.gap  # the mark may meet Chinese text: one gap
    # Break before a token, never before spaces or closing punctuation (they end the row).
    tokens = [m.start() for m in _CODE_TOKEN.finditer(line) if not m.group().isspace() and m.group() not in _CLOSERS]
    starts = [0]
    while True:
        s = starts[-1]
        room = limit - (pad if s == 0 else hang)
        end = max(bisect.bisect_right(rights, lefts[s] + room, s), s + 1)  # chars s..end-1 fit
        if end >= len(line) or not line[end:].strip():
            return tuple(starts), indent
        k = bisect.bisect_right(tokens, end) - 1  # the last token starting at or before end
        # Prefer a break at a space when it keeps most of the row (self.eps stays whole).
        j = k
        while j >= 0 and tokens[j] > s + (end - s) * 0.6 and not line[tokens[j] - 1].isspace():
            j -= 1
        if j >= 0 and tokens[j] > s + (end - s) * 0.6:
            starts.append(tokens[j])
        elif k >= 0 and tokens[k] > s:
            starts.append(tokens[k])
        else:  # no break between tokens: cut inside this one; spaces stay at the row's end
            while line[end].isspace():
                end += 1
            starts.append(end)


def _split_runs(runs: Sequence[Run], starts: Sequence[int]) -> list[list[Run]]:
    """The coloured runs of one line cut at the given character offsets."""
    if len(starts) == 1:
        return [list(runs)]
    out: list[list[Run]] = [[] for _ in starts]
    offset = 0
    for run in runs:
        for k, piece_start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else offset + len(run.text) + 1
            lo, hi = max(piece_start, offset), min(end, offset + len(run.text))
            if lo < hi:
                out[k].append(replace(run, text=run.text[lo - offset:hi - offset]))
        offset += len(run.text)
    return out
