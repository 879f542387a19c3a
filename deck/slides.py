"""Builders for 16:9 slides: geometry from the theme, text fitted by deck.layout.

Each builder returns plan data (deck.plan); nothing here knows about PPTX.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from deck import layout
from deck.diagram_shapes import diagram_group
from deck.fonts import Face
from deck.highlight import code_lines
from deck.layout import Paragraph, Style
from deck.model import Bank, Diagram, Question, Section
from deck.plan import Box, Effect, Element, Para, Picture, Rect, Run, Slide, Text
from deck.scene import Scene
from deck.theme import Theme

PT = 72.0
CN_NUM = "零一二三四五六七八九十"
INSET = 6.0  # text box inset in pt on every side, written by the renderer
BLOCKS = (("answer", "标准答", "primary", "answer_tint"),
          ("follow_up", "反问点", "secondary", "follow_up_tint"),
          ("pitfall", "坑位", "warning", "pitfall_tint"))


def cn_number(n: int) -> str:
    if n <= 10:
        return CN_NUM[n]
    tens, ones = divmod(n, 10)
    return (CN_NUM[tens] if tens > 1 else "") + "十" + (CN_NUM[ones] if ones else "")


def section_label(section: Section) -> str:
    return f"{cn_number(section.number)}、{section.title}"


@dataclass
class Canvas:
    """Slide geometry and text helpers for one theme."""

    theme: Theme

    def __post_init__(self) -> None:
        s = self.theme.data["slide"]
        self.w, self.h = s["width"] * PT, s["height"] * PT
        self.mx, self.top = s["margin_x"] * PT, s["margin_top"] * PT
        self.bottom_margin = s["margin_bottom"] * PT
        self.footer_h = s["footer_height"] * PT
        self.content_w = self.w - 2 * self.mx

    @property
    def click_effect(self) -> Effect:
        """How revealed blocks enter on a click (theme: reveal.effect, reveal.duration_ms)."""
        r = self.theme.data["reveal"]
        return Effect(r["effect"], r.get("duration_ms", 0))

    @property
    def content_bottom(self) -> float:
        return self.h - self.bottom_margin - self.footer_h

    def text(self, box: Box, paras: Sequence[Paragraph | Para], size: float, role: str,
             color: str | None = None, **kw: object) -> Text:
        fonts = self.theme.fonts
        out = tuple(p if isinstance(p, Para) else
                    Para((Run(p.text),), bullet=p.bullet, gap_before=i > 0)
                    for i, p in enumerate(paras))
        return Text(box=box, paras=out, size=size, role=role,
                    color=color or self.theme.color("text"), line_spacing=fonts["line_spacing"],
                    paragraph_gap=fonts["paragraph_gap"], **kw)  # type: ignore[arg-type]

    def fit(self, text: str | Sequence[Paragraph], box: Box, style: Style, bold: bool = False) -> layout.Fit:
        paras = layout.paragraphs(text) if isinstance(text, str) else text
        measure = self.theme.sans_bold if bold else self.theme.sans
        return layout.fit(paras, box.w - 2 * INSET, box.h - 2 * INSET, style, measure)

    def fit_or_cut(self, text: str, box: Box, style: Style, bold: bool = False) -> tuple[str, float]:
        """Largest size that fits; text that does not fit at the minimum is cut with an
        ellipsis (for one-line headings and captions, never for answers)."""
        f = self.fit(text, box, style, bold)
        if f.fits:
            return text, f.size
        measure = self.theme.sans_bold if bold else self.theme.sans
        lines = max(1, int((box.h - 2 * INSET) // (style.min_size * style.line_spacing)))
        return layout.truncate(text, box.w - 2 * INSET, lines, style.min_size, measure), style.min_size

    def line_h(self, size: float, lines: int = 1) -> float:
        """Height of a text box holding `lines` lines at `size`, insets included."""
        return size * self.theme.fonts["line_spacing"] * lines + 2 * INSET

    def height_of(self, paras: Sequence[Paragraph], width: float, size: float, style: Style) -> float:
        return layout.layout(paras, width - 2 * INSET, size, style, self.theme.sans)[1] + 2 * INSET

    def footer(self, left: str, number: int) -> tuple[Element, ...]:
        size = self.theme.data["sizes"]["footer"]
        y = self.h - self.bottom_margin - self.footer_h + 4
        muted = self.theme.color("muted")
        half = self.content_w / 2
        box = Box(self.mx, y, half, self.footer_h)
        left, fitted = self.fit_or_cut(left, box, Style(size, size - 2, self.theme.fonts["line_spacing"]))
        return (Rect(Box(self.mx, y - 4, self.content_w, 0.75), self.theme.color("rule")),
                self.text(box, [Paragraph(left)], fitted, "footer", muted),
                self.text(Box(self.mx + half, y, half, self.footer_h),
                          [Para((Run(str(number)),), align="r")], size, "footer", muted))

    def title_text(self, text: str, size: float, box: Box, color: str | None = None,
                   align: str = "l", bold: bool = True, anchor: str = "t") -> Text:
        return self.text(box, [Para((Run(text),), align=align)], size, "title", color,  # type: ignore[arg-type]
                         bold=bold, anchor=anchor)

    def restated(self, question: str, suffix: str = "") -> tuple[Text, float]:
        """The question small at the top of a reveal/code slide; returns (title, its bottom)."""
        style = self.theme.style("question_small")
        width = self.content_w - 2 * INSET
        bold = self.theme.sans_bold  # titles are set bold
        size = layout.largest(style.min_size, style.max_size, 1.0, lambda s: len(
            layout.break_lines(question + suffix, width, s, bold)) <= 2) or style.min_size
        text = layout.truncate(question, width - bold(suffix, size), 3, size, bold) + suffix
        h = layout.layout([Paragraph(text)], width, size, style, bold)[1] + 2 * INSET
        box = Box(self.mx, self.top, self.content_w, h)
        return self.title_text(text, size, box, self.theme.color("text")), box.bottom

    def headline(self, question: str, y: float) -> tuple[Text, float]:
        """The whole question at the top of a click-reveal slide: it is the question's own
        slide, so larger than a restated one (up to 3 lines at the largest size that
        allows it, more lines at the minimum; cut only past 6)."""
        style = self.theme.style("question_click")
        width = self.content_w - 2 * INSET
        bold = self.theme.sans_bold
        size = layout.largest(style.min_size, style.max_size, 1.0, lambda s: len(
            layout.break_lines(question, width, s, bold)) <= 3) or style.min_size
        text = layout.truncate(question, width, 6, size, bold)
        h = layout.layout([Paragraph(text)], width, size, style, bold)[1] + 2 * INSET
        box = Box(self.mx, y, self.content_w, h)
        return self.title_text(text, size, box, self.theme.color("text")), box.bottom


def marker(canvas: Canvas, text: str, y: float) -> Text:
    size = canvas.theme.data["sizes"]["marker"]
    box = Box(canvas.mx + 8, y, canvas.content_w - 8, size * canvas.theme.fonts["line_spacing"] + 2 * INSET)
    text, fitted = canvas.fit_or_cut(text, box, Style(size, size - 3, canvas.theme.fonts["line_spacing"]))
    return canvas.text(box, [Paragraph(text)], fitted, "marker", canvas.theme.color("muted"))


def question_slides(c: Canvas, q: Question, key: str, marker_text: str, notes: str,
                    footer: str, number: int) -> list[Slide]:
    """The question alone and large; continues on more slides only if it is huge."""
    y0 = c.top + 44
    box = Box(c.mx, y0, c.content_w, c.content_bottom - y0 - 12)
    style = c.theme.style("question")
    fit = c.fit(q.question, box, style)
    chunks = [layout.paragraphs(q.question)] if fit.fits else layout.split(
        layout.paragraphs(q.question), box.w - 2 * INSET, box.h - 2 * INSET, style, c.theme.sans)
    slides = []
    for i, chunk in enumerate(chunks):
        f = c.fit(chunk, box, style)
        title = c.text(box, chunk, f.size, "question", anchor="ctr" if fit.fits else "t")
        suffix = f"（续 {i + 1}/{len(chunks)}）" if len(chunks) > 1 else ""
        slides.append(Slide(kind="question", key=f"{key}-{i}" if i else key, title=title,
                            elements=(*_marked(c, marker_text + suffix), *c.footer(footer, number + i)),
                            notes=notes, question_id=q.id))
    return slides


def _marked(c: Canvas, text: str) -> tuple[Element, ...]:
    """The accent bar and the section/number marker at the top of a question's slide."""
    return Rect(Box(c.mx, c.top + 6, 6, 22), c.theme.color("primary")), marker(c, text, c.top)


