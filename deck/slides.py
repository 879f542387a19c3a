"""Builders for 16:9 slides: geometry from the theme, text fitted by deck.layout.

Each builder returns plan data (deck.plan); nothing here knows about PPTX.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from deck import layout
from deck.fonts import Face
from deck.highlight import code_lines
from deck.labels import Labels
from deck.layout import Paragraph, Style
from deck.model import Bank, Diagram, Question, Section
from deck.plan import Box, Element, Para, Picture, Rect, Run, Slide, Text
from deck.theme import PT_PER_IN, BlockStyle, Theme
from deck.typed_yaml import Range


@dataclass
class Canvas:
    """Slide geometry and text helpers for one theme."""

    theme: Theme
    labels: Labels

    def __post_init__(self) -> None:
        s = self.theme.slide
        self.w, self.h = s.w, s.h
        self.mx, self.top = s.margin_x * PT_PER_IN, s.margin_top * PT_PER_IN
        self.bottom_margin = s.margin_bottom * PT_PER_IN
        self.footer_h = s.footer_height * PT_PER_IN
        self.content_w = self.w - 2 * self.mx
        self.inset = self.theme.layout.inset

    @property
    def content_bottom(self) -> float:
        return self.h - self.bottom_margin - self.footer_h

    def area(self, top: float) -> Box:
        """The content area below a restated question whose box ends at top."""
        lay = self.theme.layout
        y = top + lay.title_gap
        return Box(self.mx, y, self.content_w, self.content_bottom - y - lay.area_bottom)

    def section_label(self, section: Section) -> str:
        return self.labels.section_label(section.number, section.title)

    def text(self, box: Box, paras: Sequence[Paragraph | Para], size: float, role: str,
             color: str | None = None, **kw: object) -> Text:
        fonts = self.theme.fonts
        out = tuple(p if isinstance(p, Para) else
                    Para((Run(p.text),), bullet=p.bullet, gap_before=i > 0)
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

    def line_h(self, size: float, lines: int = 1) -> float:
        """Height of a text box holding `lines` lines at `size`, insets included."""
        return size * self.theme.fonts.line_spacing * lines + 2 * self.inset

    def height_of(self, paras: Sequence[Paragraph], width: float, size: float, style: Style) -> float:
        return layout.layout(paras, width - 2 * self.inset, size, style, self.theme.sans)[1] + 2 * self.inset

    def footer(self, left: str, number: int) -> tuple[Element, ...]:
        lay = self.theme.layout
        size = self.theme.sizes.footer
        y = self.h - self.bottom_margin - self.footer_h + lay.footer_offset
        muted = self.theme.palette.muted
        half = self.content_w / 2
        box = Box(self.mx, y, half, self.footer_h)
        left, fitted = self.fit_or_cut(left, box, self.theme.style(Range(size, size - lay.footer_shrink)))
        return (Rect(Box(self.mx, y - lay.footer_offset, self.content_w, lay.rule), self.theme.palette.rule),
                self.text(box, [Paragraph(left)], fitted, "footer", muted),
                self.text(Box(self.mx + half, y, half, self.footer_h),
                          [Para((Run(str(number)),), align="r")], size, "footer", muted))

    def title_text(self, text: str, size: float, box: Box, color: str | None = None,
                   align: str = "l", bold: bool = True, anchor: str = "t") -> Text:
        return self.text(box, [Para((Run(text),), align=align)], size, "title", color,  # type: ignore[arg-type]
                         bold=bold, anchor=anchor)

    def restated(self, question: str, suffix: str = "") -> tuple[Text, float]:
        """The question small at the top of a reveal/code slide; returns (title, its bottom)."""
        style = self.theme.style(self.theme.sizes.question_small)
        width = self.content_w - 2 * self.inset
        bold = self.theme.sans_bold  # titles are set bold
        size = layout.largest(style.min_size, style.max_size, 1.0, lambda s: len(
            layout.break_lines(question + suffix, width, s, bold)) <= 2) or style.min_size
        text = layout.truncate(question, width - bold(suffix, size), 3, size, bold) + suffix
        h = layout.layout([Paragraph(text)], width, size, style, bold)[1] + 2 * self.inset
        box = Box(self.mx, self.top, self.content_w, h)
        return self.title_text(text, size, box, self.theme.palette.text), box.bottom


def marker(canvas: Canvas, text: str, y: float) -> Text:
    t = canvas.theme
    size, indent = t.sizes.marker, t.layout.marker_indent
    box = Box(canvas.mx + indent, y, canvas.content_w - indent, canvas.line_h(size))
    text, fitted = canvas.fit_or_cut(text, box, t.style(Range(size, size - t.layout.marker_shrink)))
    return canvas.text(box, [Paragraph(text)], fitted, "marker", t.palette.muted)


def question_slides(c: Canvas, q: Question, key: str, marker_text: str, notes: str,
                    footer: str, number: int) -> list[Slide]:
    """The question alone and large; continues on more slides only if it is huge."""
    lay = c.theme.layout
    y0 = c.top + lay.question_top
    box = Box(c.mx, y0, c.content_w, c.content_bottom - y0 - lay.question_bottom)
    style = c.theme.style(c.theme.sizes.question)
    fit = c.fit(q.question, box, style)
    chunks = [layout.paragraphs(q.question)] if fit.fits else layout.split(
        layout.paragraphs(q.question), box.w - 2 * c.inset, box.h - 2 * c.inset, style, c.theme.sans)
    slides = []
    for i, chunk in enumerate(chunks):
        f = c.fit(chunk, box, style)
        title = c.text(box, chunk, f.size, "question", anchor="ctr" if fit.fits else "t")
        suffix = c.labels.mark(i + 1, len(chunks))
        accent = Rect(Box(c.mx, c.top + lay.accent_y, lay.accent_w, lay.accent_h), c.theme.palette.primary)
        slides.append(Slide(kind="question", key=f"{key}-{i}" if i else key, title=title,
                            elements=(accent, marker(c, marker_text + suffix, c.top),
                                      *c.footer(footer, number + i)),
                            notes=notes, question_id=q.id))
    return slides


@dataclass(frozen=True)
class Block:
    style: BlockStyle
    label: str
    paras: tuple[Paragraph, ...]

    @property
    def role(self) -> str:
        return self.style.role


def _block_elements(c: Canvas, block: Block, box: Box, size: float) -> list[Element]:
    lay = c.theme.layout
    accent = block.style.accent
    label_size = c.theme.sizes.block_label
    label_h = c.line_h(label_size)
    x, w = box.x + lay.block_pad, box.w - lay.block_pad - lay.block_right
    body_y = box.y + label_h - lay.block_body_overlap
    return [Rect(box, block.style.tint), Rect(Box(box.x, box.y, lay.block_bar, box.h), accent),
            c.text(Box(x, box.y + lay.block_label_y, w, label_h),
                   [Para((Run(block.label),))], label_size, "label", accent, bold=True),
            c.text(Box(x, body_y, w, box.bottom - lay.block_bottom - body_y), block.paras, size, block.role)]


def _stack(c: Canvas, blocks: Sequence[Block], area: Box) -> list[Element] | None:
    """Place blocks top to bottom, sized from their measured text, at the largest
    common size that fits; None if they do not fit at the minimum sizes."""
    lay = c.theme.layout
    label_h = c.line_h(c.theme.sizes.block_label)
    gap = lay.block_gap
    styles = {b.role: c.theme.style(b.style.size) for b in blocks}
    text_w = area.w - lay.block_pad - lay.block_right

    def heights(size: float) -> list[float]:
        return [c.height_of(b.paras, text_w, min(size, styles[b.role].max_size), styles[b.role])
                + label_h - lay.block_measure_overlap for b in blocks]

    size = layout.largest(max(s.min_size for s in styles.values()), max(s.max_size for s in styles.values()),
                          1.0, lambda s: sum(heights(s)) + gap * (len(blocks) - 1) <= area.h)
    if size is None:
        return None
    hs = heights(size)
    spare = area.h - sum(hs) - gap * (len(blocks) - 1)
    extra = min(spare / len(blocks), lay.block_extra)  # breathing room, not stretched panels
    out: list[Element] = []
    y = area.y
    for b, h in zip(blocks, hs, strict=True):
        out += _block_elements(c, b, Box(area.x, y, area.w, h + extra), min(size, styles[b.role].max_size))
        y += h + extra + gap
    return out


def reveal_slides(c: Canvas, q: Question, key: str, notes: str, footer: str, number: int) -> list[Slide]:
    """Answer / ask-back / pitfall blocks; code beside them when it fits, else on code slides;
    an answer too long for one slide continues on more slides."""
    lay = c.theme.layout
    title, title_bottom = c.restated(q.question)
    area = c.area(title_bottom)
    blocks = [Block(b, b.label, tuple(layout.paragraphs(getattr(q, b.role)))) for b in c.theme.blocks(c.labels)]

    def slide(i: int, elements: Sequence[Element], suffix_title: Text = title) -> Slide:
        return Slide(kind="reveal", key=f"{key}-{i}" if i else key, title=suffix_title,
                     elements=(*elements, *c.footer(footer, number + i)), notes=notes, question_id=q.id)

    if q.code:
        split, gutter = area.w * lay.code_split, lay.code_gutter
        left = Box(area.x, area.y, split - gutter, area.h)
        right = Box(area.x + split + gutter, area.y, area.w - split - gutter, area.h)
        panel = code_panel(c, q.code.language, q.code.source, right, first_line=1)
        placed = _stack(c, blocks, left) if panel else None
        if panel and placed:
            return [slide(0, [*placed, *panel[0]])]
    placed = _stack(c, blocks, area)
    slides: list[Slide] = []
    if placed:
        slides.append(slide(0, placed))
    else:
        slides += _continued(c, blocks, area, slide)
    if q.code:
        slides += code_slides(c, q, key, notes, footer, number + len(slides))
    return slides


def _continued(c: Canvas, blocks: list[Block], area: Box, slide) -> list[Slide]:  # noqa: ANN001
    """Blocks too long for one slide: each is split at paragraphs/sentences into parts
    labelled like 标准答（续 2/3）, and parts are packed onto as few slides as fit."""
    lay, inset = c.theme.layout, c.inset
    label_h = c.line_h(c.theme.sizes.block_label)
    parts: list[Block] = []
    for b in blocks:
        chunks = layout.split(b.paras, area.w - lay.block_pad - lay.block_right - 2 * inset,
                              area.h - label_h - 2 * inset, c.theme.style(b.style.size), c.theme.sans)
        n = len(chunks)
        parts += [replace(b, label=b.label + c.labels.mark(i + 1, n), paras=tuple(chunk))
                  for i, chunk in enumerate(chunks)]
    pages: list[list[Block]] = [[]]
    for part in parts:
        if pages[-1] and not _stack(c, [*pages[-1], part], area):
            pages.append([])
        pages[-1].append(part)
    out = []
    for i, page in enumerate(pages):
        placed = _stack(c, page, area)
        assert placed is not None, "a part produced by layout.split always fits alone"
        out.append(slide(i, placed))
    return out


def code_panel(c: Canvas, language: str, source: str, box: Box, first_line: int,
               force: bool = False, style: Style | None = None) -> tuple[list[Element], int] | None:
    """A tinted panel of highlighted code at the largest size that fits the box;
    returns (elements, lines used). With force, fill the box at the minimum size with
    as many lines as fit (the caller continues the rest)."""
    style = style or c.theme.style(c.theme.sizes.code)
    lay = c.theme.layout
    lines = source.split("\n")
    number_w = len(str(first_line + len(lines))) + 1
    inner_w = box.w - 2 * c.inset - 2 * lay.code_pad_x
    inner_h = box.h - 2 * c.inset - 2 * lay.code_pad_y
    mono = c.theme.mono
    size = style.min_size if force else layout.largest(
        style.min_size, style.max_size, 1.0,
        lambda s: sum(len(_code_breaks(mono, line, inner_w, s, number_w)) for line in lines)
        * s * style.line_spacing <= inner_h)
    if size is None:
        return None
    pitch = size * style.line_spacing
    capacity = int(inner_h // pitch)
    paras: list[Para] = []
    used = 0
    muted = c.theme.palette.muted
    colored = code_lines(source, language, c.theme.code.pygments_style)
    for index, line in enumerate(lines):
        pieces = _split_runs(colored[index], _code_breaks(mono, line, inner_w, size, number_w))
        if len(paras) + len(pieces) > capacity and paras:
            break
        for j, runs in enumerate(pieces):
            number = f"{first_line + index:>{number_w - 1}} " if j == 0 else " " * number_w
            paras.append(Para((Run(number, color=muted), *runs)))
        used += 1
    panel = Rect(box, c.theme.palette.code_bg, c.theme.palette.code_border)
    text = c.text(Box(box.x + lay.code_pad_x, box.y + lay.code_pad_y, box.w - 2 * lay.code_pad_x,
                      box.h - 2 * lay.code_pad_y), paras, size, "code", mono=True)
    text = replace(text, paragraph_gap=0.0)
    return [panel, text], used


@functools.lru_cache(maxsize=65_536)
def _code_breaks(mono: Face, line: str, width: float, size: float, number_w: int) -> tuple[int, ...]:
    """Start offsets of the pieces a code line is hard-wrapped into (any character may
    break; the width includes the line-number gutter and Chinese/Latin spacing)."""
    pad = mono.em(" " * number_w)
    if (pad + mono.em(line)) * size <= width:  # most lines: no wrap
        return (0,)
    starts, used, prev = [0], pad, None
    for i, ch in enumerate(line):
        w, ea = mono.char(ch)
        gap = mono.gap if ea is not None and prev is not None and ea != prev else 0.0
        if i > starts[-1] and (used + gap + w) * size > width:
            starts.append(i)
            used, prev = pad + w, ea
        else:
            used += gap + w
            prev = prev if ea is None else ea
    return tuple(starts)


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


def code_slides(c: Canvas, q: Question, key: str, notes: str, footer: str, number: int) -> list[Slide]:
    assert q.code is not None
    slides: list[Slide] = []
    lines = q.code.source.split("\n")
    start = 0
    pages: list[list[Element]] = []
    title, bottom = c.restated(q.question, c.labels.code)
    box = c.area(bottom)
    whole = code_panel(c, q.code.language, q.code.source, box, 1)
    while start < len(lines):
        # Continued code keeps one (minimum) size on every page.
        panel = whole or code_panel(c, q.code.language, "\n".join(lines[start:]), box, start + 1, force=True)
        assert panel is not None
        elements, used = panel
        pages.append([title, *elements])  # type: ignore[list-item]
        start += max(used, 1)
    for i, (title, *elements) in enumerate(pages):
        if len(pages) > 1 and i:
            title = c.restated(q.question, c.labels.code_continued.format(i=i + 1, n=len(pages)))[0]
        slides.append(Slide(kind="code", key=f"{key}-code-{i}", title=title,  # type: ignore[arg-type]
                            elements=(*elements, *c.footer(footer, number + i)), notes=notes,
                            question_id=q.id))
    return slides


def diagram_slide(c: Canvas, d: Diagram, key: str, size_px: tuple[int, int], footer: str,
                  number: int) -> Slide:
    t, lay = c.theme, c.theme.layout
    title_size = t.sizes.heading
    title_box = Box(c.mx, c.top, c.content_w, c.line_h(title_size))
    title = c.title_text(*c.fit_or_cut(d.title, title_box, t.style(Range(title_size, t.sizes.question_small.min)),
                                       bold=True), title_box)
    cap_size = t.sizes.marker + lay.caption_grow
    cap_h = c.line_h(cap_size, lay.caption_lines)
    top = title.box.bottom + lay.diagram_gap
    area = Box(c.mx, top, c.content_w, c.content_bottom - top - cap_h - lay.caption_above - lay.caption_below)
    ratio = size_px[0] / size_px[1]
    w = min(area.w, area.h * ratio)
    h = w / ratio
    pic = Picture(Box(area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, h), d.id, d.caption or d.title)
    cap_box = Box(c.mx, area.bottom + lay.caption_above, c.content_w, cap_h)
    cap_text, cap_fit = c.fit_or_cut(d.caption, cap_box, t.style(Range(cap_size, min(lay.caption_min, cap_size))))
    caption = c.text(cap_box, [Para((Run(cap_text),), align="ctr")], cap_fit, "caption", t.palette.muted)
    return Slide(kind="diagram", key=key, title=title, elements=(pic, caption, *c.footer(footer, number)),
                 notes=d.notes)


def dark_slide(c: Canvas, kind: str, key: str, title: str, lines: Sequence[str], notes: str = "",
               big: str | None = None) -> Slide:
    """Title, section divider and closing slides: light text on the dark ground."""
    t, lay = c.theme, c.theme.layout
    fg, accent = t.palette.divider_text, t.palette.divider_accent
    style = t.style(t.sizes.section_title if big else t.sizes.title_slide)
    title_y = c.h * lay.divider_title_y
    elements: list[Element] = [Rect(Box(c.mx, title_y - lay.divider_bar_above, lay.divider_bar_w,
                                        lay.divider_bar_h), accent)]
    if big:
        number = t.sizes.section_number
        elements.append(c.title_text(big, number, Box(c.mx, c.h * lay.divider_number_y, c.content_w,
                                                      c.line_h(number)), accent))
    title_box = Box(c.mx, title_y + lay.divider_title_gap, c.content_w,
                    c.line_h(style.max_size, lay.divider_title_lines))
    title, fitted = c.fit_or_cut(title, title_box, style, bold=True)
    title_el = c.title_text(title, fitted, title_box, fg)
    used = c.fit(title, title_box, replace(style, max_size=fitted, min_size=fitted), bold=True).height
    sub_box = Box(c.mx, title_box.y + used + 2 * c.inset + lay.divider_sub_gap, c.content_w, 0)
    sub_box = replace(sub_box, h=c.h - c.bottom_margin - sub_box.y)
    fit = c.fit([Paragraph(line) for line in lines], sub_box, t.style(Range(t.sizes.subtitle, lay.divider_sub_min)))
    lines = [layout.truncate(line, sub_box.w - 2 * c.inset, 2, fit.size, t.sans) for line in lines]
    paras = [Para((Run(line),), gap_before=i > 0) for i, line in enumerate(lines)]
    elements.append(c.text(sub_box, paras, fit.size, "subtitle", fg))
    return Slide(kind=kind, key=key, title=title_el, elements=tuple(elements), notes=notes,
                 background=t.palette.divider_bg)


def list_slides(c: Canvas, kind: str, key: str, heading: str, items: Sequence[Para], footer: str,
                number: int) -> list[Slide]:
    """A heading and a list (agenda, references), continued on more slides if long."""
    lay = c.theme.layout
    size_h = c.theme.sizes.heading
    style = c.theme.style(c.theme.sizes.body)
    box = Box(c.mx, c.top + c.line_h(size_h) + lay.list_gap, c.content_w, 0)
    box = replace(box, h=c.content_bottom - box.y - lay.list_bottom)
    plain = [Paragraph(p.text, p.bullet) for p in items]
    fit = c.fit(plain, box, style)
    if fit.fits:
        groups = [list(items)]
    else:
        groups, current = [], []
        for item in items:
            if current and not c.fit([Paragraph(p.text) for p in [*current, item]], box,
                                     replace(style, max_size=style.min_size)).fits:
                groups.append(current)
                current = []
            current.append(item)
        groups.append(current)
    slides = []
    for i, group in enumerate(groups):
        f = c.fit([Paragraph(p.text, p.bullet) for p in group], box, style)
        suffix = c.labels.mark(i + 1, len(groups)) if i else ""
        title = c.title_text(heading + suffix, size_h, Box(c.mx, c.top, c.content_w, c.line_h(size_h)))
        paras = tuple(replace(p, gap_before=j > 0) for j, p in enumerate(group))
        slides.append(Slide(kind=kind, key=f"{key}-{i}" if i else key, title=title,
                            elements=(c.text(box, paras, f.size, "body"), *c.footer(footer, number + i))))
    return slides


def agenda_items(c: Canvas, bank: Bank) -> list[Para]:
    primary, lab = c.theme.palette.primary, c.labels
    return [Para((Run(c.section_label(s), color=primary, link=f"section-{s.id}"),
                  Run(lab.count_gap + lab.questions(len(s.questions)), color=c.theme.palette.muted)))
            for s in bank.sections]
