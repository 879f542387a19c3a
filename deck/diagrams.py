"""Render Mermaid diagrams to SVG + PNG in one headless Chromium session, cached by content hash.

Cache files are ``<cache_dir>/<id>-<key[:12]>.svg/.png``; the key covers the source text, the
theme's ``diagrams:`` settings, the pinned Mermaid version and RENDER_VERSION, so a warm cache
needs neither Node nor a browser (Playwright is imported only when something is stale).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import struct
from collections.abc import Mapping
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deck import resources
from deck.errors import DiagramError
from deck.files import write_atomic

# Bump when anything below changes the output for the same source/settings/Mermaid version.
RENDER_VERSION = "1"

MERMAID_JS = Path("node_modules/mermaid/dist/mermaid.min.js")

# DESIGN.md: flags that keep a headless Chromium quiet and working as root in containers.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_COMMENT_LINE_RE = re.compile(r"^\s*%%(?!\{)")
_ERROR_LINE_RE = re.compile(r"(error on line )(\d+)")
_EXACT_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
_HOW_TO_GET_A_BROWSER = (
    "install one with `apt-get install chromium` (Debian/Ubuntu) or `python -m playwright install "
    "chromium`, or set DECK_BROWSER to the path of a Chromium/Chrome executable"
)

# Layout defaults; a theme may override them with `flowchart:` / `sequence:` in its diagrams block.
_FLOWCHART_DEFAULTS: dict[str, Any] = {
    "useMaxWidth": False,
    "htmlLabels": False,
    "curve": "basis",
    "padding": 12,
    "nodeSpacing": 30,
    "rankSpacing": 50,
    "diagramPadding": 8,
    "wrappingWidth": 400,
}
_SEQUENCE_DEFAULTS: dict[str, Any] = {
    "useMaxWidth": False,
    "mirrorActors": False,
    "wrap": False,
    "diagramMarginX": 16,
    "diagramMarginY": 12,
    "boxMargin": 8,
    "noteMargin": 10,
    "messageMargin": 36,
    "width": 150,
    "height": 50,
}

# Host page: a strict CSP is a second wall behind Mermaid's own sanitising: only the Mermaid
# script (allowed by its hash) runs, so an injected inline handler or <script> cannot, and
# nothing can be fetched. The page itself is loaded with set_content (no request).
_HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-{script_hash}'; \
style-src 'unsafe-inline'; img-src data:; font-src data:">
<style>html,body{{margin:0;padding:0;background:#ffffff}} #stage{{display:inline-block;background:#ffffff}}
#stage>svg{{display:block}}</style>
</head><body><div id="stage"></div></body></html>"""

_INIT_JS = "config => { mermaid.initialize(config); }"

