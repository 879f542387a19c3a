"""Our native flowchart on a slide against Mermaid's own render of the same source: labels, node and
edge counts, shape kinds, colours, edge strokes and dashes, marker kinds and where they sit.

The reference (mermaid_reference.js) is read from Mermaid's raw SVG in the browser, not from our
scene extraction, so a fault in deck/diagrams/scene.js shows up here. Ours is read from the
slide XML of the built deck. Each check gives readable differences; [] means the same drawing.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

HERE = Path(__file__).parent
REFERENCE_JS = (HERE / "mermaid_reference.js").read_text(encoding="utf-8")
INSIDE_JS = (HERE / "mermaid_inside.js").read_text(encoding="utf-8")
NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}
EMU = 12700
# Mermaid 11's shapes (rendering-elements/shapes.ts) by the name its db keeps -> the DrawingML
# preset that draws the same outline; shapes not named here must be custom geometry (hexagons and
# cylinders too: their presets have no connection site where Mermaid's edges meet their top).
PRESET_OF = {
    "rect": "rect", "squareRect": "rect", "proc": "rect", "process": "rect", "rectangle": "rect",
    "rounded": "roundRect", "roundedRect": "roundRect", "event": "roundRect",
    "stadium": "roundRect", "terminal": "roundRect", "pill": "roundRect",
    "fr-rect": "flowChartPredefinedProcess", "subprocess": "flowChartPredefinedProcess",
    "subproc": "flowChartPredefinedProcess", "framed-rectangle": "flowChartPredefinedProcess",
    "subroutine": "flowChartPredefinedProcess",
    "circle": "ellipse", "circ": "ellipse", "sm-circ": "ellipse", "small-circle": "ellipse", "start": "ellipse",
    "f-circ": "ellipse", "filled-circle": "ellipse", "junction": "ellipse",
    "diam": "diamond", "decision": "diamond", "diamond": "diamond", "question": "diamond",
    "lean-r": "parallelogram", "lean-right": "parallelogram", "in-out": "parallelogram", "lean_right": "parallelogram",
    "lean-l": "parallelogram", "lean-left": "parallelogram", "out-in": "parallelogram", "lean_left": "parallelogram",
    "trap-b": "trapezoid", "trapezoid-bottom": "trapezoid", "trapezoid": "trapezoid", "priority": "trapezoid",
}
# Shapes Mermaid draws with inner parts (a second ring, an X, a dividing line, stacked copies): ours
# must draw more than one outline (a custom geometry with several subpaths, or a second shape).
INNER_PARTS = {
    "dbl-circ", "double-circle", "doublecircle", "fr-circ", "framed-circle", "stop", "cross-circ",
    "crossed-circle", "summary", "lin-rect", "lined-rectangle", "lined-process", "lin-proc", "shaded-process",
    "div-rect", "div-proc", "divided-rectangle", "divided-process", "win-pane", "window-pane",
    "internal-storage", "lin-cyl", "lined-cylinder", "disk", "lin-doc", "lined-document", "st-rect", "procs",
    "processes", "stacked-rectangle", "docs", "documents", "st-doc", "stacked-document",
    "h-cyl", "das", "horizontal-cylinder",
}
HEAD = {"triangle": "arrow", "oval": "circle", "arrow": "arrow", "stealth": "arrow"}


def squash(text: str) -> str:
    """Label text compared without whitespace (where lines break is layout, not content), markup
    tags and entities: Mermaid's SVG labels show `<b>`, `<img …>` and `&quot;` as typed, we set
    them as runs and characters."""
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]*>", "", text)))


@dataclass
class Drawn:
    """One diagram group of a slide as we drew it."""

    k: float  # pt per Mermaid px
    origin: tuple[float, float]  # the group's top-left, pt
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)  # edge labels (filled) and subgraph titles
    subgraphs: dict[str, dict[str, Any]] = field(default_factory=dict)
    markers: list[tuple[str, tuple[float, float], float]] = field(default_factory=list)  # circle/cross ends:
    # (kind, centre, half size), pt

    def px(self, pt: tuple[float, float]) -> tuple[float, float]:
        return (pt[0] - self.origin[0]) / self.k, (pt[1] - self.origin[1]) / self.k


def _color(el: etree._Element | None, path: str) -> str | None:
    found = el.find(path, NS) if el is not None else None
    return found.get("val") if found is not None else None


def _text(sp: etree._Element) -> tuple[str, set[str]]:
    runs = sp.findall(".//a:r", NS)
    text = "\n".join("".join(t.text or "" for t in p.findall(".//a:t", NS)) for p in sp.findall(".//a:p", NS))
    return text, {c for r in runs if (c := _color(r, "a:rPr/a:solidFill/a:srgbClr"))}


def _xfrm(sp: etree._Element) -> tuple[float, float, float, float, int, bool, bool]:
    x = sp.find("p:spPr/a:xfrm", NS)
    off, ext = x.find("a:off", NS), x.find("a:ext", NS)
    return (int(off.get("x")) / EMU, int(off.get("y")) / EMU, int(ext.get("cx")) / EMU, int(ext.get("cy")) / EMU,
            int(x.get("rot", "0")), x.get("flipH") == "1", x.get("flipV") == "1")


def _connector_points(sp: etree._Element) -> list[tuple[float, float]]:
    """A preset connector's drawn polyline in slide pt (a curve by its control polygon, whose first
    and last legs have the curve's end directions)."""
    x, y, w, h, rot, fh, fv = _xfrm(sp)
    prst = sp.find("p:spPr/a:prstGeom", NS).get("prst")
    gd = sp.find("p:spPr/a:prstGeom/a:avLst/a:gd", NS)
    a = int(gd.get("fmla").split()[1]) / 100000 if gd is not None else 0.5
    local = {"straightConnector1": [(0, 0), (1, 1)], "bentConnector2": [(0, 0), (1, 0), (1, 1)]}.get(
        prst, [(0, 0), (a, 0), (a, 1), (1, 1)])
    cx, cy, t = x + w / 2, y + h / 2, math.radians(rot / 60000)
    out = []
    for u, v in local:
        px, py = (1 - u if fh else u) * w, (1 - v if fv else v) * h
        dx, dy = x + px - cx, y + py - cy
        out.append((cx + dx * math.cos(t) - dy * math.sin(t), cy + dx * math.sin(t) + dy * math.cos(t)))
    return out


