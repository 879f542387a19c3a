"""A flowchart scene as native plan shapes: Mermaid's layout scaled into a box, theme colours and
fonts, every label fitted by deck.layout. Pure plan data (no python-pptx)."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from deck.diagrams.connectors import fit_connector, flatten, preset_sites, text_rect
from deck.diagrams.scene import Label, Node, Paint, Rect, Scene
from deck.plan import Box, Connector, Glue, Group, Line, Para, Run, Shape, Text
from deck.text import layout
from deck.text.layout import Paragraph, Style
from deck.theme.settings import Theme

Medium = Literal["slide", "handout"]

# Mermaid 11's shape table (rendering-elements/shapes.ts): the names its db keeps for a node
# (short names, aliases, internal aliases) -> the short name of the shape drawn. Names not here are
# their own short names.
ALIASES: dict[str, str] = {
    **dict.fromkeys(("squareRect", "proc", "process", "rectangle"), "rect"),
    **dict.fromkeys(("roundedRect", "event"), "rounded"),
    **dict.fromkeys(("terminal", "pill"), "stadium"),
    **dict.fromkeys(("subprocess", "subproc", "framed-rectangle", "subroutine"), "fr-rect"),
    **dict.fromkeys(("db", "database", "cylinder"), "cyl"),
    **dict.fromkeys(("disk", "lined-cylinder"), "lin-cyl"),
    **dict.fromkeys(("extract", "triangle"), "tri"),
    **dict.fromkeys(("manual-file", "flipped-triangle"), "flip-tri"),
    "circ": "circle",
    **dict.fromkeys(("start", "small-circle", "stateStart"), "sm-circ"),
    **dict.fromkeys(("junction", "filled-circle"), "f-circ"),
    **dict.fromkeys(("double-circle", "doublecircle"), "dbl-circ"),
    **dict.fromkeys(("decision", "diamond", "question"), "diam"),
    **dict.fromkeys(("hexagon", "prepare"), "hex"),
    **dict.fromkeys(("lean-right", "in-out", "lean_right"), "lean-r"),
    **dict.fromkeys(("lean-left", "out-in", "lean_left"), "lean-l"),
    **dict.fromkeys(("priority", "trapezoid-bottom", "trapezoid"), "trap-b"),
    **dict.fromkeys(("manual", "trapezoid-top", "inv-trapezoid", "inv_trapezoid"), "trap-t"),
}
# Short name -> (preset geometry, flip_h, flip_v); the rest follow Mermaid's own outline
# (trap-t too: a vertically flipped preset would set its text upside down; hex and cyl too: the
# preset hexagon has no site at its top and bottom, the can's top site is on the rim inside its
# top, and Mermaid's edges meet both at their top and bottom).
PRESETS: dict[str, tuple[str, bool, bool]] = {
    "rect": ("rect", False, False),
    "rounded": ("roundRect", False, False),
    "stadium": ("roundRect", False, False),
    "fr-rect": ("flowChartPredefinedProcess", False, False),
    "circle": ("ellipse", False, False),
    "sm-circ": ("ellipse", False, False),
    "f-circ": ("ellipse", False, False),
    "diam": ("diamond", False, False),
    "lean-r": ("parallelogram", False, False),
    "lean-l": ("parallelogram", True, False),
    "trap-b": ("trapezoid", False, False),
}
# Share of a node's box free for text, by shape (the rest is rounding, slant or point).
TEXT_AREA: dict[str, tuple[float, float]] = {
    "circle": (0.7, 0.7), "dbl-circ": (0.64, 0.64), "diam": (0.5, 0.5),
    "hex": (0.8, 1.0), "stadium": (0.85, 1.0), "cyl": (1.0, 0.7), "fr-rect": (0.86, 1.0),
    "lean-r": (0.75, 1.0), "lean-l": (0.75, 1.0), "trap-b": (0.7, 1.0), "trap-t": (0.7, 1.0),
    "odd": (0.8, 1.0),
}
# Shapes whose label fits only where Mermaid placed it (near a triangle's base).
POINTED = ("tri", "flip-tri")
ENDS = {"arrow": "triangle"}  # circle and cross ends are drawn as shapes (DrawingML's oval keeps the line's size)
# Mermaid 11's circle and cross markers (flowchart markers.js), px: the circle's radius, the X's half
# span, how far back from the path's end the X's centre sits.
MERMAID_CIRCLE = 5.5
MERMAID_CROSS = 4.5
MERMAID_CROSS_BACK = 6.5
MERMAID_ROUNDING = 5.0  # px: Mermaid's corner radius for (rounded) nodes
MERMAID_EDGE = 1.0  # px: Mermaid 11's default edge width (linkStyle and class widths scale from it)


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
        # DrawingML sizes ends by the line's width, Mermaid's markers by the diagram: a wide line takes
        # small ends, a diagram drawn much larger than Mermaid's size large ones.
        size = "sm" if width > 2 * self.cfg.edge_width else \
            "lg" if self.k >= self.cfg.large_ends_scale else self.cfg.end_size
        # Lines thin out with a diagram drawn smaller than Mermaid's size, down to half the theme's width.
        width *= min(1.0, max(self.k, 0.5))
        return Line(color, width, self.cfg.dash if dashed else None, head, tail, size)


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


def shape_of(n: Node) -> str:
    """The short name of the shape Mermaid draws for a node."""
    return ALIASES.get(n.shape, n.shape)


def _geometry(p: _Plan, n: Node, box: Box) -> tuple[str, tuple[tuple[str, int], ...], bool, bool]:
    """A node's preset (or "custom"), its adjust values and flips."""
    shape = shape_of(n)
    if shape not in PRESETS:
        return "custom", (), False, False
    geometry, flip_h, flip_v = PRESETS[shape]
    adjust: tuple[tuple[str, int], ...] = ()
    if shape == "rounded":
        adjust = (("adj", round(MERMAID_ROUNDING * p.k / max(min(box.w, box.h), 1e-6) * 100000)),)
    elif shape == "stadium":
        adjust = (("adj", 50000),)
    return geometry, adjust, flip_h, flip_v


