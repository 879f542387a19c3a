"""A4 portrait outputs: the printed handout and the interviewer's scorecard.

Q&As are measured by deck.layout and packed onto pages; a Q&A is split across
pages only when it alone is longer than a page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from deck import layout
from deck.diagram_shapes import diagram_group
from deck.layout import Paragraph, Style
from deck.model import Bank, Question, Section
from deck.plan import Box, DeckPlan, Element, Group, Para, Picture, Rect, Run, Slide, Text
from deck.profiles import MockOptions, draw, key_points, references
from deck.scene import Scene
from deck.slides import BLOCKS, INSET, Canvas, code_panel, section_label
from deck.theme import Theme

MM = 72 / 25.4
GAP = 10.0  # between Q&As


@dataclass(frozen=True)
class Piece:
    """Elements positioned relative to (x=left margin, y=0), and their height."""

    height: float
    elements: tuple[Element, ...]


def _shift(el: Element, dy: float) -> Element:
    if isinstance(el, Group):  # a native diagram: its shapes move with it
        return replace(el, box=replace(el.box, y=el.box.y + dy), children=tuple(_shift(c, dy) for c in el.children))
    return replace(el, box=replace(el.box, y=el.box.y + dy))


class A4:
    """Page geometry, text helpers and the packer for one A4 document."""

    def __init__(self, theme: Theme, footer: str) -> None:
        h = theme.data["handout"]
        self.theme, self.footer_text = theme, footer
        self.w, self.h = h["width_mm"] * MM, h["height_mm"] * MM
        self.m = h["margin_mm"] * MM
        self.sizes = h["sizes"]
        self.content_w = self.w - 2 * self.m
        self.top, self.bottom = self.m, self.h - self.m - 18
        self.canvas = Canvas(theme)  # text helpers shared with the slides
        self.text = self.canvas.text
        self.pages: list[list[Element]] = []
        self.page_titles: list[Text] = []
        self.y = self.bottom  # forces a new page on the first place()

    def size(self, role: str) -> float:
        value = self.sizes[role]
        return value if isinstance(value, int | float) else value[0]

    def style(self, role: str) -> Style:
        size = self.size(role)
        return replace(self.theme.style(role, self.sizes), max_size=size, min_size=size)

    def measure(self, paras: Sequence[Paragraph], size: float, width: float | None = None,
                bold: bool = False) -> float:
        width = (width or self.content_w) - 2 * INSET
        measure = self.theme.sans_bold if bold else self.theme.sans
        return layout.layout(paras, width, size, self.style_for(size), measure)[1] + 2 * INSET

    def style_for(self, size: float) -> Style:
        f = self.theme.fonts
        return Style(size, size, f["line_spacing"], f["paragraph_gap"])

    def new_page(self, title: str) -> None:
        size = self.size("label")
        self.pages.append([])
        self.page_titles.append(self.text(Box(self.m, self.m - 22, self.content_w, self.canvas.line_h(size)),
                                          [Para((Run(title),), align="r")], size, "title",
                                          self.theme.color("muted")))
        self.y = self.top

    def place(self, piece: Piece, title: str) -> None:
        if self.y + piece.height > self.bottom and self.y > self.top:
            self.new_page(title)
        self.pages[-1] += [_shift(e, self.y) for e in piece.elements]
        self.y += piece.height + GAP

    @property
    def page_height(self) -> float:
        return self.bottom - self.top

    def plan(self, profile: str, title: str, notes: Callable[[int], str] = lambda _i: "") -> DeckPlan:
        slides = []
        fsize = self.size("footer")
        muted = self.theme.color("muted")
        for i, (elements, title_el) in enumerate(zip(self.pages, self.page_titles, strict=True), 1):
            footer = [Rect(Box(self.m, self.h - self.m - 4, self.content_w, 0.6), self.theme.color("rule")),
                      self.text(Box(self.m, self.h - self.m, self.content_w / 2, 20),
                                [Para((Run(self.footer_text),))], fsize, "footer", muted),
                      self.text(Box(self.m + self.content_w / 2, self.h - self.m, self.content_w / 2, 20),
                                [Para((Run(f"{i} / {len(self.pages)}"),), align="r")], fsize, "footer", muted)]
            slides.append(Slide(kind="page", key=f"page-{i}", title=title_el,
                                elements=(*elements, *(footer if i > 1 else [])), notes=notes(i)))
        return DeckPlan(profile=profile, title=title, width=self.w, height=self.h, slides=tuple(slides))


def _blocks_every_question_has(bank: Bank) -> str:
    return "、".join(label for role, label, *_ in BLOCKS if all(getattr(q, role) for q in bank.questions))


def _qa_pieces(a4: A4, s: Section, number: int, q: Question) -> list[Piece]:
    """One Q&A as pieces; several only if it is longer than a page."""
    t = a4.theme
    qsize, bsize = a4.size("question"), a4.size("body")
    qpara = Paragraph(f"Q{number}  {q.question}")
    qh = a4.measure([qpara], qsize, bold=True)
    body: list[Paragraph] = []  # each block starts with its label, e.g. "标准答｜..."
    for role, label, *_ in BLOCKS:
        if not getattr(q, role):
            continue  # optional block (反问点, 坑位) the bank does not have
        ps = layout.paragraphs(getattr(q, role))
        if ps[0].bullet:
            body += [Paragraph(f"{label}｜"), *ps]
        else:
            body += [Paragraph(f"{label}｜{ps[0].text}"), *ps[1:]]
    chunks = layout.split(body, a4.content_w - 2 * INSET,
                          a4.page_height - qh - 60, a4.style("body"), t.sans)
    pieces = []
    for n, chunk in enumerate(chunks):
        suffix = "（续）" if n else ""
        head = a4.text(Box(a4.m, 0, a4.content_w, qh), [Para((
            Run(f"Q{number}  ", color=t.color("primary"), bold=True),
            Run(q.question + suffix, bold=True)),)], qsize, "question")
        paras = [_labelled(a4, p, i > 0) for i, p in enumerate(chunk)]
        bh = a4.measure(chunk, bsize)
        text = a4.text(Box(a4.m, qh - 4, a4.content_w, bh), paras, bsize, "answer")
        pieces.append(Piece(qh - 4 + bh, (Rect(Box(a4.m, 0, 3, qh - 4), t.color("primary")), head, text)))
    if q.code:
        pieces += _code_pieces(a4, q)
    return pieces


def _labelled(a4: A4, p: Paragraph, gap: bool) -> Para:
    """A paragraph starting '标准答｜' gets a bold label run in its block's colour."""
    for _role, label, color, _tint in BLOCKS:
        if p.text.startswith(label + "｜"):
            return Para((Run(label + "｜", color=a4.theme.color(color), bold=True),
                         Run(p.text[len(label) + 1:])), bullet=p.bullet, gap_before=gap)
    return Para((Run(p.text),), bullet=p.bullet, gap_before=gap)


