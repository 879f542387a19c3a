"""Flowcharts as native DrawingML: the DOM scene, the plan shapes, the written XML, the PDF;
the fallback SVG every engine draws; what stays a picture and why.

The committed scene (tests/data/every-shape.scene.json) makes the plan tests run without a
browser; the tests that render need Chromium and skip cleanly without it.
"""

from __future__ import annotations

import io
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from checks import placement_problems, schema_errors
from conftest import CACHE, REPO, SETTINGS, SOURCES, no_browser_reason

from deck.diagrams.cache import render_diagrams
from deck.diagrams.scene import Scene, from_json, parse_label
from deck.diagrams.shapes import diagram_group
from deck.diagrams.sources import MAX_TEXT_SIZE, inspect_source
from deck.errors import DiagramError
from deck.plan import Box, Connector, Group, Shape, Slide, Text
from deck.planning.compose import Page
from deck.planning.slides import diagram_slide
from deck.render.writer import render
from deck.theme.settings import load_theme

DATA = Path(__file__).resolve().parents[1] / "data"
EVERY = DATA / "every-shape.mmd"
SVG = "{http://www.w3.org/2000/svg}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
# Bundled diagrams that cannot reach the 16 pt floor with their current sources (height-bound:
# two stacked subgraphs). Re-flowing them is content work; this list must shrink, never grow.
BELOW_FLOOR: set[str] = set()  # bundled diagrams allowed below the floor: none


@pytest.fixture
def browser() -> None:
    reason = no_browser_reason()
    if reason:
        pytest.skip(f"needs a browser: {reason}")


def _scene() -> Scene:
    return from_json((DATA / "every-shape.scene.json").read_text(encoding="utf-8"))


def _slide_area() -> tuple[Page, Box]:
    theme = load_theme()
    c = Page.slide(theme, theme.labels("zh-CN"))
    return c, Box(c.left, 80, c.content_w, 330)


def _one_slide_deck(group: Group) -> bytes:
    c, _ = _slide_area()
    title = c.text(Box(c.left, 20, c.content_w, 40), [], 20, "title")
    return render(c.plan("study", "t", (Slide("diagram", "d", title, (group,)),), "zh-CN"))


# --- the plan from a committed scene (no browser) ---------------------------------------------


def _texts(group: Group) -> list[Text]:
    """Every label of a diagram group: text boxes and the text inside node shapes."""
    return [c for c in group.children if isinstance(c, Text)] + \
        [c.text for c in group.children if isinstance(c, Shape) and c.text is not None]