@dataclass(frozen=True)
class Block:
    role: str
    label: str
    paras: tuple[Paragraph, ...]


def _block_elements(c: Canvas, block: Block, box: Box, size: float, step: int = 0) -> list[Element]:
    role = next(b for b in BLOCKS if b[0] == block.role)
    accent, tint = c.theme.color(role[2]), c.theme.color(role[3])
    label_size = c.theme.data["sizes"]["block_label"]
    label_h = c.line_h(label_size)
    return [Rect(box, tint, step=step), Rect(Box(box.x, box.y, 5, box.h), accent, step=step),
            c.text(Box(box.x + 10, box.y + 2, box.w - 14, label_h),
                   [Para((Run(block.label),))], label_size, "label", accent, bold=True, step=step),
            c.text(Box(box.x + 10, box.y + label_h - 4, box.w - 14, box.h - label_h + 2),
                   block.paras, size, block.role, step=step)]


def _stack(c: Canvas, blocks: Sequence[Block], area: Box, click: bool = False) -> list[Element] | None:
    """Place blocks top to bottom, sized from their measured text, at the largest
    common size that fits; None if they do not fit at the minimum sizes. With click,
    block n enters on click n."""
    label_h = c.line_h(c.theme.data["sizes"]["block_label"])
    gap = 10.0
    styles = {b.role: c.theme.style(b.role) for b in blocks}

    def heights(size: float) -> list[float]:
        return [c.height_of(b.paras, area.w - 14, min(size, styles[b.role].max_size), styles[b.role]) + label_h - 6
                for b in blocks]

    size = layout.largest(max(s.min_size for s in styles.values()), max(s.max_size for s in styles.values()),
                          1.0, lambda s: sum(heights(s)) + gap * (len(blocks) - 1) <= area.h)
    if size is None:
        return None
    hs = heights(size)
    spare = area.h - sum(hs) - gap * (len(blocks) - 1)
    extra = min(spare / len(blocks), 40.0)  # breathing room, not stretched panels
    out: list[Element] = []
    y = area.y
    for n, (b, h) in enumerate(zip(blocks, hs, strict=True), 1):
        out += _block_elements(c, b, Box(area.x, y, area.w, h + extra), min(size, styles[b.role].max_size),
                               n if click else 0)
        y += h + extra + gap
    return out