def _code_pieces(a4: A4, q: Question) -> list[Piece]:
    assert q.code is not None
    style = a4.theme.style("code", a4.sizes)
    canvas = Canvas(a4.theme)
    lines = q.code.source.split("\n")
    pieces, start = [], 0
    while start < len(lines):
        rest = "\n".join(lines[start:])
        pitch = style.max_size * style.line_spacing
        height = min(a4.page_height * 0.9, (len(lines) - start) * pitch + 2 * INSET + 12)
        box = Box(a4.m + 12, 0, a4.content_w - 12, height)
        panel = code_panel(canvas, q.code.language, rest, box, start + 1, style=style) or \
            code_panel(canvas, q.code.language, rest, box, start + 1, force=True, style=style)
        assert panel is not None
        elements, used = panel
        pieces.append(Piece(height, tuple(elements)))
        start += max(used, 1)
    return pieces


def handout(bank: Bank, theme: Theme, diagram_sizes: dict[str, tuple[int, int]],
            scenes: Mapping[str, Scene] | None = None) -> DeckPlan:
    """scenes: flowcharts to draw as native shapes (the rest are pictures)."""
    a4 = A4(theme, bank.title)
    t = theme
    # Cover.
    a4.new_page(bank.title)
    title_box = Box(a4.m, a4.h * 0.16, a4.content_w, a4.h * 0.11)
    title, title_size = a4.canvas.fit_or_cut(bank.title, title_box,
                                             t.style("title", {"title": [a4.size("title"), 16]}), bold=True)
    sub_box = Box(a4.m, a4.h * 0.28, a4.content_w, a4.h * 0.09)
    subs = [x for x in (bank.subtitle, bank.author) if x]
    sub_fit = a4.canvas.fit([Paragraph(x) for x in subs], sub_box,
                            t.style("section", {"section": [a4.size("section") - 2, 9]}))
    subs = [layout.truncate(x, sub_box.w - 2 * INSET, 1, sub_fit.size, t.sans) for x in subs]
    a4.pages[-1] += [
        Rect(Box(0, 0, a4.w, a4.h * 0.38), t.color("divider_bg")),
        a4.text(title_box, [Para((Run(title),))], title_size, "cover", t.color("divider_text"), bold=True),
        a4.text(sub_box, [Para((Run(x),), gap_before=i > 0) for i, x in enumerate(subs)], sub_fit.size,
                "subtitle", t.color("divider_text")),
        a4.text(Box(a4.m, a4.h * 0.42, a4.content_w, 80),
                [Para((Run(f"{len(bank.sections)} 个专题 · {len(bank.questions)} 题 · "
                           f"每题含{_blocks_every_question_has(bank)}"),))],
                a4.size("body") + 2, "subtitle", t.color("muted"))]
    contents = _contents_layout(a4, bank)
    for _ in contents:
        a4.new_page("目录")  # filled in once page numbers are known
    starts: dict[str, int] = {}
    for s in bank.sections:
        label = section_label(s)
        a4.new_page(label)
        starts[s.id] = len(a4.pages)
        a4.place(_section_header(a4, s), label)
        for did in s.diagrams:  # the first shares the section band's page, so the band is never alone
            a4.place(_diagram_piece(a4, bank, did, diagram_sizes[did], (scenes or {}).get(did)), label)
            a4.y = a4.bottom  # otherwise a diagram has its page to itself
        for i, q in enumerate(s.questions, 1):
            for piece in _qa_pieces(a4, s, i, q):
                a4.place(piece, label)
    if bank.references:
        a4.new_page("参考文献")
        for piece in _references_pieces(a4, bank):
            a4.place(piece, "参考文献")
    for page, rows in enumerate(contents, start=1):
        a4.pages[page] += _contents(a4, rows, starts, first=page == 1)
    return a4.plan("handout", bank.title)


