"""Picture fallbacks: <sub>/<sup>/<b>/<i> in labels become tspans with explicit attributes, not
literal tags (the page's rich_text.js). Checked on the committed renders and on fresh ones."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import CACHE, REPO, SETTINGS, SOURCES, SVG_NS

from deck.diagrams.cache import render_diagrams

TAGS = ("<sub>", "</sub>", "<sup>", "</sup>", "<b>", "</b>", "<i>", "</i>")


def _spans(svg: Path) -> list[ET.Element]:
    return list(ET.fromstring(svg.read_bytes()).iter(f"{SVG_NS}tspan"))


def _px(value: str | None) -> float:
    """A length in user units (px); 0 for none or for em (Mermaid's line spacing)."""
    value = value or "0"
    return 0.0 if value.endswith("em") else float(value.removesuffix("px"))


def _shifted(spans: list[ET.Element], text: str) -> list[ET.Element]:
    """Tspans drawing `text` lowered or raised (dy) in a smaller size than the line's."""
    return [s for s in spans if (s.text or "") == text and s.get("dy") and 0 < _px(s.get("font-size")) < 16]


def _text(el: ET.Element) -> str:
    return "".join(el.itertext()).replace("\u00a0", " ")  # no-break spaces at tspan ends (portable.js)


def _line_texts(svg: Path) -> list[str]:
    """Each drawn line's text, as a reader sees it."""
    root = ET.fromstring(svg.read_bytes())
    return [_text(t) for t in root.iter(f"{SVG_NS}text")] + \
        [_text(t) for t in root.iter(f"{SVG_NS}tspan") if t.get("x") is not None]


def _rendered_svg(diagram_id: str) -> Path:
    return render_diagrams({diagram_id: SOURCES[diagram_id]}, SETTINGS, repo_root=REPO, cache_dir=CACHE)[
        diagram_id].svg_path


@pytest.mark.parametrize("diagram_id", sorted(i for i in SOURCES if "<sub>" in SOURCES[i].read_text("utf-8")))
def test_committed_svg_has_no_literal_tags_and_shifts_subscripts(diagram_id: str) -> None:
    svg = _rendered_svg(diagram_id)
    text = svg.read_text(encoding="utf-8")
    for tag in TAGS:
        assert tag.replace("<", "&lt;").replace(">", "&gt;") not in text, (diagram_id, tag)
    spans = _spans(svg)
    lowered = [s for s in spans if _px(s.get("dy")) > 0 and 0 < _px(s.get("font-size")) < 16]
    assert lowered, f"{diagram_id}: no lowered, smaller tspan for a <sub>"
    for s in lowered:  # explicit attributes only: a second engine ignores classes and style sheets
        assert s.get("class") is None and s.get("style") is None


def test_committed_svg_keeps_the_source_spacing() -> None:
    # Mermaid puts a space before every word and tag; what the source wrote comes back.
    lines = _line_texts(_rendered_svg("transformer-block")) + _line_texts(_rendered_svg("pipeline"))
    assert "softmax(QKᵀ/√dk)·V" in lines
    assert "拼接 → WO" in lines
    assert "LoRA 合并 W0 + (α/r)BA" in lines


def test_fresh_render_turns_tags_into_tspans(browser: None, tmp_path: Path) -> None:
    flow = tmp_path / "flow.mmd"
    flow.write_text('flowchart LR\n  A["W<sub>0</sub> + x<sup>2</sup> <b>bold</b> <i>it</i>"] --> B["d_k"]\n',
                    encoding="utf-8")
    seq = tmp_path / "seq.mmd"
    seq.write_text("sequenceDiagram\n  A->>B: y<sub>t</sub>=x<sup>2</sup> <strong>s</strong>\n", encoding="utf-8")
    out = render_diagrams({"flow": flow, "seq": seq}, SETTINGS, repo_root=REPO, cache_dir=tmp_path / "cache")
    for name, rendered in out.items():
        text = rendered.svg_path.read_text(encoding="utf-8")
        assert "&lt;" not in text, name
    flow_spans, seq_spans = _spans(out["flow"].svg_path), _spans(out["seq"].svg_path)
    lowered, raised = _shifted(flow_spans, "0"), _shifted(flow_spans, "2")
    assert lowered and _px(lowered[0].get("dy")) > 0
    assert raised and _px(raised[0].get("dy")) < 0
    assert [s.get("font-weight") for s in flow_spans if s.text == "bold"] == ["bold"]
    assert [s.get("font-style") for s in flow_spans if s.text == "it"] == ["italic"]
    # The text after a subscript returns to the baseline.
    after = next(s for s in flow_spans if _text(s).startswith(" +"))
    assert _px(after.get("dy")) == -_px(lowered[0].get("dy"))
    assert "W0 + x2 bold it" in _line_texts(out["flow"].svg_path)
    assert _shifted(seq_spans, "t") and _shifted(seq_spans, "2")
    assert [s.get("font-weight") for s in seq_spans if s.text == "s"] == ["bold"]
