"""A theme's Jinja2 text templates (speaker notes, the Anki card style). A theme folder may bring
only theme.yaml: templates it lacks come from the default theme."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from deck import resources
from deck.theme.settings import Theme


@functools.cache
def _environment(folder: Path) -> jinja2.Environment:
    # Notes are plain text, not HTML: no autoescape here.
    folders = list(dict.fromkeys([folder, resources.themes_dir() / "default"]))
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folders), autoescape=False,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                              undefined=jinja2.StrictUndefined)


def render_text(theme: Theme, template: str, **values: Any) -> str:
    return _environment(theme.folder).get_template(template).render(**values).strip()