def test_every_shape_scene_becomes_shapes_edges_and_text() -> None:
    scene = _scene()
    _, area = _slide_area()
    group = diagram_group(scene, area, load_theme(), name="Diagram every-shape", alt="all shapes")
    shapes = [c for c in group.children if isinstance(c, Shape)]
    texts = _texts(group)
    nodes = {s.name.removeprefix("Node "): s for s in shapes if s.name.startswith("Node ") and "inner" not in s.name}
    assert set(nodes) == {n.id for n in scene.nodes} and len(nodes) == 15
    geometry = {nid: (s.geometry, s.flip_h, s.flip_v) for nid, s in nodes.items()}
    assert geometry == {
        "a": ("rect", False, False), "b": ("roundRect", False, False), "c": ("roundRect", False, False),
        "d": ("flowChartPredefinedProcess", False, False), "e": ("custom", False, False),
        "f": ("ellipse", False, False), "g": ("custom", False, False), "h": ("diamond", False, False),
        "i": ("custom", False, False), "j": ("parallelogram", False, False),
        "k": ("parallelogram", True, False), "l": ("trapezoid", False, False), "m": ("custom", False, False),
        "n": ("custom", False, False), "o": ("rect", False, False)}  # m: an upside-down trapezoid, its outline
    assert nodes["c"].adjust == (("adj", 50000),)  # stadium: fully rounded ends
    # A double circle: one shape, its outer ring filled, the inner one a second (unfilled) path of it.
    assert nodes["n"].path[-1] == ("Z",) and [op[0] for op in nodes["n"].detail] == ["M", "C", "C", "C", "C", "Z"]
    assert nodes["g"].path[0][0] == "M" and nodes["g"].path[-1] == ("Z",) and len(nodes["g"].sites) == 4
    # Every node holds its own label.
    assert {nid: s.text.paras[0].text for nid, s in nodes.items() if s.text} == \
        {n.id: "".join(p.text for p in n.label.lines[0]) for n in scene.nodes if n.label}
    # Subgraphs: frames with their titles, outer first.
    frames = [s for s in shapes if s.name.startswith("Subgraph ")]
    assert [s.name for s in frames] == ["Subgraph OUT", "Subgraph IN"]
    # Edges: glued connectors (or open custom paths) with the right ends, dashes and widths.
    edges = {s.name: s for s in group.children if isinstance(s, Shape | Connector) and s.name.startswith("Edge ")
             and not s.name.startswith("Edge end")}
    assert len(edges) == len(scene.edges) == 15
    # Glued, except where a circle or X end would then sit on the node's border (f-g --o, g-h --x).
    assert {k for k, s in edges.items() if not isinstance(s, Connector)} == {"Edge f-g", "Edge g-h"}
    line = {k.removeprefix("Edge "): s.line for k, s in edges.items()}
    assert line["a-b"].tail == "triangle" and line["a-b"].color == "DC2626"  # linkStyle 0
    assert line["c-d"].tail is None and line["c-d"].head is None  # ---
    assert line["d-e"].dash == "dash" and line["k-l"].dash == "dash"  # -.-> and -. text .->
    assert line["e-f"].width > line["b-c"].width and line["l-m"].width > line["b-c"].width  # ==>
    assert line["f-g"].tail is None and any(s.name == "Edge end L_f_g_0" and s.geometry == "ellipse" for s in shapes)
    assert line["n-o"].head == line["n-o"].tail == "triangle"  # <-->
    assert any(s.name == "Edge end L_g_h_0" for s in shapes)  # --x: an X, DrawingML has no such end
    # Colours: theme tints by default, classDef/style where the author set them.
    t = load_theme()
    assert nodes["a"].fill == t.color("answer_tint") and nodes["a"].line.color == t.color("primary")
    assert nodes["o"].fill == "FDE68A" and nodes["o"].line.color == "B45309"
    assert nodes["o"].line.width > nodes["a"].line.width
    assert nodes["n"].fill == "DBEAFE"
    # Every label is text, one size for the diagram, all inside the group's box.
    label_texts = sorted(t.paras[0].text if len(t.paras) == 1 else "\n".join(p.text for p in t.paras)
                         for t in texts)
    assert label_texts == sorted(lab.text for lab in scene.labels)
    assert len({t.size for t in texts}) == 1
    boxed = [c for c in group.children if isinstance(c, Text)]
    assert all(group.box.x - 1 <= t.box.x and t.box.x + t.box.w <= group.box.x + group.box.w + 1 for t in boxed)
    runs = [r for t in texts for p in t.paras for r in p.runs]
    assert {r.baseline for r in runs if r.text == "2"} == {-25000, 30000}  # H<sub>2</sub>O x<sup>2</sup>
    # Mermaid's aspect kept, the box used along its limiting side.
    assert group.box.w / group.box.h == pytest.approx(scene.width / scene.height, rel=1e-6)
    assert group.box.w == pytest.approx(area.w) or group.box.h == pytest.approx(area.h)


