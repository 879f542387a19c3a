"""Pathological Markdown in a field (a bank may come from anyone): each builds a valid deck or
stops with one clear message, never a traceback or a hang. Fields are capped at 20,000 characters
(a longer one is an error naming file, line, question and field), so each case fills the cap."""

from __future__ import annotations

from pathlib import Path

import pytest
from checks import schema_errors
from conftest import build, fails, with_answer
from pptx import Presentation

from deck.cli import main

CAP = 19_990
CASES = {
    "10,000 nested list markers on one line": "- " * 10_000,
    "10,000 nested quotes": ">" * 10_000 + " deep",
    "a 4,000-row table": "| a | b |\n|---|---|\n" + "| `c` | **d** |\n" * 4_000,
    "20,000 stars": "*" * CAP,
    "9,000 unclosed dollars": "$a" * 9_000,
    "nested emphasis never closed": "*a **b " * 3_000,
}


def _block(text: str) -> str:
    return "|\n" + "".join(f"      {line}\n" for line in text.split("\n"))


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_pathological_markdown_builds_a_valid_deck(bank: Path, tmp_path: Path, text: str, pml_schema) -> None:  # noqa: ANN001
    with_answer(bank, _block(text[:CAP]).rstrip("\n"))
    out = tmp_path / "study.pptx"
    assert main(build(bank, out)) == 0
    deck = Presentation(str(out))
    assert len(deck.slides) > 3
    assert schema_errors(out, pml_schema) == []


def test_a_field_over_the_cap_is_one_error_naming_it(bank: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with_answer(bank, _block("[" * 30_000 + "x" + "]" * 30_000).rstrip("\n"))
    line = fails(capsys, build(bank, tmp_path / "study.pptx"))
    assert "01-demo.yaml:" in line and "field 'answer'" in line and "limit 20,000" in line
    assert not (tmp_path / "study.pptx").exists()