def _references_pieces(a4: A4, bank: Bank) -> list[Piece]:
    """参考文献 after the last section: a band like a section's, then one entry per
    reference with its URL as a link (clickable in the PDF)."""
    t = a4.theme
    size, bsize = a4.size("section"), a4.size("body")
    h = a4.canvas.line_h(size) + 8
    pieces = [Piece(h, (Rect(Box(a4.m, 0, a4.content_w, h - 4), t.color("divider_bg")),
                        a4.text(Box(a4.m + 8, 2, a4.content_w - 16, h - 8), [Para((Run("参考文献"),))], size,
                                "section", t.color("divider_text"), bold=True, anchor="ctr")))]
    for para in references(bank, t.color("primary")):
        eh = a4.measure([Paragraph(para.text, para.bullet)], bsize)
        pieces.append(Piece(eh - GAP / 2, (a4.text(Box(a4.m, 0, a4.content_w, eh), [para], bsize, "reference"),)))
    return pieces


def _section_header(a4: A4, s: Section) -> Piece:
    t = a4.theme
    size = a4.size("section")
    h = a4.canvas.line_h(size) + 8
    box = Box(a4.m + 8, 2, a4.content_w - 16, h - 8)
    count = f"　{len(s.questions)} 题"
    label, fitted = a4.canvas.fit_or_cut(section_label(s) + count, box,
                                         t.style("section", {"section": [size, size - 4]}), bold=True)
    runs = (Run(label[:-len(count)]), Run(count, color=t.color("divider_accent"))) if label.endswith(count) \
        else (Run(label),)
    return Piece(h, (Rect(Box(a4.m, 0, a4.content_w, h - 4), t.color("divider_bg")),
                     a4.text(box, [Para(runs)], fitted, "section", t.color("divider_text"), bold=True, anchor="ctr")))


def _diagram_piece(a4: A4, bank: Bank, did: str, px: tuple[int, int], scene: Scene | None = None) -> Piece:
    d = bank.diagrams[did]
    size = a4.size("section")
    title_box = Box(a4.m, 0, a4.content_w, a4.canvas.line_h(size))
    text, fitted = a4.canvas.fit_or_cut(d.title, title_box, a4.theme.style("section", {"section": [size, 10]}), True)
    title = a4.text(title_box, [Para((Run(text),))], fitted,
                    "diagram-title", bold=True)
    avail_h = a4.page_height * 0.7
    ratio = px[0] / px[1]
    w = min(a4.content_w, avail_h * ratio)
    h = w / ratio
    top = title.box.bottom + 8
    pic: Element = Picture(Box(a4.m + (a4.content_w - w) / 2, top, w, h), did, d.caption or d.title)
    if scene is not None:
        pic = diagram_group(scene, pic.box, a4.theme, name=f"Diagram {did}", alt=d.caption or d.title,
                            medium="handout")
    notes = [Paragraph(d.caption)] + [Paragraph(x) for x in d.notes.split("\n") if x.strip()]
    bsize = a4.size("body")
    nh = a4.measure(notes, bsize)
    text = a4.text(Box(a4.m, top + h + 8, a4.content_w, nh),
                   [Para((Run(p.text),), gap_before=i > 0) for i, p in enumerate(notes)], bsize, "caption")
    return Piece(top + h + 8 + nh, (title, pic, text))


