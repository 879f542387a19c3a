"""The typed content model: what the loader produces and the planner consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Reveal = Literal["slides", "click"]  # answer on the next slide, or behind clicks on the question's own
REVEALS: tuple[Reveal, ...] = ("slides", "click")


@dataclass(frozen=True)
class Code:
    language: str
    source: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answer: str
    follow_up: str = ""  # 反问点: optional (imported banks often lack it); --strict requires it
    pitfall: str = ""  # 坑位: optional likewise
    key_points: tuple[str, ...] = ()
    code: Code | None = None
    tags: tuple[str, ...] = ()
    level: int | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Section:
    id: str
    number: int
    title: str
    questions: tuple[Question, ...]
    diagrams: tuple[str, ...] = ()
    file: str = ""
    intro: str = ""  # Markdown before the first question (a Markdown bank's section prose)


@dataclass(frozen=True)
class Reference:
    title: str
    authors: str = ""
    year: int | None = None
    venue: str = ""  # where it appeared: NeurIPS 2017, arXiv preprint, technical report
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Diagram:
    id: str
    title: str
    caption: str
    notes: str
    source_path: Path
    native: bool = True  # a flowchart becomes native shapes; False keeps the picture


@dataclass(frozen=True)
class ProfileSettings:
    """A profile's defaults from deck.yaml `profiles:`; the command line overrides them."""

    reveal: Reveal | None = None


@dataclass(frozen=True)
class Bank:
    title: str
    subtitle: str
    author: str
    sections: tuple[Section, ...]
    language: str = "zh-CN"  # BCP 47
    theme: str | None = None  # deck.yaml `theme:` (a shipped theme name or a folder relative to root)
    root: Path | None = None  # the content folder it was loaded from
    template: str | None = None  # deck.yaml `template:` (a .pptx/.potx, relative to root)
    references: tuple[Reference, ...] = ()
    overview_diagram: str | None = None
    diagrams: dict[str, Diagram] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    profiles: dict[str, ProfileSettings] = field(default_factory=dict)  # study, mock

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]