def test_labels_parse_breaks_scripts_and_entities() -> None:
    lines = parse_label("H<sub>2</sub>O<br/>x<sup>2</sup> #amp; <b>b</b>")
    assert [[(p.text, p.shift, p.bold) for p in line] for line in lines] == [
        [("H", "", False), ("2", "sub", False), ("O", "", False)],
        [("x", "", False), ("2", "sup", False), (" & ", "", False), ("b", "", True)]]
    assert parse_label("`**Bold** text`", markdown=True)[0][0].bold
    # Markdown strings: _it_ and __b__ at word edges as runs; snake_case stays text.
    md = parse_label("`This **is** _Markdown_ __too__, snake_case_name`", markdown=True)[0]
    assert [(x.text, x.bold, x.italic) for x in md] == [
        ("This ", False, False), ("is", True, False), (" ", False, False), ("Markdown", False, True),
        (" ", False, False), ("too", True, False), (", snake_case_name", False, False)]
    # Mermaid's db holds #quot; and #35; as its own placeholders.
    assert parse_label("引号 ﬂ°quot¶ßxﬂ°quot¶ß ﬂ°°35¶ß")[0][0].text == '引号 "x" #'


def test_written_group_is_schema_valid_with_paths_and_ends(tmp_path: Path, pml_schema) -> None:  # noqa: ANN001
    _, area = _slide_area()
    group = diagram_group(_scene(), area, load_theme(), name="Diagram every-shape", alt="all shapes")
    deck = tmp_path / "d.pptx"
    deck.write_bytes(_one_slide_deck(group))
    assert schema_errors(deck, pml_schema) == []
    slide = ET.fromstring(zipfile.ZipFile(deck).read("ppt/slides/slide1.xml"))
    groups = slide.findall(f"{P}cSld/{P}spTree/{P}grpSp")
    assert len(groups) == 1 and slide.find(f".//{P}pic") is None
    g = groups[0]
    assert g.find(f"{P}nvGrpSpPr/{P}cNvPr").get("descr") == "all shapes"
    assert {e.get("prst") for e in g.iter(f"{A}prstGeom")} >= {"rect", "roundRect", "diamond",
                                                              "ellipse", "flowChartPredefinedProcess",
                                                              "parallelogram", "trapezoid"}
    assert g.find(f".//{A}custGeom/{A}pathLst/{A}path/{A}cubicBezTo") is not None  # the flag's outline
    assert {e.get("type") for e in g.iter(f"{A}tailEnd")} == {"triangle"}  # a --o end is an ellipse shape
    assert g.find(f".//{A}prstDash[@val='dash']") is not None
    assert g.find(f"{P}sp/{P}spPr/{A}xfrm[@flipH='1']") is not None  # lean left: a mirrored parallelogram
    ids = [int(e.get("id")) for e in slide.iter(f"{P}cNvPr")]
    assert len(ids) == len(set(ids))
    assert "H" in "".join(t.text or "" for t in g.iter(f"{A}t"))


@pytest.mark.parametrize("did", sorted(SOURCES))
def test_bundled_flowcharts_are_native_with_labels_at_the_floor(did: str) -> None:
    theme = load_theme()
    rendered = render_diagrams(SOURCES, SETTINGS, repo_root=REPO, cache_dir=CACHE)[did]
    assert rendered.scene is not None, f"{did}: committed scene missing; run `deck diagrams`"
    c = Page.slide(theme, theme.labels("zh-CN"))
    from deck.content.model import Diagram

    d = Diagram(did, "title", "caption", "", SOURCES[did])
    slide = diagram_slide(c, d, "k", rendered.png_size, "footer", 1, scene=rendered.scene)
    groups = [el for el in slide.elements if isinstance(el, Group)]
    assert len(groups) == 1 and not any(type(el).__name__ == "Picture" for el in slide.elements)
    texts = _texts(groups[0])
    assert len(texts) == len(rendered.scene.labels)
    floor = theme.diagram_shapes.label_size.min
    size = min(t.size for t in texts)  # the smallest label: what a room has to read
    if did in BELOW_FLOOR:
        assert size < floor, f"{did} reaches {floor} pt now: remove it from BELOW_FLOOR"
    else:
        assert size >= floor, f"{did}: labels {size} pt < {floor} pt"


