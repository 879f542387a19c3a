"""A theme's Jinja2 text templates (speaker notes, the Anki card style). A theme folder may bring
only theme.yaml: templates it lacks come from the default theme.

Notes templates write Markdown: their own text is Markdown (a "- " line is a list item), every
value they print is escaped as Markdown text (a label's * or _ stays a character), and the
`strong` filter sets a value in bold. Values in Unicode's private use planes pass unescaped: the
caller's placeholders for fields it parses on their own (deck.planning.notes)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import jinja2

from deck import resources
from deck.theme.settings import Theme

# Around a `strong` value: private use characters no field holds, so no Markdown rule can split them
# from their text (as ** can be, next to punctuation) and no label can spell them.
STRONG = ("\U000ffff0", "\U000ffff1")
# What can start markup in our dialect (deck.content.markdown): inline marks, entities, tables, math;
# at a line's start a list, heading or rule marker. Only these are escaped, so text without them
# (most labels) keeps the parser's fast path.
_MARKUP = re.compile(r"[\\`*_\[\]<>#!|~$&]|^[-+=]|^(\d{1,9})(?=[.)])", re.M)


def escape_markdown(value: object) -> str:
    """A value as Markdown text that reads as itself."""
    return _MARKUP.sub(lambda m: m[1] + "\\" if m[1] else "\\" + m[0], "" if value is None else str(value))


def _strong(value: object) -> str:
    return STRONG[0] + str(value) + STRONG[1]  # escaped as it is printed, like any value


@functools.cache
def _environment(folder: Path, markdown: bool) -> jinja2.Environment:
    # Plain text or Markdown, never HTML: no autoescape here.
    folders = list(dict.fromkeys([folder, resources.themes_dir() / "default"]))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), autoescape=False, auto_reload=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                             undefined=jinja2.StrictUndefined, finalize=escape_markdown if markdown else None)
    if markdown:
        env.filters["strong"] = _strong
    return env


def render_text(theme: Theme, template: str, **values: Any) -> str:
    return _environment(theme.folder, False).get_template(template).render(**values).strip()


def render_markdown(theme: Theme, template: str, **values: Any) -> str:
    """A notes template's Markdown, its printed values escaped (see the module's note)."""
    return _environment(theme.folder, True).get_template(template).render(**values).strip()
