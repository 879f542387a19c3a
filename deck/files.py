"""Writing outputs safely: checked targets, temp file beside the target, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from deck.errors import DeckError


def check_target(path: Path) -> None:
    """Fail before anything is written if an output cannot go where it is asked to."""
    if path.is_dir():
        raise DeckError(f"output '{path}' is a directory; give a file name like {path / 'deck.pptx'}")
    if not path.parent.is_dir():
        raise DeckError(f"output folder '{path.parent}' does not exist; create it first")


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target and rename: a failure never leaves a partial file."""
    path = Path(path)
    check_target(path)
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