def reveal_slides(c: Canvas, q: Question, key: str, notes: str, footer: str, number: int,
                  click_marker: str | None = None) -> list[Slide]:
    """标准答 / 反问点 / 坑位 blocks; code beside them when it fits, else on code slides;
    an answer too long for one slide continues on (续) slides. With click_marker (click
    reveal) the slide is the question's own: marker, the whole question at the top, and
    the blocks enter one click each (code beside them with the answer)."""
    click = click_marker is not None
    if click:
        title, title_bottom = c.headline(q.question, c.top + 24)
    else:
        title, title_bottom = c.restated(q.question)
    area = Box(c.mx, title_bottom + 10, c.content_w, c.content_bottom - title_bottom - 18)
    blocks = [Block(role, label, tuple(layout.paragraphs(getattr(q, role))))
              for role, label, *_ in BLOCKS if getattr(q, role)]

    def slide(i: int, elements: Sequence[Element], total: int = 1) -> Slide:
        lead = _marked(c, click_marker + (f"（续 {i + 1}/{total}）" if total > 1 else "")) if click else ()
        return Slide(kind="qa" if click else "reveal", key=f"{key}-{i}" if i else key, title=title,
                     elements=(*lead, *elements, *c.footer(footer, number + i)), notes=notes, question_id=q.id,
                     effect=c.click_effect if click else Effect())

    if q.code:
        left = Box(area.x, area.y, area.w * 0.5 - 8, area.h)
        right = Box(area.x + area.w * 0.5 + 8, area.y, area.w * 0.5 - 8, area.h)
        panel = code_panel(c, q.code.language, q.code.source, right, first_line=1)
        placed = _stack(c, blocks, left, click) if panel else None
        if panel and placed:
            code = [replace(el, step=1) for el in panel[0]] if click else panel[0]
            return [slide(0, [*placed, *code])]
    placed = _stack(c, blocks, area, click)
    slides: list[Slide] = []
    if placed:
        slides.append(slide(0, placed))
    else:
        slides += _continued(c, blocks, area, slide, click)
    if q.code:
        slides += code_slides(c, q, key, notes, footer, number + len(slides))
    return slides


