"""Profiles: Bank -> DeckPlan for the study presentation and the mock interview."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from deck.content.model import Bank, Question, Reveal, Section
from deck.content.rich import flat
from deck.diagrams.scene import Scene
from deck.plan import DeckPlan, Para, Run, Slide
from deck.planning.compose import Page
from deck.planning.digest import listen_for
from deck.planning.notes import Notes, field
from deck.planning.references import references
from deck.planning.selection import MockOptions, draw
from deck.planning.slides import (
    agenda_items,
    dark_slide,
    diagram_slide,
    headline_fits,
    list_slides,
    question_slides,
    reveal_slides,
)
from deck.theme.settings import Theme

ANSWER_MINUTES = {1: 2, 2: 3, 3: 5}


class _Builder:
    """Appends slides and keeps slide numbers for footers."""

    def __init__(self, theme: Theme, bank: Bank, footer: str, reveal: Reveal = "slides",
                 scenes: Mapping[str, Scene] | None = None) -> None:
        self.c = Page.slide(theme, theme.labels(bank.language), bank.root)
        self.reveal = reveal
        self.scenes = scenes or {}
        self.labels = self.c.labels
        self.language = bank.language
        self.footer = footer
        self.slides: list[Slide] = []
        self.notes = Notes(theme)

    @property
    def next_number(self) -> int:
        return len(self.slides) + 1

    def add(self, slides: Slide | Sequence[Slide]) -> None:
        self.slides += [slides] if isinstance(slides, Slide) else list(slides)

    def plan(self, profile: str, title: str) -> DeckPlan:
        return self.c.plan(profile, title, tuple(self.slides), self.language)

    def diagram(self, bank: Bank, did: str, sizes: dict[str, tuple[int, int]]) -> None:
        self.add(diagram_slide(self.c, bank.diagrams[did], f"diagram-{did}", sizes[did], self.footer,
                               self.next_number, self.scenes.get(did)))

    def qa(self, q: Question, marker: str, notes: tuple[Para, ...]) -> None:
        # Click reveal: one slide, both sets of notes, the blocks behind clicks. A question too
        # long to stand whole atop that slide keeps its own (continued) slides, as in slides mode.
        click = self.reveal == "click" and headline_fits(self.c, flat(q.question))
        # The question notes already hold the question and key points: a click slide adds only the how-to.
        reveal_notes = self.notes.render("notes_reveal.j2", q, labels=self.labels, click=click)
        if click:
            self.add(reveal_slides(self.c, q, f"q-{q.id}", (*notes, Para(()), *reveal_notes), self.footer,
                                   self.next_number, click_marker=marker))
            return
        self.add(question_slides(self.c, q, f"q-{q.id}", marker, notes, self.footer, self.next_number))
        self.add(reveal_slides(self.c, q, f"a-{q.id}", reveal_notes, self.footer, self.next_number))


def study(bank: Bank, theme: Theme, diagram_sizes: dict[str, tuple[int, int]],
          reveal: Reveal = "slides", scenes: Mapping[str, Scene] | None = None) -> DeckPlan:
    """scenes: flowcharts to draw as native shapes (the rest are pictures)."""
    b = _Builder(theme, bank, bank.title, reveal, scenes)
    lab = b.labels
    total = len(bank.questions)
    counts = lab.sections(len(bank.sections)) + lab.dot + lab.questions(total)
    b.add(dark_slide(b.c, "title", "title", bank.title, [x for x in (bank.subtitle, bank.author, counts) if x]))
    b.add(list_slides(b.c, "agenda", "agenda", lab.agenda,
                      agenda_items(b.c, bank), b.footer, b.next_number))
    if bank.overview_diagram:
        b.diagram(bank, bank.overview_diagram, diagram_sizes)
    for s in bank.sections:
        n = len(s.questions)
        shown = [d for d in s.diagrams if d != bank.overview_diagram]  # the overview is shown once, up front
        extra = lab.dot + lab.diagrams(len(shown)) if shown else ""
        b.add(dark_slide(b.c, "section", f"section-{s.id}", s.title, [lab.questions(n) + extra],
                         notes=field(s.intro, theme), big=f"{s.number:02d}"))
        for did in shown:
            b.diagram(bank, did, diagram_sizes)
        label = b.c.section_label(s)
        for i, q in enumerate(s.questions, 1):
            notes = b.notes.render("notes_question.j2", q, section=label, number=i, total=n, labels=lab)
            b.qa(q, lab.question_marker.format(section=label, i=i, n=n), notes)
    if bank.references:
        items = references(bank, lab, theme)
        b.add(list_slides(b.c, "references", "references", lab.references, items, b.footer, b.next_number))
    b.add(dark_slide(b.c, "closing", "closing", lab.closing, [bank.title, lab.closing_prompt]))
    return b.plan("study", bank.title)


def mock(bank: Bank, theme: Theme, opts: MockOptions) -> DeckPlan:
    drawn = draw(bank, opts)
    total = len(drawn)
    b = _Builder(theme, bank, theme.labels(bank.language).mock_footer.format(title=bank.title), opts.reveal)
    lab = b.labels
    seed_line = lab.mock_seed.format(seed=opts.seed) if opts.shuffle else lab.mock_order
    b.add(dark_slide(b.c, "title", "title", lab.mock, [bank.title, lab.questions(total) + lab.dot + seed_line]))
    howto = [t.format(scorecard=opts.scorecard) for t in (lab.howto_click if opts.reveal == "click" else lab.howto)]
    b.add(list_slides(b.c, "howto", "howto", lab.howto_title, [Para((Run(t),), bullet=True) for t in howto],
                      b.footer, b.next_number))
    current: Section | None = None
    for i, (s, q) in enumerate(drawn, 1):
        if not opts.shuffle and s is not current:
            current = s
            b.add(dark_slide(b.c, "section", f"section-{s.id}", s.title,
                             [lab.questions(sum(1 for x, _ in drawn if x is s))], big=f"{s.number:02d}"))
        minutes = ANSWER_MINUTES.get(q.level or 2, 3)
        label = b.c.section_label(s)
        notes = b.notes.render("notes_mock.j2", q, listen_for(q, theme), section=label, number=i, total=total,
                               minutes=minutes, labels=lab)
        b.qa(q, lab.mock_marker.format(i=i, n=total, section=label, minutes=minutes), notes)
    b.add(dark_slide(b.c, "closing", "closing", lab.mock_closing, [lab.mock_closing_prompt]))
    return b.plan("mock", bank.title)


