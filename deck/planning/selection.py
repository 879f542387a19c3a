"""Which questions a mock session asks, in which order: the --sections, --level, --shuffle,
--seed and --limit options, checked and applied."""

from __future__ import annotations

import random
from dataclasses import dataclass

from deck.content.model import Bank, Question, Reveal, Section
from deck.errors import DeckError


@dataclass(frozen=True)
class MockOptions:
    shuffle: bool = False
    seed: int | None = None
    limit: int | None = None
    sections: tuple[str, ...] = ()  # numbers or ids
    levels: tuple[int, int] | None = None
    reveal: Reveal = "slides"
    scorecard: str = "mock-scorecard.pdf"  # the scorecard's file name, as the how-to slide names it


def parse_levels(text: str) -> tuple[int, int]:
    try:
        lo, _, hi = text.partition("-")
        pair = (int(lo), int(hi or lo))
    except ValueError:
        raise DeckError(f"--level '{text}': expected N or N-M, e.g. 2-3") from None
    if not 1 <= min(pair) <= max(pair) <= 3:
        raise DeckError(f"--level '{text}': levels run from 1 (basic) to 3 (hard)")
    if pair[0] > pair[1]:
        raise DeckError(f"--level '{text}': give the range low-high, e.g. {pair[1]}-{pair[0]}")
    return pair


def draw(bank: Bank, opts: MockOptions) -> list[tuple[Section, Question]]:
    """The questions of a mock session, in order: filtered, maybe shuffled, limited."""
    chosen = list(bank.sections)
    if opts.sections:
        known = {str(s.number): s for s in bank.sections} | {s.id: s for s in bank.sections}
        missing = [x for x in opts.sections if x not in known]
        if missing:
            raise DeckError(f"--sections: no section {', '.join(missing)} (have: "
                            + ", ".join(f"{s.number}/{s.id}" for s in bank.sections) + ")")
        chosen = [s for s in bank.sections if s in {known[x] for x in opts.sections}]
    pool = [(s, q) for s in chosen for q in s.questions]
    if opts.levels:
        lo, hi = opts.levels
        pool = [(s, q) for s, q in pool if q.level is not None and lo <= q.level <= hi]
    if not pool:
        raise DeckError("the filters select no question: loosen --sections or --level")
    if opts.shuffle:
        random.Random(opts.seed).shuffle(pool)
    return pool[: opts.limit] if opts.limit else pool
