"""The loader: the bundled bank is valid; every kind of bad input gets one clear message
naming file, line, question and field, a non-zero exit and no output written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CONTENT, SECTION

from deck.cli import main
from deck.content.load import load_bank
from deck.errors import ContentError


def bank_dir(tmp_path: Path, section: str | bytes = SECTION, deck: str = "title: 演示题库\n",
             extra: dict[str, str] | None = None) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    (root / "deck.yaml").write_text(deck, encoding="utf-8")
    target = root / "01-demo.yaml"
    if isinstance(section, bytes):
        target.write_bytes(section)
    else:
        target.write_text(section, encoding="utf-8")
    for name, text in (extra or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_bundled_bank_is_complete() -> None:
    bank = load_bank(CONTENT, strict=True)
    assert [len(s.questions) for s in bank.sections] == [30] * 6
    ids = [q.id for q in bank.questions]
    assert len(ids) == len(set(ids)) == 180
    for q in bank.questions:
        assert q.answer and q.follow_up and q.pitfall and q.level in (1, 2, 3), q.id
    assert bank.warnings == ()


# (edit to apply, expected text in the message, line, question id, field)
BAD = [
    ("    answer: 缓存已算过的 K 与 V，解码时只算新 token。\n", "", "required field 'answer' is missing", 6, "first-q",
     "answer"),
    ("    pitfall: 说“缓存注意力分数”。\n", "    pitfall: 说“缓存注意力分数”。\n    pitfal: x\n",
     "unknown key 'pitfal'", 11, "first-q", "pitfal"),
    ("    answer: 缓存已算过的 K 与 V，解码时只算新 token。\n", "    answer: [a, b]\n", "expected text, found a list",
     8, "first-q", "answer"),
    ("  - id: second-q\n", "  - id: first-q\n", "duplicate question id", 11, "first-q", "id"),
    ("  - id: second-q\n", "  - id: Second_Q\n", "not a valid id", 11, "Second_Q", "id"),
    ("    question: 什么是 GQA？\n", "    question: 什么是 GQA？\n    level: 7\n", "out of range", 13, "second-q",
     "level"),
    ("    answer: 缓存已算过的 K 与 V，解码时只算新 token。\n", '    answer: "bad \\x0b char"\n',
     "control character U+000B", 8, "first-q", "answer"),
    ("    answer: 缓存已算过的 K 与 V，解码时只算新 token。\n", '    answer: "nul \\0 char"\n',
     "control character U+0000", 8, "first-q", "answer"),
    ("    follow_up: 组数怎么选？\n", "    follow_up:\n", "expected text, found empty", 14, "second-q", "follow_up"),
]


@pytest.mark.parametrize(("old", "new", "message", "line", "question", "field"), BAD)
def test_bad_question(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str,
                      line: int, question: str, field: str) -> None:
    assert old in SECTION
    root = bank_dir(tmp_path, SECTION.replace(old, new, 1))
    out = tmp_path / "out.pptx"
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert f"01-demo.yaml:{line}" in err
    assert f"question '{question}'" in err and f"field '{field}'" in err
    assert "Traceback" not in err
    assert err.count("error:") == 1
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize(("content", "message", "line"), [
    (SECTION.replace("    question: 什么是 GQA？", "\tquestion: 什么是 GQA？"), "YAML syntax error", 12),
    (SECTION.replace("  title: 演示", "  title: [演示"), "YAML syntax error", 5),
    (SECTION.replace("questions:\n", "questions: []\nx:\n", 1).split("  - id: first-q")[0], "unknown key 'x'", 6),
    ("section:\n  id: demo\n  number: 1\n  title: 空\nquestions: []\n", "the section has no questions", 5),
    (SECTION.encode("utf-8").replace("演示".encode(), "演示".encode("gbk")), "not valid UTF-8", 4),
])
def test_bad_file(tmp_path: Path, content: str | bytes, message: str, line: int) -> None:
    with pytest.raises(ContentError) as err:
        load_bank(bank_dir(tmp_path, content))
    assert message in str(err.value) and f"01-demo.yaml:{line}" in str(err.value)


def test_bom_is_accepted(tmp_path: Path) -> None:
    bank = load_bank(bank_dir(tmp_path, "\ufeff" + SECTION))
    assert [q.id for q in bank.questions] == ["first-q", "second-q"]


def test_duplicate_across_files_and_section_numbers(tmp_path: Path) -> None:
    other = SECTION.replace("id: demo", "id: other").replace("number: 1", "number: 2").replace("second-q", "third-q")
    with pytest.raises(ContentError, match=r"duplicate question id \(first used at content/01-demo.yaml:6\)"):
        load_bank(bank_dir(tmp_path, extra={"02-other.yaml": other}))
    renumbered = other.replace("first-q", "x-q").replace("third-q", "y-q").replace("number: 2", "number: 1")
    with pytest.raises(ContentError, match="section number '1' is also used"):
        (tmp_path / "b").mkdir()
        load_bank(bank_dir(tmp_path / "b", extra={"02-other.yaml": renumbered}))


def test_missing_diagram_and_content_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ContentError, match=r"01-demo.yaml:5, field 'section.diagrams': unknown diagram 'nope'"):
        load_bank(bank_dir(tmp_path, SECTION.replace("  title: 演示", "  title: 演示\n  diagrams: [nope]")))
    assert main(["check", "--content", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_check_summary_and_unknown_language_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    section = SECTION.replace("    pitfall: 与 MQA 混为一谈。\n", "    pitfall: 与 MQA 混为一谈。\n    code:\n"
                              "      language: brainfuck2\n      source: \"+++\"\n")
    assert main(["check", "--content", str(bank_dir(tmp_path, section))]) == 0
    out = capsys.readouterr().out
    assert "1 sections, 2 questions" in out
    assert "unknown code language 'brainfuck2'" in out


def test_output_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = bank_dir(tmp_path)
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o",
                 str(tmp_path / "nope" / "x.pptx")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "adir.pptx").mkdir()
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(tmp_path / "adir.pptx")]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_failed_build_keeps_existing_output(tmp_path: Path) -> None:
    root = bank_dir(tmp_path)
    out = tmp_path / "deck.pptx"
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(out)]) == 0
    before = out.read_bytes()
    (root / "01-demo.yaml").write_text(SECTION.replace("    answer: 多个 query", "    answr: 多个 query"),
                                       encoding="utf-8")
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(out)]) == 2
    assert out.read_bytes() == before


def test_follow_up_and_pitfall_are_optional_but_strict_requires_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lean = SECTION.replace("    follow_up: 组数怎么选？\n", "").replace("    pitfall: 与 MQA 混为一谈。\n", "")
    root = bank_dir(tmp_path, lean)
    second = load_bank(root).questions[1]
    assert (second.follow_up, second.pitfall) == ("", "")
    assert main(["check", "--content", str(root)]) == 0
    assert "1 question(s) without follow_up" in capsys.readouterr().out
    assert main(["check", "--strict", "--content", str(root)]) == 2
    err = capsys.readouterr().err
    assert "01-demo.yaml:11" in err and "question 'second-q'" in err and "required field 'follow_up' is missing" in err


def test_build_prints_the_warnings_check_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = bank_dir(tmp_path, SECTION.replace("    pitfall: 与 MQA 混为一谈。\n", "    pitfall: 与 MQA 混为一谈。\n"
                                               "    code: {language: klingon, source: x = 1}\n"))
    assert main(["check", "--content", str(root)]) == 0
    warning = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("warning:"))
    assert "unknown code language 'klingon'" in warning
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(tmp_path / "x.pptx")]) == 0
    assert warning in capsys.readouterr().err


def test_a_reference_that_is_not_a_mapping_lists_the_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = bank_dir(tmp_path, deck="title: 演示题库\nreferences:\n  - Attention Is All You Need (2017)\n")
    assert main(["check", "--content", str(root)]) == 2
    err = capsys.readouterr().err
    assert "deck.yaml:3" in err and "a reference must be a mapping" in err
    assert "keys: title, authors, year, venue, url, note" in err


def test_schema_describes_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    import jsonschema
    import yaml

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    for path in sorted(CONTENT.glob("*.yaml")) + [CONTENT / "diagrams" / "diagrams.yaml"]:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    bad = yaml.safe_load(SECTION.replace("pitfall:", "pitfal:", 1))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_content_cannot_escape_its_folder(tmp_path: Path) -> None:
    root = bank_dir(tmp_path, extra={})
    (root / "diagrams").mkdir()
    (root / "diagrams" / "diagrams.yaml").write_text("../../etc/passwd:\n  title: x\n", encoding="utf-8")
    with pytest.raises(ContentError, match="not a valid id"):
        load_bank(root)
    shutil.rmtree(root / "diagrams")
