"""Links to slides, [text](#id) in Markdown or `click X "#id"` on a diagram node, resolved once a
deck's slides are known:
#id names a question (its question slide), a section (its divider) or a diagram (its slide), from
a slide or from its speaker notes.
A target the deck does not hold (a mock that did not draw the question, a handout page) leaves
the text as it is, without a link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from deck.plan import Connector, Element, Group, Para, Run, Shape, Slide, Text

PREFIXES = ("q-", "section-", "diagram-", "")  # where a question, section and diagram id land as keys


def _pending(item: Run | Shape) -> bool:
    return item.link is not None and item.link.startswith("#")


def resolve(slides: Sequence[Slide]) -> tuple[Slide, ...]:
    keys = {s.key for s in slides}

    def target(anchor: str) -> str | None:
        return next((k for k in (p + anchor[1:] for p in PREFIXES) if k in keys), None)

    def run(r: Run) -> Run:
        return replace(r, link=target(r.link)) if r.link and _pending(r) else r

    def paras(ps: tuple[Para, ...]) -> tuple[Para, ...]:
        if not any(_pending(r) for p in ps for r in p.runs):
            return ps
        return tuple(replace(p, runs=tuple(run(r) for r in p.runs)) for p in ps)

    def text(t: Text) -> Text:
        new = paras(t.paras)
        return t if new is t.paras else replace(t, paras=new)

    def child(c: Shape | Text | Connector) -> Shape | Text | Connector:
        if isinstance(c, Text):
            return text(c)
        return replace(c, link=target(c.link)) if isinstance(c, Shape) and c.link and _pending(c) else c

    def element(el: Element) -> Element:
        if isinstance(el, Text):
            return text(el)
        if isinstance(el, Group):  # a diagram: its labels, and nodes with a click link to a slide
            children = tuple(child(c) for c in el.children)
            return el if _same(children, el.children) else replace(el, children=children)
        return el

    def slide(s: Slide) -> Slide:
        title, elements, notes = text(s.title), tuple(element(e) for e in s.elements), paras(s.notes)
        if title is s.title and _same(elements, s.elements) and notes is s.notes:
            return s
        return replace(s, title=title, elements=elements, notes=notes)

    return tuple(slide(s) for s in slides)


def _same(new: Sequence[object], old: Sequence[object]) -> bool:
    """Nothing was rebuilt: a deck without links to slides keeps every slide object as it was."""
    return all(a is b for a, b in zip(new, old, strict=True))
