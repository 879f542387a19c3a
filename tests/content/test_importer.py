"""`deck import`: seed-style Markdown becomes a bank that checks and builds; every line it
cannot place is reported with its line number."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import no_libreoffice
from pptx import Presentation

from deck.cli import main
from deck.content.importer import import_markdown, slug
from deck.content.load import load_bank
from deck.content.reading import MAX_FILE_BYTES

SEED = Path(__file__).resolve().parents[1] / "seed.md"  # a copy of ../shared/seed/000_04bb12059e8ab811.txt


def _seed_bank(tmp_path: Path) -> Path:
    out = tmp_path / "y"
    assert main(["import", str(SEED), "-o", str(out)]) == 0
    return out


def test_seed_becomes_a_bank_with_its_30_questions_code_chart_and_references(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _seed_bank(tmp_path)
    captured = capsys.readouterr()
    # The one line of prose the seed has outside any question, with its line number.
    assert re.findall(r"seed\.md:(\d+): left out", captured.err) == ["110"]
    assert "1 section(s), 30 questions (1 with code), 5 diagram(s), 10 reference(s)" in captured.out

    bank = load_bank(out)
    seed = SEED.read_text(encoding="utf-8")
    questions = re.findall(r"^\d+\) (.+)$", seed, re.M)
    assert [q.question for q in bank.questions] == questions and len(questions) == 30
    first = bank.questions[0]
    assert first.answer == "分解为多个子空间，关注不同关系模式，提升表达能力与训练稳定。"
    assert first.follow_up.startswith("在您当前模型中") and first.pitfall.startswith("回答停留在")
    assert bank.questions[6].follow_up == "" and bank.questions[6].pitfall == ""  # the seed has only 标准答
    (coded,) = [q for q in bank.questions if q.code]
    assert coded.code.language == "python"
    assert "scaled_dot_product_attention(Q, K, V, is_causal=True)" in coded.code.source
    assert coded.code.source.startswith("# 以 torch 2.x")

    chart = seed.split("```mermaid\n")[1].split("```")[0].strip()
    overview = bank.diagrams[bank.overview_diagram]
    assert overview.source_path.read_text(encoding="utf-8").strip() == chart
    refs = {r.title: r for r in bank.references}
    attention = refs["Attention Is All You Need"]
    assert (attention.authors, attention.year) == ("Vaswani et al.", 2017)
    assert refs["QLoRA"].authors == "Dettmers et al." and refs["QLoRA"].year == 2023  # "LoRA（…）/ QLoRA（…）" is two
    assert refs["FlashAttention"].year == 2022 and "2023" in refs["FlashAttention"].note
    assert "vLLM / LMDeploy 官方文档" in refs
    # The four placeholders are diagram entries with stub sources, shown nowhere yet.
    placeholders = {d.title for d in bank.diagrams.values() if d.id != bank.overview_diagram}
    assert placeholders == {"TransformerBlock 简图", "RoPE scaling 与位置偏移示意", "ZeRO-3 分片示意", "推测解码流程图"}
    assert bank.language == "zh-CN"


def test_imported_yaml_is_readable(tmp_path: Path) -> None:
    import json

    import jsonschema

    out = _seed_bank(tmp_path)
    for path in [*out.glob("*.yaml"), out / "diagrams" / "diagrams.yaml"]:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema="), path
        schema = path.parent / text.split("$schema=", 1)[1].split("\n", 1)[0]
        jsonschema.validate(yaml.safe_load(text), json.loads(schema.read_text(encoding="utf-8")))
    section = (out / "01-section-1.yaml").read_text(encoding="utf-8")
    assert "      source: |\n        # 以 torch 2.x" in section  # code as a block scalar
    assert "\n\n  - id: rope-alibi\n" in section  # a blank line between questions
    data = yaml.safe_load(section)
    assert list(data) == ["section", "questions"]
    assert list(data["questions"][3]) == ["id", "question", "answer", "follow_up", "pitfall", "code"]
    ids = [q["id"] for q in data["questions"]]
    assert len(set(ids)) == 30
    assert ids[:4] == ["section-1-q1", "rope-alibi", "pre-ln-vs-post-ln", "flash-attention"]
    deck = yaml.safe_load((out / "deck.yaml").read_text(encoding="utf-8"))
    assert list(deck) == ["title", "language", "overview_diagram", "references"]


@pytest.mark.browser  # the imported bank's diagram is rendered
def test_imported_seed_checks_and_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import deck.export.pdf

    monkeypatch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)  # PDFs are tested elsewhere; keep this fast
    out = _seed_bank(tmp_path)
    assert main(["check", "--content", str(out)]) == 0
    assert main(["check", "--strict", "--content", str(out)]) == 2  # the seed lacks most 反问点/坑位
    capsys.readouterr()
    decks = tmp_path / "decks"
    assert main(["build", "-q", "--content", str(out), "-o", str(decks)]) == 0
    study = Presentation(str(decks / "study.pptx"))
    text = "\n".join(shape.text_frame.text for slide in study.slides for shape in slide.shapes
                     if shape.has_text_frame)
    for q in load_bank(out).questions:
        assert q.question[:12] in text, q.id
    assert "Attention Is All You Need（Vaswani et al., 2017）" in text and "out = torch.nn.functional" in text
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    charts = [s for slide in study.slides for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.GROUP]
    labels = [c.text_frame.text for chart in charts for c in chart.shapes if c.has_text_frame]
    assert "数据清洗" in labels and "合并导出" in labels  # the Mermaid chart, as native shapes
    assert (decks / "mock.pptx").is_file() and (decks / "handout.pptx").is_file()


def test_import_refuses_a_non_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "y"
    out.mkdir()
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    assert main(["import", str(SEED), "-o", str(out)]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_markdown_without_questions_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md = tmp_path / "notes.md"
    md.write_text("# Notes\n\nJust prose.\n", encoding="utf-8")
    assert main(["import", str(md), "-o", str(tmp_path / "y")]) == 2
    assert "no question found" in capsys.readouterr().err
    assert not (tmp_path / "y").exists()


ENGLISH = """\
# Backend interviews

