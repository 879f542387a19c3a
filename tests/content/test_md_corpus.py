"""Six public Markdown interview banks nobody here wrote (../shared/corpus/real-markdown, see its
SOURCES.md; never copied into this repository), imported as they are.

The counts are ours, read off each file by hand: a question is a thing the file asks and
answers (a numbered heading, a bold line, a Q: item); an answer's own sub-headings, numbered
steps and nested follow-ups are not questions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deck.cli import main
from deck.content.importer import import_markdown
from deck.content.load import load_bank
from deck.content.markdown import parser
from deck.content.yaml_bank import SLUG

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real-markdown"

# file: (questions asked, of them answered)
COUNTS = {
    # `## Q01 · …` headings, Q01-Q11; the `- **Q：…**` items under "🪤 面试常见追问" are follow-ups.
    "zh-llm-1.md": (11, 11),
    # 1.1-1.8, 2.1-2.3, 3.1-3.8 (headings and bold lines), 4 (1)-(4) and 5.1-5.3 topic headings,
    # 6.1, and the 19 bold questions under "6.2 一些细节" (itself a heading over them).
    "zh-llm-2.md": (46, 46),
    # 78 bold `**N. …**` lines (numbered on across sections A-H), 6 code items `**N) …**`,
    # 6 `- **Q：…**` pairs, 9 `### N.` headings.
    "zh-llm-3.md": (99, 99),
    # `#### 1)` … `#### 65)` plus two `### 66)`; 9) and 14) have no answer.
    "en-ml-1.md": (67, 65),
    # `## 1.` … `## 15.` (the title promises 63; the file holds 15).
    "en-llm-1.md": (15, 15),
    # `1. **Q: …**` / `- **A:** …`, 1-200 across five sections.
    "en-llm-2.md": (200, 200),
}


def readable(text: str) -> str:
    """What a reader reads: inline text, code and math, without spaces (CJK has none to count)."""
    out = []
    for tok in parser().parse(text):
        if tok.type == "inline":
            out += [c.content for c in tok.children or [] if c.type in ("text", "code_inline", "math_inline")]
        elif tok.type in ("fence", "code_block", "math_block"):
            out.append(tok.content)
    return re.sub(r"\s+", "", "".join(out))


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_a_real_bank_imports_with_its_questions_and_text(name: str) -> None:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{path} is not here (the shared corpus is optional)")
    asked, answered = COUNTS[name]
    result = import_markdown(path.read_text(encoding="utf-8"), name, path.parent)
    found = sum(s.found for s in result.report)
    assert 0.9 * asked <= found <= 1.1 * asked, (found, asked)
    assert 0.9 * answered <= result.questions <= 1.1 * answered, (result.questions, answered)

    bank = load_bank(path)  # the same, read in place by the loader
    assert len(bank.questions) == result.questions
    for q in bank.questions:
        assert SLUG.match(q.id) and q.answer.strip(), q.id
        # Titles are clean text: no link syntax, emphasis marks, tags, Q: prefixes or numbers.
        assert not re.search(r"\]\(|\*\*|<br|</?[a-z]+>|^\s*(?:Q\s*\d*\s*[:：·]|\d+[.)、])|\|", q.question), q.question
    carried = "".join(readable(q.question) + readable(q.answer) + readable(q.follow_up) + readable(q.pitfall)
                      + "".join(q.key_points) + (re.sub(r"\s+", "", q.code.source) if q.code else "")
                      for q in bank.questions)
    share = len(carried) / len(readable(path.read_text(encoding="utf-8")))
    assert share >= 0.8, share


def test_the_report_counts_sections_and_lists_lines_left_out(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    path = CORPUS / "en-ml-1.md"
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    assert main(["import", str(path), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "  Questions (line 20): 67 question(s), 2 without an answer (left out)" in out
    assert out.rstrip().endswith("line(s) left out") and "dry run, nothing written" in out
    # The promo block above the questions, each line with its number and why.
    assert f"{path}:14: left out (outside any question" in err
    assert re.search(rf"{re.escape(str(path))}:88: left out \(a question without an answer\)", err)
    assert not list(tmp_path.iterdir())
