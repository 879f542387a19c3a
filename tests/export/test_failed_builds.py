"""A build that fails or is interrupted (Ctrl-C, LibreOffice missing, a full disk, bad content)
leaves every earlier output byte-identical, or each deck with the PDF made from it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import (
    ONE_QUESTION,
    REPO,
    build,
    fails,
    fake_libreoffice,
    fake_pdf,
    with_answer,
)

from deck.cli import main
from deck.export import files


def _pair(folder: Path, stem: str) -> tuple[bytes, bytes]:
    return (folder / f"{stem}.pptx").read_bytes(), (folder / f"{stem}.pdf").read_bytes()


def _matches(deck: bytes, pdf: bytes) -> bool:
    return pdf == fake_pdf(deck)


def test_interrupt_during_pdf_export_leaves_old_pairs(bank: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    fake_libreoffice(monkeypatch)
    assert main(["build", "-q", "--content", str(bank), "-o", str(out), "--pdf"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert _matches(*_pair(out, "study")) and _matches(*_pair(out, "handout"))
    with_answer(bank, "改过的答案。")
    fake_libreoffice(monkeypatch, "interrupt")
    capsys.readouterr()
    assert main(["build", "-q", "--content", str(bank), "-o", str(out), "--pdf"]) == 130
    assert capsys.readouterr().err.startswith("interrupted;")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# The child: LibreOffice faked as in fake_libreoffice; after the first deck is written (inside the
# block that defers Ctrl-C until its PDF is written too) it says which, then waits for the parent's
# "go", which the parent sends only after its SIGINT: the signal lands at that one known point.
INTERRUPTED_CHILD = """
import signal, sys
from pathlib import Path
from conftest import fake_pdf
from deck.cli import main
from deck.export import files, pdf as export

signal.signal(signal.SIGINT, signal.default_int_handler)  # not inherited as ignored from a test runner
export._convert = lambda decks, _tmp: [fake_pdf(d.read_bytes()) for d in decks]
real = files.write_output
paused = []

def paused_after_a_deck(path: Path, data: bytes) -> None:
    real(path, data)
    if path.suffix == ".pptx" and not paused:
        paused.append(path)
        print(path.name, flush=True)
        sys.stdin.readline()

files.write_output = paused_after_a_deck
sys.exit(main(sys.argv[1:]))
"""


def test_interrupt_while_writing_keeps_each_deck_with_its_pdf(bank: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C between a deck and its PDF, in a child process (a signal sent to the test process
    itself lands wherever that process happens to be)."""
    out = tmp_path / "out"
    out.mkdir()
    fake_libreoffice(monkeypatch)
    assert main(["build", "-q", "--content", str(bank), "-o", str(out), "--pdf"]) == 0
    before = {stem: _pair(out, stem) for stem in ("study", "mock", "mock-scorecard", "handout")}
    with_answer(bank, "改过的答案。")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED_CHILD, "build", "-q", "--content", str(bank),
                              "-o", str(out), "--pdf"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    watchdog = threading.Timer(120, child.kill)
    watchdog.start()
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline() == "study.pptx\n"
        child.send_signal(signal.SIGINT)
        child.stdin.write("go\n")
        child.stdin.flush()
        _, err = child.communicate()
    finally:
        watchdog.cancel()
    assert child.returncode == 130, err
    assert err.startswith("interrupted;"), err
    for stem in ("study", "mock", "mock-scorecard", "handout"):
        assert _matches(*_pair(out, stem)), stem
    assert _pair(out, "study") != before["study"], "the pair being written when Ctrl-C came was finished"
    assert all(_pair(out, stem) == before[stem] for stem in ("mock", "mock-scorecard", "handout"))


def test_no_libreoffice_removes_the_stale_pdf_and_says_so(bank: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "handout.pptx"
    argv = ["build", "-q", "--content", str(bank), "--profile", "handout", "-o", str(out)]
    fake_libreoffice(monkeypatch)
    assert main(argv) == 0 and out.with_suffix(".pdf").is_file()
    with_answer(bank, "改过的答案。")
    fake_libreoffice(monkeypatch, "missing")
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
    fake_libreoffice(monkeypatch)
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


BREAKAGES = {
    "alias": lambda b: with_answer(b, "&a x\n    extra: *a"),
    "tag": lambda b: with_answer(b, "!!python/object/apply:os.system [ls]"),
    "invisible": lambda b: with_answer(b, '"\\u200b\\u3000"'),
    "C1 control": lambda b: with_answer(b, '"\\x9b"'),
    "raw line separator": lambda b: with_answer(b, "a\u2028b"),
    "NUL byte": lambda b: (b / "01-demo.yaml").write_bytes(ONE_QUESTION.encode().replace(b"KV", b"K\x00V", 1)),
    "special deck.yaml": lambda b: ((b / "deck.yaml").unlink(), os.mkfifo(b / "deck.yaml")),
    "unknown diagram": lambda b: (b / "01-demo.yaml").write_text(
        ONE_QUESTION.replace("  title: 演示\n", "  title: 演示\n  diagrams: [flow]\n"), encoding="utf-8"),
    "too many key points": lambda b: (b / "01-demo.yaml").write_text(
        ONE_QUESTION + "    key_points: [" + ", ".join(f"p{i}" for i in range(13)) + "]\n", encoding="utf-8"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_failed_rebuild_leaves_every_output_byte_identical(bank: Path, tmp_path: Path, no_hang: None,
                                                             capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             breakage: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    fake_libreoffice(monkeypatch)
    argv = ["build", "-q", "--content", str(bank), "-o", str(out), "--pdf"]
    assert main(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    BREAKAGES[breakage](bank)
    fails(capsys, argv)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