def _continued(c: Canvas, blocks: list[Block], area: Box, slide, click: bool) -> list[Slide]:  # noqa: ANN001
    """Blocks too long for one slide: each is split at paragraphs/sentences into parts
    labelled like 标准答（续 2/3）, and parts are packed onto as few slides as fit."""
    label_h = c.theme.data["sizes"]["block_label"] * c.theme.fonts["line_spacing"] + 2 * INSET
    parts: list[Block] = []
    for b in blocks:
        chunks = layout.split(b.paras, area.w - 14 - 2 * INSET, area.h - label_h - 2 * INSET,
                              c.theme.style(b.role), c.theme.sans)
        n = len(chunks)
        parts += [replace(b, label=f"{b.label}（{'续 ' if i else ''}{i + 1}/{n}）" if n > 1 else b.label,
                          paras=tuple(chunk)) for i, chunk in enumerate(chunks)]
    pages: list[list[Block]] = [[]]
    for part in parts:
        if pages[-1] and not _stack(c, [*pages[-1], part], area):
            pages.append([])
        pages[-1].append(part)
    out = []
    for i, page in enumerate(pages):
        placed = _stack(c, page, area, click)
        assert placed is not None, "a part produced by layout.split always fits alone"
        out.append(slide(i, placed, len(pages)))
    return out


