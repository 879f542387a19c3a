"""Profiles: Bank -> DeckPlan for the study presentation and the mock interview."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from deck.errors import DeckError
from deck.model import Bank, Question, Reveal, Section
from deck.plan import DeckPlan, Para, Run, Slide
from deck.scene import Scene
from deck.slides import (
    Canvas,
    agenda_items,
    dark_slide,
    diagram_slide,
    list_slides,
    question_slides,
    reveal_slides,
    section_label,
)
from deck.theme import Theme

ANSWER_MINUTES = {1: 2, 2: 3, 3: 5}


class _Builder:
    """Appends slides and keeps slide numbers for footers."""

    def __init__(self, theme: Theme, footer: str, reveal: Reveal = "slides") -> None:
        self.c = Canvas(theme)
        self.footer = footer
        self.reveal = reveal
        self.slides: list[Slide] = []

    @property
    def next_number(self) -> int:
        return len(self.slides) + 1

    def add(self, slides: Slide | Sequence[Slide]) -> None:
        self.slides += [slides] if isinstance(slides, Slide) else list(slides)

    def plan(self, profile: str, title: str) -> DeckPlan:
        return DeckPlan(profile=profile, title=title, width=self.c.w, height=self.c.h, slides=tuple(self.slides))

    def diagram(self, bank: Bank, did: str, sizes: dict[str, tuple[int, int]],
                scenes: Mapping[str, Scene] | None = None) -> None:
        self.add(diagram_slide(self.c, bank.diagrams[did], f"diagram-{did}", sizes[did], self.footer,
                               self.next_number, scene=(scenes or {}).get(did)))

    def qa(self, q: Question, marker: str, notes: str) -> None:
        reveal_notes = self.c.theme.render("notes_reveal.j2", question=q)
        if self.reveal == "click":  # one slide: both sets of notes, the blocks behind clicks
            self.add(reveal_slides(self.c, q, f"q-{q.id}", f"{notes}\n\n{reveal_notes}", self.footer,
                                   self.next_number, click_marker=marker))
            return
        self.add(question_slides(self.c, q, f"q-{q.id}", marker, notes, self.footer, self.next_number))
        self.add(reveal_slides(self.c, q, f"a-{q.id}", reveal_notes, self.footer, self.next_number))


def references(bank: Bank, link_color: str) -> list[Para]:
    """One bulleted paragraph per reference; its URL is a clickable external link."""
    out = []
    for r in bank.references:
        head = r.title + (f"（{r.authors}" + (f", {r.year}" if r.year else "") + "）" if r.authors else
                          f"（{r.year}）" if r.year else "")
        runs = [Run(head)]
        if r.url:
            runs += [Run("  "), Run(r.url, color=link_color, url=r.url)]
        if r.note:
            runs.append(Run("  " + r.note))
        out.append(Para(tuple(runs), bullet=True))
    return out


def study(bank: Bank, theme: Theme, diagram_sizes: dict[str, tuple[int, int]],
          reveal: Reveal = "slides", scenes: Mapping[str, Scene] | None = None) -> DeckPlan:
    """scenes: flowcharts to draw as native shapes (the rest are pictures)."""
    b = _Builder(theme, bank.title, reveal)
    total = len(bank.questions)
    b.add(dark_slide(b.c, "title", "title", bank.title,
                     [x for x in (bank.subtitle, bank.author, f"{len(bank.sections)} 个专题 · {total} 题") if x]))
    b.add(list_slides(b.c, "agenda", "agenda", "目录",
                      agenda_items(b.c, bank), b.footer, b.next_number))
    if bank.overview_diagram:
        b.diagram(bank, bank.overview_diagram, diagram_sizes, scenes)
    for s in bank.sections:
        n = len(s.questions)
        extra = f" · {len(s.diagrams)} 张图" if s.diagrams else ""
        b.add(dark_slide(b.c, "section", f"section-{s.id}", s.title, [f"{n} 题{extra}"],
                         big=f"{s.number:02d}"))
        for did in s.diagrams:
            b.diagram(bank, did, diagram_sizes, scenes)
        for i, q in enumerate(s.questions, 1):
            notes = theme.render("notes_question.j2", question=q, section=section_label(s), number=i, total=n)
            b.qa(q, f"{section_label(s)} · Q {i} / {n}", notes)
    if bank.references:
        b.add(list_slides(b.c, "references", "references", "参考文献", references(bank, theme.color("primary")),
                          b.footer, b.next_number))
    b.add(dark_slide(b.c, "closing", "closing", "谢谢 · Q&A",
                     [bank.title, "讨论：哪道题你的答案和标准答不同？为什么？"]))
    return b.plan("study", bank.title)


@dataclass(frozen=True)
class MockOptions:
    shuffle: bool = False
    seed: int | None = None
    limit: int | None = None
    sections: tuple[str, ...] = ()  # numbers or ids
    levels: tuple[int, int] | None = None
    reveal: Reveal = "slides"


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


def mock(bank: Bank, theme: Theme, opts: MockOptions) -> DeckPlan:
    drawn = draw(bank, opts)
    total = len(drawn)
    b = _Builder(theme, f"{bank.title} · 模拟面试", opts.reveal)
    seed_line = f"随机种子 {opts.seed}（用 --shuffle --seed {opts.seed} 可重现）" if opts.shuffle else "按题库顺序"
    b.add(dark_slide(b.c, "title", "title", "模拟面试", [bank.title, f"{total} 题 · {seed_line}"]))
    howto = ["每题先只展示题目，请候选人作答；建议作答时间见左上角。",
             "每单击一次依次显示标准答、反问点、坑位。" if opts.reveal == "click" else
             "按一次翻页显示参考答案：标准答、反问点、坑位。",
             "演讲者备注里是要点、追问和坑位，只给面试官看（演示者视图）。",
             "用评分表（mock-scorecard.pdf）给每题打 1–5 分，并记下追问的表现。"]
    b.add(list_slides(b.c, "howto", "howto", "如何使用本场模拟面试",
                      [Para((Run(t),), bullet=True) for t in howto], b.footer, b.next_number))
    current: Section | None = None
    for i, (s, q) in enumerate(drawn, 1):
        if not opts.shuffle and s is not current:
            current = s
            b.add(dark_slide(b.c, "section", f"section-{s.id}", s.title,
                             [f"{sum(1 for x, _ in drawn if x is s)} 题"], big=f"{s.number:02d}"))
        minutes = ANSWER_MINUTES.get(q.level or 2, 3)
        notes = theme.render("notes_mock.j2", question=q, section=section_label(s), number=i, total=total,
                             minutes=minutes, points=key_points(q))
        b.qa(q, f"第 {i} / {total} 题 · {section_label(s)} · 建议作答 {minutes} 分钟", notes)
    b.add(dark_slide(b.c, "closing", "closing", "本场结束",
                     ["请汇总评分表，并与候选人复盘两道得分最低的题。"]))
    return b.plan("mock", bank.title)


def key_points(q: Question) -> list[str]:
    """What to listen for: the authored key points, else the answer's sentences."""
    if q.key_points:
        return list(q.key_points)
    return [p.strip("- ") for p in q.answer.replace("。", "。\n").split("\n") if p.strip("- ")][:4]
