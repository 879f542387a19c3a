"""A question boiled down for the interviewer: the points to listen for, as styled paragraphs
(mock notes, scorecard)."""

from __future__ import annotations

import re

from deck.content.model import Question
from deck.plan import Para, Run
from deck.planning.notes import field
from deck.planning.richtext import paragraphs
from deck.theme.settings import Theme

# Where an answer's sentences end: a Chinese full stop, or ./!/? before a space (so 0.1 and e.g. stay whole).
SENTENCE = re.compile(r"(?<=[。！？])|(?<=[.!?])(?<![a-z]\.[a-z]\.)\s+")  # not after e.g. or i.e.
POINTS = 4  # sentences taken from an answer without key points


def _sentences(line: str) -> list[tuple[int, int]]:
    """Where a line's sentences are (start, end), without the dashes and spaces around them."""
    bounds, start = [], 0
    for m in SENTENCE.finditer(line):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(line)))
    out = []
    for a, b in bounds:
        piece = line[a:b]
        lead, trail = len(piece) - len(piece.lstrip("- ")), len(piece) - len(piece.rstrip("- "))
        if a + lead < b - trail:
            out.append((a + lead, b - trail))
    return out


def listen_for(q: Question, theme: Theme) -> list[tuple[Para, ...]]:
    """key_points with their Markdown: each point's notes paragraphs."""
    if q.key_points:
        return [field(k, theme) for k in q.key_points]
    cuts = [p.cut(a, b) for p in paragraphs(q.answer, theme) for a, b in _sentences(p.text)]
    return [(Para(c.runs or (Run(c.text),)),) for c in cuts[:POINTS]]
