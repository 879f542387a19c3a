"""The bank's references as bulleted paragraphs, each URL a clickable external link (the study
deck's references slides, the handout's last pages)."""

from __future__ import annotations

from deck.content.model import Bank
from deck.plan import Para, Run
from deck.planning.richtext import link_target, paragraphs
from deck.theme.labels import Labels
from deck.theme.settings import Theme


def references(bank: Bank, labels: Labels, theme: Theme) -> list[Para]:
    """One bulleted paragraph per reference; its URL is a clickable external link, its note
    keeps its Markdown styles (code, bold, links, math)."""
    out = []
    for r in bank.references:
        year = f"{r.year}" if r.year else ""
        head = r.title + (labels.reference_authors.format(authors=r.authors, year=f", {year}" if year else "")
                          if r.authors else labels.reference_year.format(year=year) if year else "")
        runs = [Run(head)]
        if r.venue:
            runs.append(Run("  " + r.venue))
        if r.url:
            runs += [Run("  "), Run(r.url, color=theme.palette.primary, url=link_target(r.url))]
        if r.note:
            note = [run for p in paragraphs(r.note, theme) for run in p.runs or (Run(p.text),)] or [Run("")]
            plain = note[0] == Run(note[0].text)  # the gap joins a plain first run: one run, as before
            runs += [Run("  " + note[0].text), *note[1:]] if plain else [Run("  "), *note]
        out.append(Para(tuple(runs), bullet=True))
    return out
