"""A4 portrait outputs: the printed handout and the interviewer's scorecard.

Q&As are measured by deck.text.layout and packed onto pages; a Q&A is split across
pages only when it alone is longer than a page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from deck.content.model import Bank, Question, Section
from deck.content.rich import flat, plain
from deck.diagrams.scene import Scene
from deck.diagrams.shapes import diagram_group, label_fit
from deck.plan import Box, DeckPlan, Element, Group, Para, Picture, Rect, Run, Slide, Table, Text
from deck.planning import flow
from deck.planning.compose import Page
from deck.planning.digest import listen_for
from deck.planning.references import references
from deck.planning.richtext import Item, joined, one_line, paragraphs, styled
from deck.planning.richtext import flow as flow_items
from deck.planning.selection import MockOptions, draw
from deck.text.layout import Paragraph
from deck.text.paginate import paginate
from deck.theme.settings import Theme
from deck.theme.typed_yaml import Range


@dataclass(frozen=True)
class Piece:
    """Elements positioned relative to (x=left margin, y=0), and their height."""

    height: float
    elements: tuple[Element, ...]


def _shift(el: Element, dy: float) -> Element:
    if isinstance(el, Group):  # a native diagram: its shapes move with it
        return replace(el, box=replace(el.box, y=el.box.y + dy), children=tuple(_shift(c, dy) for c in el.children))
    if isinstance(el, Table):  # and a table's cells with it
        cells = tuple(tuple(replace(c, box=replace(c.box, y=c.box.y + dy)) for c in row) for row in el.cells)
        return replace(el, box=replace(el.box, y=el.box.y + dy), cells=cells)
    return replace(el, box=replace(el.box, y=el.box.y + dy))


class A4:
    """The flow of one A4 document: pieces packed onto pages (deck.compose.Page.a4)."""

    def __init__(self, theme: Theme, bank: Bank, footer: str) -> None:
        h = theme.handout
        self.theme, self.footer_text = theme, footer
        self.lay, self.sizes = h.layout, h.sizes
        self.language = bank.language
        self.page = Page.a4(theme, theme.labels(bank.language), bank.root)
        self.w, self.h, self.m = self.page.w, self.page.h, self.page.left
        self.content_w = self.page.content_w
        self.top, self.bottom = self.page.top, self.page.content_bottom
        self.labels = self.page.labels
        self.inset = self.page.inset
        self.text = self.page.text
        self.line = self.page.line
        self.pages: list[list[Element]] = []
        self.page_titles: list[Text] = []
        self._title = ""  # the running title of the pages new_page() opened
        self._pending: list[Piece] = []  # placed, not yet paginated
        self._open = False  # whether the last page takes the pending pieces

    def measure(self, paras: Sequence[Paragraph], size: float, width: float | None = None,
                bold: bool = False) -> float:
        return self.page.height_of(paras, width or self.content_w, size, bold=bold)

    def new_page(self, title: str) -> None:
        """A page of its own; the pieces placed next run on from it under the same title."""
        self._flush()
        self._add_page(title)
        self._title, self._open = title, True

    def place(self, piece: Piece) -> None:
        self._pending.append(piece)

    def break_page(self) -> None:
        """The next piece starts a page (a diagram keeps its page to itself)."""
        self._flush()
        self._open = False

    def _add_page(self, title: str) -> None:
        size = self.sizes.label
        self.pages.append([])
        box = Box(self.m, self.m - self.lay.page_title_above, self.content_w, self.page.line_h(size))
        self.page_titles.append(self.line(title, box, Range(size, size), "title", self.theme.palette.muted,
                                          align="r"))

    def _flush(self) -> None:
        """The pending pieces packed top-down with the layout's gap, on as few pages as hold them."""
        gap = self.lay.gap

        def fits(pieces: Sequence[Piece], _i: int) -> bool:
            y = self.top
            for p in pieces[:-1]:
                y += p.height + gap
            return y + pieces[-1].height <= self.bottom

        for n, page in enumerate(paginate(self._pending, fits)):
            if n or not self._open:
                self._add_page(self._title)
            y = self.top
            for piece in page:
                self.pages[-1] += [_shift(e, y) for e in piece.elements]
                y += piece.height + gap
            self._open = True
        self._pending = []

    @property
    def page_height(self) -> float:
        return self.bottom - self.top

    def plan(self, profile: str, title: str) -> DeckPlan:
        self._flush()
        slides = []
        fsize, lay = self.sizes.footer, self.lay
        muted = self.theme.palette.muted
        half, y = self.content_w / 2, self.page.foot
        for i, (elements, title_el) in enumerate(zip(self.pages, self.page_titles, strict=True), 1):
            number = self.labels.page.format(i=i, n=len(self.pages))
            footer_h = self.page.line_h(fsize)
            footer = [Rect(Box(self.m, y - lay.rule_above, self.content_w, lay.rule), self.theme.palette.rule),
                      self.line(self.footer_text, Box(self.m, y, half, footer_h), Range(fsize, fsize), "footer",
                                muted),
                      self.text(Box(self.m + half, y, half, footer_h),
                                [Para((Run(number),), align="r")], fsize, "footer", muted)]
            slides.append(Slide(kind="page", key=f"page-{i}", title=title_el,
                                elements=(*elements, *(footer if i > 1 else []))))
        return self.page.plan(profile, title, tuple(slides), self.language)


