"""A flowchart scene as native plan shapes: Mermaid's layout scaled into a box, theme colours and
fonts, every label fitted by deck.layout. Pure plan data (no python-pptx)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from deck.diagrams.scene import Label, Node, Paint, Rect, Scene
from deck.plan import Box, Group, Line, Para, Run, Shape, Text
from deck.text import layout
from deck.text.layout import Paragraph, Style
from deck.theme.settings import Theme

Medium = Literal["slide", "handout"]

# Mermaid shape name -> (preset geometry, flip_h, flip_v); the rest follow Mermaid's own outline.
PRESETS: dict[str, tuple[str, bool, bool]] = {
    "squareRect": ("rect", False, False),
    "rect": ("rect", False, False),
    "roundedRect": ("roundRect", False, False),
    "stadium": ("roundRect", False, False),
    "subroutine": ("flowChartPredefinedProcess", False, False),
    "cylinder": ("can", False, False),
    "circle": ("ellipse", False, False),
    "doublecircle": ("ellipse", False, False),
    "diamond": ("diamond", False, False),
    "question": ("diamond", False, False),
    "hexagon": ("hexagon", False, False),
    "lean_right": ("parallelogram", False, False),
    "lean_left": ("parallelogram", True, False),
    "trapezoid": ("trapezoid", False, False),
    "inv_trapezoid": ("trapezoid", False, True),
}
# Share of a node's box free for text, by shape (the rest is rounding, slant or point).
TEXT_AREA: dict[str, tuple[float, float]] = {
    "circle": (0.7, 0.7), "doublecircle": (0.64, 0.64), "diamond": (0.5, 0.5), "question": (0.5, 0.5),
    "hexagon": (0.8, 1.0), "stadium": (0.85, 1.0), "cylinder": (1.0, 0.7), "subroutine": (0.86, 1.0),
    "lean_right": (0.75, 1.0), "lean_left": (0.75, 1.0), "trapezoid": (0.7, 1.0), "inv_trapezoid": (0.7, 1.0),
    "odd": (0.8, 1.0),
}
ENDS = {"arrow": "triangle", "circle": "oval"}  # "cross" has no DrawingML line end: drawn as an X
MERMAID_ROUNDING = 5.0  # px: Mermaid's corner radius for (rounded) nodes
MERMAID_RING = 5.0  # px between a double circle's rings
MERMAID_EDGE = 2.0  # px: Mermaid's default edge width (linkStyle widths scale from it)


class _Plan:
    def __init__(self, scene: Scene, box: Box, theme: Theme, medium: Medium) -> None:
        self.t = theme
        self.cfg = theme.diagram_shapes
        self.k = min(box.w / scene.width, box.h / scene.height)
        self.ox = box.x + (box.w - scene.width * self.k) / 2
        self.oy = box.y + (box.h - scene.height * self.k) / 2
        self.box = Box(self.ox, self.oy, scene.width * self.k, scene.height * self.k)
        sizes = self.cfg.handout_label_size if medium == "handout" else self.cfg.label_size
        self.style_floor = sizes.min
        self.style = Style(max_size=sizes.max, min_size=min(sizes.min, self.cfg.label_min), step=0.5,
                           line_spacing=self.cfg.line_spacing, paragraph_gap=0)
        self.scene = scene

    def color(self, name: str) -> str:
        return self.t.color(getattr(self.cfg.colors, name))

    def pt(self, x: float, y: float) -> tuple[float, float]:
        return self.ox + x * self.k, self.oy + y * self.k

    def rect(self, r: Rect) -> Box:
        x, y = self.pt(r.x, r.y)
        return Box(x, y, r.w * self.k, r.h * self.k)

    def line(self, color: str, width: float, dashed: bool = False, head: str | None = None,
             tail: str | None = None) -> Line:
        # Lines thin out with a diagram drawn smaller than Mermaid's size, down to half the theme's width.
        width *= min(1.0, max(self.k, 0.5))
        return Line(color, width, self.cfg.dash if dashed else None, head, tail, self.cfg.end_size)


def _paras(label: Label) -> list[Paragraph]:
    return [Paragraph("".join(p.text for p in line)) for line in label.lines]


def _inner(box: Box, fx: float, fy: float, pad: float) -> Box:
    # Horizontal padding only: line pitch already leaves room above and below the glyphs.
    w, h = max(box.w * fx - 2 * pad, 1.0), max(box.h * fy, 1.0)
    return Box(box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, w, h)


def _grown(p: _Plan, label: Label, area: Box) -> Box:
    """A symbol in a small circle ("+", "x"): the text box may reach past the circle so the
    symbol is set at the floor size; its glyph still sits inside the ring."""
    text = label.text
    measure = p.t.sans_bold if label.bold else p.t.sans
    size = p.style_floor
    pad = p.cfg.label_pad
    w = max(area.w, max(measure(line, size) for line in text.split("\n")) + pad)
    h = max(area.h, len(label.lines) * size * p.style.line_spacing + pad)
    return Box(area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, h)


def _union_centered(a: Box, b: Box, bound: Box) -> Box:
    """The larger of two text areas in each direction, centred on b, kept inside bound."""
    w, h = min(max(a.w, b.w), bound.w), min(max(a.h, b.h), bound.h)
    cx = min(max(b.x + b.w / 2, bound.x + w / 2), bound.x + bound.w - w / 2)
    cy = min(max(b.y + b.h / 2, bound.y + h / 2), bound.y + bound.h - h / 2)
    return Box(cx - w / 2, cy - h / 2, w, h)


def _node_shapes(p: _Plan, n: Node) -> list[Shape]:
    box = p.rect(n.box)
    # What Mermaid left unpainted (text-only nodes) stays unpainted; the rest takes theme tints
    # unless the author styled it.
    fill = None if n.paint.fill is None else (n.paint.fill if n.styled else p.color("node_fill"))
    stroke = None if not _stroked(n.paint) else (n.paint.stroke if n.styled else p.color("node_line"))
    width = p.cfg.border_width * (max(n.paint.stroke_width, 0.5) if n.styled else 1.0)
    line = p.line(stroke, width, n.paint.dashed and n.styled) if stroke else None
    name = f"Node {n.id}"
    if n.shape in PRESETS:
        geometry, flip_h, flip_v = PRESETS[n.shape]
        adjust: tuple[tuple[str, int], ...] = ()
        if n.shape == "roundedRect":
            adjust = (("adj", round(MERMAID_ROUNDING * p.k / max(min(box.w, box.h), 1e-6) * 100000)),)
        elif n.shape == "stadium":
            adjust = (("adj", 50000),)
        shapes = [Shape(box, geometry, fill, line, name, adjust, flip_h=flip_h, flip_v=flip_v)]
        if n.shape == "doublecircle":
            ring = MERMAID_RING * p.k
            inner = Box(box.x + ring, box.y + ring, max(box.w - 2 * ring, 1), max(box.h - 2 * ring, 1))
            shapes.append(Shape(inner, "ellipse", fill, line, f"{name} inner"))
        return shapes
    if n.outline:  # flag/asymmetric and the newer shapes: Mermaid's own outline
        return [Shape(box, "custom", fill, line, name, path=_relative(p, n.outline, box))]
    return [Shape(box, "rect", fill, line, name)]


def _stroked(paint: Paint) -> bool:
    return paint.stroke is not None and paint.stroke_width > 0


def _relative(p: _Plan, ops: Iterable[tuple[Any, ...]], box: Box) -> tuple[tuple[object, ...], ...]:
    out: list[tuple[object, ...]] = []
    for kind, *v in ops:
        coords: list[float] = []
        for i in range(0, len(v), 2):
            x, y = p.pt(v[i], v[i + 1])
            coords += [min(max(x - box.x, 0.0), box.w), min(max(y - box.y, 0.0), box.h)]
        out.append((kind, *coords))
    if out and out[-1] != ("Z",):
        out.append(("Z",))  # an outline is closed, so its border is drawn all round
    return tuple(out)


def _edge_shapes(p: _Plan, scene: Scene) -> list[Shape]:
    shapes: list[Shape] = []
    for e in scene.edges:
        pts = [p.pt(v[i], v[i + 1]) for _, *v in e.path for i in range(0, len(v), 2)]
        if len(pts) < 2 or not _stroked(e.paint):  # `~~~` links only steer the layout
            continue
        x0, y0 = min(x for x, _ in pts), min(y for _, y in pts)
        box = Box(x0, y0, max(max(x for x, _ in pts) - x0, 1.0), max(max(y for _, y in pts) - y0, 1.0))
        color = (e.paint.stroke if e.styled else None) or p.color("edge")
        width = p.cfg.thick_width if e.thick else p.cfg.edge_width
        if e.styled and e.paint.stroke_width:
            width *= e.paint.stroke_width / MERMAID_EDGE
        line = p.line(color, width, e.paint.dashed, ENDS.get(e.start), ENDS.get(e.end))
        path = []
        for kind, *v in e.path:
            xy = [p.pt(v[j], v[j + 1]) for j in range(0, len(v), 2)]
            path.append((kind, *(c for x, y in xy for c in (x - x0, y - y0))))
        shapes.append(Shape(box, "custom", None, line, f"Edge {e.source}-{e.target}", path=tuple(path),
                            closed=False))
        for at, which in ((pts[0], e.start), (pts[-1], e.end)):
            if which == "cross":
                half = p.cfg.cross_size / 2
                cross = Box(at[0] - half, at[1] - half, 2 * half, 2 * half)
                x_path = (("M", 0.0, 0.0), ("L", 2 * half, 2 * half), ("M", 2 * half, 0.0), ("L", 0.0, 2 * half))
                shapes.append(Shape(cross, "custom", None, p.line(color, width), f"Edge end {e.id}",
                                    path=x_path, closed=False))
    return shapes


def _text(p: _Plan, label: Label, area: Box, color: str, size: float, fill: str | None = None) -> Text:
    paras = tuple(Para(tuple(Run(piece.text, bold=piece.bold, italic=piece.italic,
                                 baseline=getattr(p.cfg.baseline, piece.shift) if piece.shift else 0,
                                 size=size * p.cfg.script_scale if piece.shift else None)
                             for piece in line), align="ctr") for line in label.lines)
    return Text(area, paras, size, color, "diagram-label", bold=label.bold, anchor="ctr", fill=fill,
                line_spacing=p.cfg.line_spacing, paragraph_gap=0)


@dataclass(frozen=True)
class LabelFit:
    size: float  # pt: one size for every label of the diagram
    fits: bool  # False: some label overflows its area even at the theme's label_min


def label_fit(scene: Scene, box: Box, theme: Theme, medium: Medium = "slide") -> LabelFit:
    """The size the labels take when the scene is drawn into box, and whether they fit there at all
    (when not, the diagram must be a picture: text never overflows its node)."""
    p = _Plan(scene, box, theme, medium)
    labels, _ = _labels(p, scene)
    return label_size(p, labels)


def _labels(p: _Plan, scene: Scene) -> tuple[list[tuple[Label, Box, str, str | None]], int]:
    """Every label with its text area, colour and fill: subgraph titles, node labels, edge labels;
    and how many are subgraph titles (they come first)."""
    pad = p.cfg.label_pad
    labels: list[tuple[Label, Box, str, str | None]] = []
    for c in sorted(scene.clusters, key=lambda c: c.depth):
        if c.title:
            frame, t = p.rect(c.box), p.rect(c.title.box)
            area = Box(frame.x + pad, max(t.y, frame.y), frame.w - 2 * pad, t.h)  # the band above the nodes
            labels.append((c.title, area, p.color("cluster_text"), None))
    titles = len(labels)
    for n in scene.nodes:
        if n.label:
            fx, fy = TEXT_AREA.get(n.shape, (1.0, 1.0))
            node_box = p.rect(n.box)
            area = _union_centered(_inner(node_box, fx, fy, pad), p.rect(n.label.box), node_box)
            if n.shape in ("circle", "doublecircle") and len(n.label.text) <= 2:
                area = _grown(p, n.label, area)
            color = (n.label.color if n.styled else None) or p.color("text")
            labels.append((n.label, area, color, None))
    labels += [(e.label, p.rect(e.label.box), p.color("text"), p.color("label_bg")) for e in scene.edges if e.label]
    return labels, titles


def diagram_group(scene: Scene, box: Box, theme: Theme, *, name: str, alt: str,
                  medium: Medium = "slide") -> Group:
    """The scene scaled to fit box (aspect kept, centred): clusters, edges, nodes, one label size."""
    p = _Plan(scene, box, theme, medium)
    back: list[Shape] = []
    for c in sorted(scene.clusters, key=lambda c: c.depth):
        fill = (c.paint.fill if c.styled else None) or p.color("cluster_fill")
        stroke = (c.paint.stroke if c.styled else None) or p.color("cluster_line")
        back.append(Shape(p.rect(c.box), "rect", fill, p.line(stroke, p.cfg.cluster_border_width),
                          f"Subgraph {c.id}"))
    front = [shape for n in scene.nodes for shape in _node_shapes(p, n)]
    labels, titles = _labels(p, scene)
    size = label_size(p, labels).size
    texts = [_text(p, lab, area, color, size, fill) for lab, area, color, fill in labels]
    edge_count = sum(1 for e in scene.edges if e.label)
    cluster_texts, node_texts = texts[:titles], texts[titles:len(texts) - edge_count]
    edge_texts = texts[len(texts) - edge_count:]
    children = (*back, *cluster_texts, *_edge_shapes(p, scene), *edge_texts, *front, *node_texts)
    return Group(p.box, children, name, alt)


def label_size(p: _Plan, labels: list[tuple[Label, Box, str, str | None]]) -> LabelFit:
    """One size for every label of the diagram: the largest at which each fits its area."""
    size, fits = p.style.max_size, True
    for lab, area, _, _ in labels:
        measure = p.t.sans_bold if lab.bold or any(x.bold for line in lab.lines for x in line) else p.t.sans
        fit = layout.fit(_paras(lab), area.w, area.h, p.style, measure)
        size, fits = min(size, fit.size), fits and fit.fits
    return LabelFit(math.floor(size * 2) / 2, fits)