def _node_shapes(p: _Plan, n: Node, label: Text | None, area: Box | None, wrap: bool) -> list[Shape]:
    """The node's shape with its label as the shape's own text (one more ring for a double circle)."""
    box = p.rect(n.box)
    # What Mermaid left unpainted (text-only nodes) stays unpainted; the rest takes theme tints
    # unless the author styled it.
    fill = None if n.paint.fill is None else (n.paint.fill if n.styled else p.color("node_fill"))
    if shape_of(n) == "f-circ" and not n.styled:  # a junction: Mermaid fills it with its line colour
        fill = p.color("node_line")
    stroke = None if not _stroked(n.paint) else (n.paint.stroke if n.styled else p.color("node_line"))
    width = p.cfg.border_width * (max(n.paint.stroke_width, 0.5) if n.styled else 1.0)
    line = p.line(stroke, width, n.paint.dashed and n.styled) if stroke else None
    name = f"Node {n.id}"
    geometry, adjust, flip_h, flip_v = _geometry(p, n, box)
    r = text_rect(geometry, box.w, box.h, adjust) if geometry != "custom" else Box(0, 0, box.w, box.h)
    insets = (0.0, 0.0, 0.0, 0.0)
    if area is not None and label is not None:
        left, top = area.x - box.x - r.x, area.y - box.y - r.y
        right, bottom = r.w - area.w - left, r.h - area.h - top
        wrap = wrap and min(left, top, right, bottom) >= -0.5
        if wrap:  # the text box is the area Mermaid's label takes: it wraps where we measured
            insets = (max(left, 0), max(top, 0), max(right, 0), max(bottom, 0))
        else:  # an area wider than the text rectangle (a diamond, a circle): our own lines, centred there
            dx, dy = (left - right) / 2, (top - bottom) / 2
            insets = (min(max(2 * dx, 0), r.w), min(max(2 * dy, 0), r.h), min(max(-2 * dx, 0), r.w),
                      min(max(-2 * dy, 0), r.h))
            label = _broken(p, label, area.w)
    if geometry != "custom":
        return [Shape(box, geometry, fill, line, name, adjust, flip_h=flip_h, flip_v=flip_v, text=label,
                      insets=insets, wrap=wrap)]
    path = _relative(p, n.outline, box) if n.outline else \
        (("M", 0.0, 0.0), ("L", box.w, 0.0), ("L", box.w, box.h), ("L", 0.0, box.h), ("Z",))
    # One shape with all of Mermaid's parts (a double circle's inner ring, an X, dividing lines), so
    # they move with the node.
    detail = _relative(p, n.detail, box, close=False) if n.detail else ()
    if shape_of(n) in ("cyl", "lin-cyl") and n.outline:
        path, detail = _cylinder(path, box, detail)
    return [Shape(box, "custom", fill, line, name, path=path, detail=detail, text=label, insets=insets, wrap=wrap,
                  sites=_outline_sites(path, box))]


