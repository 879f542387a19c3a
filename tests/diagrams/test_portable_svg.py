"""Picture fallbacks drawn by a second engine: the saved SVG carries arrowheads as shapes (no
markers), no size-less rects, no gap-less dash arrays, text positions in px (portable.js); and
Aspose.Slides (an optional test-only tool: `pip install aspose-slides`, Debian libgdiplus) draws
a study deck's sequence diagram and icon flowchart without dark blocks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ONE_QUESTION, REPO, SETTINGS, SVG_NS

from deck.cli import main
from deck.diagrams.cache import render_diagrams

SEQUENCE = """sequenceDiagram
  participant C as Client
  participant S as vLLM server
  C->>S: POST /generate
  S-->>C: token x<sub>1</sub>
  S-)C: async done
  C-xS: cancel
"""
ICONS = REPO.parent / "shared" / "corpus" / "mermaid-flowcharts" / "01-td-basic-fa-icon.mmd"


def _bank(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "diagrams").mkdir(parents=True)
    (root / "deck.yaml").write_text("title: 演示题库\n", encoding="utf-8")
    (root / "diagrams" / "seq.mmd").write_text(SEQUENCE, encoding="utf-8")
    (root / "diagrams" / "icons.mmd").write_text(ICONS.read_text(encoding="utf-8"), encoding="utf-8")
    (root / "diagrams" / "diagrams.yaml").write_text("seq:\n  title: 时序图\nicons:\n  title: 图标流程图\n",
                                                     encoding="utf-8")
    (root / "01-demo.yaml").write_text(
        ONE_QUESTION.replace("  title: 演示\n", "  title: 演示\n  diagrams: [seq, icons]\n"), encoding="utf-8")
    return root


@pytest.fixture
def corpus_icons() -> None:
    if not ICONS.is_file():
        pytest.skip(f"corpus file missing: {ICONS}")


def test_saved_svg_has_no_markers_and_draws_every_head(browser: None, corpus_icons: None, tmp_path: Path) -> None:
    root = _bank(tmp_path)
    out = render_diagrams({p.stem: p for p in (root / "diagrams").glob("*.mmd")}, SETTINGS, repo_root=REPO,
                          cache_dir=tmp_path / "cache")
    for name, rendered in out.items():
        svg = ET.fromstring(rendered.svg_path.read_bytes())
        assert not list(svg.iter(f"{SVG_NS}marker")), name
        for el in svg.iter():
            assert not any(a.startswith("marker") for a in el.attrib), (name, el.tag)
            if el.tag == f"{SVG_NS}rect":
                assert float(el.get("width", 0)) > 0 and float(el.get("height", 0)) > 0, (name, el.attrib)
            dashes = el.get("stroke-dasharray")
            if dashes and dashes != "none":
                assert any(float(v.removesuffix("px")) > 0 for v in re.split(r"[\s,]+", dashes)[1::2] or ["0"]), \
                    (name, dashes)
            if el.tag in (f"{SVG_NS}text", f"{SVG_NS}tspan"):
                assert not any("em" in el.get(a, "") for a in ("x", "y", "dx", "dy")), (name, el.attrib)
        # Every message line (sequence) and every edge (flowchart) is followed by its head, a shape group.
        lines = [el for el in svg.iter() if el.tag in (f"{SVG_NS}line", f"{SVG_NS}path") and
                 el.get("data-et") in ("message", "edge")]
        assert len(lines) == (4 if name == "seq" else 5), name
        parents = {child: parent for parent in svg.iter() for child in parent}
        for line in lines:
            siblings = list(parents[line])
            head = siblings[siblings.index(line) + 1]
            assert head.tag == f"{SVG_NS}g" and "rotate(" in head.get("transform", ""), (name, line.attrib)
            assert list(head), (name, "empty head")


def test_aspose_draws_the_pictures_without_dark_blocks(browser: None, corpus_icons: None, tmp_path: Path) -> None:
    slides = pytest.importorskip("aspose.slides", reason="optional: pip install aspose-slides (test-only tool)")
    from PIL import Image
    from pptx import Presentation

    deck = tmp_path / "study.pptx"
    assert main(["build", "-q", "--content", str(_bank(tmp_path)), "--profile", "study", "-o", str(deck)]) == 0
    pictures = {i: shape for i, slide in enumerate(Presentation(str(deck)).slides)
                for shape in slide.shapes if shape.shape_type == 13}  # MSO_SHAPE_TYPE.PICTURE
    assert len(pictures) == 2
    try:
        pres = slides.Presentation(str(deck))
    except Exception as exc:  # noqa: BLE001 - Aspose raises its own wrapped .NET errors
        pytest.skip(f"Aspose.Slides cannot run here (libgdiplus missing?): {exc}")
    with pres:
        width = pres.slide_size.size.width  # points
        for i, shape in pictures.items():
            path = tmp_path / f"slide-{i + 1}.png"
            pres.slides[i].get_image(1.0, 1.0).save(str(path), slides.ImageFormat.PNG)
            image = Image.open(path).convert("L")
            k = image.width / (width * 12700)  # pixels per EMU
            box = (int(shape.left * k), int(shape.top * k), int((shape.left + shape.width) * k),
                   int((shape.top + shape.height) * k))
            histogram = image.crop(box).histogram()
            dark = sum(histogram[:80]) / sum(histogram)
            # Lines and text are a few percent; the black block it once drew filled a third or more.
            assert dark < 0.08, f"slide {i + 1}: {dark:.0%} of the picture is dark ({path})"
