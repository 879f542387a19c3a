"""A flowchart as Mermaid laid it out: plain data read from the live SVG DOM (no python-pptx).

Coordinates are Mermaid px with the origin at the top-left of the diagram's viewBox. The scene
is cached as JSON beside the SVG/PNG so a build without a browser still draws native shapes.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

End = Literal["none", "arrow", "circle", "cross"]
Shift = Literal["", "sub", "sup"]
# Path ops: ("M", x, y), ("L", x, y), ("C", x1, y1, x2, y2, x, y), ("Z",)
PathOp = tuple[Any, ...]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Paint:
    fill: str | None  # RRGGBB, None = no fill
    stroke: str | None
    stroke_width: float  # px
    dashed: bool = False


@dataclass(frozen=True)
class Piece:
    text: str
    shift: Shift = ""
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Label:
    lines: tuple[tuple[Piece, ...], ...]
    box: Rect
    color: str | None  # text colour Mermaid computed
    size: float  # px
    bold: bool = False

    @property
    def text(self) -> str:
        return "\n".join("".join(p.text for p in line) for line in self.lines)


@dataclass(frozen=True)
class Node:
    id: str
    shape: str  # Mermaid's shape name (squareRect, stadium, diamond, ...)
    box: Rect
    paint: Paint
    styled: bool  # classDef/style applied: use the computed colours, not the theme's
    label: Label | None
    outline: tuple[PathOp, ...] = ()  # the drawn outline
    detail: tuple[PathOp, ...] = ()  # Mermaid's other strokes of the shape (inner ring, X, lines)


@dataclass(frozen=True)
class Cluster:
    id: str
    box: Rect
    paint: Paint
    styled: bool
    title: Label | None
    depth: int  # 0 = top level; drawn outer first


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    path: tuple[PathOp, ...]
    start: End
    end: End
    paint: Paint
    styled: bool  # linkStyle applied
    thick: bool
    label: Label | None


@dataclass(frozen=True)
class Scene:
    width: float
    height: float
    nodes: tuple[Node, ...]
    clusters: tuple[Cluster, ...]
    edges: tuple[Edge, ...]
    # (node id, URL) from the source's click lines: read from the source on every build, not cached
    links: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> str:
        data = asdict(self)
        del data["links"]
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"

    @property
    def labels(self) -> tuple[Label, ...]:
        found = [n.label for n in self.nodes] + [c.title for c in self.clusters] + [e.label for e in self.edges]
        return tuple(x for x in found if x is not None)


_ENDS = {"arrow_point": "arrow", "arrow_circle": "circle", "arrow_cross": "cross"}
_TAG = re.compile(r"<\s*(/?)\s*(sub|sup|b|strong|i|em)\s*>", re.I)
_BR = re.compile(r"<\s*br\s*/?\s*>|\n", re.I)
_MERMAID_ENTITY = re.compile(r"(?<!&)#(\w+);")


def parse_label(raw: str, markdown: bool = False) -> tuple[tuple[Piece, ...], ...]:
    """Mermaid label markup -> lines of pieces: <br/> breaks, <sub>/<sup>, <b>/<i>, entities."""
    # Mermaid's db keeps #name; / #35; as its own placeholders (ﬂ°name¶ß, ﬂ°°35¶ß).
    raw = re.sub(r"ﬂ°°(\d+)¶ß", r"&#\1;", raw)
    raw = re.sub(r"ﬂ°(\w+)¶ß", r"&\1;", raw)
    raw = _MERMAID_ENTITY.sub(lambda m: f"&#{m[1]};" if m[1].isdigit() else f"&{m[1]};", raw)
    if markdown:  # "`**bold** text`": the subset Mermaid's markdown strings use in labels
        raw = raw.strip().strip("`")
        raw = re.sub(r"\*\*(.+?)\*\*|(?<!\w)__(.+?)__(?!\w)", lambda m: f"<b>{m[1] or m[2]}</b>", raw)
        # _x_ only at word edges, as CommonMark: snake_case stays text.
        raw = re.sub(r"(?<!\*)\*([^*]+)\*(?!\*)|(?<!\w)_([^_]+)_(?!\w)", lambda m: f"<i>{m[1] or m[2]}</i>", raw)
    lines = []
    shift: Shift = ""
    bold = italic = False
    for line in _BR.split(raw):
        pieces: list[Piece] = []
        pos = 0
        for m in [*_TAG.finditer(line), None]:
            chunk = line[pos:m.start()] if m else line[pos:]
            text = html.unescape(re.sub(r"<[^>]*>", "", chunk))
            if text:
                pieces.append(Piece(text, shift, bold, italic))
            if m is None:
                break
            pos, closing, tag = m.end(), bool(m[1]), m[2].lower()
            if tag in ("sub", "sup"):
                shift = "" if closing else tag  # type: ignore[assignment]
            elif tag in ("b", "strong"):
                bold = not closing
            else:
                italic = not closing
        lines.append(tuple(pieces))
    while lines and not lines[-1]:
        lines.pop()
    return tuple(lines)


def _rect(d: dict[str, Any]) -> Rect:
    return Rect(float(d["x"]), float(d["y"]), float(d["w"]), float(d["h"]))


def _paint(d: dict[str, Any]) -> Paint:
    return Paint(d.get("fill"), d.get("stroke"), float(d.get("stroke_width", 0)), bool(d.get("dashed")))


def _ops(raw: list[list[Any]]) -> tuple[PathOp, ...]:
    return tuple((op[0], *(float(v) for v in op[1:])) for op in raw)


def _label(d: dict[str, Any] | None, raw_text: str | None = None, markdown: bool = False) -> Label | None:
    if not d:
        return None
    lines = tuple(tuple(Piece(**p) for p in line) for line in d["lines"]) if "lines" in d else \
        parse_label(raw_text or "", markdown)
    if not any(p.text.strip() for line in lines for p in line):
        return None
    return Label(lines, _rect(d["box"]), d.get("color"), float(d.get("size", 16)), bool(d.get("bold")))


def from_dom(data: dict[str, Any]) -> Scene:
    """The scene from what the page's extraction script returned (raw labels, Mermaid arrow names)."""
    def label(d: dict[str, Any] | None) -> Label | None:
        if not d:
            return None
        return _label(d, d.get("raw", ""), d.get("markdown", False))

    nodes = tuple(Node(n["id"], n["shape"], _rect(n["box"]), _paint(n["paint"]), bool(n["styled"]),
                       label(n.get("label")), _ops(n.get("outline") or []), _ops(n.get("detail") or []))
                  for n in data["nodes"])
    clusters = tuple(Cluster(c["id"], _rect(c["box"]), _paint(c["paint"]), bool(c["styled"]), label(c.get("title")),
                             int(c["depth"])) for c in data["clusters"])
    edges = tuple(Edge(e["id"], e["source"], e["target"], _ops(e["path"]),
                       _ENDS.get(e["start"], "none"), _ENDS.get(e["end"], "none"),  # type: ignore[arg-type]
                       _paint(e["paint"]), bool(e["styled"]), bool(e["thick"]), label(e.get("label")))
                  for e in data["edges"])
    return Scene(float(data["width"]), float(data["height"]), nodes, clusters, edges)


def from_json(text: str) -> Scene:
    """A scene written by Scene.to_json."""
    d = json.loads(text)
    nodes = tuple(Node(n["id"], n["shape"], _rect(n["box"]), _paint(n["paint"]), n["styled"], _label(n["label"]),
                       _ops(n["outline"]), _ops(n.get("detail", []))) for n in d["nodes"])
    clusters = tuple(Cluster(c["id"], _rect(c["box"]), _paint(c["paint"]), c["styled"], _label(c["title"]),
                             c["depth"]) for c in d["clusters"])
    edges = tuple(Edge(e["id"], e["source"], e["target"], _ops(e["path"]), e["start"], e["end"], _paint(e["paint"]),
                       e["styled"], e["thick"], _label(e["label"])) for e in d["edges"])
    return Scene(d["width"], d["height"], nodes, clusters, edges)
