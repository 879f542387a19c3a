"""The typed theme and its label tables: a broken file names theme.yaml:line and the key."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from deck import resources
from deck.errors import DeckError
from deck.theme.settings import load_theme, read_theme

DEFAULT = resources.themes_dir() / "default"


def broken(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of the default theme with one edit; returns its theme.yaml and the edited line."""
    folder = tmp_path / "t"
    shutil.copytree(DEFAULT, folder)
    path = folder / "theme.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, text[: text.index(old)].count("\n") + 1


def theme_error(tmp_path: Path, old: str, new: str) -> tuple[str, int]:
    """The message a theme with one edit fails with, and the edited line."""
    path, line = broken(tmp_path, old, new)
    with pytest.raises(DeckError) as err:
        read_theme(path, "t")
    return str(err.value), line


@pytest.mark.parametrize(("old", "new", "message"), [
    ("  marker: 14\n", "  marker: big\n", r"'sizes\.marker' must be a number"),
    ("  marker: 14\n", "  marker: 14\n  markr: 12\n", r"unknown key 'sizes\.markr'"),
    ("  question: [40, 24]\n", "  question: [24, 40]\n", r"'sizes\.question': \[max, min\] needs max >= min"),
    ("  primary: \"1D4ED8\"", "  primary: [1]", r"'palette\.primary' must be text"),
    ("    score_box_w: 96", "    score_box_w: {}", r"'handout\.layout\.score_box_w' must be a number"),
    # The diagrams block: a typo there was once silently ignored (Mermaid took its defaults).
    ("  scale: 3 ", "  scael: 3 ", r"unknown key 'diagrams\.scael'"),
    ("    rankSpacing: 30\n", "    rankSpacng: 30\n", r"unknown key 'diagrams\.flowchart\.rankSpacng'"),
    ("    lineColor: \"#5B6770\"\n", "    lineColour: \"#5B6770\"\n",
     r"unknown key 'diagrams\.theme_variables\.lineColour'"),
    ("  font_size: 18\n", "  font_size: big\n", r"'diagrams\.font_size' must be a whole number"),
    ("    subGraphTitleMargin: {top: 4, bottom: 6}", "    subGraphTitleMargin: {top: 4, botom: 6}",
     r"unknown key 'diagrams\.flowchart\.subGraphTitleMargin\.botom'"),
])
def test_broken_theme_names_line_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    text, line = theme_error(tmp_path, old, new)
    assert re.search(message, text), text
    got = int(re.match(r"theme\.yaml:(\d+): ", text).group(1))  # type: ignore[union-attr]
    assert got in (line, line + 1)  # unknown and bad values point at their own line


def test_broken_theme_is_a_clear_cli_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from deck.cli import main
    from deck.theme import settings as theme

    broken(tmp_path, "  marker: 14\n", "  marker: big\n")
    theme.load_theme.cache_clear()
    try:
        assert main(["build", "-q", "--theme", str(tmp_path / "t"), "--profile", "study",
                     "-o", str(tmp_path / "s.pptx")]) == 2
    finally:
        theme.load_theme.cache_clear()
    err = capsys.readouterr().err
    assert re.search(r"theme\.yaml:\d+: 'sizes\.marker' must be a number", err) and "KeyError" not in err
    assert not (tmp_path / "s.pptx").exists()


