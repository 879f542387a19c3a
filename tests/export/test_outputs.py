"""A build replaces only its own, unchanged outputs: a deck edited in PowerPoint or a
user's file at the output path is kept unless --force is given, and nothing is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import fails

from deck.cli import main
from deck.export.files import MANIFEST


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    (root / "deck.yaml").write_text("title: 小题库\n", encoding="utf-8")
    (root / "01-a.yaml").write_text(
        "section: {id: a, number: 1, title: 注意力}\nquestions:\n"
        "  - {id: q1, question: 为什么用 GQA？, answer: 减少 KV 头数以缩小 KV cache。, follow_up: 几组？,"
        " pitfall: 与 MQA 混为一谈。, level: 1}\n", encoding="utf-8")
    return root


def build(bank: Path, out: Path, *extra: str) -> int:
    return main(["build", "-q", "--content", str(bank), "--profile", "study", "-o", str(out), *extra])


def test_own_output_is_rebuilt_an_edited_one_is_kept(bank: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "study.pptx"
    assert build(bank, out) == 0
    ours = out.read_bytes()
    assert build(bank, out) == 0, "an unchanged output of ours is replaced without asking"
    edited = ours + b"edited in PowerPoint"
    out.write_bytes(edited)
    capsys.readouterr()
    assert build(bank, out) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "changed since" in err and "--force" in err and "no output was written" in err
    assert out.read_bytes() == edited
    assert build(bank, out, "--force") == 0
    assert out.read_bytes() == ours


def test_a_file_we_did_not_write_is_kept(bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "talk.pptx"
    out.write_bytes(b"somebody's own slides")
    assert build(bank, out) == 2
    assert "not recorded" in capsys.readouterr().err
    assert out.read_bytes() == b"somebody's own slides"
    assert not (tmp_path / MANIFEST).exists()


def test_one_kept_file_stops_the_whole_build(bank: Path, tmp_path: Path) -> None:
    """All targets, PDFs included, are checked before the first write."""
    out = tmp_path / "all"
    out.mkdir()
    (out / "handout.pdf").write_bytes(b"%PDF- annotated by hand")
    assert main(["build", "-q", "--content", str(bank), "-o", str(out)]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["handout.pdf"]


def test_every_conflict_is_named_and_odd_targets_are_refused(bank: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "all"
    out.mkdir()
    for name in ("study.pptx", "mock.pptx"):
        (out / name).write_bytes(b"mine")
    assert main(["build", "-q", "--content", str(bank), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out / "study.pptx") in err and str(out / "mock.pptx") in err
    assert build(bank, tmp_path / MANIFEST) == 2, "the record's own name is not an output name"
    fifo = tmp_path / "pipe.pptx"
    os.mkfifo(fifo)
    assert build(bank, fifo) == 2, "a pipe is refused, not read (which would hang)"
    assert "not a regular file" in capsys.readouterr().err


def test_a_failure_after_the_file_is_replaced_leaves_an_accepted_file(
        bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new hash is recorded before the file is replaced: if the build dies after
    replacing it (disk full while updating the record), the next build accepts it."""
    from deck.export import files

    out = tmp_path / "study.pptx"
    assert build(bank, out) == 0
    real, writes = files.write_atomic, []

    def record_fails_once_the_deck_is_written(path: Path, data: bytes) -> None:
        writes.append(path.name)
        if path.name == MANIFEST and out.name in writes:
            raise OSError("disk full")
        real(path, data)

    monkeypatch.setattr(files, "write_atomic", record_fails_once_the_deck_is_written)
    with pytest.raises(OSError):
        files.write_output(out, b"new deck")
    monkeypatch.undo()
    assert out.read_bytes() == b"new deck"
    assert build(bank, out) == 0


def _write_many(folder: str, worker: int) -> None:
    from deck.export.files import write_output

    for i in range(50):
        write_output(Path(folder) / f"{worker}-{i}.pptx", f"{worker} {i}".encode())


def test_builds_writing_into_one_folder_keep_every_record(tmp_path: Path) -> None:
    import json
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.starmap(_write_many, [(str(tmp_path), w) for w in range(4)])
    assert len(json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))) == 200


def test_a_missing_output_folder_is_refused_before_anything_is_made(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """-o into a folder that does not exist stops at once, diagrams to render or not: the default
    diagram cache (beside the output) used to create the folder, so a typo made a tree of folders."""
    bank = tmp_path / "bank"
    assert main(["init", str(bank), "--lang", "en"]) == 0  # its starter diagram is in no cache yet
    capsys.readouterr()
    target = tmp_path / "typo" / "sub" / "s.pptx"
    line = fails(capsys, ["build", "--content", str(bank), "--profile", "study", "-o", str(target)])
    assert f"output folder '{target.parent}' does not exist; create it first" in line
    assert not (tmp_path / "typo").exists()
