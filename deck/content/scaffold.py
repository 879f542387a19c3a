"""Writing a new bank folder (`deck init`, `deck import`): never into a non-empty folder, checked
by the loader before it appears, all or nothing."""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

from deck import resources
from deck.errors import ContentError, DeckError

SCHEMA_FILE = "content.schema.json"  # the `# yaml-language-server: $schema=` lines point here


def starter_files(language: str) -> dict[str, str]:
    """The example bank `deck init` writes: package data under deck/starter/<language>/."""
    root = resources.starter(language)
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*")) if p.is_file()}


def write_new_bank(out: Path, files: dict[str, str], assets: dict[str, Path] | None = None) -> None:
    """Write files (path in the bank -> text), assets (path in the bank -> a file to copy) and the
    JSON Schema into out, which must be absent or empty."""
    from deck.content.load import load_bank
    from deck.content.schema import content_schema

    if out.exists() and not out.is_dir():
        raise DeckError(f"'{out}' is a file; give a new folder name")
    if out.is_dir() and any(out.iterdir()):
        raise DeckError(f"'{out}' is not empty; give a new or empty folder (nothing was written)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.{secrets.token_hex(4)}.tmp"  # beside out: the rename stays on one disk
    tmp.mkdir()
    try:
        for name, text in {**files, SCHEMA_FILE: json.dumps(content_schema(), ensure_ascii=False, indent=2) + "\n"
                           }.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for name, source in (assets or {}).items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, tmp / name)
        try:
            load_bank(tmp)
        except ContentError as exc:  # a bug of ours, not the user's: say so
            raise DeckError(f"internal error: the generated bank does not load: {exc}") from None
        if out.is_dir():
            out.rmdir()
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
