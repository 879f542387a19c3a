"""What of a Mermaid source reaches the browser: theme values from front matter and %%{init}%%
(any other setting is ignored with a warning), no click lines, and which features keep a
flowchart a picture; plus the file-line bookkeeping that lets Mermaid's messages name the
file's own line."""

from __future__ import annotations

import json
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
_CLICK_URL_RE = re.compile(r"^(?:href\s+)?[\"'](https?://[^\"'\s]+|#[^\"'\s#]+)[\"']")  # or a slide: #id
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
    links: tuple[tuple[str, str], ...] = ()  # (node id, http(s) URL or #slide-id) of `click X href "…"` lines


def _allowed(config: Any) -> tuple[dict[str, Any], list[str]]:
    """The theme settings we pass on, and the names of the rest (ignored)."""
    if not isinstance(config, dict):
        return {}, [type(config).__name__]
    kept = {str(k): v for k, v in config.items() if k in ALLOWED_CONFIG}
    dropped: list[str] = []
    for k, v in config.items():
        if k not in ALLOWED_CONFIG:  # name flowchart.curve, not just flowchart
            dropped += [f"{k}.{sub}" for sub in v] if isinstance(v, dict) and v else [str(k)]
    return kept, sorted(dropped)


def _ignored(label: str, line: int, where: str, names: list[str]) -> str:
    hint = " (securityLevel is always strict)" if "securityLevel" in names else ""
    return (f"{label}:{line}: {where}: {', '.join(names)} ignored{hint}; diagrams take layout, labels and "
            f"security from the theme (only theme and themeVariables apply)")


def _directives(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line, last line, text) of each %%{...}%% directive, also one spread over lines."""
    found = []
    n = 0
    while n < len(lines):
        if lines[n].lstrip().startswith("%%{"):
            last = n
            while "}%%" not in lines[last] and last + 1 < len(lines):
                last += 1
            found.append((n, last, " ".join(line.strip() for line in lines[n:last + 1])))
            n = last
        n += 1
    return found


def inspect_source(source: str, label: str) -> Inspection:
    """Keep only theme values from front matter and %%{init}%% (the rest is ignored with one warning
    per block), drop click lines (http(s) links are kept for the nodes' shapes; the rest with a
    warning), find flowchart features we cannot draw as
    shapes. Only a source too large for Mermaid raises DiagramError."""
    text, offset = _prepare_source(normalise_source(source))
    lines = text.split("\n")
    warnings: list[str] = []
    links: list[tuple[str, str]] = []
    picture: str | None = None
    config: dict[str, Any] = {}
    config_line: int | None = None  # where the kept theme values go (a blanked line before the header)
    closing = _front_matter_end(lines)
    if closing is not None:
        try:
            front = yaml.safe_load("\n".join(lines[1:closing])) or {}
        except yaml.YAMLError:
            front = None
        if not isinstance(front, dict):
            warnings.append(f"{label}:1: front matter ignored: not a YAML mapping")
        else:
            kept, dropped = _allowed(front.get("config") or {})
            dropped = sorted(str(k) for k in front if k != "config") + [f"config.{k}" for k in dropped]
            if dropped:
                warnings.append(_ignored(label, 1, "front matter", dropped))
            config.update(kept)
        lines[: closing + 1] = [""] * (closing + 1)
        config_line = 0
    for first, last, directive in _directives(lines):
        match = _DIRECTIVE_RE.match(directive)
        lines[first : last + 1] = [""] * (last + 1 - first)
        config_line = first if config_line is None else config_line
        if not match or match[1] not in ("init", "initialize"):
            name = match[1] if match else directive[3:].split(":", 1)[0].split("}", 1)[0].strip()
            warnings.append(f"{label}:{first + 1}: %%{{{name}}}%% directive ignored (only %%{{init}}%% theme "
                            "values apply)")
            continue
        try:
            value = yaml.safe_load(match[2])
        except yaml.YAMLError:
            warnings.append(f"{label}:{first + 1}: %%{{init}}%% ignored: not a JSON object")
            continue
        kept, dropped = _allowed(value)
        if dropped:
            warnings.append(_ignored(label, first + 1, "%%{init}%%", dropped))
        config.update(kept)
    if config and config_line is not None:
        # One directive with what we keep, on a line Mermaid skips anyway: line numbers stay the file's.
        lines[config_line] = "%%{init: " + json.dumps(config, ensure_ascii=False, sort_keys=True) + "}%%"
    callbacks: list[tuple[int, str]] = []
    for n, line in enumerate(lines, 1):
        click = _CLICK_RE.match(line)
        if click:
            lines[n - 1] = ""  # same line numbers for Mermaid's messages
            url = _CLICK_URL_RE.match(click[2])
            if url:  # the node's shape links there (Mermaid's own line is dropped: strict mode ignores it)
                links.append((click[1], url[1]))
            elif _CLICK_LINK_RE.match(click[2]):
                warnings.append(f"{label}:{n}: click link on {click[1]} dropped (only http(s) and #id links are kept)")
            else:
                callbacks.append((n, click[1]))
            continue
        feature = _PICTURE_ONLY_RE.search(line)
        if feature and picture is None:
            picture = f"{label}:{n}: {'icon' if 'icon' in feature[0] or 'fa' in feature[0] else 'image'} node"
            warnings.append(f"{picture} cannot be drawn as shapes; the diagram stays a picture")
    if callbacks:  # one warning for the diagram, naming every node that had one
        first, nodes = callbacks[0][0], ", ".join(dict.fromkeys(node for _, node in callbacks))
        warnings.append(f"{label}:{first}: click callback{'s' if len(callbacks) > 1 else ''} on {nodes} dropped; "
                        "the diagram stays a picture")
        picture = picture or f"{label}:{first}: click callback"
    text = "\n".join(lines)
    if len(text) > MAX_TEXT_SIZE:
        raise DiagramError(f"{label}: {len(text)} characters, above Mermaid's maxTextSize of {MAX_TEXT_SIZE}; "
                           "split the diagram")
    return Inspection(text, offset, tuple(warnings), picture, tuple(links))


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