Ops = tuple[tuple[object, ...], ...]


def _cylinder(path: Ops, box: Box, detail: Ops) -> tuple[Ops, Ops]:
    """A cylinder as its filled silhouette and its top's front rim (plus Mermaid's further strokes):
    Mermaid's one path crosses its own top, which an even-odd fill (LibreOffice) leaves unpainted."""
    w, h, ry = box.w, box.h, float(path[0][2])  # type: ignore[arg-type]  # Mermaid starts at the rim's left end
    k = 0.5523 * w / 2  # a quarter ellipse as a cubic

    def arc(y: float, up: bool) -> tuple[tuple[object, ...], ...]:  # left to right over (up) or under the rim
        s = -1 if up else 1
        return (("C", 0.0, y + s * 0.5523 * ry, w / 2 - k, y + s * ry, w / 2, y + s * ry),
                ("C", w / 2 + k, y + s * ry, w, y + s * 0.5523 * ry, w, y))

    silhouette = (("M", 0.0, ry), *arc(ry, True), ("L", w, h - ry),
                  ("C", w, h - ry + 0.5523 * ry, w / 2 + k, h, w / 2, h),
                  ("C", w / 2 - k, h, 0.0, h - ry + 0.5523 * ry, 0.0, h - ry), ("Z",))
    starts = [i for i, op in enumerate(path) if op[0] == "M"]
    extra = path[starts[1]:] if len(starts) > 1 else ()  # a lined cylinder's second rim
    return silhouette, (("M", 0.0, ry), *arc(ry, False), *[op for op in extra if op[0] != "Z"], *detail)


def _broken(p: _Plan, text: Text, width: float) -> Text:
    """The label with each of its lines broken where the layout breaks it at its size (one paragraph
    per drawn line), for a text body that does not wrap."""
    paras: list[Para] = []
    for para in text.paras:
        measure = p.t.sans_bold if text.bold or any(r.bold for r in para.runs) else p.t.sans
        lines = layout.break_lines(para.text, width, text.size, measure)
        if len(lines) <= 1:
            paras.append(para)
            continue
        runs, k = list(para.runs), 0
        for line in lines:  # the lines join to the paragraph's text: cut the runs at the same places
            need, out = len(line), []
            while need > 0 and k < len(runs):
                take = runs[k].text[:need]
                out.append(replace(runs[k], text=take))
                need -= len(take)
                if len(take) < len(runs[k].text):
                    runs[k] = replace(runs[k], text=runs[k].text[len(take):])
                else:
                    k += 1
            if out:
                out[-1] = replace(out[-1], text=out[-1].text.rstrip())  # a break's space is not drawn
                paras.append(replace(para, runs=tuple(r for r in out if r.text)))
    return replace(text, paras=tuple(paras))


def _outline_sites(path: tuple[tuple[object, ...], ...], box: Box) -> tuple[tuple[float, float], ...]:
    """Top, left, bottom, right: where the outline's corner points come closest to the middle of
    each side of the box (a custom shape's connection sites, numbered like a rect's)."""
    pts = [(float(op[-2]), float(op[-1])) for op in path if op[0] != "Z"]  # type: ignore[arg-type]
    if not pts:
        return ((box.w / 2, 0.0), (0.0, box.h / 2), (box.w / 2, box.h), (box.w, box.h / 2))
    # Sample the outline's segments so a side's middle is found between corners.
    dense = [(a[0] + (b[0] - a[0]) * k / 8, a[1] + (b[1] - a[1]) * k / 8)
             for a, b in zip(pts, pts[1:] + pts[:1], strict=False) for k in range(8)]
    sides = ((box.w / 2, 0.0), (0.0, box.h / 2), (box.w / 2, box.h), (box.w, box.h / 2))
    return tuple(min(dense, key=lambda q, s=side: math.dist(q, s)) for side in sides)


