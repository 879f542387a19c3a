"""Diagrams that stay together when edited: node labels in their node's own shape, edges as preset
connectors glued to the nodes' connection sites (a:stCxn/a:endCxn), read back from the PPTX."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import pytest
from checks import PRESET_SITES, glue_report, schema_errors
from conftest import CACHE, REPO, SETTINGS, SOURCES
from lxml import etree

from deck.diagrams.cache import render_diagrams
from deck.diagrams.connectors import _candidate, deviation, fit_connector, flatten, preset_sites, text_rect
from deck.diagrams.scene import Edge, Label, Node, Paint, Piece, Rect, Scene, from_json
from deck.diagrams.shapes import diagram_group
from deck.plan import Box, Connector, Shape, Slide, Text
from deck.planning.compose import Page
from deck.render.writer import render
from deck.theme.settings import load_theme

DATA = Path(__file__).resolve().parents[1] / "data"
NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}


def _page() -> tuple[Page, Box]:
    theme = load_theme()
    c = Page.slide(theme, theme.labels("zh-CN"))
    return c, Box(c.left, 80, c.content_w, 330)


def _deck(groups: list, tmp_path: Path) -> Path:  # noqa: ANN001
    c, _ = _page()
    title = c.text(Box(c.left, 20, c.content_w, 40), [], 20, "title")
    slides = tuple(Slide("diagram", f"d{i}", title, (g,)) for i, g in enumerate(groups))
    out = tmp_path / "d.pptx"
    out.write_bytes(render(c.plan("study", "t", slides, "zh-CN")))
    return out


def _slides(deck: Path) -> list[etree._Element]:
    with zipfile.ZipFile(deck) as z:
        names = sorted((n for n in z.namelist() if n.startswith("ppt/slides/slide")),
                       key=lambda n: int(n.removeprefix("ppt/slides/slide").removesuffix(".xml")))
        return [etree.fromstring(z.read(n)) for n in names]


# --- preset geometry -------------------------------------------------------------------------


def test_preset_sites_and_text_rectangles_follow_the_preset_definitions() -> None:
    w, h = 200.0, 100.0
    for geometry, count in PRESET_SITES.items():
        assert len(preset_sites(geometry, w, h)) == count, geometry
    assert preset_sites("rect", w, h) == [(100, 0), (0, 50), (100, 100), (200, 50)]  # top, left, bottom, right
    ellipse = preset_sites("ellipse", w, h)
    assert ellipse[0] == (100, 0) and ellipse[2] == (0, 50) and ellipse[4] == (100, 100) and ellipse[6] == (200, 50)
    assert ellipse[1] == pytest.approx((100 - 100 * math.cos(math.pi / 4), 50 - 50 * math.sin(math.pi / 4)))
    hexagon = preset_sites("hexagon", w, h)
    assert hexagon[0] == (200, 50) and hexagon[3] == (0, 50) and hexagon[4] == pytest.approx((25, 0), abs=0.01)
    assert text_rect("diamond", w, h) == Box(50, 25, 100, 50)
    assert text_rect("rect", w, h) == Box(0, 0, w, h)
    e = text_rect("ellipse", w, h)
    assert e.w == pytest.approx(w * math.cos(math.pi / 4)) and e.x + e.w / 2 == pytest.approx(100)


def _drawingml_point(frame: Box, rot: int, flip_h: bool, flip_v: bool, u: float, v: float) -> tuple[float, float]:
    """Where a point of a shape's own frame (u, v in 0..1) lands: flipped inside the frame, then
    turned clockwise by rot about the frame's centre (how DrawingML places a shape)."""
    x, y = (1 - u if flip_h else u) * frame.w - frame.w / 2, (1 - v if flip_v else v) * frame.h - frame.h / 2
    a = math.radians(rot)
    return (frame.x + frame.w / 2 + x * math.cos(a) - y * math.sin(a),
            frame.y + frame.h / 2 + x * math.sin(a) + y * math.cos(a))


@pytest.mark.parametrize("geometry", ["straightConnector1", "bentConnector2", "bentConnector3", "curvedConnector3"])
@pytest.mark.parametrize("turn", [False, True])
def test_a_connector_frame_puts_its_ends_on_the_sites(geometry: str, turn: bool) -> None:
    s = (100.0, 100.0)
    for t in [(160.0, 140.0), (40.0, 140.0), (160.0, 60.0), (40.0, 60.0)]:
        frame, rot, fh, fv, pts = _candidate(geometry, s, t, turn, 0.5)
        assert _drawingml_point(frame, rot, fh, fv, 0, 0) == pytest.approx(s)
        assert _drawingml_point(frame, rot, fh, fv, 1, 1) == pytest.approx(t)
        assert pts[0] == pytest.approx(s) and pts[-1] == pytest.approx(t)
        if geometry == "bentConnector2":  # its corner: first along the frame's x axis, which a turn makes vertical
            corner = _drawingml_point(frame, rot, fh, fv, 1, 0)
            assert corner == pytest.approx((s[0], t[1]) if turn else (t[0], s[1]))


