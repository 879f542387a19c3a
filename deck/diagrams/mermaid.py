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
import sys
from collections.abc import Mapping
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deck import resources
from deck.diagrams.scene import Scene, from_dom, from_json
from deck.errors import DiagramError
from deck.export.files import write_atomic

# Bump when anything below changes the output for the same source/settings/Mermaid version.
RENDER_VERSION = "4"  # 2: inline styles, scene JSON; 3: edge ends at frames; 4: circle ends

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
_DIRECTIVE_RE = re.compile(r"^\s*%%\{\s*([A-Za-z]+)\s*:?\s*(.*?)\s*\}%%\s*$")
_CLICK_RE = re.compile(r"^\s*click\s+(\S+)\s*(.*)$")
_CLICK_LINK_RE = re.compile(r"^(?:href\s+)?[\"'](?:https?://|mailto:)[^\"']*[\"']")
_PICTURE_ONLY_RE = re.compile(r"@\{[^}]*\b(?:img|icon)\s*:|\bfa[bklrs]?:fa-")
# Mermaid's own default: above it Mermaid draws an error picture. Kept: dagre's layout time grows
# fast with size, and 50,000 characters is already far beyond a readable slide.
MAX_TEXT_SIZE = 50_000
# What %%{init}%% and front matter may set: looks only, never securityLevel or parsing options.
ALLOWED_CONFIG = frozenset({"theme", "themeVariables"})
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

# Colour helper shared by the style inliner and the scene reader: computed rgb()/rgba() -> RRGGBB.
_HEX_JS = r"""
const rgba = (c) => {
  const m = /rgba?\(([^)]+)\)/.exec(c || '');
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return {hex: p.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('').toUpperCase(),
          alpha: p.length > 3 ? p[3] : 1};
};
const hex = (c) => { const v = rgba(c); return v && v.alpha > 0 ? v.hex : null; };
"""

# The fallback SVG must draw the same in engines that ignore <style> sheets: every painted
# element gets its computed paint (and text its font) as presentation attributes, then the
# sheet, classes and style attributes go.
_INLINE_JS = r"""
const PAINT = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-linecap', 'stroke-linejoin'];
const FONT = ['font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor', 'dominant-baseline'];
const PAINTED = new Set(['path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'text', 'tspan']);
const inlineStyles = (shown, root) => {
  const live = [shown, ...shown.querySelectorAll('*')], out = [root, ...root.querySelectorAll('*')];
  for (let i = 0; i < out.length; i++) {
    const el = out[i], name = el.localName;
    if (PAINTED.has(name) && live[i] && live[i].localName === name) {
      const s = getComputedStyle(live[i]);
      for (const prop of PAINT) {
        const v = s.getPropertyValue(prop);
        if (prop === 'fill' || prop === 'stroke') {
          const c = rgba(v);
          el.setAttribute(prop, c && c.alpha > 0 ? '#' + c.hex : 'none');
          if (c && c.alpha > 0 && c.alpha < 1) el.setAttribute(prop + '-opacity', String(c.alpha));
        } else if (v) el.setAttribute(prop, v);
      }
      const opacity = parseFloat(s.opacity);
      if (opacity < 1) el.setAttribute('opacity', String(opacity));
      if (s.display === 'none') el.setAttribute('display', 'none');
      if (s.visibility === 'hidden') el.setAttribute('visibility', 'hidden');
      if (name === 'text' || name === 'tspan') for (const prop of FONT) el.setAttribute(prop, s.getPropertyValue(prop));
    }
    if (el !== root) { el.removeAttribute('class'); el.removeAttribute('style'); }
  }
  for (const sheet of [...root.querySelectorAll('style')]) sheet.remove();
  root.removeAttribute('class');
};
"""

