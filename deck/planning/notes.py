"""Speaker notes as paragraphs of styled runs, made from a theme's notes templates (Markdown) and
the question's Markdown fields.

A field is parsed on its own, as on its slide (an unclosed fence or a list in one field cannot
swallow the template's next label), and stands in the template as one placeholder character: on a
line of its own it becomes its paragraphs (lists keep their bullets, numbers and levels; code
blocks their monospace lines; a table is rows of text, a picture its alt text: a notes body holds
text only); inside a line (after a head, in a joined list of key points) its runs, on one line.
Notes are never fitted (a notes page scrolls), so nothing here is measured.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from deck.content.model import Question
from deck.plan import Para, Run
from deck.planning.richtext import joined, paragraphs
from deck.theme.settings import Theme
from deck.theme.text_templates import STRONG, render_markdown

_FIRST = 0xF0000  # field k stands in the template as chr(_FIRST + k): Unicode's plane 15, private use
_PLACEHOLDER = re.compile(f"([{chr(_FIRST)}-{chr(_FIRST + 0xFFEF)}{STRONG[0]}{STRONG[1]}])")


class _Held(str):
    """A value's placeholder: printed as it is whatever format a label gives it ("{i:02d}")."""

    def __format__(self, spec: str) -> str:
        return str(self)


def field(text: str, theme: Theme) -> tuple[Para, ...]:
    """A Markdown field's notes paragraphs."""
    return tuple(Para(p.runs or (Run(p.text),), bullet=p.bullet, level=p.level, number=p.number)
                 for p in paragraphs(text, theme))


class Notes:
    """The notes of one deck: each distinct field is parsed once (a question's notes and its reveal's
    hold the same fields)."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._parsed: dict[str, tuple[Para, ...]] = {}

    def field(self, text: str) -> tuple[Para, ...]:
        if text not in self._parsed:
            self._parsed[text] = field(text, self.theme)
        return self._parsed[text]

    def render(self, template: str, question: Question, points: Sequence[tuple[Para, ...]] = (),
               **values: Any) -> tuple[Para, ...]:
        """The template's paragraphs, given the question (its fields as placeholders) and the points to
        listen for (as placeholders too); a blank line in the template is an empty paragraph, as it reads."""
        fields: list[tuple[Para, ...]] = []

        def hold(paras: tuple[Para, ...]) -> str:
            fields.append(paras)
            return chr(_FIRST + len(fields) - 1)

        def put(text: str) -> str:  # "" for an empty field, so the template's `if` still tests it
            return hold(self.field(text)) if text.strip() else ""

        held = replace(question, question=put(question.question), answer=put(question.answer),
                       follow_up=put(question.follow_up), pitfall=put(question.pitfall),
                       key_points=tuple(put(k) for k in question.key_points))
        out: list[Para] = []
        chunk: list[str] = []

        def flush() -> None:
            if chunk:
                out.extend(_expand(p, fields) for p in self.field("\n".join(chunk)))
                chunk.clear()

        # Printed values (a section's name, numbers) stand in as placeholders too: the template's text
        # is then the same from question to question and parsed once.
        shown = {k: _Held(hold((Para((Run(str(v)),)),))) if isinstance(v, str | int) and not isinstance(v, bool)
                 else v for k, v in values.items()}
        text = render_markdown(self.theme, template, question=held, points=[hold(p) for p in points], **shown)
        for line in text.split("\n"):
            own = line.strip()
            if not own or (len(own) == 1 and own >= chr(_FIRST) and own not in STRONG):
                flush()
                out.extend(fields[ord(own) - _FIRST] if own else (Para(()),))
            else:
                chunk.append(line)
        flush()
        return tuple(out)


def _expand(para: Para, fields: list[tuple[Para, ...]]) -> Para:
    """A template paragraph with its placeholders replaced by their fields' runs, on one line, and
    the text between the STRONG marks bold."""
    if not _PLACEHOLDER.search(para.text):
        return para
    runs: list[Run] = []
    strong = False
    for run in para.runs:
        for piece in _PLACEHOLDER.split(run.text):
            if piece in STRONG:
                strong = piece == STRONG[0]
            elif len(piece) == 1 and _PLACEHOLDER.fullmatch(piece):
                runs += _within(fields[ord(piece) - _FIRST], run, strong)
            elif piece:
                runs.append(_piece(run, piece, strong) if strong or piece != run.text else run)
    return replace(para, runs=joined([runs], Run("")))  # values and labels rejoined where one style


@functools.lru_cache(maxsize=1024)
def _piece(run: Run, text: str, strong: bool) -> Run:
    # Label text between placeholders: the same few pieces in every question's notes.
    return replace(run, text=text, bold=run.bold or strong)


def _within(paras: tuple[Para, ...], around: Run, strong: bool) -> Sequence[Run]:
    """A field's runs on one line (its paragraphs joined by spaces), with the template's emphasis."""
    runs = joined([p.runs for p in paras if p.runs], Run(" "))
    if not (strong or around.bold or around.italic or around.strike):
        return runs
    return [replace(r, bold=r.bold or around.bold or strong, italic=r.italic or around.italic,
                    strike=r.strike or around.strike) for r in runs]