def _stroked(paint: Paint) -> bool:
    return paint.stroke is not None and paint.stroke_width > 0


def _relative(p: _Plan, ops: Iterable[tuple[Any, ...]], box: Box, close: bool = True) -> tuple[tuple[object, ...], ...]:
    out: list[tuple[object, ...]] = []
    for kind, *v in ops:
        coords: list[float] = []
        for i in range(0, len(v), 2):
            x, y = p.pt(v[i], v[i + 1])
            coords += [min(max(x - box.x, 0.0), box.w), min(max(y - box.y, 0.0), box.h)]
        out.append((kind, *coords))
    # An outline whose last piece ends where that piece starts is closed (Z closes the last piece), so
    # its border joins all round; one that ends elsewhere stays open as Mermaid drew it (closing a
    # cylinder's path drew a chord).
    starts = [i for i, op in enumerate(out) if op[0] == "M"]
    last = out[starts[-1]:] if starts else []
    if close and len(last) > 1 and last[-1] != ("Z",) and \
            math.dist(last[0][-2:], last[-1][-2:]) <= 0.5:  # type: ignore[arg-type]
        out.append(("Z",))
    return tuple(out)


def _route(p: _Plan, ops: tuple[tuple[Any, ...], ...]) -> list[tuple[float, float]]:
    """An edge's drawn path in slide points, curves flattened."""
    pieces: list[tuple[str, tuple[tuple[float, float], ...]]] = []
    start = (0.0, 0.0)
    for kind, *v in ops:
        xy = tuple(p.pt(v[j], v[j + 1]) for j in range(0, len(v), 2))
        if kind == "M" and not pieces:
            start = xy[0]
        elif kind in ("L", "M"):
            pieces.append(("L", xy))
        elif kind == "C":
            pieces.append(("C", xy))
    return flatten(start, pieces, 4)


def _site_points(shape: Shape) -> tuple[list[tuple[float, float]], tuple[float, float]]:
    """A shape's connection sites in slide points (flips mirror them; their indices stay), and its centre."""
    b = shape.box
    rel = list(shape.sites) if shape.geometry == "custom" else preset_sites(shape.geometry, b.w, b.h, shape.adjust)
    sites = [(b.x + (b.w - x if shape.flip_h else x), b.y + (b.h - y if shape.flip_v else y)) for x, y in rel]
    return sites, (b.x + b.w / 2, b.y + b.h / 2)


