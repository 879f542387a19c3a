"""What a Mermaid source may hold before it reaches the browser: front matter and %%{init}%%
(theme values only), click lines (dropped), features that keep a flowchart a picture; and the
file-line bookkeeping that lets Mermaid's messages name the file's own line."""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deck.errors import DiagramError

_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_COMMENT_LINE_RE = re.compile(r"^\s*%%(?!\{)")
_DIRECTIVE_RE = re.compile(r"^\s*%%\{\s*([A-Za-z]+)\s*:?\s*(.*?)\s*\}%%\s*$")
_CLICK_RE = re.compile(r"^\s*click\s+(\S+)\s*(.*)$")
_CLICK_LINK_RE = re.compile(r"^(?:href\s+)?[\"'](?:https?://|mailto:)[^\"']*[\"']")
_PICTURE_ONLY_RE = re.compile(r"@\{[^}]*\b(?:img|icon)\s*:|\bfa[bklrs]?:fa-")
# Mermaid's own default: above it Mermaid draws an error picture. Kept: dagre's layout time grows
# fast with size, and 50,000 characters is already far beyond a readable slide.
MAX_TEXT_SIZE = 50_000
# What %%{init}%% and front matter may set: looks only, never securityLevel or parsing options.
ALLOWED_CONFIG = frozenset({"theme", "themeVariables"})


def normalise_source(source: str) -> str:
    # A BOM or CRLF checkout must not make a committed render look stale.
    return source.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _prepare_source(source: str) -> tuple[str, int]:
    """Text to give Mermaid, and how many file lines precede the diagram's header line.

    Mermaid drops front matter, directives, comment lines and leading blank lines before
    parsing, so its line numbers count from the header. Comment lines are blanked here
    (same meaning, but they keep their line) so only the lines before the header shift.
    """
    lines = source.split("\n")
    text = "\n".join("" if _COMMENT_LINE_RE.match(line) else line for line in lines)
    return text, _header_line(lines)


def _front_matter_end(lines: list[str]) -> int | None:
    if lines and lines[0].strip() == "---":
        return next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
    return None


def _header_line(lines: list[str]) -> int:
    closing = _front_matter_end(lines)
    i = 0 if closing is None else closing + 1
    in_directive = False
    while i < len(lines):
        stripped = lines[i].strip()
        if in_directive:
            in_directive = "}%%" not in stripped
        elif stripped.startswith("%%{"):
            in_directive = "}%%" not in stripped[3:]
        elif stripped and not _COMMENT_LINE_RE.match(stripped):
            break
        i += 1
    return i


@dataclass(frozen=True)
class Inspection:
    """What we give Mermaid, what we dropped, and why a flowchart must stay a picture."""

    text: str
    offset: int  # file lines before the diagram's header line
    warnings: tuple[str, ...]
    picture_reason: str | None  # "<file>:<line>: <feature>" or None


def _check_config(config: Any, label: str, line: int, where: str) -> None:
    if not isinstance(config, dict):
        raise DiagramError(f"{label}:{line}: {where} must be a mapping of theme settings")
    extra = sorted(str(k) for k in config if k not in ALLOWED_CONFIG)
    if extra:
        hint = " (securityLevel is always strict)" if "securityLevel" in extra else ""
        raise DiagramError(f"{label}:{line}: {where} may set only {' and '.join(sorted(ALLOWED_CONFIG))}; "
                           f"not allowed: {', '.join(extra)}{hint}")


def inspect_source(source: str, label: str) -> Inspection:
    """Check front matter and %%{init}%% (theme values only), drop click lines (with a warning),
    find flowchart features we cannot draw as shapes. Raises DiagramError for what is refused."""
    text, offset = _prepare_source(normalise_source(source))
    lines = text.split("\n")
    warnings: list[str] = []
    picture: str | None = None
    closing = _front_matter_end(lines)
    if closing is not None:
        try:
            front = yaml.safe_load("\n".join(lines[1:closing])) or {}
        except yaml.YAMLError as exc:
            raise DiagramError(f"{label}:1: front matter is not valid YAML: {exc}") from None
        if not isinstance(front, dict) or set(front) - {"config"}:
            keys = ", ".join(sorted(map(str, front))) if isinstance(front, dict) else type(front).__name__
            raise DiagramError(f"{label}:1: front matter may hold only `config:` with theme settings "
                               f"(found: {keys}); put titles in diagrams.yaml")
        _check_config(front.get("config") or {}, label, 1, "front matter config")
    for n, line in enumerate(lines, 1):
        directive = _DIRECTIVE_RE.match(line)
        if directive:
            if directive[1] not in ("init", "initialize"):
                raise DiagramError(f"{label}:{n}: %%{{{directive[1]}}}%% directives are not allowed; "
                                   "use %%{init: {theme/themeVariables}}%%")
            try:
                config = yaml.safe_load(directive[2])
            except yaml.YAMLError:
                raise DiagramError(f"{label}:{n}: %%{{init}}%% must hold one JSON object on its line") from None
            _check_config(config, label, n, "%%{init}%%")
        elif line.lstrip().startswith("%%{"):
            raise DiagramError(f"{label}:{n}: write a %%{{init: {{...}}}}%% directive on one line")
        click = _CLICK_RE.match(line)
        if click:
            lines[n - 1] = ""  # same line numbers for Mermaid's messages
            if _CLICK_LINK_RE.match(click[2]):
                warnings.append(f"{label}:{n}: click link on {click[1]} dropped (diagrams are not clickable)")
            else:
                warnings.append(f"{label}:{n}: click callback on {click[1]} dropped; the diagram stays a picture")
                picture = picture or f"{label}:{n}: click callback"
            continue
        feature = _PICTURE_ONLY_RE.search(line)
        if feature and picture is None:
            picture = f"{label}:{n}: {'icon' if 'icon' in feature[0] or 'fa' in feature[0] else 'image'} node"
            warnings.append(f"{picture} cannot be drawn as shapes; the diagram stays a picture")
    text = "\n".join(lines)
    if len(text) > MAX_TEXT_SIZE:
        raise DiagramError(f"{label}: {len(text)} characters, above Mermaid's maxTextSize of {MAX_TEXT_SIZE}; "
                           "split the diagram")
    return Inspection(text, offset, tuple(warnings), picture)


def source_label(path: Path, repo_root: Path | None) -> str:
    """How messages name a source: relative to the checkout when inside it."""
    if repo_root is None:
        return str(path)
    with suppress(ValueError):
        return path.resolve().relative_to(repo_root.resolve()).as_posix()
    return str(path)


def check_id(diagram_id: str) -> None:
    # The id becomes a file name, a DOM id and a CSS selector inside the SVG.
    if not _ID_RE.match(diagram_id):
        raise DiagramError(f"diagram id {diagram_id!r}: use lowercase letters, digits and '-'")