def test_a_theme_written_for_an_older_version_takes_the_default_for_keys_it_lacks(tmp_path: Path) -> None:
    """Keys (and whole sections) newer than the user's theme.yaml come from the default theme; its
    own values stay, and its mistakes are still named by line."""
    default = read_theme(DEFAULT / "theme.yaml", "default")
    path, _ = broken(tmp_path, "  marker: 14\n", "")
    text = path.read_text(encoding="utf-8").replace('  primary: "1D4ED8"', '  primary: "AA0000"', 1)
    start = text.index("\ntemplate:\n")
    end = text.find("\n", text.index("\n  dark_code_border:", start) + 1)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    old = read_theme(path, "old")
    assert old.sizes.marker == default.sizes.marker and old.template == default.template
    assert old.palette.primary == "AA0000"
    path.write_text(path.read_text(encoding="utf-8").replace("  question: [40, 24]\n", "  question: big\n", 1),
                    encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("  question: big") + 1  # the user's line
    with pytest.raises(DeckError, match=rf"theme\.yaml:{line}: 'sizes\.question' must be a number"):
        read_theme(path, "old")


def test_labels_fall_back_to_the_primary_subtag_and_list_the_tables() -> None:
    theme = load_theme()
    assert theme.labels("en-GB") == theme.labels("en")
    assert theme.labels("zh-CN").answer == "标准答" and theme.labels("en").answer == "Answer"
    with pytest.raises(DeckError, match=r"no label table for language 'fr-FR'.*available: en, zh-CN"):
        theme.labels("fr-FR")


def test_labels_numbering_counts_and_marks() -> None:
    zh, en = load_theme().labels("zh-CN"), load_theme().labels("en")
    assert [zh.numeral(n) for n in (1, 10, 11, 20, 23)] == ["一", "十", "十一", "二十", "二十三"]
    assert zh.section_label(2, "SFT") == "二、SFT" and en.section_label(2, "SFT") == "2. SFT"
    assert (zh.questions(1), en.questions(1), en.questions(3)) == ("1 题", "1 question", "3 questions")
    assert (zh.mark(1, 1), zh.mark(1, 3), zh.mark(2, 3)) == ("", "（1/3）", "（续 2/3）")
    assert en.mark(2, 3) == " (cont. 2/3)"


def test_broken_label_table_names_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(DEFAULT, folder)
    path = folder / "labels" / "en.yaml"
    text = path.read_text(encoding="utf-8").replace("agenda: Contents\n", "agenda: Contents\nagend: x\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DeckError, match=r"en\.yaml:\d+: unknown key 'agend'"):
        read_theme(folder / "theme.yaml", "t").labels("en")


def test_label_numerals_must_be_arabic_or_eleven_digits(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(DEFAULT, folder)
    path = folder / "labels" / "zh-CN.yaml"
    path.write_text(re.sub(r"^numerals: .*$", "numerals: 一二三", path.read_text(encoding="utf-8"), flags=re.M),
                    encoding="utf-8")
    with pytest.raises(DeckError, match=r"zh-CN\.yaml:2: 'numerals' must be arabic or the 11 digits"):
        read_theme(folder / "theme.yaml", "t").labels("zh-CN")


def test_a_theme_adds_a_label_table_and_inherits_the_shipped_ones(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    (folder / "labels").mkdir(parents=True)
    shutil.copy(DEFAULT / "theme.yaml", folder / "theme.yaml")
    en = (DEFAULT / "labels" / "en.yaml").read_text(encoding="utf-8")
    (folder / "labels" / "fr.yaml").write_text(en.replace("agenda: Contents", "agenda: Sommaire"), encoding="utf-8")
    theme = read_theme(folder / "theme.yaml", "t")
    assert theme.labels("fr-FR").agenda == "Sommaire"
    assert theme.labels("zh-CN").agenda == "目录"  # from the default theme


@pytest.mark.parametrize(("old", "new", "value"), [
    ("  marker: 14\n", "  marker: 0x10\n", 16.0),  # YAML 1.1 hex, which int() cannot read
    ("  marker: 14\n", "  marker: 1_4\n", 14.0),
    ("  marker: 14\n", "  marker: 1.4e+1\n", 14.0),
    ("  marker: 14\n", "  marker: !!int \"14\"\n", 14.0),
    ("  marker: 14\n", "  marker: 0\n", 0.0),
])
def test_numbers_are_read_as_yaml_reads_them(tmp_path: Path, old: str, new: str, value: float) -> None:
    path, _ = broken(tmp_path, old, new)
    theme = read_theme(path, "t")
    assert theme.sizes.marker == value
    assert theme.diagram_shapes.baseline.sub == -25000, "a baseline offset may be negative"


@pytest.mark.parametrize(("old", "new", "message"), [
    ("  marker: 14\n", "  marker: -5\n", r"'sizes\.marker' must be 0 or more \(a size or gap\), got -5"),
    ("  marker: 14\n", "  marker: .inf\n", r"'sizes\.marker' must be a finite number, got \.inf"),
    ("  marker: 14\n", "  marker: -.inf\n", r"'sizes\.marker' must be a finite number"),
    ("  marker: 14\n", "  marker: .nan\n", r"'sizes\.marker' must be a finite number, got \.nan"),
    ("  marker: 14\n", "  marker: 1.0e+400\n", r"'sizes\.marker' must be a finite number"),
    ("  marker: 14\n", "  marker: 1" + "0" * 400 + "\n", r"'sizes\.marker' must be a finite number"),
    ("  marker: 14\n", "  marker: true\n", r"'sizes\.marker' must be a number"),
    ("  marker: 14\n", "  marker: !!float abc\n", r"'sizes\.marker' must be a number"),
    ("  question: [40, 24]\n", "  question: [40, -1]\n", r"'sizes\.question' must be 0 or more"),
    ("  restate_lines: 2 ", "  restate_lines: -1 ", r"'layout\.restate_lines' must be 0 or more, got -1"),
    ("  restate_lines: 2 ", "  restate_lines: 2.5 ", r"'layout\.restate_lines' must be a whole number"),
    ("  restate_lines: 2 ", "  restate_lines: yes ", r"'layout\.restate_lines' must be a whole number"),
    ("  duration_ms: 300", "  duration_ms: -300", r"'reveal\.duration_ms' must be 0 or more"),
])
def test_bad_numbers_are_one_line_with_line_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    text, line = theme_error(tmp_path, old, new)
    assert re.fullmatch(rf"theme\.yaml:{line}: .*{message}.*", text), text


def test_a_theme_that_is_not_utf8_is_one_line_with_line_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from deck.cli import main
    from deck.theme import settings as theme

    path, line = broken(tmp_path, "  marker: 14\n", "  marker: 14  # Größe\n")
    path.write_bytes(path.read_bytes().replace("Größe".encode(), "Größe".encode("latin-1")))
    theme.load_theme.cache_clear()
    try:
        assert main(["build", "-q", "--theme", str(tmp_path / "t"), "--profile", "study",
                     "-o", str(tmp_path / "s.pptx")]) == 2
    finally:
        theme.load_theme.cache_clear()
    err = capsys.readouterr().err
    assert err == f"error: {path}:{line}:19: not valid UTF-8 (byte 0xf6); hint: save the file as UTF-8\n"
    assert not (tmp_path / "s.pptx").exists()


def test_a_huge_label_table_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from deck.content.reading import MAX_FILE_BYTES

    folder = tmp_path / "t"
    shutil.copytree(DEFAULT, folder)
    with (folder / "labels" / "en.yaml").open("r+b") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: costs nothing to make
    with pytest.raises(DeckError, match=r"^\S+/labels/en\.yaml: is larger than 16 MB"):
        read_theme(folder / "theme.yaml", "t").labels("en")
