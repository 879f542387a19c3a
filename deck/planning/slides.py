"""The 16:9 slides: which frames go where on each kind of slide (deck.planning.compose measures
and places them). Each builder returns plan data (deck.plan); nothing here knows PPTX.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from deck.content.model import Bank, Diagram, Question
from deck.content.rich import flat, plain
from deck.diagrams.scene import Scene
from deck.diagrams.shapes import diagram_group, label_fit
from deck.plan import Box, Effect, Element, Para, Rect, RoleBoxes, Run, Slide, Text
from deck.planning.compose import Block, Page
from deck.planning.notes import field
from deck.planning.richtext import flow, paragraphs, styled
from deck.text.layout import Paragraph
from deck.text.paginate import paginate
from deck.theme.settings import PT_PER_IN
from deck.theme.typed_yaml import Range


def area(c: Page, top: float) -> Box:
    """The content area below a title whose box ends at top."""
    lay = c.theme.layout
    y = top + lay.title_gap
    return Box(c.left, y, c.content_w, c.content_bottom - y - lay.area_bottom)


def footer(c: Page, left: str, number: int) -> tuple[Element, ...]:
    lay, t = c.theme.layout, c.theme
    size, muted = t.sizes.footer, t.palette.muted
    y = c.content_bottom + lay.footer_offset
    half = c.content_w / 2
    height = c.foot - c.content_bottom
    return (Rect(Box(c.left, c.content_bottom, c.content_w, lay.rule), t.palette.rule),
            c.line(left, Box(c.left, y, half, height), Range(size, size - lay.footer_shrink), "footer", muted),
            c.text(Box(c.left + half, y, half, height), [Para((Run(str(number)),), align="r")], size, "footer",
                   muted))


def title_text(c: Page, text: str, size: float, box: Box, color: str | None = None) -> Text:
    return c.text(box, [Para((Run(text),))], size, "title", color, bold=True)


def restated(c: Page, question: str, suffix: str = "") -> tuple[Text, float]:
    """The question small at the top of a reveal/code slide; returns (title, its bottom)."""
    lay, style = c.theme.layout, c.theme.style(c.theme.sizes.question_small)
    size = c.largest(style, lambda s: len(c.lines(question + suffix, c.content_w, s, bold=True)) <= lay.restate_lines)
    suffix_w = c.theme.sans_bold(suffix, size)  # titles are set bold
    text = c.truncate(question, c.content_w - suffix_w, lay.restate_cut_lines, size, bold=True) + suffix
    box = Box(c.left, c.top, c.content_w, c.height_of([Paragraph(text)], c.content_w, size, style, bold=True))
    return title_text(c, text, size, box, c.theme.palette.text), box.bottom


def headline_fits(c: Page, question: str) -> bool:
    """Whether the whole question fits atop a click-reveal slide without being cut."""
    lay, style = c.theme.layout, c.theme.style(c.theme.sizes.question_click)
    return len(c.lines(question, c.content_w, style.min_size, bold=True)) <= 2 * lay.click_lines


def headline(c: Page, question: str, y: float) -> tuple[Text, float]:
    """The whole question atop a click-reveal slide: it is the question's own slide, so
    larger than a restated one (restate_lines lines at the largest size that allows it,
    more at the minimum; cut only past twice that)."""
    lay, style = c.theme.layout, c.theme.style(c.theme.sizes.question_click)
    size = c.largest(style, lambda s: len(c.lines(question, c.content_w, s, bold=True)) <= lay.click_lines)
    text = c.truncate(question, c.content_w, 2 * lay.click_lines, size, bold=True)
    box = Box(c.left, y, c.content_w, c.height_of([Paragraph(text)], c.content_w, size, style, bold=True))
    return title_text(c, text, size, box, c.theme.palette.text), box.bottom


def marker(c: Page, text: str, y: float) -> Text:
    t = c.theme
    size, indent = t.sizes.marker, t.layout.marker_indent
    box = Box(c.left + indent, y, c.content_w - indent, c.line_h(size))
    return c.line(text, box, Range(size, size - t.layout.marker_shrink), "marker", t.palette.muted)


def question_slides(c: Page, q: Question, key: str, marker_text: str, notes: tuple[Para, ...],
                    footer_text: str, number: int) -> list[Slide]:
    """The question alone and large; continues on more slides only if it is huge."""
    lay = c.theme.layout
    y0 = c.top + lay.question_top
    box = Box(c.left, y0, c.content_w, c.content_bottom - y0 - lay.question_bottom)
    style = c.theme.style(c.theme.sizes.question)
    paras = paragraphs(q.question, c.theme)
    fit = c.fit(paras, box, style)
    chunks = [paras] if fit.fits else c.split(paras, box.w, box.h, style)
    slides = []
    for i, chunk in enumerate(chunks):
        f = c.fit(chunk, box, style)
        title = c.text(box, chunk, f.size, "question", anchor="ctr" if fit.fits else "t")
        suffix = c.labels.mark(i + 1, len(chunks))
        slides.append(Slide(kind="question", key=f"{key}-{i}" if i else key, title=title,
                            elements=(*marked(c, marker_text + suffix), *footer(c, footer_text, number + i)),
                            notes=notes, question_id=q.id))
    return slides


def marked(c: Page, text: str) -> tuple[Element, ...]:
    """The accent bar and the section/number marker atop a question's own slide."""
    lay = c.theme.layout
    accent = Rect(Box(c.left, c.top + lay.accent_y, lay.accent_w, lay.accent_h), c.theme.palette.primary)
    return accent, marker(c, text, c.top)


