"""A question boiled down for the interviewer: its fields as plain text (speaker notes) and the
points to listen for (mock notes, scorecard)."""

from __future__ import annotations

import re
from dataclasses import replace

from deck.content.model import Question
from deck.content.rich import flat, plain

# Where an answer's sentences end: a Chinese full stop, or ./!/? before a space (so 0.1 and e.g. stay whole).
SENTENCE = re.compile(r"(?<=[。！？])|(?<=[.!?])(?<![a-z]\.[a-z]\.)\s+")  # not after e.g. or i.e.


def as_text(q: Question) -> Question:
    """The question with its fields as plain text, for speaker notes (one paragraph per line)."""
    return replace(q, question=plain(q.question), answer=plain(q.answer), follow_up=plain(q.follow_up),
                   pitfall=plain(q.pitfall), key_points=tuple(flat(k) for k in q.key_points))


def key_points(q: Question) -> list[str]:
    """What to listen for: the authored key points, else the answer's sentences."""
    if q.key_points:
        return [flat(k) for k in q.key_points]
    sentences = (p.strip("- ") for line in plain(q.answer).split("\n") for p in SENTENCE.split(line))
    return [p for p in sentences if p][:4]
