"""Hardening, round 2: what a new user or an attacker feeds the CLI ends in ONE line on stderr
that names the file (line, column, field) or the path, a non-zero exit, no traceback, and every
existing output byte-identical. Run in process through deck.cli.main."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import SECTION as TWO_QUESTIONS

from deck.cli import main
from deck.content.load import load_bank
from deck.export import files
from deck.export import pdf as export

REPO = Path(__file__).resolve().parents[2]
SECTION = TWO_QUESTIONS[:TWO_QUESTIONS.index("  - id: second-q")]  # the first question only


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    (root / "deck.yaml").write_text("title: 演示题库\n", encoding="utf-8")
    (root / "01-demo.yaml").write_text(SECTION, encoding="utf-8")
    return root


def fails(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 2) -> str:
    """Run the CLI; it must exit with code and print exactly one line, an error, on stderr."""
    assert main(argv) == code
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err and "internal error" not in err, err
    return lines[0]


def check_fails(capsys: pytest.CaptureFixture[str], root: Path) -> str:
    return fails(capsys, ["check", "--content", str(root)])


def build(root: Path, out: Path, *extra: str) -> list[str]:
    return ["build", "-q", "--content", str(root), "--profile", "study", "-o", str(out), *extra]


def with_answer(root: Path, answer: str) -> None:
    text = SECTION.replace("    answer: 缓存已算过的 K 与 V，解码时只算新 token。\n", f"    answer: {answer}\n")
    (root / "01-demo.yaml").write_text(text, encoding="utf-8")


# --- YAML aliases, merge keys and tags -------------------------------------------------------

def _alias_bomb(root: Path, repeats: int = 5000) -> None:
    """The issue's case: a 16 KB anchored answer repeated 5,000 times in key_points."""
    big = "长" * 5000 + "x" * 1000
    lines = ["section: {id: s, number: 1, title: t}", "questions:", "  - id: q", "    question: q",
             f"    answer: &big {big}", "    follow_up: f", "    pitfall: p", "    key_points:"]
    (root / "01-demo.yaml").write_text("\n".join(lines + ["      - *big"] * repeats) + "\n", encoding="utf-8")


def _list_bomb(root: Path) -> None:
    """No alias, 6 MB: three million list items would be three million Python nodes."""
    head = SECTION.replace("    pitfall: 说“缓存注意力分数”。\n", "    pitfall: p\n    tags: [")
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
    """Measured in a child process: wall time and peak RSS of the whole CLI run."""
    bomb(bank)
    out = tmp_path / "bomb.pptx"
    code = ("import resource, sys; from deck.cli import main; "
            f"rc = main(['build', '-q', '--content', {str(bank)!r}, '--profile', 'study', '-o', {str(out)!r}]); "
            "print(peak_kb()); sys.exit(rc)")
    code = PEAK_KB + code
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)
    elapsed = time.monotonic() - start
    peak_mb = int(run.stdout) / 1024
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
    text = SECTION.replace("  - id: first-q\n", "  - <<: {level: 1}\n    id: first-q\n")
    (bank / "01-demo.yaml").write_text(text, encoding="utf-8")
    assert "01-demo.yaml:6:5: YAML merge keys ('<<') are not allowed" in check_fails(capsys, bank)


def test_harmless_explicit_tags_and_anchors_still_load(bank: Path) -> None:
    with_answer(bank, "!!str &unused 42")
    assert load_bank(bank).questions[0].answer == "42"


