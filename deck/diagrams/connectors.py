"""Preset geometry facts the diagram needs (connection sites, text rectangles) and the fit of a
Mermaid edge route to a preset connector glued to those sites. Pure geometry in slide points.

The formulas are those of ECMA-376 Part 1, presetShapeDefinitions.xml: a site's index is its
place in the preset's a:cxnLst, the text rectangle its a:rect.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from deck.plan import Box

Point = tuple[float, float]
_COS45 = math.cos(math.pi / 4)


def _adj(adjust: tuple[tuple[str, int], ...], name: str, default: int) -> float:
    return float(dict(adjust).get(name, default))


def _pin(lo: float, v: float, hi: float) -> float:
    return min(max(v, lo), hi)


def preset_sites(geometry: str, w: float, h: float, adjust: tuple[tuple[str, int], ...] = ()) -> list[Point]:
    """The connection sites of a preset, in order (their idx), relative to its unflipped box."""
    ss = max(min(w, h), 1e-9)
    if geometry in ("rect", "roundRect", "diamond", "flowChartPredefinedProcess"):
        return [(w / 2, 0), (0, h / 2), (w / 2, h), (w, h / 2)]
    if geometry == "trapezoid":
        x1 = ss * _pin(0, _adj(adjust, "adj", 25000), 50000 * w / ss) / 200000
        return [(w / 2, 0), (x1, h / 2), (w / 2, h), (w - x1, h / 2)]
    if geometry == "ellipse":
        il, it, ir, ib = w / 2 * (1 - _COS45), h / 2 * (1 - _COS45), w / 2 * (1 + _COS45), h / 2 * (1 + _COS45)
        return [(w / 2, 0), (il, it), (0, h / 2), (il, ib), (w / 2, h), (ir, ib), (w, h / 2), (ir, it)]
    if geometry == "hexagon":
        x1 = ss * _pin(0, _adj(adjust, "adj", 25000), 50000 * w / ss) / 100000
        dy1 = h / 2 * _adj(adjust, "vf", 115470) / 100000 * math.sin(math.pi / 3)
        y1, y2 = h / 2 - dy1, h / 2 + dy1
        return [(w, h / 2), (w - x1, y2), (x1, y2), (0, h / 2), (x1, y1), (w - x1, y1)]
    if geometry == "can":
        y1 = ss * _pin(0, _adj(adjust, "adj", 25000), 50000 * h / ss) / 200000
        # Four sites, as ECMA-376 lists them (a fifth at the top made LibreOffice glue idx 1 and 3
        # to the left and right sides: a cylinder's vertical edge drawn as a diagonal).
        return [(w / 2, 2 * y1), (0, h / 2), (w / 2, h), (w, h / 2)]
    if geometry == "parallelogram":
        a = _pin(0, _adj(adjust, "adj", 25000), 100000 * w / ss)
        x1, x2 = ss * a / 200000, ss * a / 100000
        x3 = (w - x2) / 2
        y1 = _pin(0, h * (w / 2) / max(x2, 1e-9), h)
        return [(w / 2, h - y1), (w - x3, 0), (w - x1, h / 2), (x3, h), (w / 2, y1), (x1, h / 2)]
    return []


def text_rect(geometry: str, w: float, h: float, adjust: tuple[tuple[str, int], ...] = ()) -> Box:
    """The preset's text rectangle (a:rect) relative to its box: where its own text is set."""
    ss = max(min(w, h), 1e-9)
    if geometry == "roundRect":
        il = ss * _pin(0, _adj(adjust, "adj", 16667), 50000) / 100000 * 0.29289
        return Box(il, il, w - 2 * il, h - 2 * il)
    if geometry == "ellipse":
        return Box(w / 2 * (1 - _COS45), h / 2 * (1 - _COS45), w * _COS45, h * _COS45)
    if geometry == "diamond":
        return Box(w / 4, h / 4, w / 2, h / 2)
    if geometry == "flowChartPredefinedProcess":
        return Box(w / 8, 0, w * 3 / 4, h)
    if geometry == "can":
        y1 = ss * _pin(0, _adj(adjust, "adj", 25000), 50000 * h / ss) / 200000
        return Box(0, 2 * y1, w, h - 3 * y1)
    if geometry == "trapezoid":
        max_adj = 50000 * w / ss
        a = _pin(0, _adj(adjust, "adj", 25000), max_adj)
        il, it = w / 3 * a / max_adj, h / 3 * a / max_adj
        return Box(il, it, w - 2 * il, h - it)
    if geometry == "parallelogram":
        max_adj = 100000 * w / ss
        q2 = (1 + 5 * _pin(0, _adj(adjust, "adj", 25000), max_adj) / max_adj) / 12
        return Box(q2 * w, q2 * h, w - 2 * q2 * w, h - 2 * q2 * h)
    if geometry == "hexagon":
        max_adj = 50000 * w / ss
        a = _pin(0, _adj(adjust, "adj", 25000), max_adj)
        q1 = -max_adj / 2
        big = a + q1 > 0
        q6 = (a + (q1 if big else 0)) / q1
        q8 = (4 if big else 2) - q6 * (3 if big else 2)
        il, it = w * q8 / 24, h * q8 / 24
        return Box(il, it, w - 2 * il, h - 2 * it)
    return Box(0, 0, w, h)


