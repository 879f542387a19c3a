"""The bank's references as bulleted paragraphs, each URL a clickable external link (the study
deck's references slides, the handout's last pages)."""

from __future__ import annotations

from deck.content.model import Bank
from deck.content.rich import flat
from deck.plan import Para, Run
from deck.planning.richtext import link_target
from deck.theme.labels import Labels


def references(bank: Bank, labels: Labels, link_color: str) -> list[Para]:
    """One bulleted paragraph per reference; its URL is a clickable external link."""
    out = []
    for r in bank.references:
        year = f"{r.year}" if r.year else ""
        head = r.title + (labels.reference_authors.format(authors=r.authors, year=f", {year}" if year else "")
                          if r.authors else labels.reference_year.format(year=year) if year else "")
        runs = [Run(head)]
        if r.venue:
            runs.append(Run("  " + r.venue))
        if r.url:
            runs += [Run("  "), Run(r.url, color=link_color, url=link_target(r.url))]
        if r.note:
            runs.append(Run("  " + flat(r.note)))
        out.append(Para(tuple(runs), bullet=True))
    return out