def _path_points(sp: etree._Element) -> list[tuple[float, float]]:
    x, y, *_ = _xfrm(sp)
    return [(x + int(p.get("x")) / EMU, y + int(p.get("y")) / EMU) for p in sp.iterfind(".//a:path//a:pt", NS)]


def drawn(group: etree._Element, width_px: float) -> Drawn:
    off = group.find("p:grpSpPr/a:xfrm/a:off", NS)
    ext = group.find("p:grpSpPr/a:xfrm/a:ext", NS)
    out = Drawn(int(ext.get("cx")) / EMU / width_px, (int(off.get("x")) / EMU, int(off.get("y")) / EMU))
    for sp in group:
        cnv = sp.find("./*/p:cNvPr", NS)
        if cnv is None:
            continue
        name = cnv.get("name")
        ln = sp.find("p:spPr/a:ln", NS)
        fill = _color(sp, "p:spPr/a:solidFill/a:srgbClr")
        stroke = _color(ln, "a:solidFill/a:srgbClr")
        if name.startswith("Node "):
            key = name.removeprefix("Node ")
            if key.endswith(" inner") and key.removesuffix(" inner") in out.nodes:
                out.nodes[key.removesuffix(" inner")]["parts"] += 1
                continue
            text, colors = _text(sp)
            preset = sp.find("p:spPr/a:prstGeom", NS)
            paths = len(sp.findall("p:spPr/a:custGeom//a:moveTo", NS))
            body = sp.find("p:txBody/a:bodyPr", NS)
            run = sp.find(".//a:r/a:rPr", NS)
            room = _xfrm(sp)[2] - sum(int(body.get(k, "0")) / EMU for k in ("lIns", "rIns")) if body is not None else 0
            out.nodes[key] = {"geometry": preset.get("prst") if preset is not None else "custom", "fill": fill,
                              "stroke": stroke, "text": text, "colors": colors, "parts": max(paths, 1),
                              "box": _xfrm(sp)[:4], "room": room,  # the text's width when it wraps
                              "wraps": body is not None and body.get("wrap") == "square",
                              "size": int(run.get("sz", "0")) / 100 if run is not None else 0.0,
                              "bold": run is not None and run.get("b") == "1"}
        elif name.startswith("Subgraph "):
            width = int(ln.get("w", "0")) / EMU if ln is not None else 0.0
            out.subgraphs[name.removeprefix("Subgraph ")] = {"fill": fill, "stroke": stroke, "width": width}
        elif name.startswith("Edge end "):
            x, y, w, h, *_ = _xfrm(sp)
            preset = sp.find("p:spPr/a:prstGeom", NS)
            kind = "circle" if preset is not None and preset.get("prst") == "ellipse" else "cross"
            out.markers.append((kind, (x + w / 2, y + h / 2), w / 2))
        elif name.startswith("Edge "):
            pts = _connector_points(sp) if sp.tag == f"{{{NS['p']}}}cxnSp" else _path_points(sp)
            heads = [ln.find(f"a:{end}", NS) if ln is not None else None for end in ("headEnd", "tailEnd")]
            kinds = [HEAD.get(h.get("type"), "none") if h is not None else "none" for h in heads]
            out.edges.append({"name": name, "points": pts, "stroke": stroke,
                              "width": int(ln.get("w", "0")) / EMU if ln is not None else 0.0,
                              "dashed": ln is not None and ln.find("a:prstDash", NS) is not None,
                              "start": kinds[0], "end": kinds[1], "glued": sp.tag == f"{{{NS['p']}}}cxnSp"})
        elif sp.find("p:txBody", NS) is not None:
            text, colors = _text(sp)
            out.texts.append({"text": text, "colors": colors, "filled": fill is not None})
    # A circle or an X belongs to the edge end nearest to it.
    for kind, c, half in out.markers:
        best = min(((math.dist(c, e["points"][i]), e, side) for e in out.edges if e["points"]
                    for i, side in ((0, "start"), (-1, "end"))), default=None, key=lambda t: t[0])
        if best is not None:
            best[1][best[2]] = kind
            best[1][f"{best[2]}_marker"] = (c, half)
    return out