def _qa_pieces(a4: A4, number: int, q: Question) -> list[Piece]:
    """One Q&A as pieces; several only if it is longer than a page."""
    t, lay, lab = a4.theme, a4.lay, a4.labels
    qsize, bsize = a4.sizes.question.max, a4.sizes.body.max
    qnum = lab.qa_number.format(n=number) + "  "
    question = flat(q.question)
    def height(shown: str) -> float:
        return a4.measure([Paragraph(qnum + shown)], qsize, bold=True)

    # A question too tall for a heading (a pasted essay) is cut there and starts the body whole,
    # so every part keeps room for its answer and nothing is lost.
    cap = a4.page_height * lay.qa_heading_share
    whole = max(height(question), height(question + lab.mark(99, 99))) <= cap  # a continued part has a mark

    def heading(suffix: str) -> tuple[str, float]:
        shown = question
        if not whole:
            cut, _ = a4.page.fit_or_cut(qnum + shown, Box(a4.m, 0, a4.content_w, cap), t.style(qsize), bold=True)
            shown = cut[len(qnum):]
        return shown + suffix, height(shown + suffix)

    tallest = max(heading("")[1], heading(lab.mark(99, 99))[1])
    body: list[Item] = [] if whole else [Paragraph(question)]  # each block starts with its label: "标准答｜..."
    for block in t.blocks(lab):
        if not getattr(q, block.role):
            continue  # an optional block (反问点, 坑位) this question does not have
        ps = flow_items(getattr(q, block.role), t, a4.page.root)
        head = block.label + lab.handout_sep
        first = ps[0]
        if not isinstance(first, Paragraph) or first.bullet or first.level or not first.gap or first.measure is t.mono:
            body += [Paragraph(head), *ps]  # a list, code, a table or a picture: the label alone
        else:
            body += [replace(first, text=head + first.text, runs=(Run(head), *first.runs) if first.runs else ()),
                     *ps[1:]]
    room, style = a4.page_height - tallest - lay.qa_reserve, t.style(bsize)
    native = flow.native(body)
    chunks = a4.page.split_flow(body, a4.content_w, room + 2 * a4.inset, style) if native \
        else a4.page.split(body, a4.content_w, room + 2 * a4.inset, style)  # type: ignore[arg-type]
    pieces = []
    for n, chunk in enumerate(chunks):
        shown, qh = heading(lab.mark(n + 1, len(chunks)) if n else "")
        head = a4.text(Box(a4.m, 0, a4.content_w, qh), [Para((
            Run(qnum, color=t.palette.primary, bold=True),
            Run(shown, bold=True)),)], qsize, "question")
        top = qh - lay.qa_overlap
        if native:
            bh = flow.height(a4.page, chunk, a4.content_w, bsize, style, a4.page.picture_h)
            body_els = flow.place(a4.page, chunk, Box(a4.m, top, a4.content_w, bh), bsize, style, "answer",
                                  a4.page.picture_h, lambda seg: [_labelled(a4, p, i > 0) for i, p in enumerate(seg)])
        else:
            bh = a4.measure(chunk, bsize)  # type: ignore[arg-type]
            paras = [_labelled(a4, p, i > 0) for i, p in enumerate(chunk)]  # type: ignore[arg-type]
            body_els = [a4.text(Box(a4.m, top, a4.content_w, bh), paras, bsize, "answer")]
        pieces.append(Piece(top + bh, (Rect(Box(a4.m, 0, lay.qa_bar, top), t.palette.primary), head, *body_els)))
    if q.code:
        pieces += _code_pieces(a4, q)
    return pieces


