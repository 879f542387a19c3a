"""Links to slides written in Markdown, [text](#id), resolved once a deck's slides are known:
#id names a question (its question slide), a section (its divider) or a diagram (its slide).
A target the deck does not hold (a mock that did not draw the question, a handout page) leaves
the text as it is, without a link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from deck.plan import Element, Group, Run, Slide, Text

PREFIXES = ("q-", "section-", "diagram-", "")  # where a question, section and diagram id land as keys


def _pending(run: Run) -> bool:
    return run.link is not None and run.link.startswith("#")


def resolve(slides: Sequence[Slide]) -> tuple[Slide, ...]:
    keys = {s.key for s in slides}

    def run(r: Run) -> Run:
        return replace(r, link=next((k for k in (p + r.link[1:] for p in PREFIXES) if k in keys), None)) \
            if r.link and _pending(r) else r

    def text(t: Text) -> Text:
        if not any(_pending(r) for p in t.paras for r in p.runs):
            return t
        return replace(t, paras=tuple(replace(p, runs=tuple(run(r) for r in p.runs)) for p in t.paras))

    def element(el: Element) -> Element:
        if isinstance(el, Text):
            return text(el)
        if isinstance(el, Group):
            return replace(el, children=tuple(text(c) if isinstance(c, Text) else c for c in el.children))
        return el

    return tuple(replace(s, title=text(s.title), elements=tuple(element(e) for e in s.elements)) for s in slides)