_SCENE_JS = r"""
// Scene extraction: runs after the SVG is in the page (getBBox/getComputedStyle need layout).
const sceneOf = (shown, db, id, vbx, vby) => {
  const r2 = (v) => Math.round(v * 100) / 100;
  const base = shown.getScreenCTM().inverse();
  const mapper = (el) => {
    const m = base.multiply(el.getScreenCTM());
    return (x, y) => [r2(m.a * x + m.c * y + m.e - vbx), r2(m.b * x + m.d * y + m.f - vby)];
  };
  const box = (el) => {
    const b = el.getBBox(), f = mapper(el);
    const pts = [f(b.x, b.y), f(b.x + b.width, b.y), f(b.x, b.y + b.height), f(b.x + b.width, b.y + b.height)];
    const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
    const x = Math.min(...xs), y = Math.min(...ys);
    return {x, y, w: r2(Math.max(...xs) - x), h: r2(Math.max(...ys) - y)};
  };
  const paint = (el) => {
    const s = getComputedStyle(el);
    const gaps = (s.strokeDasharray || 'none').split(/[\s,]+/).map(parseFloat).filter(Number.isFinite);
    return {fill: hex(s.fill), stroke: hex(s.stroke), stroke_width: r2(parseFloat(s.strokeWidth) || 0),
            dashed: gaps.some((v, i) => i % 2 === 1 && v > 0)};
  };
  const GEOM = 'rect,circle,ellipse,path,polygon,polyline';
  const geom = (el) => (el.matches(GEOM) ? el : el.querySelector(GEOM));
  const ops = (el) => {
    const f = mapper(el);
    if (el.localName === 'polygon' || el.localName === 'polyline') {
      const n = (el.getAttribute('points') || '').trim().split(/[\s,]+/).map(Number);
      const out = [];
      for (let i = 0; i + 1 < n.length; i += 2) out.push([i ? 'L' : 'M', ...f(n[i], n[i + 1])]);
      if (el.localName === 'polygon') out.push(['Z']);
      return out;
    }
    if (el.localName !== 'path') return [];
    const t = (el.getAttribute('d') || '').match(/[a-zA-Z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) || [];
    const out = [];
    let i = 0, cmd = null, cx = 0, cy = 0, sx = 0, sy = 0, ok = true;
    const num = () => Number(t[i++]);
    while (ok && i < t.length) {
      if (/[a-zA-Z]/.test(t[i])) cmd = t[i++];
      else if (cmd === null) { ok = false; break; }
      const C = cmd.toUpperCase(), rel = cmd !== C, ox = rel ? cx : 0, oy = rel ? cy : 0;
      if (C === 'M') {
        cx = ox + num(); cy = oy + num(); sx = cx; sy = cy;
        out.push(['M', ...f(cx, cy)]); cmd = rel ? 'l' : 'L';
      }
      else if (C === 'L') { cx = ox + num(); cy = oy + num(); out.push(['L', ...f(cx, cy)]); }
      else if (C === 'H') { cx = ox + num(); out.push(['L', ...f(cx, cy)]); }
      else if (C === 'V') { cy = oy + num(); out.push(['L', ...f(cx, cy)]); }
      else if (C === 'C') {
        const x1 = ox + num(), y1 = oy + num(), x2 = ox + num(), y2 = oy + num();
        cx = ox + num(); cy = oy + num();
        out.push(['C', ...f(x1, y1), ...f(x2, y2), ...f(cx, cy)]);
      } else if (C === 'Q') {
        const x1 = ox + num(), y1 = oy + num(), ex = ox + num(), ey = oy + num();
        out.push(['C', ...f(cx + 2 / 3 * (x1 - cx), cy + 2 / 3 * (y1 - cy)),
                  ...f(ex + 2 / 3 * (x1 - ex), ey + 2 / 3 * (y1 - ey)), ...f(ex, ey)]);
        cx = ex; cy = ey;
      } else if (C === 'Z') { cx = sx; cy = sy; out.push(['Z']); cmd = null; }
      else ok = false;
    }
    if (ok && out.every((o) => o.slice(1).every(Number.isFinite))) return out;
    // Arcs, smooth curves: follow the drawn path with short lines instead.
    const len = el.getTotalLength(), n = 48, pts = [];
    for (let k = 0; k <= n; k++) {
      const p = el.getPointAtLength(len * k / n);
      pts.push([k ? 'L' : 'M', ...f(p.x, p.y)]);
    }
    return pts;
  };
  const label = (el, raw, labelType) => {
    if (!el || !raw) return null;
    const text = el.querySelector('text');
    const s = text ? getComputedStyle(text) : null;
    return {raw: String(raw), markdown: labelType === 'markdown', box: box(el),
            color: s ? hex(s.fill) : null, size: s ? r2(parseFloat(s.fontSize)) : 16,
            bold: s ? Number(s.fontWeight) >= 600 : false};
  };
  const styledBy = (n) => (n.cssStyles || []).length > 0 ||
    String(n.cssClasses || '').split(/\s+/).some((c) => c && c !== 'default');
  const data = db.getData();
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const depth = (n) => {
    let d = 0;
    for (let p = n.parentId; p && byId.has(p); p = byId.get(p).parentId) d++;
    return d;
  };
  const unsupported = [];
  const nodes = [], clusters = [];
  for (const n of data.nodes) {
    if (n.isGroup) {
      const g = shown.querySelector('#' + CSS.escape(id + '-' + n.id));
      const rect = g && g.querySelector(':scope > rect');
      if (!rect) { unsupported.push('subgraph ' + n.id + ' not found in the SVG'); continue; }
      clusters.push({id: n.id, box: box(rect), paint: paint(rect), styled: styledBy(n), depth: depth(n),
                     title: label(g.querySelector(':scope > .cluster-label'), n.label, n.labelType)});
      continue;
    }
    if (n.img || n.icon || /^(image|icon)/i.test(n.shape || '')) unsupported.push('image/icon node ' + n.id);
    const g = shown.querySelector('#' + CSS.escape(id + '-' + n.domId));
    const shapeEl = g && [...g.children].find((c) => !c.classList.contains('label'));
    const el = shapeEl && geom(shapeEl);
    if (!el) { unsupported.push('node ' + n.id + ' not found in the SVG'); continue; }
    nodes.push({id: n.id, shape: n.shape || 'squareRect', box: box(shapeEl), paint: paint(el), styled: styledBy(n),
                label: label(g.querySelector(':scope > .label'), n.label, n.labelType), outline: ops(el)});
  }
  const paths = new Map([...shown.querySelectorAll('path[data-id]')].map((p) => [p.getAttribute('data-id'), p]));
  const labels = new Map([...shown.querySelectorAll('.edgeLabel .label[data-id]')]
    .map((l) => [l.getAttribute('data-id'), l]));
  const edges = [];
  for (const e of data.edges) {
    const p = paths.get(e.id);
    if (!p) { unsupported.push('edge ' + e.id + ' not found in the SVG'); continue; }
    let path = ops(p);
    // Mermaid stops a line short of its arrowhead; DrawingML draws the head at the line's end, so
    // end where Mermaid's routed points do (on the node's border), unless Mermaid cut the line at a
    // subgraph's frame. A circle end is centred where Mermaid centres its circle marker.
    const f = mapper(p);
    const moveEnd = (to) => {
      const last = path[path.length - 1], out = [...last], n = last.length;
      const dx = to[0] - last[n - 2], dy = to[1] - last[n - 1];
      out[n - 2] = to[0]; out[n - 1] = to[1];
      if (last[0] === 'C') { out[3] += dx; out[4] += dy; }
      path[path.length - 1] = out;
    };
    const moveStart = (to) => {
      const dx = to[0] - path[0][1], dy = to[1] - path[0][2], next = path[1];
      path[0] = ['M', to[0], to[1]];
      if (next[0] === 'C') path[1] = ['C', next[1] + dx, next[2] + dy, ...next.slice(3)];
    };
    const MARKER_GAP = 16;  // px: above Mermaid's arrowhead offset, below any cut at a frame
    const CIRCLE_BACK = 6.6;  // px: Mermaid's circle marker centre before the line's end
    let pts = null;
    try { pts = JSON.parse(atob(p.getAttribute('data-points') || '')); } catch (err) { pts = null; }
    if (path.length > 1 && path[0][0] === 'M') {
      const near = (q, x, y) => {
        if (!q) return null;
        const [nx, ny] = f(q.x, q.y);
        return Math.hypot(nx - x, ny - y) <= MARKER_GAP ? [nx, ny] : null;
      };
      const len = p.getTotalLength(), at = (d) => { const q = p.getPointAtLength(d); return f(q.x, q.y); };
      const last = path[path.length - 1], ok = Array.isArray(pts) && pts.length > 1;
      const end = ok && e.arrowTypeEnd === 'arrow_point' &&
        near(pts[pts.length - 1], last[last.length - 2], last[last.length - 1]);
      if (end) moveEnd(end);
      else if (e.arrowTypeEnd === 'arrow_circle' && len > 2 * CIRCLE_BACK) moveEnd(at(len - CIRCLE_BACK));
      const start = ok && e.arrowTypeStart === 'arrow_point' && near(pts[0], path[0][1], path[0][2]);
      if (start) moveStart(start);
      else if (e.arrowTypeStart === 'arrow_circle' && len > 2 * CIRCLE_BACK) moveStart(at(CIRCLE_BACK));
    }
    const l = labels.get(e.id);
    const inner = l && (l.querySelector(':scope > g') || l);
    edges.push({id: e.id, source: e.start, target: e.end, path, start: e.arrowTypeStart || 'none',
                end: e.arrowTypeEnd || 'none', paint: {...paint(p), dashed: paint(p).dashed || e.pattern === 'dotted'},
                styled: (e.style || []).length > 0,
                thick: e.thickness === 'thick', label: e.label ? label(inner, e.label, e.labelType) : null});
  }
  return {scene: {nodes, clusters, edges}, unsupported};
};
"""