## 1. HTTP and APIs (3 questions)
1) What makes a method idempotent?
- **Answer:** Repeating it leaves the server in the same state.
  - PUT and DELETE are idempotent.
- Ask back: Which of your endpoints take an idempotency key?
- **Pitfall**: confusing idempotent with safe.

2) What makes a method idempotent?
Answer：Same question text, so the id needs a suffix.
Code:
```go
func main() {}
```

3) No answer here
- Pitfall: nothing else

Stray prose line.

## References
- [RFC 9110](https://www.rfc-editor.org/rfc/rfc9110) (Fielding et al., 2022)
- Kleppmann (2017). Designing Data-Intensive Applications
"""


def test_english_labels_colons_bold_and_unplaced_lines() -> None:
    result = import_markdown(ENGLISH, "en.md")
    assert [(u.line, u.reason) for u in result.unplaced] == [
        (17, "a question without an answer"), (18, "a question without an answer"),
        (20, "a paragraph after the labelled fields (indent it under the label to keep it)")]
    assert not any("says" in n for n in result.notices)  # 3 questions announced, 3 found
    assert any("no answer" in n for n in result.notices)
    data = yaml.safe_load(result.files["01-http-and-apis.yaml"])
    q1, q2 = data["questions"]
    assert q1 == {"id": "what-makes-a-method-idempotent", "question": "What makes a method idempotent?",
                  "answer": "Repeating it leaves the server in the same state.\n- PUT and DELETE are idempotent.\n",
                  "follow_up": "Which of your endpoints take an idempotency key?",
                  "pitfall": "confusing idempotent with safe."}
    assert q2["id"] == "what-makes-a-method-idempotent-1-2"
    assert q2["code"] == {"language": "go", "source": "func main() {}\n"}
    deck = yaml.safe_load(result.files["deck.yaml"])
    assert deck["language"] == "en"
    assert deck["references"] == [
        {"title": "RFC 9110", "authors": "Fielding et al.", "year": 2022, "url": "https://www.rfc-editor.org/rfc/rfc9110"},
        {"title": "Designing Data-Intensive Applications", "authors": "Kleppmann", "year": 2017}]
    assert import_markdown(ENGLISH, "en.md") == result  # stable


def test_slugs() -> None:
    assert slug("Pre-LN vs Post-LN？") == "pre-ln-vs-post-ln"
    assert slug("多头注意力为何有效？") == ""
    assert slug("如何做A/B？") == ""  # no word of two letters: the section-and-number id is clearer
    assert slug("μParam/Scaled init 的动机？") == "param-scaled-init"
    assert len(slug("one two three four five six seven eight")) <= 40


def test_fence_inside_a_list_item_loses_its_indent() -> None:
    md = "## Basics\n1) What is LoRA?\n- Answer: low rank.\n- Code:\n\t```python\n\tr = 8\n\tif r:\n\t\tpass\n\t```\n"
    data = yaml.safe_load(import_markdown(md, "tab.md").files["01-basics.yaml"])
    assert data["questions"][0]["code"] == {"language": "python", "source": "r = 8\nif r:\n    pass\n"}


def test_a_fifo_given_to_import_ends_at_once_with_one_line(tmp_path: Path) -> None:
    """In a child process with a timeout: reading a FIFO with open() would block forever."""
    fifo = tmp_path / "bank.md"
    os.mkfifo(fifo)
    run = subprocess.run([sys.executable, "-m", "deck", "import", str(fifo), "-o", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=60, check=False,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert run.returncode == 2
    assert run.stderr == f"error: {fifo}: is a named pipe (FIFO), not a regular file; " \
                         "hint: content files must be plain files; replace it or remove it\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.mkdir(), "is a folder, not a regular file"),
    (lambda p: p.write_bytes("## a\n\n1. q\n- 标准: ok ".encode() + b"\xff\n"), ":4:10: not valid UTF-8 (byte 0xff)"),
    (lambda p: p.write_bytes(b"## a\n\n1. q\x1b[2J\n"), ":3:5: contains the control character U+001B"),
    (lambda p: os.truncate(p.write_bytes(b"") or p, MAX_FILE_BYTES + 1), "is larger than 16 MB"),  # sparse: fast
])
def test_unreadable_markdown_is_one_line_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   make: Callable[[Path], object], message: str) -> None:
    md = tmp_path / "bank.md"
    make(md)
    capsys.readouterr()
    assert main(["import", str(md), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {md}") and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()
