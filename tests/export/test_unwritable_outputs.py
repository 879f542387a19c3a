"""Outputs that cannot be written (read-only folders and caches, paths through a file, names too
long, pipes and dangling links where a folder belongs): one line naming the path, nothing written."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest
from conftest import (
    CACHE,
    ONE_QUESTION,
    build,
    fails,
    with_diagram,
)

from deck.cli import main
from deck.export import files


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
    (bank / "01-demo.yaml").write_text(ONE_QUESTION.replace("  title: 演示\n", "  title: 演示\n  diagrams: [flow]\n"),
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


def test_read_only_diagram_cache(bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A stale diagram and a cache that cannot take it: named before the browser starts. A warm
    read-only cache (an installed package) builds as usual."""
    with_diagram(bank, "flow:\n  title: 流程\n", mmd=True)
    cache = tmp_path / "cache"
    cache.mkdir()
    _read_only(monkeypatch, cache)
    for argv in (["diagrams", "--content", str(bank), "--cache", str(cache)],
                 build(bank, tmp_path / "s.pptx", "--cache", str(cache))):
        assert fails(capsys, argv) == (f"error: diagram cache '{cache}' is not writable, and flow must be rendered "
                                       "into it; pass --cache DIR to use another folder")
    bundled_cache = CACHE  # the committed renders the bundled bank builds from
    _read_only(monkeypatch, bundled_cache)
    out = tmp_path / "study.pptx"
    assert main(["build", "-q", "--profile", "study", "-o", str(out)]) == 0 and out.is_file()


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
