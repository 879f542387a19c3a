"""Where the shipped files are. In a checkout, the design card's top-level folders; installed,
package data found with importlib.resources, so `pip install .` works from any folder:

    content/    -> deck.bank       the bundled question bank (deck build without --content)
    templates/  -> deck.templates  shipped themes: theme.yaml, label tables, notes templates
    deck/diagram-cache/            committed SVG/PNG renders of the bundled bank's diagrams
    deck/vendor/mermaid/           a pinned Mermaid build (mermaid.min.js, its LICENSE, package.json)
    deck/starter/<lang>/           what `deck init` copies

pyproject.toml maps the two top-level folders into the wheel. A checkout also has package.json
(the Mermaid pin) and node_modules/ beside deck/. Wheels install unpacked, so these are real
folders (zip imports are not supported).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def _package_dir(name: str) -> Path:
    return Path(str(importlib.resources.files("deck") / name))


def _top_level(folder: str, name: str) -> Path:
    """A top-level folder of the checkout, else the package folder it is installed as."""
    root = checkout_root()
    return root / folder if root is not None else _package_dir(name)


def bundled_bank() -> Path:
    return _top_level("content", "bank")


def themes_dir() -> Path:
    return _top_level("templates", "templates")


def diagram_cache() -> Path:
    return _package_dir("diagram-cache")


def vendored_mermaid() -> Path:
    return _package_dir("vendor/mermaid")


def starter(language: str) -> Path:
    return _package_dir(f"starter/{language}")


def checkout_root() -> Path | None:
    """The source checkout holding this package (package.json pins Mermaid), or None when installed."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "package.json").is_file() and (root / "pyproject.toml").is_file() else None
