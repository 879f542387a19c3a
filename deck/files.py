"""Writing outputs safely: checked targets, temp file beside the target, then rename.

A build never overwrites a file it did not write, or one changed since it wrote it
(a deck edited in PowerPoint, a user's own file at the -o path), unless told to with
--force. What we wrote is recorded in a small manifest beside the outputs: file name
-> SHA-256 of the bytes written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from deck.errors import DeckError

MANIFEST = ".interview-deck.json"


def check_place(path: Path) -> None:
    """Fail before anything is written if an output cannot go where it is asked to."""
    if path.is_dir():
        raise DeckError(f"output '{path}' is a directory; give a file name like {path / 'deck.pptx'}")
    if not path.parent.is_dir():
        raise DeckError(f"output folder '{path.parent}' does not exist; create it first")


def check_target(path: Path, force: bool = False) -> None:
    """check_place, and refuse to replace a file that is not an unchanged output of ours."""
    check_place(path)
    if path.exists() and not force and not _unchanged_output(path):
        raise DeckError(f"'{path}' was not written by interview-deck, or was changed since (e.g. edited "
                        "in PowerPoint); nothing was written. Move it away, choose another output with -o, "
                        "or pass --force to overwrite it")


def _manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _unchanged_output(path: Path) -> bool:
    recorded = _manifest(path.parent).get(path.name)
    try:
        return recorded == hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return False


def write_output(path: Path, data: bytes) -> None:
    """Write a user-facing output and record it in the folder's manifest."""
    write_atomic(path, data)
    manifest = _manifest(path.parent)
    manifest[path.name] = hashlib.sha256(data).hexdigest()
    text = json.dumps(dict(sorted(manifest.items())), indent=1) + "\n"
    write_atomic(path.parent / MANIFEST, text.encode("utf-8"))


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target and rename: a failure never leaves a partial file."""
    path = Path(path)
    check_place(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise DeckError(f"cannot write in '{path.parent}': {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DeckError(f"cannot write '{path}': {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