def _labelled(a4: A4, p: Paragraph, gap: bool) -> Para:
    """A paragraph starting with a block's label ('标准答｜') gets it as a bold run in its colour."""
    for block in a4.theme.blocks(a4.labels):
        head = block.label + a4.labels.handout_sep
        if not p.bullet and p.text.startswith(head):
            rest = p.cut(len(head), len(p.text))
            return Para((Run(head, color=block.accent, bold=True), *(rest.runs or (Run(rest.text),))),
                        gap_before=gap)
    return Para(p.runs or (Run(p.text),), bullet=p.bullet, gap_before=gap and p.gap, level=p.level,
                number=p.number)


def _code_pieces(a4: A4, q: Question) -> list[Piece]:
    """The code of a Q&A as panels, each as tall as its rows, on as many pages as it needs."""
    assert q.code is not None
    lay = a4.lay
    box = Box(a4.m + lay.code_indent, 0, a4.content_w - lay.code_indent, a4.page_height * lay.code_page_share)
    panels = a4.page.code_pages(q.code.language, q.code.source, box, sizes=a4.sizes.code, shrink=lay.code_pad)
    return [Piece(panel[0].box.h, tuple(panel)) for panel in panels]


def handout(bank: Bank, theme: Theme, diagram_sizes: dict[str, tuple[int, int]],
            scenes: Mapping[str, Scene] | None = None) -> DeckPlan:
    """Cover, contents (page numbers filled in last), then per section its band, its
    diagrams and its Q&As packed onto pages, and the references. scenes: flowcharts to
    draw as native shapes (the rest are pictures)."""
    a4 = A4(theme, bank, bank.title)
    a4.new_page(bank.title)
    a4.pages[-1] += _cover(a4, bank)
    contents = _contents_layout(a4, bank)
    for _ in contents:
        a4.new_page(a4.labels.agenda)
    overview = bank.overview_diagram
    if overview and not any(overview in s.diagrams for s in bank.sections):  # else its section shows it
        heading = bank.diagrams[overview].title
        a4.new_page(heading)
        a4.place(_diagram_piece(a4, bank, overview, diagram_sizes[overview], (scenes or {}).get(overview)))
    starts: dict[str, int] = {}
    for s in bank.sections:
        label = a4.page.section_label(s)
        a4.new_page(label)
        starts[s.id] = len(a4.pages)
        a4.place(_section_header(a4, s))
        for piece in _intro_pieces(a4, s):
            a4.place(piece)
        for did in s.diagrams:  # the first shares the section band's page, so the band is never alone
            a4.place(_diagram_piece(a4, bank, did, diagram_sizes[did], (scenes or {}).get(did)))
            a4.break_page()
        for i, q in enumerate(s.questions, 1):
            for piece in _qa_pieces(a4, i, q):
                a4.place(piece)
    if bank.references:
        heading = a4.labels.references
        a4.new_page(heading)
        for piece in _references_pieces(a4, bank):
            a4.place(piece)
    for page, rows in enumerate(contents, start=1):
        a4.pages[page] += _contents(a4, rows, starts, first=page == 1)
    return a4.plan("handout", bank.title)