# --- the fallback SVG --------------------------------------------------------------------------


def _assert_engine_neutral(svg: bytes) -> None:
    root = ET.fromstring(svg)
    assert root.find(f".//{SVG}style") is None
    painted = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan"}
    for el in root.iter():
        name = el.tag.split("}")[-1]
        assert name.lower() != "foreignobject"
        assert "class" not in el.attrib and "style" not in el.attrib, (name, el.attrib)
        if name in painted:
            assert "fill" in el.attrib and "stroke" in el.attrib, (name, el.attrib)
        if name in {"text", "tspan"}:
            assert "font-family" in el.attrib and "font-size" in el.attrib


def test_committed_fallback_svgs_style_every_element_inline() -> None:
    for r in render_diagrams(SOURCES, SETTINGS, repo_root=REPO, cache_dir=CACHE).values():
        _assert_engine_neutral(r.svg_path.read_bytes())


def test_fallback_svg_of_a_sequence_diagram_is_engine_neutral(browser: None, tmp_path: Path) -> None:
    src = tmp_path / "seq.mmd"
    src.write_text("sequenceDiagram\n  Alice->>Bob: 你好\n  Note over Bob: 想一想\n  Bob-->>Alice: ok\n",
                   encoding="utf-8")
    r = render_diagrams({"seq": src}, SETTINGS, repo_root=REPO, cache_dir=tmp_path / "c")["seq"]
    assert r.scene is None  # not a flowchart: a picture
    _assert_engine_neutral(r.svg_path.read_bytes())
    assert _drawn_without_css([r.svg_path.read_text(encoding="utf-8")])[0] < 0.005


def _drawn_without_css(svgs: list[str]) -> list[float]:
    """Share of pixels that change when the page may not apply any CSS (style-src 'none' blocks
    <style> sheets and style attributes): how an engine that ignores them draws each SVG."""
    from conftest import BROWSERS
    from PIL import Image, ImageChops

    def shot(page, svg: str, csp: str) -> Image.Image:  # noqa: ANN001
        page.set_content(f'<!doctype html><meta http-equiv="Content-Security-Policy" content="{csp}">'
                         f'<body style="margin:0">{svg}</body>')
        return Image.open(io.BytesIO(page.locator("svg").first.screenshot())).convert("RGB")

    out = []
    page = BROWSERS.browser().new_page()
    try:
        for svg in svgs:
            body = svg.split("?>", 1)[-1]
            styled = shot(page, body, "default-src 'none'; style-src 'unsafe-inline'")
            bare = shot(page, body, "default-src 'none'; style-src 'none'")
            changed = ImageChops.difference(styled, bare).convert("L").point(lambda v: 255 if v > 40 else 0)
            out.append(changed.histogram()[255] / (styled.width * styled.height))
    finally:
        page.close()
    return out


