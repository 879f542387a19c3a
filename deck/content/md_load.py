"""`deck build --content notes.md` (or a folder of .md files): the bank `deck import` would write,
made in memory and loaded by the same checks as a YAML bank. The files are read like content
files (regular files only, bounded, UTF-8); the lines the importer leaves out become warnings.
Mermaid diagrams need a file each (the renderer reads paths): they go to a private temporary
folder removed when the process ends."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from deck.content.importer import CannotImport, import_markdown
from deck.content.md_shapes import strip_front_matter
from deck.content.model import Bank
from deck.content.reading import not_regular, read_markdown
from deck.content.yaml_bank import MARKDOWN_SUFFIXES, bank_of, diagrams_of, listing
from deck.errors import ContentError


def load_markdown_bank(source: Path, strict: bool = False) -> Bank:
    """The bank in source, a Markdown file or a folder of them (read in name order, as one text)."""
    # A folder named like a file (notes.md/) is refused as a file by read_markdown.
    folder = source.suffix.lower() not in MARKDOWN_SUFFIXES and not_regular(source) == "a folder"
    paths = listing(source, *MARKDOWN_SUFFIXES) if folder else [source]
    texts, starts, total = [], [], 0
    for k, path in enumerate(paths):
        text = read_markdown(path).removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        if k:  # front matter is the first file's; a later one's would read as a rule and prose
            text = strip_front_matter(text)[1]
        starts.append((total, path))
        texts.append(text.rstrip("\n") + "\n")
        total += texts[-1].count("\n") + 1
    root = source if folder else source.parent
    name = source.name
    try:
        result = import_markdown("\n".join(texts), name, root, copy_images=False)
    except CannotImport as exc:
        raise ContentError(str(exc).replace("\n", " "), file=str(source),
                           hint=f"see what was read with: deck import {source} --dry-run") from None

    def where(line: int) -> str:
        first, path = max((s for s in starts if s[0] < line), key=lambda s: s[0])
        return f"{path}:{line - first}"

    warnings = [f"{where(u.line)}: left out ({u.reason}): {u.text.strip()[:100]}" for u in result.unplaced]
    warnings += [f"{source}: {n}" for n in result.notices]
    virtual = root / f".{name}.bank"  # never written: the files' names in messages
    yaml_texts = {virtual / n: t for n, t in result.files.items() if "/" not in n}
    sections = sorted(p for p in yaml_texts if p.name != "deck.yaml")
    diagrams = {}
    if "diagrams/diagrams.yaml" in result.files:
        tmp = Path(tempfile.mkdtemp(prefix="deck-md-"))
        atexit.register(shutil.rmtree, tmp, True)
        for n, t in result.files.items():
            if n.startswith("diagrams/"):
                (tmp / n).parent.mkdir(parents=True, exist_ok=True)
                (tmp / n).write_text(t, encoding="utf-8")
        diagrams = diagrams_of(tmp, warnings)
    bank = bank_of(virtual, virtual / "deck.yaml", sections, diagrams, warnings, strict, yaml_texts)
    # The loader's own warnings (an unknown code language) name the generated file: say where it came from.
    shown = tuple(w.replace(f".{name}.bank/", f"{source} as imported: ") for w in bank.warnings)
    return replace(bank, root=root, warnings=shown)