def _cover(a4: A4, bank: Bank) -> list[Element]:
    """The dark band with the title and subtitles, and the counts below it."""
    t, lay, lab, sizes = a4.theme, a4.lay, a4.labels, a4.sizes
    title_box = Box(a4.m, a4.h * lay.cover_title_y, a4.content_w, a4.h * lay.cover_title_h)
    sub_box = Box(a4.m, a4.h * lay.cover_sub_y, a4.content_w, a4.h * lay.cover_sub_h)
    subs = [x for x in (bank.subtitle, bank.author) if x]
    sub_fit = a4.page.fit([Paragraph(x) for x in subs], sub_box,
                          t.style(Range(sizes.section - lay.cover_sub_shrink, lay.cover_sub_min)))
    subs = [a4.page.truncate(x, sub_box.w, 1, sub_fit.size) for x in subs]
    every = [b.label for b in t.blocks(lab) if all(getattr(q, b.role) for q in bank.questions)]
    cover_note = lab.handout_cover.format(sections=lab.sections(len(bank.sections)),
                                          questions=lab.questions(len(bank.questions)),
                                          blocks=lab.block_list.join(every))
    return [Rect(Box(0, 0, a4.w, a4.h * lay.cover_band), t.palette.divider_bg),
            a4.line(bank.title, title_box, Range(sizes.title, lay.cover_title_min), "cover", t.palette.divider_text,
                    bold=True),
            a4.text(sub_box, [Para((Run(x),), gap_before=i > 0) for i, x in enumerate(subs)], sub_fit.size,
                    "subtitle", t.palette.divider_text),
            a4.text(Box(a4.m, a4.h * lay.cover_note_y, a4.content_w, lay.cover_note_h), [Para((Run(cover_note),))],
                    sizes.body.max + lay.cover_note_grow, "subtitle", t.palette.muted)]


def _section_header(a4: A4, s: Section) -> Piece:
    lab = a4.labels
    return _band(a4, a4.page.section_label(s), lab.count_gap + lab.questions(len(s.questions)))


def _intro_pieces(a4: A4, s: Section) -> list[Piece]:
    """The section's intro prose under its band, split where a page ends."""
    if not s.intro.strip():
        return []
    t, bsize = a4.theme, a4.sizes.body.max
    chunks = a4.page.split(paragraphs(s.intro, t), a4.content_w, a4.page_height - a4.lay.qa_reserve + 2 * a4.inset,
                           t.style(bsize))
    pieces = []
    for chunk in chunks:
        h = a4.measure(chunk, bsize)
        paras = [_labelled(a4, p, i > 0) for i, p in enumerate(chunk)]
        pieces.append(Piece(h, (a4.text(Box(a4.m, 0, a4.content_w, h), paras, bsize, "intro"),)))
    return pieces


def _band(a4: A4, title: str, count: str = "") -> Piece:
    """A dark band across the page with a heading (and a count in the accent colour)."""
    t, lay = a4.theme, a4.lay
    size = a4.sizes.section
    h = a4.page.line_h(size) + lay.band_pad
    box = Box(a4.m + lay.band_pad, lay.band_text_y, a4.content_w - 2 * lay.band_pad, h - lay.band_pad)
    label, fitted = a4.page.fit_or_cut(title + count, box, t.style(Range(size, size - lay.band_shrink)), bold=True)
    runs = (Run(label[:-len(count)]), Run(count, color=t.palette.divider_accent)) if count and label.endswith(count) \
        else (Run(label),)
    return Piece(h, (Rect(Box(a4.m, 0, a4.content_w, h - lay.band_gap), t.palette.divider_bg),
                     a4.text(box, [Para(runs)], fitted, "section", t.palette.divider_text, bold=True, anchor="ctr")))


def _references_pieces(a4: A4, bank: Bank) -> list[Piece]:
    """The references after the last section: a band like a section's, then one entry per
    reference with its URL as a link (clickable in the PDF)."""
    size = a4.sizes.body.max
    pieces = [_band(a4, a4.labels.references)]
    for para in references(bank, a4.labels, a4.theme):
        h = a4.measure([styled(para.runs, a4.theme, bullet=para.bullet)], size)
        pieces.append(Piece(h - a4.lay.gap / 2, (a4.text(Box(a4.m, 0, a4.content_w, h), [para], size, "reference"),)))
    return pieces