def test_the_fit_keeps_the_route_shape_and_measures_how_far_it_strays() -> None:
    box = [(50.0, 0.0), (0.0, 20.0), (50.0, 40.0), (100.0, 20.0)]  # rect sites, box (0, 0, 100, 40)
    below = [(s[0] + 150, s[1] + 100) for s in box]  # the target: 150 right, 100 down
    centre, below_centre = (50.0, 20.0), (200.0, 120.0)
    straight = [(100.0, 20.0), (150.0, 20.0)]
    fit = fit_connector(straight, (box, centre), ([(150.0, 0.0), (150.0, 20.0)], (175.0, 20.0)))
    assert fit is not None and fit.geometry == "straightConnector1" and fit.deviation == pytest.approx(0)
    # Mermaid's S from the bottom of one node to the top of the other: a turned S-curve, centred
    # (LibreOffice draws a turned one off centre its own way, in loops round the nodes).
    s, t = (50.0, 40.0), (200.0, 100.0)
    route = flatten(s, [("C", ((s[0], 70.0), (t[0], 70.0), t))], 20)  # leaves and enters vertically
    fit = fit_connector(route, (box, centre), (below, below_centre))
    assert fit is not None and (fit.geometry, fit.rot, fit.start_site, fit.end_site) == ("curvedConnector3", 90, 2, 0)
    assert fit.adj == 50000 and fit.deviation < 10
    route = flatten(s, [("C", ((s[0], 52.0), (t[0], 52.0), t))], 20)  # its middle high up: not centred
    fit = fit_connector(route, (box, centre), (below, below_centre))
    assert fit is not None and not (fit.geometry == "curvedConnector3" and fit.rot and fit.adj != 50000)
    # The same S with square corners: a turned two-bend connector, exactly.
    elbow = [s, (s[0], 70.0), (t[0], 70.0), t]
    fit = fit_connector(elbow, (box, centre), (below, below_centre))
    assert fit is not None and (fit.geometry, fit.rot) == ("bentConnector3", 90) and fit.deviation < 0.5
    # A detour 60 pt out is measured as such: it stays a free path.
    detour = [s, (s[0], s[1] + 60), (t[0] - 60, s[1] + 60), (t[0] - 60, t[1] - 10), t]
    fit = fit_connector(detour, (box, centre), (below, below_centre))
    assert fit is not None and fit.deviation > load_theme().diagram_shapes.connector_tolerance
    assert deviation([(0, 0), (10, 0)], [(0, 5), (10, 5)]) == pytest.approx(5)


def _two_nodes(path: tuple) -> Scene:  # noqa: ANN001
    paint = Paint("FFFFFF", "333333", 1.0)
    label = Label(((Piece("a node"),),), Rect(10, 10, 80, 20), "000000", 16)
    nodes = (Node("A", "squareRect", Rect(0, 0, 100, 40), paint, False, label),
             Node("B", "squareRect", Rect(150, 100, 100, 40), paint, False, label))
    edge = Edge("L_A_B_0", "A", "B", path, "none", "arrow", Paint(None, "333333", 2.0), False, False, None)
    return Scene(260, 150, nodes, (), (edge,))


def test_an_edge_past_the_tolerance_stays_a_free_path_and_one_within_is_glued() -> None:
    _, area = _page()
    near = _two_nodes((("M", 50, 40), ("L", 50, 70), ("L", 200, 70), ("L", 200, 100)))
    far = _two_nodes((("M", 50, 40), ("L", 50, 140), ("L", 120, 140), ("L", 120, 120), ("L", 150, 120)))
    glued = diagram_group(near, area, load_theme(), name="d", alt="a").children
    free = diagram_group(far, area, load_theme(), name="d", alt="a").children
    assert [type(c).__name__ for c in glued if c.name.startswith("Edge")] == ["Connector"]
    assert [type(c).__name__ for c in free if c.name.startswith("Edge")] == ["Shape"]


# --- the written deck ------------------------------------------------------------------------


def _bundled_groups() -> dict[str, tuple[Scene, object]]:
    _, area = _page()
    out = {}
    for did, r in sorted(render_diagrams(SOURCES, SETTINGS, repo_root=REPO, cache_dir=CACHE).items()):
        assert r.scene is not None, did
        out[did] = (r.scene, diagram_group(r.scene, area, load_theme(), name=f"Diagram {did}", alt=did))
    every = from_json((DATA / "every-shape.scene.json").read_text(encoding="utf-8"))
    out["every-shape"] = (every, diagram_group(every, area, load_theme(), name="every", alt="every"))
    return out