# Runs in the page: parse + render, then check and normalise the SVG before it touches the live
# document. Errors come back as data (message + line) because exceptions lose Mermaid's hash.
_RENDER_JS = "async ({id, src, scale, minLong, withScene, maxText}) => {" + _HEX_JS + _INLINE_JS + _SCENE_JS + r"""
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
  if (!root || root.localName !== 'svg') {
    const why = (doc.querySelector('parsererror')?.textContent || '').replace(/\s+/g, ' ').trim();
    return {error: 'Mermaid did not return an SVG document' + (why ? ' (' + why.slice(0, 200) + ')' : '')};
  }
  // Mermaid draws some failures as a picture instead of throwing: never cache one of those.
  const role = root.getAttribute('aria-roledescription') || '';
  if (role === 'error') return {error: 'Mermaid drew its error picture (syntax error in text)'};
  if (src.length > maxText || /Maximum text size in diagram exceeded/.test(root.textContent)) {
    return {error: 'Mermaid drew its error picture (maximum text size in diagram exceeded)'};
  }
  const problems = new Set();
  for (const el of [root, ...root.querySelectorAll('*')]) {
    const name = el.localName.toLowerCase();
    if (name === 'foreignobject') problems.add('foreignObject (HTML labels: remove htmlLabels from its config)');
    if (name === 'script') problems.add('<script> element');
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) problems.add('event handler attribute ' + a.name);
      if (/^javascript:/i.test(a.value.replace(/[\s\u0000-\u001f]/g, ''))) {
        problems.add('javascript: URL in ' + a.name);
      }
    }
  }
  if (problems.size) return {error: 'unsafe or unsupported SVG: ' + [...problems].join(', ')};
  const vb = (root.getAttribute('viewBox') || '').trim().split(/[\s,]+/).map(Number);
  if (vb.length !== 4 || !vb.every(Number.isFinite) || vb[2] <= 0 || vb[3] <= 0) {
    return {error: 'Mermaid returned an SVG without a usable viewBox'};
  }
  const w = Math.round(vb[2] * 100) / 100, h = Math.round(vb[3] * 100) / 100;
  // Absolute size instead of width="100%" + max-width, so PowerPoint and viewers size it right.
  root.setAttribute('width', String(w));
  root.setAttribute('height', String(h));
  root.style.removeProperty('max-width');
  if (!root.getAttribute('style')) root.removeAttribute('style');
  // Show it larger than its natural size if scale alone would not reach the minimum PNG size.
  const k = Math.max(1, (minLong + 1) / (Math.max(w, h) * scale));
  const shown = document.importNode(root, true);
  shown.style.width = Math.ceil(w * k) + 'px';
  shown.style.height = Math.ceil(h * k) + 'px';
  document.getElementById('stage').replaceChildren(shown);
  let scene = null, unsupported = [];
  if (withScene && role === 'flowchart-v2') {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(src);
    ({scene, unsupported} = sceneOf(shown, diagram.db, id, vb[0], vb[1]));
    scene.width = w; scene.height = h;
  }
  inlineStyles(shown, root);
  const out = new XMLSerializer().serializeToString(root);
  const r = shown.getBoundingClientRect();
  return {svg: out, clip: {x: r.x, y: r.y, width: r.width, height: r.height}, scene, unsupported, role};
}"""