def test_too_many_key_points(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    points = "".join(f"      - 要点 {i}\n" for i in range(13))
    (bank / "01-demo.yaml").write_text(SECTION + "    key_points:\n" + points, encoding="utf-8")
    line = check_fails(capsys, bank)
    assert "01-demo.yaml:12, question 'first-q', field 'key_points': has 13 items (limit 12)" in line


def test_a_huge_file_is_refused_before_parsing(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "02-big.yaml").write_bytes(b"# " + b"x" * 16_100_000 + b"\n")
    assert "02-big.yaml: is larger than 16 MB" in check_fails(capsys, bank)


# --- files that are not regular files, editor files ------------------------------------------

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


@pytest.fixture
def no_hang() -> None:
    """A blocking open() of a FIFO would hang the test run: fail it after 20 s instead."""
    def hung(_signum: int, _frame: object) -> None:
        raise TimeoutError("blocked on a special file")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


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


# --- output names ----------------------------------------------------------------------------

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


# --- OS errors -------------------------------------------------------------------------------

def _read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Simulate a read-only mount (root ignores permission bits, and we cannot mount here)."""
    real_access, real_statvfs, real_mkstemp = os.access, os.statvfs, tempfile.mkstemp

    def inside(path: object) -> bool:
        return Path(str(path)).resolve().is_relative_to(folder.resolve())

    def access(path: object, mode: int, **kw: object) -> bool:
        return False if inside(path) and mode & os.W_OK else real_access(path, mode, **kw)

    class ReadOnly:
        def __init__(self, path: object) -> None:
            self.stat = real_statvfs(path)

        def __getattr__(self, name: str) -> object:
            return os.ST_RDONLY if name == "f_flag" else getattr(self.stat, name)

    def mkstemp(*args: object, dir: object = None, **kw: object) -> tuple[int, str]:  # noqa: A002
        if dir is not None and inside(dir):
            raise OSError(errno.EROFS, "Read-only file system", str(dir))
        return real_mkstemp(*args, dir=dir, **kw)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "statvfs", lambda p: ReadOnly(p) if inside(p) else real_statvfs(p))
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def test_read_only_output_folder_is_named_before_anything_is_written(
        bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _read_only(monkeypatch, out)
    line = fails(capsys, build(bank, out / "study.pptx"))
    assert line == (f"error: output folder '{out}' is on a read-only file system, so no output was written; "
                    "choose another with -o, or fix its permissions")
    assert list(out.iterdir()) == []


def test_read_only_at_write_time_is_one_line(bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder passed the check, then became read-only (remounted) before the write."""
    out = tmp_path / "out"
    out.mkdir()
    _read_only(monkeypatch, out)
    monkeypatch.setattr(files, "_check_writable", lambda _folder: None)
    line = fails(capsys, build(bank, out / "study.pptx"))
    assert line == (f"error: cannot write in '{out}': Read-only file system; that file system is read-only; "
                    "choose a writable place (-o, --cache)")


def test_cache_and_output_folders_that_cannot_be_created(bank: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "diagrams").mkdir()
    (bank / "diagrams" / "diagrams.yaml").write_text("flow:\n  title: 流程\n", encoding="utf-8")
    (bank / "diagrams" / "flow.mmd").write_text("flowchart LR\n  A --> B\n", encoding="utf-8")
    (bank / "01-demo.yaml").write_text(SECTION.replace("  title: 演示\n", "  title: 演示\n  diagrams: [flow]\n"),
                                       encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    cache = blocker / "cache"
    for argv in (["diagrams", "--content", str(bank), "--cache", str(cache)],
                 build(bank, tmp_path / "s.pptx", "--cache", str(cache))):
        assert fails(capsys, argv) == (f"error: cannot create the diagram cache '{cache}': Not a directory; "
                                       "part of the path is not a folder; check the path")
    assert "--cache" in fails(capsys, build(bank, tmp_path / "s.pptx", "--cache", str(blocker)))
    line = fails(capsys, ["build", "-q", "--content", str(bank), "-o", str(blocker / "out")])
    assert line == (f"error: cannot create the output folder '{blocker / 'out'}': Not a directory; "
                    "part of the path is not a folder; check the path")


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


# --- misleading messages and bad option values ------------------------------------------------

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
    data = SECTION.encode("utf-8").replace("    answer: 缓存已算过的 K 与 V，解码时只算新 token。\n".encode(), raw)
    (bank / "01-demo.yaml").write_bytes(data)
    line = check_fails(capsys, bank)
    assert f"content/01-demo.yaml:{line_col}: " in line and expected in line, line


def test_utf16_file_says_so(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "01-demo.yaml").write_bytes(SECTION.encode("utf-16"))
    assert "not valid UTF-8 (byte 0xff); hint: it looks like UTF-16; save it as UTF-8" in check_fails(capsys, bank)


def _with_diagram(bank: Path, index: str | None, mmd: bool) -> None:
    (bank / "diagrams").mkdir()
    if index is not None:
        (bank / "diagrams" / "diagrams.yaml").write_text(index, encoding="utf-8")
    if mmd:
        (bank / "diagrams" / "flow.mmd").write_text("flowchart LR\n  A --> B\n", encoding="utf-8")
    (bank / "01-demo.yaml").write_text(SECTION.replace("  title: 演示\n", "  title: 演示\n  diagrams: [flow]\n"),
                                       encoding="utf-8")


@pytest.mark.parametrize("index", [None, "other:\n  title: 别的\n"])
def test_mmd_without_entry_says_add_the_entry(bank: Path, capsys: pytest.CaptureFixture[str],
                                              index: str | None) -> None:
    _with_diagram(bank, index, mmd=True)
    if index:
        (bank / "diagrams" / "other.mmd").write_text("flowchart LR\n  C --> D\n", encoding="utf-8")
    assert check_fails(capsys, bank) == (
        "error: content/01-demo.yaml:5, field 'section.diagrams': unknown diagram 'flow'; hint: "
        "content/diagrams/flow.mmd exists: add an entry 'flow:' with a 'title:' to content/diagrams/diagrams.yaml")


def test_neither_mmd_nor_entry_says_add_both(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _with_diagram(bank, None, mmd=False)
    assert "hint: add content/diagrams/flow.mmd and an entry 'flow:' with a 'title:' in " \
        "content/diagrams/diagrams.yaml" in check_fails(capsys, bank)


def test_entry_without_mmd_says_add_the_mmd(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _with_diagram(bank, "flow:\n  title: 流程\n", mmd=False)
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


# --- text ------------------------------------------------------------------------------------

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
    text = SECTION.replace("    question: 什么是 KV cache？", f'    question: "{INVISIBLE[name]}"')
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


def test_yml_files_are_read(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = SECTION.replace("id: demo", "id: other").replace("number: 1", "number: 2").replace("first-q", "x-q")
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


# --- an interrupt or a failure while PDFs are made -------------------------------------------

def _fake_libreoffice(monkeypatch: pytest.MonkeyPatch, behaviour: str = "ok") -> None:
    """LibreOffice stand-in: a 'PDF' that names the deck bytes it was made from."""
    import hashlib

    def convert(decks: list[Path], _tmp: Path) -> list[bytes]:
        if behaviour == "interrupt":
            raise KeyboardInterrupt
        if behaviour == "missing":
            raise export.ExportError("LibreOffice is not installed, so no PDF was made (the .pptx was written)")
        return [b"%PDF-fake " + hashlib.sha256(d.read_bytes()).hexdigest().encode() for d in decks]

    monkeypatch.setattr(export, "_convert", convert)


def _pair(folder: Path, stem: str) -> tuple[bytes, bytes]:
    return (folder / f"{stem}.pptx").read_bytes(), (folder / f"{stem}.pdf").read_bytes()


def _matches(deck: bytes, pdf: bytes) -> bool:
    import hashlib

    return pdf == b"%PDF-fake " + hashlib.sha256(deck).hexdigest().encode()


def test_interrupt_during_pdf_export_leaves_old_pairs(bank: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _fake_libreoffice(monkeypatch)
    assert main(["build", "-q", "--content", str(bank), "-o", str(out), "--pdf"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert _matches(*_pair(out, "study")) and _matches(*_pair(out, "handout"))
    with_answer(bank, "改过的答案。")
    _fake_libreoffice(monkeypatch, "interrupt")
    capsys.readouterr()
    assert main(["build", "-q", "--content", str(bank), "-o", str(out), "--pdf"]) == 130
    assert capsys.readouterr().err.startswith("interrupted;")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_interrupt_while_writing_keeps_each_deck_with_its_pdf(bank: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _fake_libreoffice(monkeypatch)
    assert main(["build", "-q", "--content", str(bank), "-o", str(out), "--pdf"]) == 0
    before = {stem: _pair(out, stem) for stem in ("study", "mock", "mock-scorecard", "handout")}
    with_answer(bank, "改过的答案。")
    real = files.write_output

    def interrupted_after_a_deck(path: Path, data: bytes) -> None:
        real(path, data)
        if path.suffix == ".pptx":
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C between a deck and its PDF

    monkeypatch.setattr(files, "write_output", interrupted_after_a_deck)
    assert main(["build", "-q", "--content", str(bank), "-o", str(out), "--pdf"]) == 130
    for stem in ("study", "mock", "mock-scorecard", "handout"):
        assert _matches(*_pair(out, stem)), stem
    assert _pair(out, "study") != before["study"], "the pair being written when Ctrl-C came was finished"
    assert all(_pair(out, stem) == before[stem] for stem in ("mock", "mock-scorecard", "handout"))


def test_no_libreoffice_removes_the_stale_pdf_and_says_so(bank: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "handout.pptx"
    argv = ["build", "-q", "--content", str(bank), "--profile", "handout", "-o", str(out)]
    _fake_libreoffice(monkeypatch)
    assert main(argv) == 0 and out.with_suffix(".pdf").is_file()
    with_answer(bank, "改过的答案。")
    _fake_libreoffice(monkeypatch, "missing")
    capsys.readouterr()
    assert main(argv) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"warning: removed {out.with_suffix('.pdf')}: it was made from the previous handout.pptx",
        "warning: LibreOffice is not installed, so no PDF was made (the .pptx was written)"]
    assert not out.with_suffix(".pdf").exists()
    assert main(argv) == 0, "the record no longer lists the removed PDF"


def test_pdf_write_failure_removes_the_old_pdf(bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "study.pptx"
    _fake_libreoffice(monkeypatch)
    assert main(build(bank, out, "--pdf")) == 0
    with_answer(bank, "改过的答案。")
    real = files.write_output

    def disk_full_on_pdf(path: Path, data: bytes) -> None:
        if path.suffix == ".pdf":
            raise files.DeckError(f"cannot write '{path}': No space left on device")
        real(path, data)

    monkeypatch.setattr(files, "write_output", disk_full_on_pdf)
    assert "No space left on device" in fails(capsys, build(bank, out, "--pdf"))
    assert not out.with_suffix(".pdf").exists()


# --- messages stay one line and inert ---------------------------------------------------------

def test_control_characters_in_keys_and_file_names_are_escaped(bank: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    text = SECTION.replace("    pitfall:", '    "\\e[31mred\\nline": x\n    pitfall:')
    (bank / "01-demo.yaml").write_text(text, encoding="utf-8")
    line = check_fails(capsys, bank)
    assert "unknown key '\\x1b[31mred\\nline'" in line and "\x1b" not in line
    (bank / "01-demo.yaml").write_text(SECTION, encoding="utf-8")
    os.mkfifo(bank / "02-\x1b[2Jevil\nerror: fake.yaml")
    assert main(build(bank, tmp_path / "s.pptx")) == 0
    assert capsys.readouterr().err == ("warning: content/02-\\x1b[2Jevil\\nerror: fake.yaml: skipped, it is a named "
                                       "pipe (FIFO), not a section file\n")


def test_a_list_as_a_key_is_named(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "01-demo.yaml").write_text(SECTION.replace("    pitfall:", "    ? [a, b]\n    : x\n    pitfall:"),
                                       encoding="utf-8")
    assert "01-demo.yaml:10, question 'first-q': a key in a question must be a plain name" in check_fails(capsys, bank)


def test_too_many_questions_in_a_section(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = SECTION.split("  - id: first-q")[0]
    items = "".join(f"  - {{id: q{i}, question: q, answer: a, follow_up: f, pitfall: p}}\n" for i in range(1001))
    (bank / "01-demo.yaml").write_text(head + items, encoding="utf-8")
    assert "01-demo.yaml:6, field 'questions': has 1,001 questions (limit 1,000)" in check_fails(capsys, bank)


def test_an_ascii_only_terminal_gets_escapes_not_a_crash(bank: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "deck", "check", "--content", str(bank)], capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "ascii"},
                         timeout=60, check=False)
    assert run.returncode == 0 and "\\u6f14\\u793a" in run.stdout and run.stderr == ""


def test_read_only_diagram_cache(bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A stale diagram and a cache that cannot take it: named before the browser starts. A warm
    read-only cache (an installed package) builds as usual."""
    _with_diagram(bank, "flow:\n  title: 流程\n", mmd=True)
    cache = tmp_path / "cache"
    cache.mkdir()
    _read_only(monkeypatch, cache)
    for argv in (["diagrams", "--content", str(bank), "--cache", str(cache)],
                 build(bank, tmp_path / "s.pptx", "--cache", str(cache))):
        assert fails(capsys, argv) == (f"error: diagram cache '{cache}' is not writable, and flow must be rendered "
                                       "into it; pass --cache DIR to use another folder")
    bundled_cache = REPO / "assets" / "diagrams"
    _read_only(monkeypatch, bundled_cache)
    out = tmp_path / "study.pptx"
    assert main(["build", "-q", "--profile", "study", "-o", str(out)]) == 0 and out.is_file()


def test_started_with_stdout_closed(bank: Path) -> None:
    run = subprocess.run(["bash", "-c", f"{sys.executable} -m deck check --content {bank} >&-"], capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60, check=False)
    assert (run.returncode, run.stderr) == (0, "")


def test_all_profiles_output_that_is_a_pipe_or_dangling_link(bank: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    for name, kind in (("pipe", "a named pipe (FIFO)"), ("link", "a symlink to a missing file")):
        line = fails(capsys, ["build", "-q", "--content", str(bank), "-o", str(tmp_path / name)])
        assert line == f"error: output '{tmp_path / name}' is {kind}; with all profiles -o names a folder"


def test_a_name_too_long_is_one_line(bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / ("a" * 300 + ".pptx")
    assert fails(capsys, build(bank, out)).endswith("': File name too long; the name is too long; choose a shorter one")


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


def test_preview_into_a_read_only_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    deck = tmp_path / "d.pptx"
    deck.write_bytes(b"PK")
    out = tmp_path / "ro"
    out.mkdir()
    _read_only(monkeypatch, out)
    assert fails(capsys, ["preview", str(deck), "-o", str(out / "sheet.png")]) == (
        f"error: output folder '{out}' is on a read-only file system, so no output was written; "
        "choose another with -o, or fix its permissions")


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


def test_shuffle_with_a_bad_value_or_bad_content_is_still_one_line(bank: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_libreoffice(monkeypatch)  # the scorecard always gets a PDF
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


# --- one case of each class after a good build: the earlier outputs stay byte-identical -------

BREAKAGES = {
    "alias": lambda b: with_answer(b, "&a x\n    extra: *a"),
    "tag": lambda b: with_answer(b, "!!python/object/apply:os.system [ls]"),
    "invisible": lambda b: with_answer(b, '"\\u200b\\u3000"'),
    "C1 control": lambda b: with_answer(b, '"\\x9b"'),
    "raw line separator": lambda b: with_answer(b, "a\u2028b"),
    "NUL byte": lambda b: (b / "01-demo.yaml").write_bytes(SECTION.encode().replace(b"KV", b"K\x00V", 1)),
    "special deck.yaml": lambda b: ((b / "deck.yaml").unlink(), os.mkfifo(b / "deck.yaml")),
    "unknown diagram": lambda b: (b / "01-demo.yaml").write_text(
        SECTION.replace("  title: 演示\n", "  title: 演示\n  diagrams: [flow]\n"), encoding="utf-8"),
    "too many key points": lambda b: (b / "01-demo.yaml").write_text(
        SECTION + "    key_points: [" + ", ".join(f"p{i}" for i in range(13)) + "]\n", encoding="utf-8"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_failed_rebuild_leaves_every_output_byte_identical(bank: Path, tmp_path: Path, no_hang: None,
                                                             capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             breakage: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _fake_libreoffice(monkeypatch)
    argv = ["build", "-q", "--content", str(bank), "-o", str(out), "--pdf"]
    assert main(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    BREAKAGES[breakage](bank)
    fails(capsys, argv)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
