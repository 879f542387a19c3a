"""Diagram renderer: committed renders, cache behaviour, errors and injection safety.

Tests that need Chromium + node_modules/mermaid skip (with the reason) when either is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from conftest import BROWSERS, BUNDLED, CACHE, DIAGRAM_DIR, OWN_LAUNCH, REPO, SETTINGS, SOURCES, SVG_NS

from deck.diagrams.cache import cache_key, render_diagrams, stale_diagrams
from deck.diagrams.discovery import mermaid_version
from deck.diagrams.session import RenderSession
from deck.errors import DiagramError


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.mmd"
    path.write_text(text, encoding="utf-8")
    return path


def _svg_root(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())


def _assert_nothing_executable(svg_text: str) -> None:
    root = ET.fromstring(svg_text.encode("utf-8"))
    for el in root.iter():
        assert el.tag.split("}")[-1].lower() not in {"script", "foreignobject", "iframe"}, el.tag
        for name, value in el.attrib.items():
            assert not name.split("}")[-1].lower().startswith("on"), (el.tag, name)
            assert "javascript:" not in re.sub(r"\s", "", value).lower(), (el.tag, name, value)
    assert "<script" not in svg_text.lower()


# --- content and committed renders (no browser needed) ---------------------------------


def test_bundled_sources_and_metadata() -> None:
    assert BUNDLED.issubset(SOURCES)
    meta = yaml.safe_load((DIAGRAM_DIR / "diagrams.yaml").read_text(encoding="utf-8"))
    assert set(meta) == set(SOURCES)
    for diagram_id, entry in meta.items():
        assert {"title", "caption", "notes"} <= set(entry), diagram_id
        assert entry["title"].strip() and "\n" not in entry["caption"].strip(), diagram_id
        assert 3 <= len(entry["notes"].strip().splitlines()) <= 5, diagram_id
    for path in SOURCES.values():
        header = path.read_text(encoding="utf-8").lstrip().split(None, 1)[0]
        assert header in {"flowchart", "sequenceDiagram"}, path


def test_committed_renders_are_up_to_date() -> None:
    stale = stale_diagrams(SOURCES, SETTINGS, repo_root=REPO, cache_dir=CACHE)
    assert stale == [], f"re-render with deck.diagrams.render_diagrams and commit deck/diagram-cache: {stale}"


def test_no_orphan_renders_committed() -> None:
    keys = {
        f"{i}-{cache_key(p.read_text(encoding='utf-8'), SETTINGS, mermaid_version(REPO))[:12]}"
        for i, p in SOURCES.items()
    }
    orphans = [p.name for p in CACHE.iterdir() if p.name.split(".")[0] not in keys]
    assert orphans == []


def test_committed_pngs_are_large_enough() -> None:
    rendered = render_diagrams(SOURCES, SETTINGS, repo_root=REPO, cache_dir=CACHE)
    assert set(rendered) == set(SOURCES)
    for r in rendered.values():
        assert max(r.png_size) >= max(1600, SETTINGS.min_png_long_side), r
        assert r.png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_committed_svgs_are_plain_svg_with_absolute_size() -> None:
    for r in render_diagrams(SOURCES, SETTINGS, repo_root=REPO, cache_dir=CACHE).values():
        text = r.svg_path.read_text(encoding="utf-8")
        assert "foreignObject" not in text, r.id
        _assert_nothing_executable(text)
        root = _svg_root(r.svg_path)
        assert root.tag == f"{SVG_NS}svg"
        width, height = float(root.attrib["width"]), float(root.attrib["height"])  # no "%" allowed
        vb = [float(v) for v in root.attrib["viewBox"].split()]
        assert (width, height) == pytest.approx((vb[2], vb[3]), abs=0.01)
        assert "max-width" not in root.attrib.get("style", "")
        # Chinese labels are real SVG text, so PowerPoint can show them as text.
        assert re.search(r"[\u4e00-\u9fff]", "".join(root.itertext())), r.id


def test_cache_key_covers_source_settings_and_version() -> None:
    base = cache_key("flowchart LR\n  A --> B\n", SETTINGS, "11.0.0")
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert cache_key("flowchart LR\r\n  A --> B\r\n", SETTINGS, "11.0.0") == base
    assert cache_key("flowchart LR\n  A --> C\n", SETTINGS, "11.0.0") != base
    assert cache_key("flowchart LR\n  A --> B\n", replace(SETTINGS, scale=4), "11.0.0") != base
    assert cache_key("flowchart LR\n  A --> B\n", SETTINGS, "11.0.1") != base


def test_everything_cached_starts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(CACHE, cache)
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    monkeypatch.setenv("DECK_BROWSER", "/nonexistent")
    # Any attempt to import Playwright (and so to start a driver or a browser) now fails loudly.
    for name in [m for m in sys.modules if m == "playwright" or m.startswith("playwright.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    rendered = render_diagrams(SOURCES, SETTINGS, repo_root=REPO, cache_dir=cache)
    assert set(rendered) == set(SOURCES)
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before


def test_missing_browser_names_the_stale_diagram(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _write(tmp_path, "fresh-one", f"flowchart LR\n  A[新的 {os.getpid()}] --> B\n")
    monkeypatch.setenv("DECK_BROWSER", "/nonexistent")
    with pytest.raises(DiagramError) as info:
        render_diagrams({"fresh-one": src}, SETTINGS, repo_root=REPO, cache_dir=tmp_path / "cache")
    message = str(info.value)
    assert "fresh-one" in message and "/nonexistent" in message
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_bad_diagram_id_is_rejected(tmp_path: Path) -> None:
    src = _write(tmp_path, "x", "flowchart LR\n  A --> B\n")
    with pytest.raises(DiagramError, match="diagram id"):
        stale_diagrams({"../evil": src}, SETTINGS, repo_root=REPO, cache_dir=tmp_path)


# --- rendering (needs Chromium + node_modules) ----------------------------------------


def test_errors_name_file_and_line(browser: None, tmp_path: Path) -> None:
    bad = _write(tmp_path, "broken", "flowchart LR\n  A[开始] --> B\n  B --> --> C\n")
    # Mermaid drops front matter, directives and comments before parsing: the line must still be the file's.
    text = "---\nconfig:\n  theme: base\n---\n%%{init: {'themeVariables': {'lineColor': '#123456'}}}%%\n%% note\n"
    text += "flowchart LR\n  %% inside\n  A --> B\n  B --> --> C\n"
    shifted = _write(tmp_path, "broken2", text)
    # htmlLabels would put labels in foreignObject, which PowerPoint and LibreOffice do not show:
    # it is ignored (with a warning), the diagram renders with SVG text.
    html = _write(tmp_path, "html", "%%{init: {'htmlLabels': true}}%%\nflowchart LR\n  A[<b>粗</b>] --> B\n")
    good = _write(tmp_path, "good", "flowchart LR\n  A[好] --> B\n")
    sources = {"broken": bad, "broken2": shifted, "html": html, "good": good}
    with pytest.raises(DiagramError) as info:
        render_diagrams(sources, SETTINGS, repo_root=REPO, cache_dir=tmp_path / "cache")
    lines = str(info.value).splitlines()
    assert any(line.startswith(f"{bad}:3: Parse error on line 3") for line in lines), lines
    assert any(line.startswith(f"{shifted}:10: Parse error on line 10") for line in lines), lines
    assert not any(str(html) in line for line in lines), lines
    # The good ones were still rendered and cached; the failed ones left nothing behind.
    assert stale_diagrams(sources, SETTINGS, repo_root=REPO, cache_dir=tmp_path / "cache") == ["broken", "broken2"]
    rendered = render_diagrams({"html": html}, SETTINGS, repo_root=REPO, cache_dir=tmp_path / "cache")["html"]
    assert rendered.scene is not None and "foreignObject" not in rendered.svg_path.read_text(encoding="utf-8")
    assert len(rendered.warnings) == 1 and rendered.warnings[0].startswith(f"{html}:1: %%{{init}}%%: htmlLabels")


def test_fresh_render_meets_minimum_size_and_replaces_old_files(browser: None, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    tiny = _write(tmp_path, "a", "flowchart LR\n  A[甲] --> B[乙]\n")
    other = _write(tmp_path, "a-b", "sequenceDiagram\n  客户端->>服务端: 请求\n  服务端-->>客户端: 响应\n")
    first = render_diagrams({"a": tiny, "a-b": other}, SETTINGS, repo_root=REPO, cache_dir=cache)
    for r in first.values():
        assert max(r.png_size) >= SETTINGS.min_png_long_side, r
        assert "foreignObject" not in r.svg_path.read_text(encoding="utf-8")
    tiny.write_text("flowchart LR\n  A[甲] --> C[丙]\n", encoding="utf-8")
    second = render_diagrams({"a": tiny, "a-b": other}, SETTINGS, repo_root=REPO, cache_dir=cache)
    names = sorted(p.name for p in cache.iterdir())
    # The old "a-…" files are gone; "a-b-…" (same prefix) survives untouched.
    kept = [second["a"], first["a-b"]]
    assert names == sorted(n for r in kept for n in (r.svg_path.name, r.png_path.name,
                                                     r.svg_path.name.replace(".svg", ".scene.json")))


INJECTION = """flowchart LR
  A["<script>alert('x')</script>脚本"] --> B["<img src=x onerror=alert(1)>图片"]
  B --> C["<img src='http://127.0.0.1:9/leak.png' onerror=document.title='pwned'>外链"]
  C --> D["<a href='javascript:alert(2)'>链接</a>"]
  click A href "javascript:alert(1)"
  click B call alert(3)
