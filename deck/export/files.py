"""Writing outputs safely: checked targets, temp file beside the target, then rename.

A build never overwrites a file it did not write, or one changed since it wrote it
(a deck edited in PowerPoint, a user's own file at the -o path), unless told to with
--force. What we wrote is recorded in a manifest beside the outputs: file name ->
SHA-256 of the bytes written.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from deck.atomic import check_folder, write_atomic
from deck.errors import DeckError, os_error

MANIFEST = ".interview-deck.json"


def _check_place(path: Path) -> None:
    """Fail before anything is written if an output cannot go where it is asked to."""
    if path.name == MANIFEST:
        raise DeckError(f"'{path}': {MANIFEST} is where interview-deck records its outputs; choose another name")
    check_folder(path)
    if os.path.lexists(path) and not path.is_symlink() and not path.is_file():
        raise DeckError(f"output '{path}' is not a regular file (a device or pipe); give a file name")


def _check_writable(folder: Path) -> None:
    """Before the first write, so a read-only folder stops the build with nothing half done."""
    if not os.access(folder, os.W_OK | os.X_OK):
        read_only = os.statvfs(folder).f_flag & os.ST_RDONLY
        why = "is on a read-only file system" if read_only else "is not writable (permissions)"
        raise DeckError(f"output folder '{folder}' {why}, so no output was written; "
                        "choose another with -o, or fix its permissions")


def check_targets(paths: Sequence[Path], force: bool = False) -> None:
    """_check_place for each, and refuse to replace any file that is not an unchanged
    output of ours; every conflict is named in one message."""
    conflicts = []
    for path in paths:
        _check_place(path)
        _check_writable(path.parent)
        manifest_path = path.parent / MANIFEST
        if os.path.lexists(manifest_path) and not manifest_path.is_file():
            raise DeckError(f"'{manifest_path}' should be interview-deck's record of its outputs but is not a file")
        if force or not os.path.lexists(path):
            continue
        hashes = _manifest(path.parent).get(path.name)
        if not hashes:
            conflicts.append(f"  {path}: not recorded in {manifest_path} as written by interview-deck")
        elif _sha256(path) not in hashes:
            conflicts.append(f"  {path}: changed since interview-deck wrote it (e.g. edited in PowerPoint)")
    if conflicts:
        raise DeckError("these files would be overwritten, so no output was written:\n" + "\n".join(conflicts)
                        + "\nMove them away, choose another output with -o, or pass --force to overwrite them "
                        "(outputs of versions before the record was kept need --force once)")


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _manifest(folder: Path) -> dict[str, list[str]]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, list)}


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Builds writing into one folder at the same time take turns with its manifest."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _record(path: Path, hashes: list[str]) -> None:
    manifest = _manifest(path.parent)
    manifest[path.name] = hashes
    text = json.dumps(dict(sorted(manifest.items())), indent=1) + "\n"
    write_atomic(path.parent / MANIFEST, text.encode("utf-8"))


def write_output(path: Path, data: bytes) -> None:
    """Write a user-facing output and record it. The new hash is recorded next to the
    old one before the file is replaced, so a failure at any point leaves a file the
    record still accepts."""
    new = hashlib.sha256(data).hexdigest()
    with _locked(path.parent):
        current = _sha256(path)
        old = [h for h in _manifest(path.parent).get(path.name, []) if h == current]
        _record(path, [*old, new])
        write_atomic(path, data)
        _record(path, [new])


def remove_output(path: Path) -> None:
    """Delete an output of ours (a PDF older than its new deck) and its record."""
    with _locked(path.parent):
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise os_error(exc, path, "cannot remove the stale") from None
        manifest = _manifest(path.parent)
        if manifest.pop(path.name, None) is not None:
            write_atomic(path.parent / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Ctrl-C or SIGTERM during the block takes effect after it: a deck and its PDF are replaced
    together, never one without the other."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    signals = (signal.SIGINT, signal.SIGTERM)
    old = {sig: signal.signal(sig, lambda signum, _frame: caught.append(signum)) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if caught:
        signal.raise_signal(caught[0])