def _edge_shapes(p: _Plan, scene: Scene, ends: dict[str, Shape]) -> list[Shape | Connector]:
    """Each drawn edge as a preset connector glued to its two shapes where one follows Mermaid's
    route within the theme's tolerance, else as Mermaid's own path (not glued); `--x` ends as an X."""
    shapes: list[Shape | Connector] = []
    for e in scene.edges:
        pts = [p.pt(v[i], v[i + 1]) for _, *v in e.path for i in range(0, len(v), 2)]
        if len(pts) < 2 or not _stroked(e.paint):  # `~~~` links only steer the layout
            continue
        color = (e.paint.stroke if e.styled else None) or p.color("edge")
        width = p.cfg.thick_width if e.thick else p.cfg.edge_width
        if e.styled and e.paint.stroke_width:
            # Thinner than Mermaid's default: in proportion; wider: by Mermaid's extra width at this
            # scale (in proportion a 4 px link was a 6 pt band against Mermaid's 3).
            extra = e.paint.stroke_width - MERMAID_EDGE
            width = width * e.paint.stroke_width / MERMAID_EDGE if extra < 0 else width + extra * p.k
        line = p.line(color, width, e.paint.dashed, ENDS.get(e.start), ENDS.get(e.end))
        name = f"Edge {e.source}-{e.target}"
        source, target = ends.get(e.source), ends.get(e.target)
        fit = None
        # A loop has no connector; nor has a circle or X end: glued, it would sit on the border, half
        # under the node, where Mermaid draws it outside.
        markers = {e.start, e.end} & {"circle", "cross"}
        if source is not None and target is not None and e.source != e.target and not markers:
            fit = fit_connector(_route(p, e.path), _site_points(source), _site_points(target))
        if fit is not None and fit.deviation <= p.cfg.connector_tolerance and source and target \
                and _on_frame(source, fit.start_site, p.cfg.frame_slack) and \
                _on_frame(target, fit.end_site, p.cfg.frame_slack):
            adjust = (("adj1", fit.adj),) if fit.adj is not None and fit.adj != 50000 else ()
            shapes.append(Connector(fit.box, fit.geometry, line, name, Glue(source.name, fit.start_site),
                                    Glue(target.name, fit.end_site), adjust, fit.flip_h, fit.flip_v, fit.rot))
            first, last = fit.points[0], fit.points[-1]
        else:
            x0, y0 = min(x for x, _ in pts), min(y for _, y in pts)
            box = Box(x0, y0, max(max(x for x, _ in pts) - x0, 1.0), max(max(y for _, y in pts) - y0, 1.0))
            path = []
            for kind, *v in e.path:
                xy = [p.pt(v[j], v[j + 1]) for j in range(0, len(v), 2)]
                path.append((kind, *(c for x, y in xy for c in (x - x0, y - y0))))
            shapes.append(Shape(box, "custom", None, line, name, path=tuple(path), closed=False))
            first, last = pts[0], pts[-1]
        route = _route(p, e.path)
        for at, which, way in ((first, e.start, route), (last, e.end, route[::-1])):
            # Circles and X's as shapes the size Mermaid draws them at this scale (a line end keeps
            # the line's size), never under the theme's least marker size.
            if which == "circle":  # centred where Mermaid centres it: the path's end (scene.js)
                half = max(p.cfg.cross_size / 2, MERMAID_CIRCLE * p.k)
                dot = Box(at[0] - half, at[1] - half, 2 * half, 2 * half)
                shapes.append(Shape(dot, "ellipse", color, p.line(color, width), f"Edge end {e.id}"))
            elif which == "cross":
                half = max(p.cfg.cross_size / 2, MERMAID_CROSS * p.k)
                at = _along(way, max(MERMAID_CROSS_BACK * p.k, half))  # the X's centre, outside the node
                cross = Box(at[0] - half, at[1] - half, 2 * half, 2 * half)
                x_path = (("M", 0.0, 0.0), ("L", 2 * half, 2 * half), ("M", 2 * half, 0.0), ("L", 0.0, 2 * half))
                shapes.append(Shape(cross, "custom", None, p.line(color, width), f"Edge end {e.id}",
                                    path=x_path, closed=False))
    return shapes


def _on_frame(shape: Shape, site: int, slack: float) -> bool:
    """Whether a site can be glued to: any preset's; a custom shape's only near the middle of a side
    of its box (LibreOffice 7.4 glues to a custom shape's box there, whatever its a:cxnLst says, so a
    connector to a triangle's slanted side ended in the air; Aspose.Slides follows the list). Near:
    within the theme's frame_slack of the box's size, a trapezoid's slant."""
    if shape.geometry != "custom":
        return True
    x, y = shape.sites[site]
    w, h = shape.box.w, shape.box.h
    return any(math.dist((x, y), mid) <= slack * max(w, h) + 0.5
               for mid in ((w / 2, 0), (0, h / 2), (w / 2, h), (w, h / 2)))


def _along(route: list[tuple[float, float]], distance: float) -> tuple[float, float]:
    """The point that far along a route from its start (its end when the route is shorter)."""
    for a, b in zip(route, route[1:], strict=False):
        step = math.dist(a, b)
        if step >= distance > 0:
            return a[0] + (b[0] - a[0]) * distance / step, a[1] + (b[1] - a[1]) * distance / step
        distance -= step
    return route[-1]


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


@dataclass(frozen=True)
class _Placed:
    label: Label
    area: Box  # where its text is set, slide points
    color: str
    fill: str | None = None
    node: str | None = None  # the node whose shape holds it
    wrap: bool = True  # False: a symbol in a small circle, centred and free to reach past the ring


@functools.lru_cache(maxsize=256)
def label_fit(scene: Scene, box: Box, theme: Theme, medium: Medium = "slide") -> LabelFit:
    """The size the labels take when the scene is drawn into box, and whether they fit there at all
    (when not, the diagram must be a picture: text never overflows its node). Cached: a build asks
    it three times a diagram (its warnings, picture or shapes, then the shapes' label size)."""
    p = _Plan(scene, box, theme, medium)
    return label_size(p, _labels(p, scene))


