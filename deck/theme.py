"""The theme as data: templates/<name>/theme.yaml plus its Jinja2 templates."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from deck import REPO
from deck.errors import DeckError
from deck.fonts import Face, faces
from deck.layout import Style

TEMPLATES = REPO / "templates"


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


@functools.cache
def load_theme(name: str = "default") -> Theme:
    folder = TEMPLATES / name
    path = folder / "theme.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in TEMPLATES.iterdir() if (p / "theme.yaml").is_file()))
        raise DeckError(f"theme '{name}' not found (known: {known})")
    with path.open(encoding="utf-8") as fh:
        return Theme(name=name, data=yaml.safe_load(fh), folder=folder)