def reveal_slides(c: Page, q: Question, key: str, notes: tuple[Para, ...], footer_text: str, number: int,
                  click_marker: str | None = None) -> list[Slide]:
    """Answer / ask-back / pitfall blocks (those the question has); code beside them when it
    fits, else on code slides; an answer too long for one slide continues on more slides.
    With click_marker (click reveal) the slide is the question's own: marker, the whole
    question at the top, and the blocks enter one click each (code beside them with the answer)."""
    lay = c.theme.layout
    click = click_marker is not None
    question = flat(q.question)
    title, title_bottom = headline(c, question, c.top + lay.click_top) if click else restated(c, question)
    room = area(c, title_bottom)
    blocks = [Block(b, b.label, tuple(flow(getattr(q, b.role), c.theme, c.root)))
              for b in c.theme.blocks(c.labels) if getattr(q, b.role)]
    effect = Effect(c.theme.reveal.effect, c.theme.reveal.duration_ms) if click else Effect()

    def slide(i: int, elements: Sequence[Element], total: int = 1) -> Slide:
        lead = marked(c, click_marker + c.labels.mark(i + 1, total)) if click_marker is not None else ()
        return Slide(kind="qa" if click else "reveal", key=f"{key}-{i}" if i else key, title=title,
                     elements=(*lead, *elements, *footer(c, footer_text, number + i)), notes=notes,
                     question_id=q.id, effect=effect)

    if q.code:
        left, right = c.columns(room, lay.code_split, lay.code_gutter)
        panel = c.code(q.code.language, q.code.source, right)
        placed = c.stack(blocks, left, steps=click) if panel else None
        if panel and placed:
            code = [replace(el, step=1) for el in panel] if click else panel  # it illustrates the answer
            return [slide(0, [*placed, *code])]
    placed = c.stack(blocks, room, steps=click)
    if placed:
        slides = [slide(0, placed)]
    else:
        pages = c.split_blocks(blocks, room)
        # One size on every part, as continued code keeps one: a table or list does not change size mid-answer.
        size = min(c.stack_size(page, room) or 0.0 for page in pages)
        slides = []
        for i, page in enumerate(pages):
            placed = c.stack(page, room, steps=click, size=size)
            assert placed is not None, "a part made by split_blocks always fits alone"
            slides.append(slide(i, placed, len(pages)))
    if q.code:
        slides += code_slides(c, q, key, notes, footer_text, number + len(slides))
    return slides


def code_slides(c: Page, q: Question, key: str, notes: tuple[Para, ...], footer_text: str,
                number: int) -> list[Slide]:
    """The code on its own slides; continued code keeps one (minimum) size on every slide."""
    assert q.code is not None
    title, bottom = restated(c, flat(q.question), c.labels.code)
    panels = c.code_pages(q.code.language, q.code.source, area(c, bottom))
    slides = []
    for i, panel in enumerate(panels):
        if i:
            title = restated(c, flat(q.question), c.labels.code_continued.format(i=i + 1, n=len(panels)))[0]
        slides.append(Slide(kind="code", key=f"{key}-code-{i}", title=title,
                            elements=(*panel, *footer(c, footer_text, number + i)), notes=notes,
                            question_id=q.id))
    return slides


def diagram_room(c: Page) -> Box:
    """Where a diagram goes on its slide: below the title line, above the caption."""
    t, lay = c.theme, c.theme.layout
    top = c.top + c.line_h(t.sizes.heading) + lay.diagram_gap
    cap_h = c.line_h(t.sizes.marker + lay.caption_grow, lay.caption_lines)
    return Box(c.left, top, c.content_w, c.content_bottom - top - cap_h - lay.caption_above - lay.caption_below)


