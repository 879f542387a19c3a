"""The content folder as files: special files (FIFO, socket, device, dangling links), editor
files, unreadable or unlistable entries, .yml names, empty files and the diagram index - each
skipped with a named warning or refused in one line naming the path."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import pytest
from conftest import (
    ONE_QUESTION,
    build,
    check_fails,
    with_diagram,
)

from deck.cli import main
from deck.content.load import load_bank


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()


SPECIAL = {
    "fifo": (_fifo, "a named pipe (FIFO)"),
    "socket": (_socket, "a socket"),
    "folder": (lambda p: p.mkdir(), "a folder"),
    "device": (lambda p: p.symlink_to("/dev/null"), "a character device"),
    "dangling symlink": (lambda p: p.symlink_to(p.parent / "gone.yaml"), "a symlink to a missing file"),
    "symlink to a fifo": (lambda p: (_fifo(p.parent / "real-fifo"), p.symlink_to(p.parent / "real-fifo")),
                          "a named pipe (FIFO)"),
}


@pytest.mark.parametrize("kind", SPECIAL)
def test_special_section_file_is_skipped_with_a_named_warning(
        bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_hang: None, kind: str) -> None:
    make, described = SPECIAL[kind]
    make(bank / "02-special.yaml")
    out = tmp_path / "study.pptx"
    assert main(build(bank, out)) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"warning: content/02-special.yaml: skipped, it is {described}, not a section file"]
    assert out.is_file()
    assert main(["check", "--content", str(bank)]) == 0
    assert "ok, 1 warning(s)" in capsys.readouterr().out


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("name", ["deck.yaml", "diagrams/diagrams.yaml"])
def test_special_deck_or_diagram_index_is_refused_by_name(
        bank: Path, capsys: pytest.CaptureFixture[str], no_hang: None, kind: str, name: str) -> None:
    make, described = SPECIAL[kind]
    (bank / "diagrams").mkdir()
    target = bank / name
    if target.exists():
        target.unlink()
    make(target)
    line = check_fails(capsys, bank)
    if kind == "dangling symlink" and name == "deck.yaml":
        assert line == f"error: content/deck.yaml: is {described}, not a regular file; hint: content files " \
            "must be plain files; replace it or remove it"
    else:
        assert f"content/{name}: is {described}, not a regular file" in line


@pytest.mark.parametrize("kind", SPECIAL)
def test_special_mermaid_source_is_refused_by_name(bank: Path, capsys: pytest.CaptureFixture[str],
                                                   no_hang: None, kind: str) -> None:
    make, described = SPECIAL[kind]
    (bank / "diagrams").mkdir()
    (bank / "diagrams" / "diagrams.yaml").write_text("flow:\n  title: 流程\n", encoding="utf-8")
    make(bank / "diagrams" / "flow.mmd")
    line = check_fails(capsys, bank)
    if kind == "dangling symlink":
        assert "diagrams.yaml:1, field 'flow': no Mermaid source content/diagrams/flow.mmd" in line
    elif kind == "device":  # /dev/null: the link leaves the content folder, refused before its type matters
        assert "the Mermaid source content/diagrams/flow.mmd is a link to outside the content folder" in line
    else:
        assert f"field 'flow': the Mermaid source content/diagrams/flow.mmd is {described}, not a regular file" \
            in line


def test_unreadable_file_is_named(bank: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """We run as root, where chmod 000 still reads: simulate the EACCES that open() gives a user."""
    real_open = os.open

    def denied(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if Path(path).name == "01-demo.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", denied)
    assert check_fails(capsys, bank) == ("error: content/01-demo.yaml: cannot read: Permission denied; "
                                         "hint: check its permissions, or choose another place")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file; the simulated case above covers it")
def test_unreadable_file_for_real(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "01-demo.yaml").chmod(0)
    assert "content/01-demo.yaml: cannot read: Permission denied" in check_fails(capsys, bank)


EDITOR_FILES = [".#01-demo.yaml", "01-demo.yaml~", ".01-demo.yaml.swp", "#01-demo.yaml#", "~$01-demo.yaml",
                ".hidden.yaml", "._01-demo.yaml", "01-demo.yaml.bak"]


@pytest.mark.parametrize("name", EDITOR_FILES)
@pytest.mark.parametrize("dangling", [True, False])
def test_editor_files_are_not_content(bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      name: str, dangling: bool) -> None:
    if dangling:  # Emacs' lock file is a symlink to user@host.pid
        (bank / name).symlink_to("root@host.12345:1700000000")
    else:
        (bank / name).write_bytes(b"\x00 not yaml [")
    out = tmp_path / "study.pptx"
    assert main(build(bank, out)) == 0
    assert capsys.readouterr().err == ""
    assert main(["check", "--content", str(bank)]) == 0
    assert capsys.readouterr().out.endswith("ok\n")


@pytest.mark.parametrize(("target", "expected"), [
    ("/etc/passwd", "content directory '/etc/passwd' is not a folder (it is a regular file)"),
    ("missing", "does not exist"),
    ("fifo", "is not a folder (it is a named pipe (FIFO))"),
    ("dangling", "is not a folder (it is a symlink to a missing file)"),
])
def test_content_that_is_not_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str,
                                      expected: str) -> None:
    path = Path(target) if target.startswith("/") else tmp_path / target
    if target == "fifo":
        os.mkfifo(path)
    elif target == "dangling":
        path.symlink_to(tmp_path / "gone")
    assert expected in check_fails(capsys, path)


def test_unlistable_content_folder(bank: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.listdir

    def denied(path: object = ".") -> list[str]:
        if Path(str(path)) == bank:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", denied)
    assert check_fails(capsys, bank) == (f"error: {bank}: cannot list the folder: Permission denied; "
                                         "hint: check its permissions, or choose another place")


def test_yml_files_are_read(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = ONE_QUESTION.replace("id: demo", "id: other").replace("number: 1", "number: 2").replace("first-q", "x-q")
    (bank / "02-other.yml").write_text(other, encoding="utf-8")
    (bank / "03-upper.YAML").write_text(other.replace("other", "upper").replace("number: 2", "number: 3")
                                        .replace("x-q", "y-q"), encoding="utf-8")
    assert [s.id for s in load_bank(bank).sections] == ["demo", "other", "upper"]
    (bank / "02-other.yaml").write_text(other.replace("number: 2", "number: 4"), encoding="utf-8")
    assert "section id 'other' is also used by content/02-other.yaml" in check_fails(capsys, bank), \
        "02-other.yaml and 02-other.yml are both read"
    (bank / "02-other.yaml").unlink()
    (bank / "deck.yaml").rename(bank / "deck.yml")
    assert load_bank(bank).title == "演示题库"
    (bank / "deck.yaml").write_text("title: 二\n", encoding="utf-8")
    assert "both deck.yaml and deck.yml are here" in check_fails(capsys, bank)


def test_empty_file_is_named(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "02-empty.yaml").write_text("", encoding="utf-8")
    assert "content/02-empty.yaml: the file is empty" in check_fails(capsys, bank)


@pytest.mark.parametrize("index", [None, "other:\n  title: 别的\n"])
def test_mmd_without_entry_says_add_the_entry(bank: Path, capsys: pytest.CaptureFixture[str],
                                              index: str | None) -> None:
    with_diagram(bank, index, mmd=True)
    if index:
        (bank / "diagrams" / "other.mmd").write_text("flowchart LR\n  C --> D\n", encoding="utf-8")
    assert check_fails(capsys, bank) == (
        "error: content/01-demo.yaml:5, field 'section.diagrams': unknown diagram 'flow'; hint: "
        "content/diagrams/flow.mmd exists: add an entry 'flow:' with a 'title:' to content/diagrams/diagrams.yaml")


def test_neither_mmd_nor_entry_says_add_both(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_diagram(bank, None, mmd=False)
    assert "hint: add content/diagrams/flow.mmd and an entry 'flow:' with a 'title:' in " \
        "content/diagrams/diagrams.yaml" in check_fails(capsys, bank)


def test_entry_without_mmd_says_add_the_mmd(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_diagram(bank, "flow:\n  title: 流程\n", mmd=False)
    assert check_fails(capsys, bank) == (
        "error: content/diagrams/diagrams.yaml:1, field 'flow': no Mermaid source content/diagrams/flow.mmd; "
        "hint: add content/diagrams/flow.mmd, or remove the entry 'flow'")


def test_overview_diagram_hint_and_orphan_mmd_warning(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "diagrams").mkdir()
    (bank / "diagrams" / "flow.mmd").write_text("flowchart LR\n  A --> B\n", encoding="utf-8")
    (bank / "deck.yaml").write_text("title: 演示题库\noverview_diagram: flow\n", encoding="utf-8")
    assert "exists: add an entry 'flow:'" in check_fails(capsys, bank)
    (bank / "deck.yaml").write_text("title: 演示题库\n", encoding="utf-8")
    (bank / "diagrams" / "diagrams.yaml").write_text("{}\n", encoding="utf-8")
    assert main(["check", "--content", str(bank)]) == 0
    assert "warning: content/diagrams/flow.mmd has no entry in content/diagrams/diagrams.yaml" \
        in capsys.readouterr().out