# Runs in the page: parse + render, then check and normalise the SVG before it touches the live
# document. Errors come back as data (message + line) because exceptions lose Mermaid's hash.
_RENDER_JS = """async ({id, src, scale, minLong}) => {
  const fail = (e) => {
    document.getElementById('d' + id)?.remove();  // a failed render leaves its container behind
    const h = e && e.hash;
    let line = null;
    if (h && h.loc && Number.isInteger(h.loc.first_line)) line = h.loc.first_line;
    else if (h && Number.isInteger(h.line)) line = h.line + 1;
    return {error: String((e && e.message) || e), line};
  };
  let svg;
  try {
    await mermaid.parse(src);
    ({svg} = await mermaid.render(id, src));
  } catch (e) {
    return fail(e);
  }
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement;
  if (!root || root.localName !== 'svg') return {error: 'Mermaid did not return an SVG document'};
  const problems = new Set();
  for (const el of [root, ...root.querySelectorAll('*')]) {
    const name = el.localName.toLowerCase();
    if (name === 'foreignobject') problems.add('foreignObject (HTML labels: remove htmlLabels from its config)');
    if (name === 'script') problems.add('<script> element');
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) problems.add('event handler attribute ' + a.name);
      if (/^javascript:/i.test(a.value.replace(/[\\s\\u0000-\\u001f]/g, ''))) {
        problems.add('javascript: URL in ' + a.name);
      }
    }
  }
  if (problems.size) return {error: 'unsafe or unsupported SVG: ' + [...problems].join(', ')};
  const vb = (root.getAttribute('viewBox') || '').trim().split(/[\\s,]+/).map(Number);
  if (vb.length !== 4 || !vb.every(Number.isFinite) || vb[2] <= 0 || vb[3] <= 0) {
    return {error: 'Mermaid returned an SVG without a usable viewBox'};
  }
  const w = Math.round(vb[2] * 100) / 100, h = Math.round(vb[3] * 100) / 100;
  // Absolute size instead of width="100%" + max-width, so PowerPoint and viewers size it right.
  root.setAttribute('width', String(w));
  root.setAttribute('height', String(h));
  root.style.removeProperty('max-width');
  if (!root.getAttribute('style')) root.removeAttribute('style');
  const out = new XMLSerializer().serializeToString(root);
  // Show it larger than its natural size if scale alone would not reach the minimum PNG size.
  const k = Math.max(1, (minLong + 1) / (Math.max(w, h) * scale));
  const shown = document.importNode(root, true);
  shown.style.width = Math.ceil(w * k) + 'px';
  shown.style.height = Math.ceil(h * k) + 'px';
  document.getElementById('stage').replaceChildren(shown);
  const r = shown.getBoundingClientRect();
  return {svg: out, clip: {x: r.x, y: r.y, width: r.width, height: r.height}};
}"""


@dataclass(frozen=True)
class RenderedDiagram:
    id: str
    svg_path: Path
    png_path: Path
    png_size: tuple[int, int]  # pixels


def _normalise_source(source: str) -> str:
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
    i = 0
    if lines and lines[0].strip() == "---":
        closing = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
        if closing is not None:
            i = closing + 1
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
    return text, i