def diagram_slide(c: Page, d: Diagram, key: str, size_px: tuple[int, int], footer_text: str,
                  number: int, scene: Scene | None = None) -> Slide:
    """A diagram with its title and caption: native shapes from a flowchart scene, else a picture."""
    t, lay = c.theme, c.theme.layout
    title_size = t.sizes.heading
    title_box = Box(c.left, c.top, c.content_w, c.line_h(title_size))
    title = c.line(d.title, title_box, Range(title_size, t.sizes.question_small.min), "title", bold=True)
    cap_size = t.sizes.marker + lay.caption_grow
    cap_h = c.line_h(cap_size, lay.caption_lines)
    room = diagram_room(c)
    alt = plain(d.caption) or d.title
    native = scene is not None and label_fit(scene, room, t).fits  # never text overflowing its node
    pic: Element = (diagram_group(scene, room, t, name=f"Diagram {d.id}", alt=alt) if native and scene is not None
                    else c.picture(room, size_px, d.id, alt))
    cap_box = Box(c.left, room.bottom + lay.caption_above, c.content_w, cap_h)
    caption = c.styled_line(paragraphs(d.caption, t), cap_box, Range(cap_size, min(lay.caption_min, cap_size)),
                            "caption", t.palette.muted, align="ctr")
    return Slide(kind="diagram", key=key, title=title,
                 elements=(pic, caption, *footer(c, footer_text, number)), notes=field(d.notes, c.theme))


def dark_slide(c: Page, kind: str, key: str, title: str, lines: Sequence[str], notes: tuple[Para, ...] = (),
               big: str | None = None) -> Slide:
    """Title, section divider and closing slides: light text on the dark ground (on a template:
    in its layout's title and text placeholders)."""
    boxes = c.theme.role(kind)
    least = c.line_h((c.theme.sizes.section_title if big else c.theme.sizes.title_slide).min)
    if boxes is not None and boxes.title is not None and boxes.title.w >= c.content_w / 2 and boxes.title.h >= least:
        return placed_divider(c, boxes, kind, key, title, lines, notes, big)
    t, lay = c.theme, c.theme.layout
    fg, accent = t.palette.divider_text, t.palette.divider_accent
    style = t.style(t.sizes.section_title if big else t.sizes.title_slide)
    title_y = c.h * lay.divider_title_y
    elements: list[Element] = [Rect(Box(c.left, title_y - lay.divider_bar_above, lay.divider_bar_w,
                                        lay.divider_bar_h), accent)]
    if big:
        number = t.sizes.section_number
        elements.append(title_text(c, big, number, Box(c.left, c.h * lay.divider_number_y, c.content_w,
                                                       c.line_h(number)), accent))
    title_box = Box(c.left, title_y + lay.divider_title_gap, c.content_w,
                    c.line_h(style.max_size, lay.divider_title_lines))
    title_el = c.line(title, title_box, t.sizes.section_title if big else t.sizes.title_slide, "title", fg,
                      bold=True)
    used = c.height_of([Paragraph(title_el.paras[0].text)], c.content_w, title_el.size, bold=True)
    sub_box = Box(c.left, title_box.y + used + lay.divider_sub_gap, c.content_w, 0)
    sub_box = replace(sub_box, h=c.foot - sub_box.y)
    fit = c.fit([Paragraph(line) for line in lines], sub_box, t.style(Range(t.sizes.subtitle, lay.divider_sub_min)))
    lines = [c.truncate(line, sub_box.w, lay.divider_sub_lines, fit.size) for line in lines]
    paras = [Para((Run(line),), gap_before=i > 0) for i, line in enumerate(lines)]
    elements.append(c.text(sub_box, paras, fit.size, "subtitle", fg))
    return Slide(kind=kind, key=key, title=title_el, elements=tuple(elements), notes=notes,
                 background=t.palette.divider_bg)