"""


def test_injection_runs_nothing_and_fetches_nothing(browser: None, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # The product's own launch, as a build makes it (the other tests share one browser: BROWSERS).
    BROWSERS.stop()  # a second Playwright cannot start beside the pool's
    monkeypatch.setattr(RenderSession, "_launch", OWN_LAUNCH)
    with RenderSession(SETTINGS, repo_root=REPO, needed_for=["inject"]) as session:
        out = session.render("inject", INJECTION, label="inject.mmd")
        svg, png = out.svg, out.png
        assert session.requests == []
        assert session.dialogs == []
        assert session.page_errors == []
        assert session.page.title() != "pwned"
        assert session.executable and session.page.context.browser.is_connected()
        assert BROWSERS.idle()  # the session's own browser, not the pool's
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    _assert_nothing_executable(svg)
    assert "onerror" not in svg.lower()
    assert "javascript:" not in svg.lower()
    # The public API takes the same path and writes a clean file.
    src = _write(tmp_path, "inject", INJECTION)
    rendered = render_diagrams({"inject": src}, SETTINGS, repo_root=REPO, cache_dir=tmp_path / "cache")
    _assert_nothing_executable(rendered["inject"].svg_path.read_text(encoding="utf-8"))


def test_new_shapes_render_the_same_every_time(browser: None) -> None:
    """Mermaid 11 draws its new shapes with rough.js: seeded (handDrawnSeed), a render is reproducible."""
    source = 'flowchart LR\n  a@{ shape: notch-pent, label: "a" } --> b@{ shape: bolt }\n  b --> c@{ shape: docs }\n'
    with RenderSession(SETTINGS, repo_root=REPO, needed_for=["one", "two"]) as session:
        one, two = (session.render(name, source, label=f"{name}.mmd") for name in ("one", "two"))
    assert one.svg.replace("diagram-one", "diagram-two") == two.svg
    assert one.scene == two.scene and one.png == two.png
