"""Rendered diagrams cached by content hash: ``<cache_dir>/<id>-<key[:12]>.svg/.png/.scene.json``.

The key covers the source text, the theme's ``diagrams:`` settings, the pinned Mermaid version,
the browser code that renders and reads the page (deck/diagrams/*.js) and RENDER_VERSION, so a
warm cache needs neither Node nor a browser (Playwright is imported only when something is
stale). Warnings are returned with each diagram, cached or fresh.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deck.atomic import write_atomic
from deck.diagrams.discovery import mermaid_version
from deck.diagrams.scene import Scene, from_json
from deck.diagrams.sources import Inspection, check_id, inspect_source, normalise_source, source_label
from deck.errors import DiagramError

if TYPE_CHECKING:
    from deck.theme.diagram_settings import DiagramSettings

# Bump when Python code here or in scene.py changes the output for the same source, settings, Mermaid
# version and page code (the .js files are hashed into the key by themselves).
RENDER_VERSION = "6"  # 2: inline styles, scene JSON; 3: edge ends at frames; 4: circle ends; 5: rich text;
# 6: markers as shapes, no size-less rects, no all-zero dash arrays


@dataclass(frozen=True)
class RenderedDiagram:
    id: str
    svg_path: Path
    png_path: Path
    png_size: tuple[int, int]  # pixels
    scene: Scene | None = None  # flowcharts Mermaid laid out, when they can be drawn as shapes
    warnings: tuple[str, ...] = ()  # what was dropped or why it stays a picture


@functools.cache
def page_code() -> str:
    """Digest of the JavaScript run in the page: editing it makes every render stale by itself."""
    digest = hashlib.sha256()
    for script in sorted(Path(__file__).parent.glob("*.js")):
        digest.update(script.name.encode() + b"\0" + script.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_key(source: str, settings: DiagramSettings, mermaid_version: str) -> str:
    """Hex digest identifying one render: source, theme settings, Mermaid version, page code, renderer version."""
    payload = json.dumps(
        {
            "render_version": RENDER_VERSION,
            "page_code": page_code(),
            "mermaid": mermaid_version,
            "settings": settings.data(),
            "source": normalise_source(source),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Job:
    id: str
    path: Path
    label: str  # how messages name the source
    source: str
    key: str
    inspection: Inspection | None  # None: refused, see error
    error: str | None = None

    def file(self, cache_dir: Path, suffix: str) -> Path:
        return cache_dir / f"{self.id}-{self.key[:12]}{suffix}"

    def paths(self, cache_dir: Path) -> tuple[Path, Path, Path]:
        return self.file(cache_dir, ".svg"), self.file(cache_dir, ".png"), self.file(cache_dir, ".scene.json")

    def is_cached(self, cache_dir: Path) -> bool:
        return all(p.is_file() and p.stat().st_size > 0 for p in self.paths(cache_dir))


def _jobs(sources: Mapping[str, Path], settings: DiagramSettings, repo_root: Path | None) -> list[_Job]:
    version = mermaid_version(repo_root)
    jobs = []
    for diagram_id, path in sorted(sources.items()):
        check_id(diagram_id)
        label = source_label(Path(path), repo_root)
        try:
            source = normalise_source(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise DiagramError(f"{label}: cannot read diagram source: {exc}") from None
        key = cache_key(source, settings, version)
        try:
            jobs.append(_Job(diagram_id, Path(path), label, source, key, inspect_source(source, label)))
        except DiagramError as exc:  # reported with the other diagrams' errors, after they are rendered
            jobs.append(_Job(diagram_id, Path(path), label, source, key, None, str(exc)))
    return jobs


def stale_diagrams(
    sources: Mapping[str, Path], settings: DiagramSettings, *, repo_root: Path | None, cache_dir: Path
) -> list[str]:
    """Ids whose SVG/PNG for the current source, settings and Mermaid pin are not in cache_dir."""
    return [job.id for job in _jobs(sources, settings, repo_root) if not job.is_cached(cache_dir)]


def _scene_file(scene: Scene | None, unsupported: tuple[str, ...]) -> bytes:
    # "null": not a flowchart, or one held back by its source (the inspection says why on every build);
    # {"picture": [...]}: what the DOM showed we cannot draw, kept so every build can say so.
    if scene is not None:
        return scene.to_json().encode("utf-8")
    if unsupported:
        return (json.dumps({"picture": list(unsupported)}, ensure_ascii=False) + "\n").encode("utf-8")
    return b"null\n"


def _rendered(job: _Job, cache_dir: Path) -> RenderedDiagram:
    assert job.inspection is not None  # refused jobs raised before this
    svg, png, scene_file = job.paths(cache_dir)
    warnings = list(job.inspection.warnings)
    try:
        text = scene_file.read_text(encoding="utf-8")
        data: Any = json.loads(text)
        scene = None
        if isinstance(data, dict) and "picture" in data:
            warnings.append(f"{job.label}: {'; '.join(map(str, data['picture']))}; the diagram stays a picture")
        elif data is not None and job.inspection.picture_reason is None:
            scene = replace(from_json(text), links=job.inspection.links)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DiagramError(f"{scene_file}: unreadable scene ({exc}); run `deck diagrams --force`") from None
    return RenderedDiagram(job.id, svg, png, _png_size(png), scene, tuple(warnings))


def _remove_old(cache_dir: Path, job: _Job) -> None:
    # Exact pattern: a glob like "rope-*" would also hit "rope-scaling-….svg".
    pattern = re.compile(rf"^{re.escape(job.id)}-[0-9a-f]{{12}}\.(?:svg|png|scene\.json)$")
    keep = {p.name for p in job.paths(cache_dir)}
    for old in cache_dir.iterdir():
        if pattern.match(old.name) and old.name not in keep:
            old.unlink(missing_ok=True)


def render_diagrams(
    sources: Mapping[str, Path],
    settings: DiagramSettings,
    *,
    repo_root: Path | None,
    cache_dir: Path,
    force: bool = False,
    scenes: bool = True,
) -> dict[str, RenderedDiagram]:
    """Return every diagram's cached SVG/PNG/scene, rendering the stale ones in one browser session.
    scenes=False skips reading flowchart scenes (only to measure what that costs)."""
    jobs = _jobs(sources, settings, repo_root)
    errors = [job.error for job in jobs if job.error]
    todo = [job for job in jobs if not job.error and (force or not job.is_cached(cache_dir))]
    if todo:
        from deck.diagrams.session import RenderSession  # Playwright only when something is stale

        cache_dir.mkdir(parents=True, exist_ok=True)
        with RenderSession(settings, repo_root=repo_root, needed_for=[job.id for job in todo],
                           scenes=scenes) as session:
            for job in todo:
                try:
                    out = session.render(job.id, job.source, label=job.label)
                except DiagramError as exc:
                    errors.append(str(exc))
                    continue
                svg, png, scene_file = job.paths(cache_dir)
                write_atomic(svg, out.svg.encode("utf-8"))
                write_atomic(png, out.png)
                write_atomic(scene_file, _scene_file(out.scene, out.unsupported))
                _remove_old(cache_dir, job)
    if errors:
        raise DiagramError("\n".join(errors))
    return {job.id: _rendered(job, cache_dir) for job in jobs}


def _png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as fh:
        head = fh.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        raise DiagramError(f"{path}: not a PNG file; delete it and render again")
    width, height = struct.unpack(">II", head[16:24])
    return width, height