def placed_divider(c: Page, boxes: RoleBoxes, kind: str, key: str, title: str, lines: Sequence[str],
                   notes: tuple[Para, ...], big: str | None) -> Slide:
    """A divider on a template's layout: the title fitted into its title placeholder (anchored as
    there), the big number above the title's text (else atop the placeholder, else left out), the
    lines in its subtitle or body placeholder (else below the title), as many as fit."""
    t, lay = c.theme, c.theme.layout
    fg, accent = t.palette.divider_text, t.palette.divider_accent
    sizes = t.sizes.section_title if big else t.sizes.title_slide
    box = boxes.title
    assert box is not None
    page_top, page_foot = t.slide.margin_top * PT_PER_IN, t.slide.h - t.slide.margin_bottom * PT_PER_IN
    elements: list[Element] = []
    title_el, text_top = _anchored_title(c, title, box, sizes, boxes.anchor, fg)
    if big:
        numbers = Range(t.sizes.section_number, sizes.min)
        least = c.line_h(numbers.min)
        if text_top - page_top < least and box.h - least >= c.line_h(sizes.min):  # no room above: share the box
            title_el, text_top = _anchored_title(c, title, replace(box, y=box.y + least, h=box.h - least), sizes,
                                                 boxes.anchor, fg)
        room = min(text_top - page_top, c.line_h(numbers.max))
        if room >= least:
            elements.append(c.line(big, Box(box.x, text_top - room, box.w, room), numbers, "title", accent,
                                   bold=True, anchor="b"))
    below = Box(box.x, box.bottom + lay.divider_sub_gap, box.w, page_foot - box.bottom - lay.divider_sub_gap)
    sub = boxes.body if boxes.body is not None and boxes.body.y >= box.bottom - lay.divider_sub_gap else below
    style = t.style(Range(t.sizes.subtitle, lay.divider_sub_min))

    def fits(shown: Sequence[str], room: Box) -> bool:
        return c.fit([Paragraph(line) for line in shown], room, style).fits

    # The placeholder, else down to the page's foot; the lines as they are, else run together
    # (a · between them), else as many leading lines as fit.
    rooms = (sub, replace(sub, h=max(page_foot - sub.y, sub.h)))
    tries = [list(lines), [c.labels.dot.join(lines)]] if len(lines) > 1 else [list(lines)]
    sub, shown = next(((room, tried) for room in rooms for tried in tries if fits(tried, room)),
                      (rooms[1], list(lines)))
    while shown and not fits(shown, sub):
        shown.pop()
    if shown:
        fit = c.fit([Paragraph(line) for line in shown], sub, style)
        paras = [Para((Run(line),), gap_before=i > 0) for i, line in enumerate(shown)]
        elements.append(c.text(sub, paras, fit.size, "subtitle", fg))
    return Slide(kind=kind, key=key, title=title_el, elements=tuple(elements), notes=notes,
                 background=t.palette.divider_bg)


def _anchored_title(c: Page, title: str, box: Box, sizes: Range, anchor: str, color: str) -> tuple[Text, float]:
    """A divider title fitted into a placeholder box, and where its first line's box starts."""
    side: Literal["t", "ctr", "b"] = "ctr" if anchor == "ctr" else "b" if anchor == "b" else "t"  # not just/dist
    el = c.line(title, box, sizes, "title", color, bold=True, anchor=side)
    used = min(c.height_of([Paragraph(el.paras[0].text)], box.w, el.size, bold=True), box.h)
    return el, {"t": box.y, "ctr": box.y + (box.h - used) / 2, "b": box.bottom - used}[el.anchor]


def list_slides(c: Page, kind: str, key: str, heading: str, items: Sequence[Para], footer_text: str,
                number: int) -> list[Slide]:
    """A heading and a list (agenda, references), continued on more slides if long; on a template,
    in the content area of its layout for references."""
    c = Page.slide(c.theme, c.labels, c.root, role="references")
    lay = c.theme.layout
    size_h = c.theme.sizes.heading
    style = c.theme.style(c.theme.sizes.body)
    box = Box(c.left, c.top + c.line_h(size_h) + lay.list_gap, c.content_w, 0)
    box = replace(box, h=c.content_bottom - box.y - lay.list_bottom)
    smallest = replace(style, max_size=style.min_size)
    measured = {id(p): styled(p.runs, c.theme, bullet=p.bullet) for p in items}  # bold or code runs: their faces
    groups = paginate(items, lambda group, _i: c.fit([measured[id(p)] for p in group], box, smallest).fits)
    slides = []
    for i, group in enumerate(groups):
        f = c.fit([measured[id(p)] for p in group], box, style)
        suffix = c.labels.mark(i + 1, len(groups)) if i else ""
        title = title_text(c, heading + suffix, size_h, Box(c.left, c.top, c.content_w, c.line_h(size_h)))
        paras = tuple(replace(p, gap_before=j > 0) for j, p in enumerate(group))
        slides.append(Slide(kind=kind, key=f"{key}-{i}" if i else key, title=title,
                            elements=(c.text(box, paras, f.size, "body"), *footer(c, footer_text, number + i))))
    return slides


def agenda_items(c: Page, bank: Bank) -> list[Para]:
    primary, lab = c.theme.palette.primary, c.labels
    return [Para((Run(c.section_label(s), color=primary, link=f"section-{s.id}"),
                  Run(lab.count_gap + lab.questions(len(s.questions)), color=c.theme.palette.muted)))
            for s in bank.sections]
