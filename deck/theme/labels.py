"""Every fixed text of the decks, per language: <theme folder>/labels/<BCP 47 tag>.yaml.

Placeholders are str.format fields ({n}, {title}, ...). A deck's language finds its
table by its full tag, then by its primary subtag (en-GB -> en).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from deck.errors import DeckError
from deck.theme.typed_yaml import Plural, Reader, compose


@dataclass(frozen=True)
class Labels:
    numerals: str  # "arabic" (1, 2, …) or the digits zero to ten of a Chinese-style count (一 … 十一)
    # Answer blocks and their separators.
    answer: str
    follow_up: str
    pitfall: str
    colon: str  # after a label in running text: 要点： / Key points:
    handout_sep: str  # after a block label in the handout: 标准答｜ / Answer:
    block_chain: str  # between block names in reading order: 标准答 → 反问点
    block_list: str  # between block names in a list: 标准答、反问点
    list_sep: str  # between key points
    count_gap: str  # before a count after a title: 　3 题
    dot: str  # between parts of a marker or subtitle: " · "
    # Slides and pages.
    section: str  # {numeral} {title}
    questions: Plural
    diagrams: Plural
    sections: Plural
    agenda: str
    references: str
    reference_authors: str  # {authors} {year}
    reference_year: str
    closing: str
    closing_prompt: str
    question_marker: str  # {section} {i} {n}
    part: str  # first part of a split block: {i} {n}
    continued: str  # later parts: {i} {n}
    code: str  # suffix of a code slide's title
    code_continued: str  # {i} {n}
    page: str  # {i} {n}
    qa_number: str  # {n}
    # Mock interview and scorecard.
    mock: str
    mock_footer: str  # {title}
    mock_seed: str  # {seed}
    mock_order: str
    howto_title: str
    howto: tuple[str, ...]  # {scorecard}: the scorecard PDF's file name
    howto_click: tuple[str, ...]  # the same with click reveal (--reveal click)
    mock_marker: str  # {i} {n} {section} {minutes}
    mock_closing: str
    mock_closing_prompt: str
    scorecard: str
    scorecard_footer: str  # {title}
    scorecard_seed: str  # {seed}
    scorecard_fields: str
    key_points: str
    record: str
    score_scale: str
    score_number: str  # {n}
    handout_cover: str  # {sections} {questions} {blocks}
    # Speaker notes (<theme folder>/notes_*.j2).
    notes_code: str  # {language}
    notes_level: str  # {level}
    notes_mock_head: str  # {i} {n} {section}
    notes_minutes: str  # {minutes}
    notes_ask: str
    notes_listen: str
    notes_follow_up: str
    notes_pitfall: str
    notes_reveal: str  # {blocks}
    notes_question_head: str  # {section} {i} {n}

    def numeral(self, n: int) -> str:
        digits = self.numerals
        if digits == "arabic" or n > 99:
            return str(n)
        if n <= 10:
            return digits[n]
        tens, ones = divmod(n, 10)  # 十一, 二十, 二十三
        return (digits[tens] if tens > 1 else "") + digits[10] + (digits[ones] if ones else "")

    def section_label(self, number: int, title: str) -> str:
        return self.section.format(numeral=self.numeral(number), title=title)

    def mark(self, i: int, n: int) -> str:
        """The continuation mark of part i of n: '（1/3）', '（续 2/3）'; '' when n == 1."""
        if n <= 1:
            return ""
        return (self.continued if i > 1 else self.part).format(i=i, n=n)


def _table(folders: tuple[Path, ...], language: str) -> Path | None:
    tables = [p for f in folders for p in sorted(f.glob("*.yaml"))]  # theme's own first
    tag = language.lower()
    primary = tag.split("-")[0]
    for match in (lambda stem: stem == tag, lambda stem: stem == primary,
                  lambda stem: stem.split("-")[0] == primary):
        found = next((p for p in tables if match(p.stem.lower())), None)
        if found:
            return found
    return None


@functools.cache
def load_labels(folders: tuple[Path, ...], language: str) -> Labels:
    """The table for a BCP 47 tag (any case): the exact tag first, then its primary subtag,
    then any table of that primary language (zh, zh-Hans -> zh-CN); in the theme's own
    labels/ folder first, then the default theme's."""
    path = _table(folders, language)
    if path:
        labels = Reader(path.name).read(Labels, root := compose(path, "a label table"), "")
        if labels.numerals != "arabic" and len(labels.numerals) != 11:
            line = next(k.start_mark.line + 1 for k, _ in root.value if k.value == "numerals")
            raise DeckError(f"{path.name}:{line}: 'numerals' must be arabic or the 11 digits zero to ten")
        return labels
    known = ", ".join(sorted({p.stem for f in folders for p in f.glob("*.yaml")})) or "none"
    raise DeckError(f"no label table for language '{language}' (available: {known}); set 'language:' in "
                    f"deck.yaml to one of them, or add {folders[0]}/{language}.yaml")