CONTENTS_HEAD = 56.0  # the 目录 heading above the first page's rows


def _contents_row(a4: A4, s: Section) -> tuple[Para, float]:
    label = Para((Run(section_label(s)), Run(f"　{len(s.questions)} 题", color=a4.theme.color("muted"))),)
    return label, a4.measure([Paragraph(label.text)], a4.size("question") + 1, a4.content_w - 60)


def _contents_layout(a4: A4, bank: Bank) -> list[list[Section]]:
    """Sections per contents page (a long bank needs more than one)."""
    gap = (a4.size("question") + 1) * 0.6
    pages: list[list[Section]] = [[]]
    y = a4.top + CONTENTS_HEAD
    for s in bank.sections:
        h = _contents_row(a4, s)[1]
        if pages[-1] and y + h > a4.bottom:
            pages.append([])
            y = a4.top
        pages[-1].append(s)
        y += h + gap
    return pages


def _contents(a4: A4, sections: list[Section], starts: dict[str, int], first: bool) -> list[Element]:
    t = a4.theme
    size = a4.size("question") + 1
    out: list[Element] = []
    y = a4.top
    if first:
        out.append(a4.text(Box(a4.m, a4.top, a4.content_w, 40), [Para((Run("目录"),))], a4.size("title") - 6,
                           "contents", bold=True))
        y += CONTENTS_HEAD
    for s in sections:
        label, h = _contents_row(a4, s)
        out += [a4.text(Box(a4.m, y, a4.content_w - 60, h), [label], size, "contents"),
                a4.text(Box(a4.m + a4.content_w - 60, y, 60, h), [Para((Run(str(starts[s.id])),), align="r")],
                        size, "contents", t.color("primary"))]
        y += h + size * 0.6
    return out


def scorecard(bank: Bank, theme: Theme, opts: MockOptions) -> DeckPlan:
    """A4 sheet: the drawn questions in order, key points, pitfall and a 1-5 score box."""
    drawn = draw(bank, opts)
    a4 = A4(theme, f"{bank.title} · 模拟面试评分表")
    t = theme
    title = "模拟面试评分表"
    a4.new_page(title)
    seed = f"随机种子 {opts.seed}" if opts.shuffle else "按题库顺序"
    head_size = a4.size("title") - 8
    a4.place(Piece(70, (a4.text(Box(a4.m, 0, a4.content_w, 34), [Para((Run(title),))], head_size, "cover", bold=True),
                        a4.text(Box(a4.m, 34, a4.content_w, 34), [Para((
                            Run(f"{len(drawn)} 题 · {seed} · 候选人：＿＿＿＿　日期：＿＿＿＿　面试官：＿＿＿＿"),))],
                            a4.size("body"), "subtitle", t.color("muted")))), title)
    box_w = 96.0  # the 1-5 score box the interviewer circles in
    text_w = a4.content_w - box_w - 8
    size = a4.size("body")
    for i, (s, q) in enumerate(drawn, 1):
        pitfall = [Paragraph("坑位：" + q.pitfall)] if q.pitfall else []
        paras = [Paragraph(f"{i}. {q.question}"), Paragraph("要点：" + "；".join(key_points(q))),
                 *pitfall, Paragraph("记录：")]
        h = max(a4.measure(paras, size, text_w, bold=True) + 14, 70)  # bold-safe for the heading
        styled = [Para((Run(f"{i}. ", color=t.color("primary"), bold=True), Run(q.question, bold=True),
                        Run(f"　{section_label(s)}", color=t.color("muted"), size=size - 1))),
                  Para((Run("要点：", color=t.color("secondary"), bold=True), Run("；".join(key_points(q)))),
                       gap_before=True),
                  *([Para((Run("坑位：", color=t.color("warning"), bold=True), Run(q.pitfall)), gap_before=True)]
                    if q.pitfall else []),
                  Para((Run("记录：", color=t.color("muted"), bold=True),), gap_before=True)]
        elements: list[Element] = [Rect(Box(a4.m, h - 2, a4.content_w, 0.6), t.color("rule")),
                                   a4.text(Box(a4.m, 0, text_w, h), styled, size, "score-row")]
        score = Box(a4.m + text_w + 8, 4, box_w, 26)
        elements += [Rect(score, t.color("background"), t.color("muted")),
                     a4.text(score, [Para((Run("1 2 3 4 5"),), align="ctr")], size + 1, "score",
                             t.color("muted"), anchor="ctr")]
        a4.place(Piece(h + 4, tuple(elements)), title)
    return a4.plan("scorecard", f"{bank.title} · 模拟面试评分表")