@dataclass(frozen=True)
class RenderedDiagram:
    id: str
    svg_path: Path
    png_path: Path
    png_size: tuple[int, int]  # pixels
    scene: Scene | None = None  # flowcharts Mermaid laid out, when they can be drawn as shapes
    warnings: tuple[str, ...] = ()  # what was dropped or why it stays a picture


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
    text, offset = _prepare_source(_normalise_source(source))
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
    inspection: Inspection | None  # None: refused, see error
    error: str | None = None

    def svg_path(self, cache_dir: Path) -> Path:
        return cache_dir / f"{self.id}-{self.key[:12]}.svg"

    def png_path(self, cache_dir: Path) -> Path:
        return cache_dir / f"{self.id}-{self.key[:12]}.png"

    def scene_path(self, cache_dir: Path) -> Path:
        return cache_dir / f"{self.id}-{self.key[:12]}.scene.json"

    def paths(self, cache_dir: Path) -> tuple[Path, Path, Path]:
        return self.svg_path(cache_dir), self.png_path(cache_dir), self.scene_path(cache_dir)

    def is_cached(self, cache_dir: Path) -> bool:
        return all(p.is_file() and p.stat().st_size > 0 for p in self.paths(cache_dir))


def _jobs(sources: Mapping[str, Path], settings: Mapping[str, Any], repo_root: Path | None) -> list[_Job]:
    version = mermaid_version(repo_root)
    jobs = []
    for diagram_id, path in sorted(sources.items()):
        _check_id(diagram_id)
        try:
            source = _normalise_source(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise DiagramError(f"{_label(Path(path), repo_root)}: cannot read diagram source: {exc}") from None
        key, label = cache_key(source, settings, version), _label(Path(path), repo_root)
        try:
            jobs.append(_Job(diagram_id, Path(path), source, key, inspect_source(source, label)))
        except DiagramError as exc:  # reported with the other diagrams' errors, after they are rendered
            jobs.append(_Job(diagram_id, Path(path), source, key, None, str(exc)))
    return jobs


def stale_diagrams(
    sources: Mapping[str, Path], settings: Mapping[str, Any], *, repo_root: Path | None, cache_dir: Path
) -> list[str]:
    """Ids whose SVG/PNG for the current source, settings and Mermaid pin are not in cache_dir."""
    return [job.id for job in _jobs(sources, settings, repo_root) if not job.is_cached(cache_dir)]


def _rendered(job: _Job, cache_dir: Path) -> RenderedDiagram:
    assert job.inspection is not None  # refused jobs raised before this
    png, scene_file = job.png_path(cache_dir), job.scene_path(cache_dir)
    try:
        # "null" for diagrams that are not flowcharts (or hold something we cannot draw).
        scene = None if job.inspection.picture_reason else _load_scene(scene_file.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DiagramError(f"{scene_file}: unreadable scene ({exc}); run `deck diagrams --force`") from None
    return RenderedDiagram(job.id, job.svg_path(cache_dir), png, _png_size(png), scene, job.inspection.warnings)


def _load_scene(text: str) -> Scene | None:
    return None if text.strip() == "null" else from_json(text)


def _remove_old(cache_dir: Path, job: _Job) -> None:
    # Exact pattern: a glob like "rope-*" would also hit "rope-scaling-….svg".
    pattern = re.compile(rf"^{re.escape(job.id)}-[0-9a-f]{{12}}\.(?:svg|png|scene\.json)$")
    keep = {p.name for p in job.paths(cache_dir)}
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
    scenes: bool = True,
) -> dict[str, RenderedDiagram]:
    """Return every diagram's cached SVG/PNG/scene, rendering the stale ones in one browser session.
    scenes=False skips reading flowchart scenes (only to measure what that costs)."""
    jobs = _jobs(sources, settings, repo_root)
    errors = [job.error for job in jobs if job.error]
    todo = [job for job in jobs if not job.error and (force or not job.is_cached(cache_dir))]
    if todo:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with RenderSession(settings, repo_root=repo_root, needed_for=[job.id for job in todo],
                           scenes=scenes) as session:
            for job in todo:
                label = _label(job.path, repo_root)
                try:
                    svg, png, scene = session.render(job.id, job.source, label=label)
                except DiagramError as exc:
                    errors.append(str(exc))
                    continue
                write_atomic(job.svg_path(cache_dir), svg.encode("utf-8"))
                write_atomic(job.png_path(cache_dir), png)
                write_atomic(job.scene_path(cache_dir), (scene.to_json() if scene else "null\n").encode("utf-8"))
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

    def __init__(self, settings: Mapping[str, Any], *, repo_root: Path | None, needed_for: list[str],
                 scenes: bool = True) -> None:
        self.settings = settings
        self.scenes = scenes  # read flowchart scenes from the DOM (off only to measure what it costs)
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
            "maxTextSize": MAX_TEXT_SIZE,
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

    def render(self, diagram_id: str, source: str, *, label: str) -> tuple[str, bytes, Scene | None]:
        """Render one diagram: (SVG text, PNG bytes, flowchart scene or None).
        Raises DiagramError '<label>:<line>: <message>'."""
        _check_id(diagram_id)
        inspection = inspect_source(source, label)
        text, offset = inspection.text, inspection.offset
        before = (len(self.requests), len(self.dialogs))
        try:
            result = self.page.evaluate(
                _RENDER_JS,
                {
                    "id": f"diagram-{diagram_id}",
                    "src": text,
                    "scale": self.scale,
                    "minLong": self.min_long_side,
                    "withScene": self.scenes and inspection.picture_reason is None,
                    "maxText": MAX_TEXT_SIZE,
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
        scene = None
        if result.get("scene") is not None:
            if result.get("unsupported"):
                # Never half-native: one unknown piece and the whole diagram stays a picture.
                print(f"warning: {label}: {'; '.join(result['unsupported'])}; the diagram stays a picture",
                      file=sys.stderr)
            else:
                scene = from_dom(result["scene"])
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + result["svg"] + "\n", png, scene