def test_fallback_svgs_draw_the_same_without_css(browser: None) -> None:
    svgs = [r.svg_path.read_text(encoding="utf-8")
            for r in render_diagrams(SOURCES, SETTINGS, repo_root=REPO, cache_dir=CACHE).values()]
    assert max(_drawn_without_css(svgs)) < 0.005
    # The check can fail: Mermaid's own SVG (a <style> sheet, class selectors) is mostly black without CSS.
    raw = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><style>rect{fill:#fff}</style>' \
          '<rect width="40" height="20"/></svg>'
    assert _drawn_without_css([raw])[0] > 0.9


# --- rendering: DOM scene against the SVG, then the deck in LibreOffice ----------------------


def test_every_shape_scene_matches_its_dom(browser: None, tmp_path: Path, pml_schema, pdf_of) -> None:  # noqa: ANN001
    r = render_diagrams({"every-shape": EVERY}, SETTINGS, repo_root=REPO, cache_dir=tmp_path / "c")["every-shape"]
    scene = r.scene
    assert scene is not None
    root = ET.fromstring(r.svg_path.read_bytes())
    looks = [g for g in root.iter(f"{SVG}g") if "data-look" in g.attrib]
    assert len(scene.nodes) == len([g for g in looks if "-flowchart-" in g.get("id", "")]) == 15
    assert len(scene.clusters) == len([g for g in looks if "-flowchart-" not in g.get("id", "")]) == 2
    assert len(scene.edges) == len([p for p in root.iter(f"{SVG}path") if p.get("data-edge") == "true"]) == 15
    drawn = [t for t in root.iter(f"{SVG}text") if "".join(t.itertext()).strip()]
    assert len(scene.labels) == len(drawn) == 21
    assert sorted(e.label.text for e in scene.edges if e.label) == ["dotted", "no", "thick", "yes"]
    committed = _scene()  # the fixture the plan tests use is what the renderer gives
    assert [(n.id, n.shape) for n in scene.nodes] == [(n.id, n.shape) for n in committed.nodes]
    assert [(e.id, e.start, e.end) for e in scene.edges] == [(e.id, e.start, e.end) for e in committed.edges]
    # Every node lies inside the diagram, every edge ends near its target node.
    boxes = {n.id: n.box for n in scene.nodes}
    for e in scene.edges:
        end, target = e.path[-1][-2:], boxes[e.target]
        assert target.x - 3 <= end[0] <= target.x + target.w + 3 and target.y - 3 <= end[1] <= target.y + target.h + 3
    _, area = _slide_area()
    deck = tmp_path / "every.pptx"
    deck.write_bytes(_one_slide_deck(diagram_group(scene, area, load_theme(), name="d", alt="a")))
    assert schema_errors(deck, pml_schema) == []
    assert placement_problems(deck, pdf_of(deck)) == []


# --- what stays a picture, and Mermaid input we refuse or trim ----------------------------


def test_click_callback_and_image_node_keep_the_picture_with_one_warning() -> None:
    src = "flowchart LR\n  A --> B\n  click A callback\n  B --> C\n"
    got = inspect_source(src, "content/diagrams/x.mmd")
    assert got.picture_reason == "content/diagrams/x.mmd:3: click callback"
    assert len(got.warnings) == 1 and "x.mmd:3:" in got.warnings[0]
    assert got.text.split("\n")[2] == ""  # dropped, line numbers kept
    many = inspect_source("flowchart LR\n  A --> B\n  click A one\n  click B two\n  click A three\n", "m.mmd")
    assert many.warnings == ("m.mmd:3: click callbacks on A, B dropped; the diagram stays a picture",)
    img = inspect_source('flowchart LR\n  A --> B\n  B@{ img: "https://x/y.png", label: "b" }\n', "y.mmd")
    assert img.picture_reason == "y.mmd:3: image node" and len(img.warnings) == 1
    icon = inspect_source("flowchart LR\n  A[fa:fa-car Car] --> B\n", "z.mmd")
    assert icon.picture_reason == "z.mmd:2: icon node"


def test_click_http_and_slide_links_are_kept_for_their_nodes_and_a_mailto_link_dropped_with_a_warning() -> None:
    got = inspect_source('flowchart LR\n  A --> B\n  click A href "https://example.com/a?b=1" _blank\n'
                         '  click B "https://example.org"\n  click C href "mailto:x@example.com"\n'
                         '  click D "#kv-cache"\n', "l.mmd")
    assert got.picture_reason is None
    assert got.links == (("A", "https://example.com/a?b=1"), ("B", "https://example.org"), ("D", "#kv-cache"))
    assert got.warnings == ("l.mmd:5: click link on C dropped (only http(s) and #id links are kept)",)
    assert "click" not in got.text  # Mermaid never sees them (strict mode ignores them anyway)


def test_a_linked_node_is_a_hyperlink_in_the_written_deck(tmp_path: Path, pml_schema) -> None:  # noqa: ANN001
    _, area = _slide_area()
    scene = replace(_scene(), links=(("a", "https://example.com/x?y=1&z=2"),))
    deck = tmp_path / "l.pptx"
    deck.write_bytes(_one_slide_deck(diagram_group(scene, area, load_theme(), name="d", alt="a")))
    assert schema_errors(deck, pml_schema) == []
    with zipfile.ZipFile(deck) as z:
        slide = ET.fromstring(z.read("ppt/slides/slide1.xml"))
        rels = ET.fromstring(z.read("ppt/slides/_rels/slide1.xml.rels"))
    R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    linked = [(c.get("name"), c.find(f"{A}hlinkClick").get(f"{R}id")) for c in slide.iter(f"{P}cNvPr")
              if c.find(f"{A}hlinkClick") is not None]
    assert [name for name, _ in linked] == ["Node a"]
    rel = next(r for r in rels if r.get("Id") == linked[0][1])
    assert rel.get("Target") == "https://example.com/x?y=1&z=2" and rel.get("TargetMode") == "External"


def test_a_node_linked_to_a_question_jumps_to_its_slide(tmp_path: Path, pml_schema) -> None:  # noqa: ANN001
    c, area = _slide_area()
    scene = replace(_scene(), links=(("a", "#kv-cache"), ("b", "#nowhere")))
    title = c.text(Box(c.left, 20, c.content_w, 40), [], 20, "title")
    slides = (Slide("diagram", "d", title, (diagram_group(scene, area, load_theme(), name="d", alt="a"),)),
              Slide("question", "q-kv-cache", title))
    deck = tmp_path / "j.pptx"
    deck.write_bytes(render(c.plan("study", "t", slides, "zh-CN")))
    assert schema_errors(deck, pml_schema) == []
    with zipfile.ZipFile(deck) as z:
        slide = ET.fromstring(z.read("ppt/slides/slide1.xml"))
        rels = ET.fromstring(z.read("ppt/slides/_rels/slide1.xml.rels"))
    R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    linked = [(c.get("name"), h.get(f"{R}id"), h.get("action")) for c in slide.iter(f"{P}cNvPr")
              if (h := c.find(f"{A}hlinkClick")) is not None]
    assert [(name, action) for name, _, action in linked] == [("Node a", "ppaction://hlinksldjump")]  # b: no such slide
    assert next(r for r in rels if r.get("Id") == linked[0][1]).get("Target") == "slide2.xml"


def test_theme_only_init_and_front_matter_are_allowed() -> None:
    inspect_source("%%{init: {'theme': 'forest', 'themeVariables': {'primaryColor': '#ff0000'}}}%%\n"
                   "flowchart LR\n  A --> B\n", "i.mmd")
    inspect_source('---\nconfig:\n  theme: base\n  themeVariables:\n    lineColor: "#00ff00"\n---\n'
                   "flowchart LR\n  A --> B\n", "f.mmd")


@pytest.mark.parametrize(("src", "message"), [
    ("%%{init: {'securityLevel': 'loose'}}%%\nflowchart LR\n  A --> B\n",
     "i.mmd:1: %%{init}%%: securityLevel ignored (securityLevel is always strict)"),
    ("---\nconfig:\n  securityLevel: loose\n---\nflowchart LR\n  A --> B\n",
     "i.mmd:1: front matter: config.securityLevel ignored"),
    ("---\ntitle: Hi\nconfig:\n  layout: elk\n  theme: dark\n---\nflowchart LR\n  A --> B\n",
     "i.mmd:1: front matter: title, config.layout ignored"),
    ("flowchart LR\n  %%{wrap}%%\n  A --> B\n", "i.mmd:2: %%{wrap}%% directive ignored"),
    ("%%{init: {'flowchart': {'htmlLabels': true, 'curve': 'linear'}}}%%\nflowchart LR\n  A --> B\n",
     "i.mmd:1: %%{init}%%: flowchart.curve, flowchart.htmlLabels ignored"),
    ("flowchart LR\n  A --> B\n%%{init: {\n  'theme': 'dark',\n  'flowchart': {}}}%%\n",
     "i.mmd:3: %%{init}%%: flowchart ignored"),
])
def test_unsupported_config_is_ignored_with_one_warning(src: str, message: str) -> None:
    got = inspect_source(src, "i.mmd")
    assert len(got.warnings) == 1 and got.warnings[0].startswith(message), got.warnings
    assert got.picture_reason is None
    # What Mermaid gets: no ignored setting, every line where it was.
    assert len(got.text.split("\n")) == len(src.split("\n"))
    for word in ("securityLevel", "htmlLabels", "elk", "wrap", "title", "curve"):
        assert word not in got.text
    if "dark" in src:
        assert '%%{init: {"theme": "dark"}}%%' in got.text


def test_too_large_a_source_still_stops() -> None:
    with pytest.raises(DiagramError, match="above Mermaid's maxTextSize of 50000"):
        inspect_source("flowchart LR\n  A --> B\n" + "  A --> B\n" * (MAX_TEXT_SIZE // 10), "i.mmd")


def test_harmless_mermaid_builds_natively_and_error_pictures_fail(browser: None, tmp_path: Path) -> None:
    ok = {
        "click": 'flowchart LR\n  A --> B\n  click A href "https://example.com"\n',
        "init": "%%{init: {'theme': 'dark', 'themeVariables': {'fontSize': '22px'}}}%%\nflowchart LR\n  A --> B\n",
        "front": '---\nconfig:\n  theme: forest\n---\nflowchart LR\n  A --> B\n',
        "callback": "flowchart LR\n  A --> B\n  click A callback\n",
    }
    sources = {}
    for name, text in ok.items():
        (tmp_path / f"{name}.mmd").write_text(text, encoding="utf-8")
        sources[name] = tmp_path / f"{name}.mmd"
    rendered = render_diagrams(sources, SETTINGS, repo_root=REPO, cache_dir=tmp_path / "c")
    assert all(rendered[n].scene is not None for n in ("click", "init", "front"))
    assert rendered["callback"].scene is None and len(rendered["callback"].warnings) == 1
    assert rendered["click"].warnings == () and rendered["click"].scene.links == (("A", "https://example.com"),)
    bad = tmp_path / "bad.mmd"
    bad.write_text("flowchart LR\n  A --> B\n" + "  A --> B\n" * (MAX_TEXT_SIZE // 10), encoding="utf-8")
    with pytest.raises(DiagramError, match=r"bad\.mmd: \d+ characters, above Mermaid's maxTextSize"):
        render_diagrams({"bad": bad}, SETTINGS, repo_root=REPO, cache_dir=tmp_path / "c")
    assert not list((tmp_path / "c").glob("bad-*"))


def test_native_false_keeps_the_picture(tmp_path: Path) -> None:
    """native: false is a choice made when planning: the committed renders (scenes included) serve."""
    from deck.content.load import load_bank

    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    index = content / "diagrams/diagrams.yaml"
    index.write_text(index.read_text(encoding="utf-8").replace("pipeline:\n", "pipeline:\n  native: false\n", 1),
                     encoding="utf-8")
    bank = load_bank(content)
    assert bank.diagrams["pipeline"].native is False and bank.diagrams["rope-scaling"].native is True
    from deck.cli import main

    out = tmp_path / "out"
    out.mkdir()
    assert main(["build", "--content", str(content), "--profile", "study", "--cache",
                 str(shutil.copytree(CACHE, tmp_path / "c")), "-o", str(out / "s.pptx")]) == 0
    with zipfile.ZipFile(out / "s.pptx") as z:
        slides = [z.read(n) for n in z.namelist() if re.match(r"ppt/slides/slide\d+\.xml$", n)]
    assert sum(b"<p:pic>" in s for s in slides) == 1 and sum(s.count(b"<p:grpSp>") for s in slides) == 4