@dataclass(frozen=True)
class Colors:
    """What an unstyled Mermaid diagram paints (the theme's Mermaid variables) and what our theme
    paints instead: a Mermaid default may be drawn in our theme's colour; anything else is the
    author's and must be kept."""

    mermaid: dict[str, Any]
    ours: dict[str, str]

    def ok(self, role: str, theirs: str | None, mine: str | None) -> bool:
        if theirs == mine:
            return True
        return theirs == self.mermaid.get(role) and mine == self.ours.get(role)


def compare(ref: dict[str, Any], ours: Drawn, colors: Colors, inside: Any, edge_width: float,
            frame_width: float, measure: Any) -> list[str]:
    """Differences between Mermaid's render (ref) and our group; inside(queries) asks the page
    whether points (Mermaid px) lie inside named nodes of the reference."""
    diffs: list[str] = []
    theirs = Counter(squash(x) for x in [n["label"] for n in ref["nodes"]] + [c["title"] for c in ref["clusters"]]
                     + [e["label"] for e in ref["edges"] if e["drawn"] or e["label"]] if squash(x))
    mine = Counter(squash(x) for x in [n["text"] for n in ours.nodes.values()] + [t["text"] for t in ours.texts]
                   if squash(x))
    if theirs - mine:
        diffs.append(f"labels missing: {sorted((theirs - mine).elements())}")
    if mine - theirs:
        diffs.append(f"labels Mermaid does not draw: {sorted((mine - theirs).elements())}")
    if len(ref["nodes"]) != len(ours.nodes):
        diffs.append(f"nodes: Mermaid {len(ref['nodes'])}, ours {len(ours.nodes)}")
    drawn_edges = [e for e in ref["edges"] if e["drawn"]]
    if len(drawn_edges) != len(ours.edges):
        diffs.append(f"edges: Mermaid {len(drawn_edges)}, ours {len(ours.edges)}")
    for n in ref["nodes"]:
        o = ours.nodes.get(n["id"])
        if o is None:
            diffs.append(f"node {n['id']} not drawn")
            continue
        want = PRESET_OF.get(n["shape"], "custom")
        if o["geometry"] != want:
            diffs.append(f"node {n['id']}: shape {n['shape']} drawn as {o['geometry']}, Mermaid's is {want}")
        if n["shape"] in INNER_PARTS and o["parts"] < 2:
            diffs.append(f"node {n['id']}: shape {n['shape']} drawn without its inner parts")
        for role, key in (("node_fill", "fill"), ("node_stroke", "stroke")):
            if not colors.ok(role, n[key], o[key]):
                diffs.append(f"node {n['id']}: {key} {o[key]}, Mermaid's {n[key]}")
        if n["label"].strip() and o["colors"] and not all(colors.ok("text", n["color"], c) for c in o["colors"]):
            diffs.append(f"node {n['id']}: label colour {sorted(o['colors'])}, Mermaid's {n['color']}")
        # A word wider than its wrapping text box is broken mid-word ("Finis|h"), where Mermaid set it whole.
        for word in o["text"].split() if o["wraps"] and o["size"] else ():
            if word.isascii() and len(word) > 1 and measure(word, o["size"], o["bold"]) > o["room"] + 0.5:
                diffs.append(f"node {n['id']}: '{word}' broken mid-word ({o['room']:.1f} pt wide at {o['size']:g} pt)")
    for c in ref["clusters"]:
        o = ours.subgraphs.get(c["id"])
        if o is None:
            diffs.append(f"subgraph {c['id']} not drawn")
            continue
        for role, key in (("cluster_fill", "fill"), ("cluster_stroke", "stroke")):
            if not colors.ok(role, c[key], o[key]):
                diffs.append(f"subgraph {c['id']}: {key} {o[key]}, Mermaid's {c[key]}")
        _label_colour(diffs, f"subgraph {c['id']} title", c["title"], c["color"], "cluster_text", ours, colors,
                      filled=False)
        base = frame_width * min(1.0, max(ours.k, 0.5))  # lines thin with a diagram drawn small
        if _width_class(c["width"] / float(colors.mermaid["cluster_width"] or 1.0)) != _width_class(o["width"] / base):
            diffs.append(f"subgraph {c['id']}: border {o['width']:.2f} pt against ours {base:.2f}, Mermaid's "
                         f"{c['width']:g} px")
    _edges(diffs, drawn_edges, ours, colors, ref, inside, edge_width)
    return diffs