# --- routes ----------------------------------------------------------------------------------

# A connector's drawn path in its own frame: (0, 0) is the start, (1, 1) the end; first axis
# along the frame's x. "C" pieces are cubic Béziers (three points).
def _local(geometry: str, adj: float) -> list[tuple[str, tuple[Point, ...]]]:
    if geometry == "straightConnector1":
        return [("L", ((1, 1),))]
    if geometry == "bentConnector2":
        return [("L", ((1, 0),)), ("L", ((1, 1),))]
    if geometry == "bentConnector3":
        return [("L", ((adj, 0),)), ("L", ((adj, 1),)), ("L", ((1, 1),))]
    return [("C", ((adj / 2, 0), (adj, 0.25), (adj, 0.5))), ("C", ((adj, 0.75), ((1 + adj) / 2, 1), (1, 1)))]


def flatten(start: Point, pieces: Sequence[tuple[str, tuple[Point, ...]]], steps: int = 8) -> list[Point]:
    """A path of lines and cubic Béziers as points (each curve cut into `steps` lines)."""
    out = [start]
    for kind, pts in pieces:
        if kind == "L":
            out.append(pts[0])
            continue
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = out[-1], *pts
        for k in range(1, steps + 1):
            t = k / steps
            u = 1 - t
            out.append((u ** 3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t ** 3 * x3,
                        u ** 3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t ** 3 * y3))
    return out


def _densify(pts: Sequence[Point], step: float) -> list[Point]:
    out = [pts[0]]
    for a, b in zip(pts, pts[1:], strict=False):
        n = max(1, math.ceil(math.hypot(b[0] - a[0], b[1] - a[1]) / step))
        out += [(a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n) for k in range(1, n + 1)]
    return out


