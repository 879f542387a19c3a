"""One file written whole or not at all: a temp file beside the target, then a rename. Outputs
(deck.export.files) and the diagram cache (deck.diagrams.cache) both write this way."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from deck.errors import DeckError, os_error


def check_folder(path: Path) -> None:
    if path.is_dir():
        raise DeckError(f"output '{path}' is a directory; give a file name like {path / 'deck.pptx'}")
    if not path.parent.is_dir():
        raise DeckError(f"output folder '{path.parent}' does not exist; create it first")


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target and rename: a failure never leaves a partial file."""
    path = Path(path)
    check_folder(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise os_error(exc, path.parent, "cannot write in") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise os_error(exc, path, "cannot write") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