def _diagram_piece(a4: A4, bank: Bank, did: str, px: tuple[int, int], scene: Scene | None = None) -> Piece:
    d, lay = bank.diagrams[did], a4.lay
    size = a4.sizes.section
    title_box = Box(a4.m, 0, a4.content_w, a4.page.line_h(size))
    text, fitted = a4.page.fit_or_cut(d.title, title_box, a4.theme.style(Range(size, lay.diagram_title_min)), True)
    title = a4.text(title_box, [Para((Run(text),))], fitted,
                    "diagram-title", bold=True)
    avail_h = a4.page_height * lay.diagram_share
    ratio = px[0] / px[1]
    w = min(a4.content_w, avail_h * ratio)
    h = w / ratio
    top = title.box.bottom + lay.diagram_gap
    box, alt = Box(a4.m + (a4.content_w - w) / 2, top, w, h), plain(d.caption) or d.title
    native = scene is not None and label_fit(scene, box, a4.theme, "handout").fits  # never overflowing text
    pic: Element = (diagram_group(scene, box, a4.theme, name=f"Diagram {did}", alt=alt, medium="handout")
                    if native and scene is not None else Picture(box, did, alt))
    notes = [*paragraphs(d.caption, a4.theme), *paragraphs(d.notes, a4.theme)]
    bsize = a4.sizes.body.max
    nh = a4.measure(notes, bsize)
    text_y = top + h + lay.diagram_gap
    text = a4.text(Box(a4.m, text_y, a4.content_w, nh),
                   notes, bsize, "caption")
    return Piece(text_y + nh, (title, pic, text))


def _contents_size(a4: A4) -> float:
    return a4.sizes.question.max + a4.lay.contents_grow


def _contents_row(a4: A4, s: Section) -> tuple[Para, float]:
    lab = a4.labels
    label = Para((Run(a4.page.section_label(s)),
                  Run(lab.count_gap + lab.questions(len(s.questions)), color=a4.theme.palette.muted)),)
    return label, a4.measure([Paragraph(label.text)], _contents_size(a4), a4.content_w - a4.lay.contents_number_w)


def _contents_layout(a4: A4, bank: Bank) -> list[list[Section]]:
    """Sections per contents page (a long bank needs more than one)."""
    gap = _contents_size(a4) * a4.lay.contents_gap

    def fits(rows: Sequence[Section], page: int) -> bool:
        top = a4.top + (a4.lay.contents_head if page == 0 else 0)
        return top + sum(_contents_row(a4, s)[1] for s in rows) + gap * (len(rows) - 1) <= a4.bottom

    return paginate(bank.sections, fits)


def _contents(a4: A4, sections: list[Section], starts: dict[str, int], first: bool) -> list[Element]:
    t, lay = a4.theme, a4.lay
    size = _contents_size(a4)
    num_w = lay.contents_number_w
    out: list[Element] = []
    y = a4.top
    if first:
        head = a4.sizes.title - lay.contents_title_shrink
        out.append(a4.text(Box(a4.m, a4.top, a4.content_w, a4.page.line_h(head)), [Para((Run(a4.labels.agenda),))],
                           head, "contents", bold=True))
        y += lay.contents_head
    for s in sections:
        label, h = _contents_row(a4, s)
        target = f"page-{starts[s.id]}"  # a row jumps to its section's first page (in the PDF too)
        label = replace(label, runs=(replace(label.runs[0], link=target), *label.runs[1:]))
        number = Run(str(starts[s.id]), link=target)
        out += [a4.text(Box(a4.m, y, a4.content_w - num_w, h), [label], size, "contents"),
                a4.text(Box(a4.m + a4.content_w - num_w, y, num_w, h), [Para((number,), align="r")],
                        size, "contents", t.palette.primary)]
        y += h + size * lay.contents_gap
    return out


