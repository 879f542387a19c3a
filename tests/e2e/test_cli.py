"""The CLI's edges: output names, option values, unknown commands, closed or ASCII-only stdout, OS
errors - each ends in ONE line on stderr naming the path or the option, a non-zero exit, no traceback."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (
    CONTENT,
    REPO,
    build,
    fails,
    fake_libreoffice,
    with_answer,
)

from deck.cli import main


def test_pdf_name_for_a_deck_is_refused_and_nothing_is_lost(bank: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "talk.pdf"
    line = fails(capsys, build(bank, out, "--pdf"))
    assert line == (f"error: -o '{out}': a deck is a .pptx file; give a name ending in .pptx "
                    "(--pdf writes the PDF beside it)")
    assert list(tmp_path.iterdir()) == [bank]


@pytest.mark.parametrize("name", ["talk.ppt", "talk.odp", "talk.v2", "talk.pptx.bak", "talk.png"])
def test_other_extensions_are_refused(bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      name: str) -> None:
    assert "a deck is a .pptx file" in fails(capsys, build(bank, tmp_path / name))
    assert not (tmp_path / name).exists()


def test_a_name_without_extension_gets_pptx_and_says_so(bank: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(build(bank, tmp_path / "talk")) == 0
    captured = capsys.readouterr()
    assert captured.err == f"note: -o '{tmp_path / 'talk'}' has no extension; writing the deck to " \
        f"{tmp_path / 'talk.pptx'}\n"
    assert captured.out == f"{tmp_path / 'talk.pptx'}\n"
    assert not (tmp_path / "talk").exists()
    assert main(build(bank, tmp_path / "upper.PPTX")) == 0
    assert (tmp_path / "upper.PPTX").is_file()


def test_all_profiles_need_a_folder_not_a_deck_name(bank: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    line = fails(capsys, ["build", "-q", "--content", str(bank), "-o", str(tmp_path / "all.pptx")])
    assert "with all profiles -o names a folder; add --profile" in line
    assert not (tmp_path / "all.pptx").exists()


def test_preview_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deck = tmp_path / "d.pptx"
    deck.write_bytes(b"PK")
    assert "the contact sheet is a PNG image" in fails(capsys, ["preview", str(deck), "-o", str(tmp_path / "x.pdf")])
    assert f"'{tmp_path}' is a folder, not a deck" in fails(capsys, ["preview", str(tmp_path)])
    (tmp_path / "notes.yaml").write_text("x", encoding="utf-8")
    assert "is not a .pptx deck" in fails(capsys, ["preview", str(tmp_path / "notes.yaml")])
    assert "no such deck" in fails(capsys, ["preview", str(tmp_path / "nope.pptx")])
    fifo = tmp_path / "pipe.pptx"
    os.mkfifo(fifo)
    assert "is a named pipe (FIFO), not a deck" in fails(capsys, ["preview", str(fifo)])
    assert "--limit must be at least 1" in fails(capsys, ["preview", str(deck), "--limit", "0"])
    for folder in (".", ""):
        assert "is a folder; give a file name like" in fails(capsys, ["preview", str(deck), "-o", folder])


def test_unreadable_deck_for_preview(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    deck = tmp_path / "d.pptx"
    deck.write_bytes(b"PK")

    def denied(src: object, _dst: object, **_kw: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(src))

    monkeypatch.setattr(shutil, "copy", denied)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    assert fails(capsys, ["preview", str(deck)]) == (f"error: cannot use '{deck}': Permission denied; "
                                                     "check its permissions, or choose another place")


def test_any_os_error_is_one_line_with_its_path(bank: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from deck import cli

    def full(_args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", "/some/file")

    monkeypatch.setitem(cli.COMMANDS, "schema", full)
    assert fails(capsys, ["schema"]) == ("error: cannot use '/some/file': No space left on device; "
                                         "the disk is full; free some space and run again")


class _ClosedPipe:
    """stdout after the reader went away (deck check | head -1)."""

    def write(self, _text: str) -> int:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def fileno(self) -> int:
        raise OSError("not a real file")


@pytest.mark.parametrize("command", [["check"], ["schema"]])
def test_closed_stdout_ends_quietly(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                    command: list[str]) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(command) == 141
    assert capsys.readouterr().err == ""


def test_closed_pipe_from_a_real_shell() -> None:
    script = f'{sys.executable} -m deck check | head -1; echo "deck exit ${{PIPESTATUS[0]}}" >&2'
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60, check=False)
    assert run.stderr in ("deck exit 141\n", "deck exit 0\n"), run.stderr  # 0: head read it all in time
    assert run.stdout.count("\n") == 1


@pytest.mark.parametrize("command", [["check"], ["schema"]])
def test_a_pipe_closed_before_the_first_write(command: list[str]) -> None:
    """The reader is gone before deck starts: every write meets a closed pipe, deterministically."""
    read, write = os.pipe()
    os.close(read)
    try:
        run = subprocess.run([sys.executable, "-m", "deck", *command], stdout=write, stderr=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60, check=False)
    finally:
        os.close(write)
    assert (run.returncode, run.stderr) == (141, "")


def test_started_with_stdout_closed(bank: Path) -> None:
    run = subprocess.run(["bash", "-c", f"{sys.executable} -m deck check --content {bank} >&-"], capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60, check=False)
    assert (run.returncode, run.stderr) == (0, "")


def test_an_ascii_only_terminal_gets_escapes_not_a_crash(bank: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "deck", "check", "--content", str(bank)], capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "ascii"},
                         timeout=60, check=False)
    assert run.returncode == 0 and "\\u6f14\\u793a" in run.stdout and run.stderr == ""


@pytest.mark.parametrize(("argv", "expected"), [
    (["--level", "3-1"], "--level '3-1': give the range low-high, e.g. 1-3"),
    (["--level", "0"], "--level '0': levels run from 1 (basic) to 3 (hard)"),
    (["--level", "2-7"], "--level '2-7': levels run from 1 (basic) to 3 (hard)"),
    (["--level", "hard"], "--level 'hard': expected N or N-M, e.g. 2-3"),
    (["--level", "1-2-3"], "--level '1-2-3': expected N or N-M, e.g. 2-3"),
    (["--limit", "0"], "--limit must be at least 1"),
    (["--limit", "many"], "deck build: argument --limit: invalid int value: 'many' (see deck build --help)"),
    (["--seed", "x"], "argument --seed: invalid int value: 'x'"),
    (["--profile", "talk"], "argument --profile: invalid choice: 'talk'"),
    (["--sections", ",,"], "--sections ',,': no section given"),
    (["--sections", "9,nope"], "--sections: no section 9, nope (have: 1/demo)"),
    (["--theme", "../../etc"], "theme '../../etc' not found: not a shipped theme (default) nor a folder"),
    (["--theme", "nope"], "theme 'nope' not found: not a shipped theme ("),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_option_values(bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                           expected: str) -> None:
    out = tmp_path / "m.pptx"
    line = fails(capsys, ["build", "-q", "--content", str(bank), "--profile", "mock", "-o", str(out)] + argv)
    assert expected in line
    assert not out.exists()


def test_unknown_command_and_missing_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert "argument command: invalid choice: 'biuld'" in fails(capsys, ["biuld"])
    assert "the following arguments are required: deck" in fails(capsys, ["preview"])


def test_shuffle_with_a_bad_value_or_bad_content_is_still_one_line(bank: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fake_libreoffice(monkeypatch)  # the scorecard always gets a PDF
    out = tmp_path / "m.pptx"
    mock = ["build", "-q", "--content", str(bank), "--profile", "mock", "-o", str(out), "--shuffle"]
    assert fails(capsys, [*mock, "--limit", "0"]) == "error: --limit must be at least 1"
    with_answer(bank, "*x")
    assert "YAML aliases are not allowed" in fails(capsys, mock)
    with_answer(bank, "好")
    assert main(mock) == 0
    assert "mock: shuffled with seed" in capsys.readouterr().err


def test_without_quiet_an_error_is_still_one_line(bank: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Progress is drawn only on a terminal; in a log or a pipe, stderr holds just the error."""
    with_answer(bank, "!!binary aGk=")
    assert "YAML tags are not allowed" in fails(capsys, ["build", "--content", str(bank), "--profile", "study",
                                                         "-o", str(tmp_path / "s.pptx")])


def test_one_table_of_profiles_for_the_cli_and_the_build(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """`--profile` offers exactly the build's table, and a name outside it is refused, not built
    as something else."""
    from deck.build import PROFILES, BuildRequest
    from deck.build import build as build_decks
    from deck.errors import DeckError
    from deck.planning.selection import MockOptions

    assert main(["build", "--profile", "slides"]) == 2
    offered = ", ".join(repr(name) for name in (*PROFILES, "all"))
    assert f"(choose from {offered})" in capsys.readouterr().err
    request = BuildRequest(content=CONTENT, profiles=("slides",), out_dir=tmp_path, target=None, theme=None,
                           cache=tmp_path / "cache", pdf=False, mock=MockOptions())
    with pytest.raises(DeckError, match="unknown profile 'slides'; choose from study, mock, handout, anki"):
        build_decks(request, progress=lambda _msg: None, say=lambda _msg: None)
    assert list(tmp_path.iterdir()) == []
