"""The one paginate every continuation uses: answer parts, split paragraphs, lists, code,
handout pieces, contents pages, scorecard rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def _append(page: list[T], item: T) -> list[T]:
    return [*page, item]


def paginate(items: Sequence[T], fits: Callable[[Sequence[T], int], bool],
             add: Callable[[list[T], T], list[T]] = _append) -> list[list[T]]:
    """Greedy pages: each page takes items while fits(page items, page index) holds; an item
    that does not fit even alone still gets a page of its own. add(page, item) is the page
    with the item on it (layout.split rejoins two pieces of one paragraph there)."""
    pages: list[list[T]] = [[]]
    for item in items:
        trial = add(pages[-1], item)
        if pages[-1] and not fits(trial, len(pages) - 1):
            pages.append(add([], item))
        else:
            pages[-1] = trial
    return pages if pages[-1] else []
