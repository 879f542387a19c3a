"""Loading a bank: a folder of YAML files (deck.content.yaml_bank), or Markdown read as
`deck import` reads it (deck.content.md_load). Both end in the same checks and the same Bank."""

from __future__ import annotations

from pathlib import Path

from deck.content.model import Bank
from deck.content.yaml_bank import MARKDOWN_SUFFIXES, YAML_SUFFIXES, listing, load_yaml_bank


def load_bank(root: Path, strict: bool = False) -> Bank:
    """Read a bank; raise ContentError on the first problem.
    strict: every question must also have follow_up (反问点) and pitfall (坑位).
    A Markdown file, or a folder of them without YAML, is read as `deck import` reads it."""
    root = Path(root)
    # A folder of YAML without deck.yaml (and a README.md) is a broken bank, not a Markdown one.
    if root.suffix.lower() in MARKDOWN_SUFFIXES or (root.is_dir() and not listing(root, *YAML_SUFFIXES) and
                                                     listing(root, *MARKDOWN_SUFFIXES)):
        from deck.content.md_load import load_markdown_bank  # the importer: only for Markdown banks

        return load_markdown_bank(root, strict)
    return load_yaml_bank(root, strict)