def _labels(p: _Plan, scene: Scene) -> list[_Placed]:
    """Every label with its text area, colour and fill: subgraph titles, node labels, edge labels."""
    pad = p.cfg.label_pad
    labels: list[_Placed] = []
    for c in sorted(scene.clusters, key=lambda c: c.depth):
        if c.title:
            frame, t = p.rect(c.box), p.rect(c.title.box)
            area = Box(frame.x + pad, max(t.y, frame.y), frame.w - 2 * pad, t.h)  # the band above the nodes
            labels.append(_Placed(c.title, area, (c.title.color if c.styled else None) or p.color("cluster_text")))
    for n in scene.nodes:
        if n.label and n.label.box.w > 0 and n.label.box.h > 0:  # a shape that hides its label (hourglass)
            fx, fy = TEXT_AREA.get(shape_of(n), (1.0, 1.0))
            node_box = p.rect(n.box)
            area = _union_centered(_inner(node_box, fx, fy, pad), p.rect(n.label.box), node_box)
            if shape_of(n) in POINTED:  # only where Mermaid set it: the shape narrows to a point elsewhere
                area = _union_centered(p.rect(n.label.box), p.rect(n.label.box), node_box)
            wrap = not (shape_of(n) in ("circle", "dbl-circ") and len(n.label.text) <= 2)
            if not wrap:
                area = _grown(p, n.label, area)
            color = (n.label.color if n.styled else None) or p.color("text")
            labels.append(_Placed(n.label, area, color, node=n.id, wrap=wrap))
    labels += [_Placed(e.label, p.rect(e.label.box), (e.label.color if e.styled else None) or p.color("text"),
                       p.color("label_bg")) for e in scene.edges if e.label]
    return labels


def diagram_group(scene: Scene, box: Box, theme: Theme, *, name: str, alt: str,
                  medium: Medium = "slide") -> Group:
    """The scene scaled to fit box (aspect kept, centred): clusters, edges glued to their nodes,
    nodes holding their labels, one label size."""
    p = _Plan(scene, box, theme, medium)
    back: list[Shape] = []
    ends: dict[str, Shape] = {}
    for c in sorted(scene.clusters, key=lambda c: c.depth):
        fill = (c.paint.fill if c.styled else None) or p.color("cluster_fill")
        stroke = (c.paint.stroke if c.styled else None) or p.color("cluster_line")
        width = p.cfg.cluster_border_width * (c.paint.stroke_width if c.styled and c.paint.stroke_width else 1.0)
        back.append(Shape(p.rect(c.box), "rect", fill, p.line(stroke, width),
                          f"Subgraph {c.id}"))
        ends[c.id] = back[-1]  # an edge may end at a subgraph's frame
    labels = _labels(p, scene)
    size = label_fit(scene, box, theme, medium).size
    own = {lab.node: lab for lab in labels if lab.node is not None}
    links = dict(scene.links)
    front: list[Shape] = []
    for n in scene.nodes:
        lab = own.get(n.id)
        text = _text(p, lab.label, lab.area, lab.color, size) if lab else None
        shapes = _node_shapes(p, n, text, lab.area if lab else None, lab.wrap if lab else True)
        if n.id in links:
            target = links[n.id]  # a #id (a slide of the deck) is resolved by deck.planning.anchors
            shapes[0] = replace(shapes[0], **{"link" if target.startswith("#") else "url": target})
        ends[n.id] = shapes[0]
        front += shapes
    titles = [_text(p, lab.label, lab.area, lab.color, size) for lab in labels if lab.node is None and not lab.fill]
    edge_texts = [_text(p, lab.label, lab.area, lab.color, size, lab.fill) for lab in labels if lab.fill]
    children = (*back, *titles, *_edge_shapes(p, scene, ends), *edge_texts, *front)
    return Group(p.box, children, name, alt)


def label_size(p: _Plan, labels: list[_Placed]) -> LabelFit:
    """One size for every label of the diagram: the largest at which each fits its area."""
    size, fits = p.style.max_size, True
    for lab in labels:
        measure = p.t.sans_bold if lab.label.bold or any(x.bold for line in lab.label.lines for x in line) \
            else p.t.sans
        fit = layout.fit(_paras(lab.label), lab.area.w, lab.area.h, p.style, measure)
        size, fits = min(size, fit.size), fits and fit.fits
    return LabelFit(math.floor(size * 2) / 2, fits)