def _label_colour(diffs: list[str], what: str, text: str, color: str | None, role: str, ours: Drawn, colors: Colors,
                  filled: bool) -> None:
    if not squash(text):
        return
    found = [t for t in ours.texts if squash(t["text"]) == squash(text) and t["filled"] == filled]
    if found and not any(all(colors.ok(role, color, c) for c in t["colors"]) for t in found):
        diffs.append(f"{what}: colour {sorted(found[0]['colors'])}, Mermaid's {color}")


def _width_class(ratio: float) -> str:
    return "thinner" if ratio < 0.8 else "normal" if ratio < 1.4 else "wider"


def _edges(diffs: list[str], ref_edges: list[dict[str, Any]], ours: Drawn, colors: Colors, ref: dict[str, Any],
           inside: Any, edge_width: float) -> None:
    """edge_width: the theme's plain edge width (pt); lines thin with a diagram drawn under
    Mermaid's size, down to half (deck/diagrams/shapes.py)."""
    base_ref = float(colors.mermaid["edge_width"] or 1.0)
    base_ours = edge_width * min(1.0, max(ours.k, 0.5))
    by_pair: dict[str, list[dict[str, Any]]] = {}
    for e in ours.edges:
        by_pair.setdefault(e["name"], []).append(e)
    dom = {n["id"]: n["domId"] for n in ref["nodes"]}
    queries: list[tuple[str, str, float, float]] = []
    for r in ref_edges:
        mine = by_pair.get(f"Edge {r['source']}-{r['target']}", [])
        if not mine:
            continue  # counted above
        # The one of its pair that matches best (parallel edges come in Mermaid's order).
        o = mine.pop(0)
        what = f"edge {r['id']}"
        for side in ("start", "end"):
            if r[side] != o[side]:
                diffs.append(f"{what}: {side} {o[side]}, Mermaid's {r[side]}")
        if not colors.ok("edge", r["stroke"], o["stroke"]):
            diffs.append(f"{what}: stroke {o['stroke']}, Mermaid's {r['stroke']}")
        if r["dashed"] != o["dashed"]:
            diffs.append(f"{what}: dashed {o['dashed']}, Mermaid's {r['dashed']}")
        if _width_class(r["width"] / base_ref) != _width_class(o["width"] / base_ours):
            diffs.append(f"{what}: width {o['width']:.2f} pt against ours {base_ours:.2f}, Mermaid's {r['width']:g} px "
                         f"against {base_ref:g}")
        _label_colour(diffs, f"{what} label", r["label"], r["color"], "text", ours, colors, filled=True)
        for side, node, i in (("start", r["source"], 0), ("end", r["target"], -1)):
            if o[side] == "none" or node not in dom or len(o["points"]) < 2:
                continue
            tip, back = o["points"][i], o["points"][1 if i == 0 else -2]
            d = math.dist(tip, back) or 1.0
            toward = ((tip[0] - back[0]) / d, (tip[1] - back[1]) / d)  # along the edge, into its node
            if o[side] in ("circle", "cross"):  # the marker's near side (less 1 pt) must be outside
                (cx, cy), half = o[f"{side}_marker"]
                at = (cx + toward[0] * (half - 1), cy + toward[1] * (half - 1))
                theirs = r[f"{side}_at"]
                off = math.dist(ours.px((cx, cy)), theirs["centre"]) if theirs else 0.0
                if off * ours.k > max(3.0, half):
                    diffs.append(f"{what}: {side} {o[side]} centred {off:.1f} px from Mermaid's")
            else:  # an arrowhead: a point inside it, just behind the tip
                at = (tip[0] - toward[0] * 2, tip[1] - toward[1] * 2)
            queries.append((f"{what} {side} {o[side]}", dom[node], *ours.px(at)))
    if queries:
        for (what, *_), hit in zip(queries, inside([q[1:] for q in queries]), strict=True):
            if hit:
                diffs.append(f"{what} marker drawn inside its node")


def reference_colors(ref: dict[str, Any], ours: dict[str, str]) -> Colors:
    """The defaults from Mermaid's render of a small unstyled diagram (node, edge with label, subgraph)."""
    n, e, c = ref["nodes"][0], ref["edges"][0], ref["clusters"][0]
    return Colors({"node_fill": n["fill"], "node_stroke": n["stroke"], "text": n["color"], "edge": e["stroke"],
                   "edge_width": e["width"], "cluster_fill": c["fill"], "cluster_stroke": c["stroke"],
                   "cluster_text": c["color"], "cluster_width": c["width"]}, ours)


PLAIN = "flowchart LR\n  subgraph S[title]\n    A -->|x| B\n  end\n"
