"""Hostile or broken YAML and text in a section file or deck.yaml: one line on stderr naming the
file, line (column), question and field; a non-zero exit; bombs refused fast and small."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import (
    ONE_QUESTION,
    REPO,
    build,
    check_fails,
    with_answer,
)

from deck.cli import main
from deck.content.load import load_bank
from deck.text.fonts import Face


def _alias_bomb(root: Path, repeats: int = 5000) -> None:
    """The issue's case: a 16 KB anchored answer repeated 5,000 times in key_points."""
    big = "长" * 5000 + "x" * 1000
    lines = ["section: {id: s, number: 1, title: t}", "questions:", "  - id: q", "    question: q",
             f"    answer: &big {big}", "    follow_up: f", "    pitfall: p", "    key_points:"]
    (root / "01-demo.yaml").write_text("\n".join(lines + ["      - *big"] * repeats) + "\n", encoding="utf-8")


def _list_bomb(root: Path) -> None:
    """No alias, 6 MB: three million list items would be three million Python nodes."""
    head = ONE_QUESTION.replace("    pitfall: 说“缓存注意力分数”。\n", "    pitfall: p\n    tags: [")
    (root / "01-demo.yaml").write_text(head + "a," * 3_000_000 + "a]\n", encoding="utf-8")


# The child's own peak: VmHWM belongs to the process's memory map, new at exec. ru_maxrss would not
# do: Linux carries the parent's high-water mark across fork+exec (a big pytest process, hundreds of MB).
PEAK_KB = ("import resource\n"
           "def peak_kb():\n"
           "    try:\n"
           "        with open('/proc/self/status') as fh:\n"
           "            return next(int(x.split()[1]) for x in fh if x.startswith('VmHWM:'))\n"
           "    except OSError:\n"
           "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n")


@pytest.mark.parametrize(("bomb", "expected"), [
    (_alias_bomb, "01-demo.yaml:9:9: YAML aliases are not allowed (found *big)"),
    (_list_bomb, "01-demo.yaml:11: holds more than 200,000 YAML values"),
])
def test_bombs_are_refused_fast_and_small(bank: Path, tmp_path: Path, bomb, expected: str) -> None:  # noqa: ANN001
    """Measured in a child process: CPU time and peak RSS of the whole CLI run. CPU, not wall time:
    on a busy machine (a parallel test run) wall time measures the neighbours."""
    bomb(bank)
    out = tmp_path / "bomb.pptx"
    code = ("import resource, sys; from deck.cli import main; "
            f"rc = main(['build', '-q', '--content', {str(bank)!r}, '--profile', 'study', '-o', {str(out)!r}]); "
            "usage = resource.getrusage(resource.RUSAGE_SELF); "
            "print(peak_kb(), usage.ru_utime + usage.ru_stime); sys.exit(rc)")
    code = PEAK_KB + code
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)
    peak_kb, cpu = run.stdout.split()
    peak_mb, elapsed = int(peak_kb) / 1024, float(cpu)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [run.stderr.strip()]
    assert expected in run.stderr
    assert elapsed < 5 and peak_mb < 300, (elapsed, peak_mb)
    assert not out.exists()


@pytest.mark.parametrize(("answer", "expected"), [
    ("&a x\n    extra_alias_line: *a", "YAML aliases are not allowed (found *a)"),
    ("*nowhere", "YAML aliases are not allowed (found *nowhere)"),
    ("!!python/object/apply:os.system [ls]", "YAML tags are not allowed (found !!python/object/apply:os.system)"),
    ("!!python/name:os.system ''", "YAML tags are not allowed (found !!python/name:os.system)"),
    ("!!python/tuple [a]", "YAML tags are not allowed (found !!python/tuple)"),
    ("!!binary aGVsbG8=", "YAML tags are not allowed (found !!binary)"),
    ("!!set {a}", "YAML tags are not allowed (found !!set)"),
    ("!!omap [a: 1]", "YAML tags are not allowed (found !!omap)"),
    ("!custom text", "YAML tags are not allowed (found !custom)"),
    ("!<tag:example.com,2000:app/x> text", "YAML tags are not allowed (found tag:example.com,2000:app/x)"),
])
def test_aliases_and_tags_are_named(bank: Path, capsys: pytest.CaptureFixture[str], answer: str,
                                    expected: str) -> None:
    with_answer(bank, answer)
    line = check_fails(capsys, bank)
    assert expected in line and ("01-demo.yaml:8:" in line or "01-demo.yaml:9:" in line), line