def test_labels_sit_in_their_nodes_and_edges_are_glued_in_the_written_deck(tmp_path: Path, pml_schema) -> None:  # noqa: ANN001
    groups = _bundled_groups()
    deck = _deck([g for _, g in groups.values()], tmp_path)
    assert schema_errors(deck, pml_schema) == []
    glued = free = 0
    for (did, (scene, _)), slide in zip(groups.items(), _slides(deck), strict=True):
        g, f, problems = glue_report(slide)
        assert problems == [], did
        glued, free = glued + g, free + f
        group = slide.find("p:cSld/p:spTree/p:grpSp", NS)
        sps = {sp.find("p:nvSpPr/p:cNvPr", NS).get("name"): sp for sp in group.findall("p:sp", NS)}
        for n in scene.nodes:  # the node's own shape holds its text; no text box repeats it
            sp = sps[f"Node {n.id}"]
            text = "".join(t.text or "" for t in sp.iterfind("p:txBody//a:t", NS))
            want = "".join(p.text for line in n.label.lines for p in line) if n.label else ""
            assert text == want, (did, n.id)
        boxes = ["".join(t.text or "" for t in sp.iterfind(".//a:t", NS)) for sp in sps.values()
                 if sp.find("p:nvSpPr/p:cNvSpPr", NS).get("txBox") == "1"]
        assert len(boxes) == sum(1 for c in scene.clusters if c.title) + sum(1 for e in scene.edges if e.label), did
        # A connector is drawn where its glued sites are (an engine that re-routes on load agrees).
        for cxn in group.findall("p:cxnSp", NS):
            off, ext = cxn.find("p:spPr/a:xfrm/a:off", NS), cxn.find("p:spPr/a:xfrm/a:ext", NS)
            assert int(ext.get("cx")) >= 0 and int(ext.get("cy")) >= 0 and off is not None
    assert glued / (glued + free) >= 0.8, (glued, free)


def test_connector_ends_are_the_sites_of_the_shapes_they_are_glued_to() -> None:
    for did, (_, group) in _bundled_groups().items():
        shapes = {c.name: c for c in group.children if isinstance(c, Shape)}
        for conn in (c for c in group.children if isinstance(c, Connector)):
            ends = [_drawingml_point(conn.box, conn.rot, conn.flip_h, conn.flip_v, u, u) for u in (0, 1)]
            for glue, at in ((conn.start, ends[0]), (conn.end, ends[1])):
                sp = shapes[glue.shape]
                rel = sp.sites[glue.site] if sp.geometry == "custom" else \
                    preset_sites(sp.geometry, sp.box.w, sp.box.h, sp.adjust)[glue.site]
                site = (sp.box.x + (sp.box.w - rel[0] if sp.flip_h else rel[0]),
                        sp.box.y + (sp.box.h - rel[1] if sp.flip_v else rel[1]))
                assert at == pytest.approx(site, abs=0.01), (did, conn.name)
        texts = [c for c in group.children if isinstance(c, Text)]
        assert all(not t.role.startswith("Node") for t in texts)


@pytest.mark.libreoffice
def test_libreoffice_keeps_the_glue_and_draws_each_connector_where_we_put_it(tmp_path: Path) -> None:
    """LibreOffice re-routes glued connectors it finds wrong: read back (as ODP) that it kept each
    one glued, between the same ends."""
    import re
    import subprocess

    from deck.export.pdf import soffice

    groups = [g for _, g in _bundled_groups().values()]
    deck = _deck(groups, tmp_path)
    subprocess.run([soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "odp", "--outdir", str(tmp_path / "odp"), str(deck)],
                   capture_output=True, timeout=120, check=True, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    with zipfile.ZipFile(tmp_path / "odp" / "d.odp") as z:
        content = z.read("content.xml").decode()
    drawn = [dict(re.findall(r'([\w:-]+)="([^"]*)"', c)) for c in re.findall(r"<draw:connector [^>]*>", content)]
    ours = [c for g in groups for c in g.children if isinstance(c, Connector)]
    assert len(drawn) == len(ours) > 20
    cm = 2.54 / 72
    for conn, got in zip(ours, drawn, strict=True):
        assert got["draw:name"] == conn.name and "draw:start-shape" in got and "draw:end-shape" in got
        ends = [_drawingml_point(conn.box, conn.rot, conn.flip_h, conn.flip_v, u, u) for u in (0, 1)]
        x1, y1, x2, y2 = (float(got[f"svg:{k}"].removesuffix("cm")) for k in ("x1", "y1", "x2", "y2"))
        assert (x1, y1) == pytest.approx((ends[0][0] * cm, ends[0][1] * cm), abs=0.03), conn.name
        assert (x2, y2) == pytest.approx((ends[1][0] * cm, ends[1][1] * cm), abs=0.03), conn.name
