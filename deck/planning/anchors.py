"""Links to slides, [text](#id) in Markdown or `click X "#id"` on a diagram node, resolved once a
deck's slides are known:
#id names a question (its question slide), a section (its divider) or a diagram (its slide).
A target the deck does not hold (a mock that did not draw the question, a handout page) leaves
the text as it is, without a link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from deck.plan import Element, Group, Run, Shape, Slide, Text

PREFIXES = ("q-", "section-", "diagram-", "")  # where a question, section and diagram id land as keys


def _pending(item: Run | Shape) -> bool:
    return item.link is not None and item.link.startswith("#")


def resolve(slides: Sequence[Slide]) -> tuple[Slide, ...]:
    keys = {s.key for s in slides}

    def target(anchor: str) -> str | None:
        return next((k for k in (p + anchor[1:] for p in PREFIXES) if k in keys), None)

    def run(r: Run) -> Run:
        return replace(r, link=target(r.link)) if r.link and _pending(r) else r

    def text(t: Text) -> Text:
        if not any(_pending(r) for p in t.paras for r in p.runs):
            return t
        return replace(t, paras=tuple(replace(p, runs=tuple(run(r) for r in p.runs)) for p in t.paras))

    def element(el: Element) -> Element:
        if isinstance(el, Text):
            return text(el)
        if isinstance(el, Group):  # a diagram: its labels, and nodes with a click link to a slide
            return replace(el, children=tuple(text(c) if isinstance(c, Text) else
                                              replace(c, link=target(c.link)) if isinstance(c, Shape) and
                                              c.link and _pending(c) else c for c in el.children))
        return el

    return tuple(replace(s, title=text(s.title), elements=tuple(element(e) for e in s.elements)) for s in slides)