def _one_way(p: Sequence[Point], q: Sequence[Point], limit: float) -> float:
    """The farthest any point along p lies from the polyline q (inf once past limit)."""
    segs = [(ax, ay, bx - ax, by - ay, (bx - ax) ** 2 + (by - ay) ** 2)
            for (ax, ay), (bx, by) in zip(q, q[1:], strict=False)]
    worst2, limit2 = 0.0, limit * limit
    for x, y in _densify(p, max(math.dist(p[0], p[-1]), 1.0) / 16):
        near2 = math.inf
        for ax, ay, dx, dy, n in segs:
            t = ((x - ax) * dx + (y - ay) * dy) / n if n else 0.0
            t = 0.0 if t < 0 else 1.0 if t > 1 else t
            d2 = (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2
            if d2 < near2:
                near2 = d2
        if near2 > limit2:
            return math.inf
        worst2 = max(worst2, near2)
    return math.sqrt(worst2)


def deviation(a: Sequence[Point], b: Sequence[Point], limit: float = math.inf) -> float:
    """How far two polylines are apart (symmetric Hausdorff distance, checked at points along each);
    inf as soon as it is known to pass limit."""
    if len(a) < 2 or len(b) < 2:
        return math.inf
    return max(_one_way(a, b, limit), _one_way(b, a, limit))


@dataclass(frozen=True)
class Fit:
    """A preset connector between two sites: its frame, rotation, flips and how far it strays
    from the route it replaces."""

    geometry: str
    box: Box
    rot: int
    flip_h: bool
    flip_v: bool
    adj: int | None  # adj1 in 1/100000 of the frame's first axis (bent/curved 3)
    start_site: int
    end_site: int
    points: tuple[Point, ...]  # the drawn path, flattened
    deviation: float


@functools.cache
def _local_points(geometry: str, adj: float) -> list[Point]:
    return flatten((0.0, 0.0), _local(geometry, adj))


def _candidate(geometry: str, s: Point, t: Point, turn: bool, adj: float) -> tuple[Box, int, bool, bool, list[Point]]:
    """The frame of a connector from s to t (turn: its first axis is vertical, a 90° rotation)
    and its drawn points."""
    dx, dy = t[0] - s[0], t[1] - s[1]
    local = _local_points(geometry, adj)
    if turn:
        pts = [(s[0] + v * dx, s[1] + u * dy) for u, v in local]
        w, h = abs(dy), abs(dx)
        cx, cy = (s[0] + t[0]) / 2, (s[1] + t[1]) / 2
        return Box(cx - w / 2, cy - h / 2, w, h), 90, dy < 0, dx > 0, pts
    pts = [(s[0] + u * dx, s[1] + v * dy) for u, v in local]
    return Box(min(s[0], t[0]), min(s[1], t[1]), abs(dx), abs(dy)), 0, dx < 0, dy < 0, pts


# Simpler shapes first: a later candidate must score this much better (pt) to win.
_PREFERENCE = 1.0
# Per pt an end slides along its node to a site, added to a candidate's score: nearer sites win.
_SLIDE_COST = 0.25


def slid(route: Sequence[Point], s: Point, t: Point) -> list[Point]:
    """The route with its ends moved to s and t, each point taking its share of the two moves by
    how far along the route it lies: its shape, as if Mermaid had ended it at those sites."""
    lengths = [0.0]
    for a, b in zip(route, route[1:], strict=False):
        lengths.append(lengths[-1] + math.dist(a, b))
    total = lengths[-1] or 1.0
    (sx, sy), (tx, ty) = (s[0] - route[0][0], s[1] - route[0][1]), (t[0] - route[-1][0], t[1] - route[-1][1])
    return [(x + (1 - d / total) * sx + d / total * tx, y + (1 - d / total) * sy + d / total * ty)
            for (x, y), d in zip(route, lengths, strict=True)]


def _outwards(a: Point, b: Point, site: Point, centre: Point) -> bool:
    """Whether a path leaving site from a to b heads away from its shape (not along or into it)."""
    nx, ny, dx, dy = site[0] - centre[0], site[1] - centre[1], b[0] - a[0], b[1] - a[1]
    n, d = math.hypot(nx, ny), math.hypot(dx, dy)
    return n == 0 or d == 0 or (nx * dx + ny * dy) / (n * d) >= _OUTWARDS


# A connector leaves and enters its shapes within about 70° of the site's outward direction.
_OUTWARDS = 0.35
_ADJ = (0.5, 0.3, 0.7)  # where a two-bend or S connector turns, along its first axis
_EXACT = 0.5  # pt


def fit_connector(route: Sequence[Point], source: tuple[Sequence[Point], Point],
                  target: tuple[Sequence[Point], Point]) -> Fit | None:
    """The preset connector (straight, one bend, two bends, S-curve) between a source site and a
    target site that best keeps the route's shape; its deviation is measured against the route
    with its ends slid to those sites (gluing moves an end along its node's border to a site).
    source and target: a shape's sites and centre. None when no connector leaves and enters
    its shapes outwards."""
    (sources, s_centre), (targets, t_centre) = source, target
    if not sources or not targets or len(route) < 2:
        return None

    def nearest(sites: Sequence[Point], p: Point) -> list[int]:
        return sorted(range(len(sites)), key=lambda i: math.dist(sites[i], p))[:2]

    best: tuple[float, Fit] | None = None
    for i in nearest(sources, route[0]):
        for j in nearest(targets, route[-1]):
            s, t = sources[i], targets[j]
            shape = slid(route, s, t)
            slide = math.dist(s, route[0]) + math.dist(t, route[-1])
            flat = abs(t[0] - s[0]) < 0.5 or abs(t[1] - s[1]) < 0.5
            kinds = [("straightConnector1", False, 0.5)]
            if not flat:
                kinds += [("bentConnector2", False, 0.5), ("bentConnector2", True, 0.5)]
                kinds += [(g, turn, adj) for g in ("bentConnector3", "curvedConnector3") for turn in (False, True)
                          for adj in _ADJ]
            for geometry, turn, adj in kinds:
                box, rot, fh, fv, pts = _candidate(geometry, s, t, turn, adj)
                if geometry == "curvedConnector3" and rot and adj != 0.5:
                    # LibreOffice 7.4 draws a turned S-curve off centre its own way: loops round the
                    # nodes (corpus 08 side by side) where Aspose.Slides follows the geometry.
                    continue
                # An S-curve leaves and enters along its first axis, as a two-bend connector does (its
                # flattened first piece points elsewhere): an arrowhead must not lie along the border.
                ends = _candidate("bentConnector3", s, t, turn, adj)[4] if geometry == "curvedConnector3" else pts
                if not (_outwards(ends[0], ends[1], s, s_centre) and _outwards(ends[-1], ends[-2], t, t_centre)):
                    continue
                # Only a candidate that can still win is measured to the end.
                limit = best[0] - _PREFERENCE - _SLIDE_COST * slide if best else math.inf
                dev = deviation(shape, pts, limit)
                if dev == math.inf:
                    continue
                score = dev + _SLIDE_COST * slide
                if best is None or score < best[0] - _PREFERENCE:
                    adj_val = round(adj * 100000) if geometry.endswith("3") else None
                    best = (score, Fit(geometry, box, rot, fh, fv, adj_val, i, j, tuple(pts), dev))
            if best is not None and best[1].deviation < _EXACT and (best[1].start_site, best[1].end_site) == (i, j) \
                    and slide < _EXACT:
                return best[1]  # the route is this connector between the nearest sites: nothing beats it
    return best[1] if best else None