def code_panel(c: Canvas, language: str, source: str, box: Box, first_line: int,
               force: bool = False, style: Style | None = None) -> tuple[list[Element], int] | None:
    """A tinted panel of highlighted code at the largest size that fits the box;
    returns (elements, lines used). With force, fill the box at the minimum size with
    as many lines as fit (the caller continues the rest)."""
    style = style or c.theme.style("code")
    lines = source.split("\n")
    number_w = len(str(first_line + len(lines))) + 1
    inner_w = box.w - 2 * INSET - 12
    mono = c.theme.mono
    size = style.min_size if force else layout.largest(
        style.min_size, style.max_size, 1.0,
        lambda s: sum(len(_code_breaks(mono, line, inner_w, s, number_w)) for line in lines)
        * s * style.line_spacing <= box.h - 2 * INSET - 8)
    if size is None:
        return None
    pitch = size * style.line_spacing
    capacity = int((box.h - 2 * INSET - 8) // pitch)
    paras: list[Para] = []
    used = 0
    muted = c.theme.color("muted")
    colored = code_lines(source, language, c.theme.data["code"]["pygments_style"])
    for index, line in enumerate(lines):
        pieces = _split_runs(colored[index], _code_breaks(mono, line, inner_w, size, number_w))
        if len(paras) + len(pieces) > capacity and paras:
            break
        for j, runs in enumerate(pieces):
            number = f"{first_line + index:>{number_w - 1}} " if j == 0 else " " * number_w
            paras.append(Para((Run(number, color=muted), *runs)))
        used += 1
    panel = Rect(box, c.theme.color("code_bg"), c.theme.color("code_border"))
    text = c.text(Box(box.x + 6, box.y + 4, box.w - 12, box.h - 8), paras, size, "code",
                  mono=True)
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
    title, bottom = c.restated(q.question, "（代码）")
    box = Box(c.mx, bottom + 10, c.content_w, c.content_bottom - bottom - 18)
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
            title = c.restated(q.question, f"（代码 续 {i + 1}/{len(pages)}）")[0]
        slides.append(Slide(kind="code", key=f"{key}-code-{i}", title=title,  # type: ignore[arg-type]
                            elements=(*elements, *c.footer(footer, number + i)), notes=notes,
                            question_id=q.id))
    return slides


def diagram_slide(c: Canvas, d: Diagram, key: str, size_px: tuple[int, int], footer: str,
                  number: int, scene: Scene | None = None) -> Slide:
    """A diagram with its title and caption: native shapes from a flowchart scene, else a picture."""
    t = c.theme
    title_size = t.data["sizes"]["heading"]
    title_box = Box(c.mx, c.top, c.content_w, title_size * t.fonts["line_spacing"] + 2 * INSET)
    title = c.title_text(*c.fit_or_cut(d.title, title_box, replace(t.style("question_small"), max_size=title_size),
                                       bold=True), title_box)
    cap_size = t.data["sizes"]["marker"] + 2
    cap_h = cap_size * t.fonts["line_spacing"] * 2 + 2 * INSET
    area = Box(c.mx, title.box.bottom + 6, c.content_w, c.content_bottom - title.box.bottom - cap_h - 14)
    ratio = size_px[0] / size_px[1]
    w = min(area.w, area.h * ratio)
    h = w / ratio
    pic: Element = Picture(Box(area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, h), d.id,
                           d.caption or d.title)
    if scene is not None:
        pic = diagram_group(scene, area, t, name=f"Diagram {d.id}", alt=d.caption or d.title)
    cap_box = Box(c.mx, area.bottom + 4, c.content_w, cap_h)
    cap_text, cap_fit = c.fit_or_cut(d.caption, cap_box, replace(t.style("question_small"), max_size=cap_size,
                                                                 min_size=min(10, cap_size)))
    caption = c.text(cap_box, [Para((Run(cap_text),), align="ctr")], cap_fit, "caption", t.color("muted"))
    return Slide(kind="diagram", key=key, title=title, elements=(pic, caption, *c.footer(footer, number)),
                 notes=d.notes)


def dark_slide(c: Canvas, kind: str, key: str, title: str, lines: Sequence[str], notes: str = "",
               big: str | None = None) -> Slide:
    """Title, section divider and closing slides: light text on the dark ground."""
    t = c.theme
    fg, accent = t.color("divider_text"), t.color("divider_accent")
    style = t.style("section_title" if big else "title_slide")
    elements: list[Element] = [Rect(Box(c.mx, c.h * 0.42 - 6, 90, 5), accent)]
    if big:
        number = t.data["sizes"]["section_number"]
        elements.append(c.title_text(big, number, Box(c.mx, c.h * 0.16, c.content_w, c.line_h(number)), accent))
    title_box = Box(c.mx, c.h * 0.42 + 8, c.content_w, c.line_h(style.max_size, 2))
    title, fitted = c.fit_or_cut(title, title_box, style, bold=True)
    title_el = c.title_text(title, fitted, title_box, fg)
    used = c.fit(title, title_box, replace(style, max_size=fitted, min_size=fitted), bold=True).height
    sub_box = Box(c.mx, title_box.y + used + 2 * INSET + 14, c.content_w, 0)
    sub_box = replace(sub_box, h=c.h - c.bottom_margin - sub_box.y)
    sub = t.data["sizes"]["subtitle"]
    fit = c.fit([Paragraph(line) for line in lines], sub_box, Style(sub, 12, t.fonts["line_spacing"],
                                                                       t.fonts["paragraph_gap"]))
    lines = [layout.truncate(line, sub_box.w - 2 * INSET, 2, fit.size, t.sans) for line in lines]
    paras = [Para((Run(line),), gap_before=i > 0) for i, line in enumerate(lines)]
    elements.append(c.text(sub_box, paras, fit.size, "subtitle", fg))
    return Slide(kind=kind, key=key, title=title_el, elements=tuple(elements), notes=notes,
                 background=t.color("divider_bg"))


def list_slides(c: Canvas, kind: str, key: str, heading: str, items: Sequence[Para], footer: str,
                number: int) -> list[Slide]:
    """A heading and a list (agenda, references), continued on more slides if long."""
    size_h = c.theme.data["sizes"]["heading"]
    style = c.theme.style("body")
    box = Box(c.mx, c.top + c.line_h(size_h) + 12, c.content_w, 0)
    box = replace(box, h=c.content_bottom - box.y - 8)
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
        suffix = f"（续 {i + 1}/{len(groups)}）" if i else ""
        title = c.title_text(heading + suffix, size_h, Box(c.mx, c.top, c.content_w, c.line_h(size_h)))
        paras = tuple(replace(p, gap_before=j > 0) for j, p in enumerate(group))
        slides.append(Slide(kind=kind, key=f"{key}-{i}" if i else key, title=title,
                            elements=(c.text(box, paras, f.size, "body"), *c.footer(footer, number + i))))
    return slides


def agenda_items(c: Canvas, bank: Bank) -> list[Para]:
    primary = c.theme.color("primary")
    return [Para((Run(section_label(s), color=primary, link=f"section-{s.id}"),
                  Run(f"　{len(s.questions)} 题", color=c.theme.color("muted"))))
            for s in bank.sections]
