"""The theme as data: theme.yaml plus its Jinja2 templates, in a shipped theme folder
(deck/templates/<name>/, package data) or any folder given by path."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from deck import resources
from deck.errors import DeckError
from deck.fonts import Face, faces
from deck.layout import Style


@dataclass(frozen=True)
class Theme:
    name: str
    data: dict[str, Any]
    folder: Path

    def color(self, name: str) -> str:
        return self.data["palette"][name]

    @property
    def fonts(self) -> dict[str, Any]:
        return self.data["fonts"]

    def style(self, role: str, sizes: dict[str, Any] | None = None, step: float = 1.0) -> Style:
        """Fitting style for a role: [max, min] sizes from the theme, line pitch, gaps."""
        value = (sizes or self.data["sizes"])[role]
        hi, lo = (value, value) if isinstance(value, int | float) else value
        return Style(max_size=hi, min_size=lo, line_spacing=self.fonts["line_spacing"],
                     paragraph_gap=self.fonts["paragraph_gap"], step=step)

    @functools.cached_property
    def _faces(self) -> dict[str, Face]:
        return faces(self.fonts["measure"], self.fonts["safety_margin"], self.fonts["asian_latin_gap"])

    @property
    def sans(self) -> Face:
        return self._faces["sans"]

    @property
    def sans_bold(self) -> Face:
        return self._faces["sans_bold"]

    @property
    def mono(self) -> Face:
        return self._faces["mono"]

    @functools.cached_property
    def jinja(self) -> jinja2.Environment:
        # Notes and handout text are plain text, not HTML: no autoescape here.
        return jinja2.Environment(loader=jinja2.FileSystemLoader(self.folder), autoescape=False,
                                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                                  undefined=jinja2.StrictUndefined)

    def render(self, template: str, **values: Any) -> str:
        return self.jinja.get_template(template).render(**values).strip()


def theme_folder(spec: str, base: Path | None = None) -> Path:
    """A shipped theme's NAME, or a PATH to a folder holding theme.yaml (relative to base, e.g. the
    content folder for deck.yaml's `theme:`). A value with a slash is always a path."""
    shipped = resources.themes_dir()
    if not any(sep in spec for sep in "/\\") and (shipped / spec / "theme.yaml").is_file():
        return shipped / spec
    folder = Path(spec).expanduser()
    if base is not None and not folder.is_absolute():
        folder = base / folder
    if (folder / "theme.yaml").is_file():
        return folder
    known = ", ".join(sorted(p.name for p in shipped.iterdir() if (p / "theme.yaml").is_file()))
    raise DeckError(f"theme '{spec}' not found: not a shipped theme ({known}) nor a folder with theme.yaml")


@functools.cache
def load_theme(spec: str = "default", base: Path | None = None) -> Theme:
    folder = theme_folder(spec, base)
    with (folder / "theme.yaml").open(encoding="utf-8") as fh:
        return Theme(name=spec, data=yaml.safe_load(fh), folder=folder)
