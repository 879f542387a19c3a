"""The typed content model: what the loader produces and the planner consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Code:
    language: str
    source: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answer: str
    follow_up: str
    pitfall: str
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


@dataclass(frozen=True)
class Reference:
    title: str
    authors: str = ""
    year: int | None = None
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Diagram:
    id: str
    title: str
    caption: str
    notes: str
    source_path: Path


@dataclass(frozen=True)
class Bank:
    title: str
    subtitle: str
    author: str
    sections: tuple[Section, ...]
    references: tuple[Reference, ...] = ()
    overview_diagram: str | None = None
    diagrams: dict[str, Diagram] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    language: str = "zh-CN"  # BCP 47; picks the label table and the runs' lang

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]