def scorecard(bank: Bank, theme: Theme, opts: MockOptions) -> DeckPlan:
    """A4 sheet: the drawn questions in order, key points, pitfall and a 1-5 score box."""
    drawn = draw(bank, opts)
    lab = theme.labels(bank.language)
    footer = lab.scorecard_footer.format(title=bank.title)
    a4 = A4(theme, bank, footer)
    a4.new_page(lab.scorecard)
    seed = lab.scorecard_seed.format(seed=opts.seed) if opts.shuffle else lab.mock_order
    a4.place(_score_head(a4, lab.dot.join((lab.questions(len(drawn)), seed, lab.scorecard_fields))))
    for i, (s, q) in enumerate(drawn, 1):
        a4.place(_score_row(a4, i, s, q))
    return a4.plan("scorecard", footer)


def _score_head(a4: A4, line: str) -> Piece:
    lay = a4.lay
    head_size = a4.sizes.title - lay.score_head_shrink
    head_h, line_h = a4.page.line_h(head_size), a4.page.line_h(a4.sizes.body.max)
    return Piece(head_h + line_h + lay.score_head_gap, (
        a4.text(Box(a4.m, 0, a4.content_w, head_h), [Para((Run(a4.labels.scorecard),))], head_size, "cover",
                bold=True),
        a4.line(line, Box(a4.m, head_h, a4.content_w, line_h), a4.sizes.body, "subtitle", a4.theme.palette.muted)))


def _score_row(a4: A4, i: int, s: Section, q: Question) -> Piece:
    """The question, what to listen for, the pitfall, room for notes and the 1-5 box."""
    lay, lab, p = a4.lay, a4.labels, a4.theme.palette
    box_w = lay.score_box_w
    text_w = a4.content_w - box_w - lay.score_gap
    size = a4.sizes.body.max
    points_label, pitfall_label, record_label = (x + lab.colon for x in (lab.key_points, lab.pitfall, lab.record))
    room = a4.page_height - lay.score_pad - lay.score_row_gap
    question = one_line(q.question, a4.theme, bold=True)
    points = joined([joined([para.runs for para in point], Run(" ")) for point in listen_for(q, a4.theme)],
                    Run(lab.list_sep))
    pitfall = one_line(q.pitfall, a4.theme)
    number, section = lab.score_number.format(n=i), lab.count_gap + a4.page.section_label(s)

    def height(question: tuple[Run, ...], points: tuple[Run, ...], pitfall: tuple[Run, ...]) -> float:
        rows = [(Run(number), *question, Run(section)), (Run(points_label), *points),
                *([(Run(pitfall_label), *pitfall)] if pitfall else []), (Run(record_label),)]
        bold = a4.measure([Paragraph("".join(r.text for r in row)) for row in rows], size, text_w, bold=True)
        return max(bold, a4.measure([styled(row, a4.theme) for row in rows], size, text_w))  # code faces too

    cut = lay.score_cut_lines  # lines for key points and pitfall when a row would outgrow a page
    h = height(question, points, pitfall)
    whole = points, pitfall
    while h > room and cut > 1:  # cut as plain text: the row must fit its page
        points, pitfall = ((Run(a4.page.truncate("".join(r.text for r in x), text_w, cut, size, bold=True)),)
                           if x else () for x in whole)
        h = height(question, points, pitfall)
        cut -= 1
    h = max(h + lay.score_pad, lay.score_row_min)
    styled_rows = [Para((Run(number, color=p.primary, bold=True), *question,
                         Run(section, color=p.muted, size=size - lay.score_section_shrink))),
                   Para((Run(points_label, color=p.secondary, bold=True), *points), gap_before=True),
                   *([Para((Run(pitfall_label, color=p.warning, bold=True), *pitfall), gap_before=True)]
                     if pitfall else []),
                   Para((Run(record_label, color=p.muted, bold=True),), gap_before=True)]
    score = Box(a4.m + text_w + lay.score_gap, lay.score_box_y, box_w, lay.score_box_h)
    return Piece(h + lay.score_row_gap, (
        Rect(Box(a4.m, h - lay.score_rule_above, a4.content_w, lay.rule), p.rule),
        a4.text(Box(a4.m, 0, text_w, h), styled_rows, size, "score-row"),
        Rect(score, p.background, p.muted),
        a4.text(score, [Para((Run(lab.score_scale),), align="ctr")], size + lay.score_grow, "score", p.muted,
                anchor="ctr")))