def cache_key(source: str, settings: Mapping[str, Any], mermaid_version: str) -> str:
    """Hex digest identifying one render: source, theme settings, Mermaid version, renderer version."""
    payload = json.dumps(
        {
            "render_version": RENDER_VERSION,
            "mermaid": mermaid_version,
            "settings": settings,
            "source": _normalise_source(source),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class MermaidBuild:
    """The Mermaid that would render: node_modules in a checkout, else the copy shipped in the package."""

    pinned: str  # the cache key's version: package.json in a checkout, else the shipped copy's
    script: Path | None  # None: no build at all, only cached renders can be used
    version: str | None  # the build's own version
    origin: str

    def describe(self) -> str:
        if self.script is None:
            return f"no Mermaid build found; diagrams come only from the cache (pinned mermaid {self.pinned})"
        return f"mermaid {self.version} from {self.origin} ({self.script})"


def mermaid_build(repo_root: Path | None) -> MermaidBuild:
    pinned = mermaid_version(repo_root)
    vendor = resources.vendored_mermaid()
    candidates = [(vendor / "mermaid.min.js", vendor / "package.json", "the copy shipped in the package")]
    if repo_root is not None:
        candidates.insert(0, (repo_root / MERMAID_JS, repo_root / "node_modules/mermaid/package.json",
                              "node_modules"))
    for script, manifest, origin in candidates:
        if script.is_file():
            version = None
            with suppress(OSError, ValueError):
                version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
            return MermaidBuild(pinned, script, version, origin)
    return MermaidBuild(pinned, None, None, "")


def mermaid_version(repo_root: Path | None) -> str:
    """The exact Mermaid version pinned in package.json (known without node_modules); installed
    without a checkout (repo_root None), the version of the Mermaid copy shipped in the package."""
    manifest = repo_root / "package.json" if repo_root is not None else resources.vendored_mermaid() / "package.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiagramError(f"{manifest}: not found; it pins the Mermaid version used for diagrams") from None
    except (OSError, ValueError) as exc:
        raise DiagramError(f"{manifest}: cannot read it: {exc}") from None
    version = (data.get("dependencies") or {}).get("mermaid") if repo_root is not None else data.get("version")
    if not isinstance(version, str) or not _EXACT_VERSION_RE.match(version):
        raise DiagramError(
            f"{manifest}: dependencies.mermaid must be an exact version (got {version!r}); "
            "run `npm install --save-exact mermaid@11`"
        )
    return version


def _settings_value(settings: Mapping[str, Any], name: str, default: Any) -> Any:
    value = settings.get(name, default)
    return default if value is None else value


def _png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as fh:
        head = fh.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        raise DiagramError(f"{path}: not a PNG file; delete it and render again")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _label(path: Path, repo_root: Path | None) -> str:
    if repo_root is None:
        return str(path)
    with suppress(ValueError):
        return path.resolve().relative_to(repo_root.resolve()).as_posix()
    return str(path)


def _check_id(diagram_id: str) -> None:
    # The id becomes a file name, a DOM id and a CSS selector inside the SVG.
    if not _ID_RE.match(diagram_id):
        raise DiagramError(f"diagram id {diagram_id!r}: use lowercase letters, digits and '-'")


@dataclass(frozen=True)
class _Job:
    id: str
    path: Path
    source: str
    key: str

    def svg_path(self, cache_dir: Path) -> Path:
        return cache_dir / f"{self.id}-{self.key[:12]}.svg"

    def png_path(self, cache_dir: Path) -> Path:
        return cache_dir / f"{self.id}-{self.key[:12]}.png"

    def is_cached(self, cache_dir: Path) -> bool:
        return all(p.is_file() and p.stat().st_size > 0 for p in (self.svg_path(cache_dir), self.png_path(cache_dir)))


def _jobs(sources: Mapping[str, Path], settings: Mapping[str, Any], repo_root: Path | None) -> list[_Job]:
    version = mermaid_version(repo_root)
    jobs = []
    for diagram_id, path in sorted(sources.items()):
        _check_id(diagram_id)
        try:
            source = _normalise_source(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise DiagramError(f"{_label(Path(path), repo_root)}: cannot read diagram source: {exc}") from None
        jobs.append(_Job(diagram_id, Path(path), source, cache_key(source, settings, version)))
    return jobs


def stale_diagrams(
    sources: Mapping[str, Path], settings: Mapping[str, Any], *, repo_root: Path | None, cache_dir: Path
) -> list[str]:
    """Ids whose SVG/PNG for the current source, settings and Mermaid pin are not in cache_dir."""
    return [job.id for job in _jobs(sources, settings, repo_root) if not job.is_cached(cache_dir)]


def _rendered(job: _Job, cache_dir: Path) -> RenderedDiagram:
    png = job.png_path(cache_dir)
    return RenderedDiagram(job.id, job.svg_path(cache_dir), png, _png_size(png))


def _remove_old(cache_dir: Path, job: _Job) -> None:
    # Exact pattern: a glob like "rope-*" would also hit "rope-scaling-….svg".
    pattern = re.compile(rf"^{re.escape(job.id)}-[0-9a-f]{{12}}\.(?:svg|png)$")
    keep = {job.svg_path(cache_dir).name, job.png_path(cache_dir).name}
    for old in cache_dir.iterdir():
        if pattern.match(old.name) and old.name not in keep:
            old.unlink(missing_ok=True)


def render_diagrams(
    sources: Mapping[str, Path],
    settings: Mapping[str, Any],
    *,
    repo_root: Path | None,
    cache_dir: Path,
    force: bool = False,
) -> dict[str, RenderedDiagram]:
    """Return every diagram's cached SVG/PNG, rendering the stale ones in one browser session."""
    jobs = _jobs(sources, settings, repo_root)
    todo = [job for job in jobs if force or not job.is_cached(cache_dir)]
    if todo:
        cache_dir.mkdir(parents=True, exist_ok=True)
        errors: list[str] = []
        with RenderSession(settings, repo_root=repo_root, needed_for=[job.id for job in todo]) as session:
            for job in todo:
                label = _label(job.path, repo_root)
                try:
                    svg, png = session.render(job.id, job.source, label=label)
                except DiagramError as exc:
                    errors.append(str(exc))
                    continue
                write_atomic(job.svg_path(cache_dir), svg.encode("utf-8"))
                write_atomic(job.png_path(cache_dir), png)
                _remove_old(cache_dir, job)
        if errors:
            raise DiagramError("\n".join(errors))
    return {job.id: _rendered(job, cache_dir) for job in jobs}


def find_browser(playwright: Any | None = None) -> str | None:
    """DECK_BROWSER, then Playwright's own Chromium, then a system Chromium/Chrome on PATH."""
    explicit = os.environ.get("DECK_BROWSER")
    if explicit:
        if not Path(explicit).is_file():
            raise DiagramError(f"DECK_BROWSER={explicit}: no such file; point it at a Chromium/Chrome executable")
        return explicit
    if playwright is not None:
        with suppress(Exception):  # the property raises on platforms Playwright does not support
            managed = playwright.chromium.executable_path
            if managed and Path(managed).is_file():
                return str(managed)
    for name in SYSTEM_BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


class RenderSession:
    """One browser, one page with Mermaid loaded; render() many diagrams through it.

    Every network request of the page is aborted and recorded in ``requests``; dialogs are
    dismissed and recorded in ``dialogs``; page errors go to ``page_errors``. A render that
    caused a request or dialog is refused.
    """

    def __init__(self, settings: Mapping[str, Any], *, repo_root: Path | None, needed_for: list[str]) -> None:
        self.settings = settings
        self.repo_root = repo_root
        self.needed_for = needed_for
        self.scale = float(_settings_value(settings, "scale", 2))
        self.min_long_side = int(_settings_value(settings, "min_png_long_side", 1600))
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []
        self.console: list[str] = []
        self._stack: ExitStack | None = None
        self._error_type: type[Exception] = Exception
        self.page: Any = None

    def _what(self) -> str:
        return ", ".join(self.needed_for) or "diagrams"

    def _mermaid_script(self) -> str:
        build = mermaid_build(self.repo_root)
        if build.script is None:
            raise DiagramError(
                f"cannot render diagram(s) {self._what()}: no Mermaid build (node_modules/mermaid or the copy "
                f"shipped in the package); run `npm ci` in the checkout"
            )
        if build.version is not None and build.version != build.pinned:
            # The cache key names the pinned version; rendering with another would lie.
            raise DiagramError(
                f"cannot render diagram(s) {self._what()}: {build.origin} has mermaid {build.version}, "
                f"package.json pins {build.pinned}; run `npm ci` (and scripts/vendor-mermaid.sh for the shipped copy)"
            )
        return build.script.read_text(encoding="utf-8")

    def _config(self) -> dict[str, Any]:
        family = str(_settings_value(self.settings, "font_family", "sans-serif"))
        size = int(_settings_value(self.settings, "font_size", 16))
        theme_vars = {
            **dict(_settings_value(self.settings, "theme_variables", {})),
            "fontFamily": family,
            "fontSize": f"{size}px",
        }
        sequence_fonts = {
            "actorFontFamily": family,
            "noteFontFamily": family,
            "messageFontFamily": family,
            "actorFontSize": size,
            "noteFontSize": size - 2,
            "messageFontSize": size - 2,
        }
        return {
            "startOnLoad": False,
            "securityLevel": "strict",
            "htmlLabels": False,
            "logLevel": "fatal",
            "deterministicIds": True,
            "theme": "base",
            "themeVariables": theme_vars,
            "fontFamily": family,
            "flowchart": {**_FLOWCHART_DEFAULTS, **dict(_settings_value(self.settings, "flowchart", {}))},
            "sequence": {
                **_SEQUENCE_DEFAULTS,
                **sequence_fonts,
                **dict(_settings_value(self.settings, "sequence", {})),
            },
        }

    def __enter__(self) -> RenderSession:
        try:
            find_browser()  # a wrong DECK_BROWSER fails here, before Playwright starts
        except DiagramError as exc:
            raise DiagramError(f"cannot render diagram(s) {self._what()}: {exc}") from None
        script = self._mermaid_script()
        try:
            from playwright.sync_api import Error as PlaywrightError
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise DiagramError(
                f"cannot render diagram(s) {self._what()}: the Python package `playwright` is not "
                "installed (pip install playwright)"
            ) from None
        self._error_type = PlaywrightError
        stack = ExitStack()
        try:
            self.page = self._start(stack, sync_playwright, script)
        except BaseException:
            stack.close()  # do not leave a browser behind when setup fails half-way
            raise
        self._stack = stack
        return self

    def _start(self, stack: ExitStack, sync_playwright: Any, script: str) -> Any:
        executable: str | None = None
        try:
            pw = stack.enter_context(sync_playwright())  # raises inside a running asyncio loop
            executable = find_browser(pw)
            if executable is None:
                raise DiagramError(
                    f"cannot render diagram(s) {self._what()}: no Chromium found; {_HOW_TO_GET_A_BROWSER}"
                )
            browser = pw.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
            context = browser.new_context(
                device_scale_factor=self.scale,
                viewport={"width": 1600, "height": 1000},
                service_workers="block",
                offline=True,
            )
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.route("**/*", lambda route: route.abort())
            page.on("request", lambda request: self.requests.append(request.url))
            page.on("dialog", self._on_dialog)
            page.on("pageerror", lambda error: self.page_errors.append(str(error)))
            page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
            digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
            page.set_content(_HOST_PAGE.format(script_hash=digest))
            page.add_script_tag(content=script)
            page.evaluate(_INIT_JS, self._config())
        except self._error_type as exc:
            what = f"browser {executable}" if executable else "Playwright"
            raise DiagramError(
                f"cannot render diagram(s) {self._what()}: {what} failed: {exc}; {_HOW_TO_GET_A_BROWSER}"
            ) from None
        return page

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        with suppress(Exception):
            dialog.dismiss()

    def __exit__(self, *exc: object) -> None:
        if self._stack is not None:
            self._stack.close()

    def render(self, diagram_id: str, source: str, *, label: str) -> tuple[str, bytes]:
        """Render one diagram: (SVG text, PNG bytes). Raises DiagramError '<label>:<line>: <message>'."""
        _check_id(diagram_id)
        text, offset = _prepare_source(_normalise_source(source))
        before = (len(self.requests), len(self.dialogs))
        try:
            result = self.page.evaluate(
                _RENDER_JS,
                {
                    "id": f"diagram-{diagram_id}",
                    "src": text,
                    "scale": self.scale,
                    "minLong": self.min_long_side,
                },
            )
            png = None
            if "svg" in result:
                # A clip of the page is cheaper than an element screenshot (no scroll/stability waits).
                png = self.page.screenshot(type="png", clip=result["clip"], full_page=True, animations="disabled")
        except self._error_type as exc:
            raise DiagramError(f"{label}: browser error while rendering: {exc}") from None
        if "error" in result:
            message = str(result["error"]).strip()
            if not result.get("line"):
                raise DiagramError(f"{label}: {message}")
            line = int(result["line"]) + offset
            # Mermaid counts lines after dropping front matter/directives; say the file's line.
            message = _ERROR_LINE_RE.sub(lambda m: f"{m[1]}{line}", message, count=1)
            raise DiagramError(f"{label}:{line}: {message}")
        leaked = self.requests[before[0] :] + self.dialogs[before[1] :]
        if leaked:
            raise DiagramError(f"{label}: rendering tried to open a dialog or load a resource: {leaked}")
        assert png is not None
        width, height = struct.unpack(">II", png[16:24])
        if max(width, height) < self.min_long_side:
            raise DiagramError(f"{label}: PNG is {width}x{height}, below min_png_long_side={self.min_long_side}")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + result["svg"] + "\n", png