def test_merge_keys_are_refused(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ONE_QUESTION.replace("  - id: first-q\n", "  - <<: {level: 1}\n    id: first-q\n")
    (bank / "01-demo.yaml").write_text(text, encoding="utf-8")
    assert "01-demo.yaml:6:5: YAML merge keys ('<<') are not allowed" in check_fails(capsys, bank)


def test_harmless_explicit_tags_and_anchors_still_load(bank: Path) -> None:
    with_answer(bank, "!!str &unused 42")
    assert load_bank(bank).questions[0].answer == "42"


def test_too_many_key_points(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    points = "".join(f"      - 要点 {i}\n" for i in range(13))
    (bank / "01-demo.yaml").write_text(ONE_QUESTION + "    key_points:\n" + points, encoding="utf-8")
    line = check_fails(capsys, bank)
    assert "01-demo.yaml:12, question 'first-q', field 'key_points': has 13 items (limit 12)" in line


def test_a_huge_file_is_refused_before_parsing(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "02-big.yaml").write_bytes(b"# " + b"x" * 16_100_000 + b"\n")
    assert "02-big.yaml: is larger than 16 MB" in check_fails(capsys, bank)


@pytest.mark.parametrize(("raw", "line_col", "expected"), [
    (b"    answer: \xe7\xbc\x93\x00\n", "8:14", "the control character U+0000"),
    (b"    answer: ab\x7f\n", "8:15", "the control character U+007F"),
    (b"    answer: \xc2\x81\n", "8:13", "the control character U+0081"),
    (b"    answer: \xef\xbf\xbe\n", "8:13", "the character U+FFFE"),
    (b"    answer: \xe7\xbc\x93\xff\n", "8:14", "not valid UTF-8 (byte 0xff)"),
    (b"    answer: \xed\xa0\x80\n", "8:13", "not valid UTF-8 (byte 0xed)"),
])
def test_unreadable_bytes_give_file_line_column(bank: Path, capsys: pytest.CaptureFixture[str], raw: bytes,
                                                line_col: str, expected: str) -> None:
    data = ONE_QUESTION.encode("utf-8").replace("    answer: 缓存已算过的 K 与 V，解码时只算新 token。\n".encode(), raw)
    (bank / "01-demo.yaml").write_bytes(data)
    line = check_fails(capsys, bank)
    assert f"content/01-demo.yaml:{line_col}: " in line and expected in line, line


def test_utf16_file_says_so(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "01-demo.yaml").write_bytes(ONE_QUESTION.encode("utf-16"))
    assert "not valid UTF-8 (byte 0xff); hint: it looks like UTF-16; save it as UTF-8" in check_fails(capsys, bank)


INVISIBLE = {
    "zero-width space + ideographic space": "\\u200b\\u3000\\u200b",
    "BOM": "\\ufeff", "word joiner": "\\u2060", "no-break space": "\\u00a0\\u00a0",
    "soft hyphen": "\\u00ad", "left-to-right mark": "\\u200e", "mongolian vowel separator": "\\u180e",
    "hangul filler": "\\u3164", "braille blank": "\\u2800", "variation selector": "\\ufe0f",
    "combining grapheme joiner": "\\u034f", "tag space": "\\U000e0020", "em space + thin space": "\\u2003\\u2009",
    "line separator": "\\u2028", "tab": "\\t",
}


@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_only_text_is_empty(bank: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    text = ONE_QUESTION.replace("    question: 什么是 KV cache？", f'    question: "{INVISIBLE[name]}"')
    (bank / "01-demo.yaml").write_text(text, encoding="utf-8")
    line = check_fails(capsys, bank)
    assert "01-demo.yaml:7, question 'first-q', field 'question': is empty" in line


@pytest.mark.parametrize("char", ["\\x80", "\\x9f", "\\x7f", "\\x1b"])
def test_control_characters_in_text_name_the_field(bank: Path, capsys: pytest.CaptureFixture[str],
                                                   char: str) -> None:
    with_answer(bank, f'"ok {char} ok"')
    line = check_fails(capsys, bank)
    code = f"U+{int(char[2:], 16):04X}"
    assert f"01-demo.yaml:8, question 'first-q', field 'answer': contains control character {code}" in line


def test_escaped_line_and_paragraph_separators_become_newlines(bank: Path) -> None:
    with_answer(bank, '"一\\u2028二\\u2029三\\x85四"')
    assert load_bank(bank).questions[0].answer == "一\n二\n三\n四"


@pytest.mark.parametrize(("char", "name"), [("\u2028", "LINE SEPARATOR"), ("\u2029", "PARAGRAPH SEPARATOR"),
                                            ("\x85", "NEXT LINE")])
def test_raw_line_separators_are_named_where_they_are(bank: Path, capsys: pytest.CaptureFixture[str], char: str,
                                                      name: str) -> None:
    with_answer(bank, f"甲{char}乙")
    assert check_fails(capsys, bank) == (
        f"error: content/01-demo.yaml:8:14: contains U+{ord(char):04X} ({name}), which YAML reads as a line break "
        "in the middle of the text; hint: replace it with a normal line break or a space")


def test_control_characters_in_keys_and_file_names_are_escaped(bank: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    text = ONE_QUESTION.replace("    pitfall:", '    "\\e[31mred\\nline": x\n    pitfall:')
    (bank / "01-demo.yaml").write_text(text, encoding="utf-8")
    line = check_fails(capsys, bank)
    assert "unknown key '\\x1b[31mred\\nline'" in line and "\x1b" not in line
    (bank / "01-demo.yaml").write_text(ONE_QUESTION, encoding="utf-8")
    os.mkfifo(bank / "02-\x1b[2Jevil\nerror: fake.yaml")
    assert main(build(bank, tmp_path / "s.pptx")) == 0
    assert capsys.readouterr().err == ("warning: content/02-\\x1b[2Jevil\\nerror: fake.yaml: skipped, it is a named "
                                       "pipe (FIFO), not a section file\n")


def test_a_list_as_a_key_is_named(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "01-demo.yaml").write_text(ONE_QUESTION.replace("    pitfall:", "    ? [a, b]\n    : x\n    pitfall:"),
                                       encoding="utf-8")
    assert "01-demo.yaml:10, question 'first-q': a key in a question must be a plain name" in check_fails(capsys, bank)


def test_too_many_questions_in_a_section(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = ONE_QUESTION.split("  - id: first-q")[0]
    items = "".join(f"  - {{id: q{i}, question: q, answer: a, follow_up: f, pitfall: p}}\n" for i in range(1001))
    (bank / "01-demo.yaml").write_text(head + items, encoding="utf-8")
    assert "01-demo.yaml:6, field 'questions': has 1,001 questions (limit 1,000)" in check_fails(capsys, bank)


@pytest.mark.parametrize(("text", "expected"), [
    ("title: x\n---\ntitle: y\n", "deck.yaml:2:1: YAML syntax error: but found another document; hint: a content "
                                  "file is one YAML document: remove this '---'"),
    ("%TAG !e! tag:evil.example,2000:\n---\ntitle: !e!x y\n",
     "deck.yaml:3:8: YAML tags are not allowed (found tag:evil.example,2000:x)"),
    ("title: !!merge x\n", "deck.yaml:1:8: YAML tags are not allowed (found !!merge)"),
])
def test_deck_yaml_documents_and_directives(bank: Path, capsys: pytest.CaptureFixture[str], text: str,
                                            expected: str) -> None:
    (bank / "deck.yaml").write_text(text, encoding="utf-8")
    assert expected in check_fails(capsys, bank)


@pytest.mark.parametrize("mark", [".", "-", "。", "（", "a"])
def test_a_long_unbreakable_field_builds_in_bounded_work(bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         mark: str) -> None:
    """19,000 characters with no break opportunity (one token, or a run of marks kinsoku keeps off a
    line's start or end) set on full lines, measured a bounded number of characters per character:
    it once set one mark per line (19,000 lines) and measured each line again per carried mark."""
    n = 19_000
    with_answer(bank, mark * n)
    measured = [0]
    edges = Face.edges

    def counted(face: Face, text: str) -> tuple[list[float], list[float]]:
        measured[0] += len(text)
        return edges(face, text)

    monkeypatch.setattr(Face, "edges", counted)
    out = tmp_path / "long.pptx"
    assert main(build(bank, out)) == 0
    with zipfile.ZipFile(out) as z:
        slides = [name for name in z.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", name)]
        text = "".join(re.findall(r"<a:t>([^<]*)</a:t>", "".join(z.read(s).decode() for s in slides)))
    assert text.count(mark) >= n  # all of it is shown
    assert len(slides) <= n // 400  # full lines: a few hundred characters a slide, not a few dozen
    assert measured[0] <= 40 * n
