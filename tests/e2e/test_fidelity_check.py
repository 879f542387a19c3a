"""The comparison of our diagrams with Mermaid's render (fidelity.py) finds each kind of difference:
a made-up reference and drawing, no browser."""

from __future__ import annotations

from typing import Any

from fidelity import Colors, Drawn, compare

COLORS = Colors({"node_fill": "EEF3FE", "node_stroke": "1D4ED8", "text": "1F2933", "edge": "5B6770", "edge_width": 1.0,
                 "cluster_fill": "F5F7FA", "cluster_stroke": "D5DBE1", "cluster_text": "020C18", "cluster_width": 1.0},
                {"node_fill": "EEF3FE", "node_stroke": "1D4ED8", "text": "1F2933", "edge": "5B6770",
                 "cluster_fill": "F3F4F6", "cluster_stroke": "D1D5DB", "cluster_text": "6B7280"})


def _ref() -> dict[str, Any]:
    node = {"shape": "rounded", "fill": "FFCCCC", "stroke": "FF0000", "color": "FF0000", "parts": 1}
    return {"width": 200, "height": 100, "clusters": [],
            "nodes": [{**node, "id": "A", "domId": "flowchart-A-0", "label": "Start here"},
                      {**node, "id": "B", "domId": "flowchart-B-1", "label": "End", "shape": "dbl-circ"}],
            "edges": [{"id": "L_A_B_0", "source": "A", "target": "B", "drawn": True, "stroke": "D50000", "width": 1.0,
                       "dashed": True, "label": "go", "color": "A0522D", "start": "none", "end": "arrow",
                       "start_at": None, "end_at": None}]}


def _ours() -> Drawn:
    node = {"geometry": "roundRect", "fill": "FFCCCC", "stroke": "FF0000", "colors": {"FF0000"}, "parts": 1,
            "box": (0, 0, 60, 30), "room": 56.0, "wraps": True, "size": 12.0, "bold": False}
    d = Drawn(1.0, (0.0, 0.0))
    d.nodes = {"A": {**node, "text": "Start here"},
               "B": {**node, "text": "End", "geometry": "custom", "parts": 2, "box": (140, 0, 60, 60)}}
    d.edges = [{"name": "Edge A-B", "points": [(60.0, 15.0), (140.0, 15.0)], "stroke": "D50000", "width": 1.5,
                "dashed": True, "start": "none", "end": "arrow", "glued": True}]
    d.texts = [{"text": "go", "colors": {"A0522D"}, "filled": True}]
    return d


def _diffs(ref: dict[str, Any], ours: Drawn, inside: bool = False) -> list[str]:
    return compare(ref, ours, COLORS, lambda queries: [inside] * len(queries), 1.5, 1.0,
                   lambda word, size, bold: len(word) * size * 0.5)


def test_the_same_drawing_has_no_difference() -> None:
    assert _diffs(_ref(), _ours()) == []


def test_each_kind_of_difference_is_found() -> None:
    ours = _ours()
    ours.nodes["A"] = {**ours.nodes["A"], "text": "Start", "geometry": "rect", "fill": "EEF3FE"}
    ours.nodes["B"] = {**ours.nodes["B"], "parts": 1, "room": 10.0}
    ours.edges[0] = {**ours.edges[0], "stroke": "5B6770", "dashed": False, "end": "none", "width": 6.0}
    ours.texts[0] = {**ours.texts[0], "colors": {"1F2933"}}
    found = "\n".join(_diffs(_ref(), ours))
    for what in ("labels missing: ['Starthere']", "labels Mermaid does not draw: ['Start']",
                 "node A: shape rounded drawn as rect", "node A: fill EEF3FE, Mermaid's FFCCCC",
                 "node B: shape dbl-circ drawn without its inner parts", "'End' broken mid-word",
                 "edge L_A_B_0: end none, Mermaid's arrow", "edge L_A_B_0: stroke 5B6770, Mermaid's D50000",
                 "edge L_A_B_0: dashed False, Mermaid's True", "edge L_A_B_0: width 6.00 pt",
                 "edge L_A_B_0 label: colour ['1F2933'], Mermaid's A0522D"):
        assert what in found, (what, found)


def test_a_marker_inside_its_node_and_missing_pieces_are_found() -> None:
    assert _diffs(_ref(), _ours(), inside=True) == ["edge L_A_B_0 end arrow marker drawn inside its node"]
    ours = _ours()
    del ours.nodes["B"]
    ours.edges = []
    found = _diffs(_ref(), ours)
    assert "nodes: Mermaid 2, ours 1" in found and "edges: Mermaid 1, ours 0" in found and "node B not drawn" in found
