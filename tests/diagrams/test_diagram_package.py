"""The diagrams package itself: its page scripts are valid JavaScript, the theme's settings reach
Mermaid as given, and what a render reports comes back from the cache on every build."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from conftest import SETTINGS
from PIL import Image

from deck.diagrams import cache
from deck.diagrams.scene import from_json
from deck.diagrams.session import Render, mermaid_config, render_script

SCRIPTS = sorted(p.name for p in resources.files("deck.diagrams").iterdir() if p.name.endswith(".js"))
DATA = Path(__file__).resolve().parents[1] / "data"


def test_the_page_scripts_are_there() -> None:
    assert set(SCRIPTS) == {"colors.js", "inline_styles.js", "rich_text.js", "portable.js", "scene.js", "render.js"}
    script = render_script()
    assert script.startswith("async (args) => {") and "sceneOf" in script and "inlineStyles" in script


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_page_script_passes_node_check(name: str, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs node for `node --check`")
    path = Path(str(resources.files("deck.diagrams").joinpath(name)))
    done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # The check can fail: a broken copy is refused.
    bad = tmp_path / name
    bad.write_text(path.read_text(encoding="utf-8") + "\n}{\n", encoding="utf-8")
    assert subprocess.run([node, "--check", str(bad)], capture_output=True).returncode != 0


def test_the_whole_render_function_parses(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs node for `node --check`")
    path = tmp_path / "whole.js"
    path.write_text(f"const run = {render_script()};\n", encoding="utf-8")
    done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_theme_settings_reach_mermaid_as_written() -> None:
    config = mermaid_config(SETTINGS)
    assert config["flowchart"]["rankSpacing"] == 30 and config["flowchart"]["subGraphTitleMargin"] == {
        "top": 4, "bottom": 6}
    assert config["flowchart"]["curve"] == "basis"  # a default the theme did not override
    assert config["themeVariables"]["lineColor"] == "#5B6770"
    assert config["themeVariables"]["fontSize"] == f"{SETTINGS.font_size}px"
    assert SETTINGS.data()["scale"] == 3 and isinstance(SETTINGS.data()["scale"], int)  # as the committed keys


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def _fake_session(render: Callable[[str], Render]) -> type:
    """A stand-in for deck.diagrams.session.RenderSession: no browser, render(id) decides."""

    class FakeSession:
        def __init__(self, *_args: object, **_kw: object) -> None:
            pass

        def __enter__(self) -> FakeSession:
            return self

        def __exit__(self, *_exc: object) -> None:
            pass

        def render(self, diagram_id: str, source: str, *, label: str) -> Render:
            return render(diagram_id)

    return FakeSession


def test_a_picture_reason_is_reported_on_every_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A flowchart the DOM showed we cannot draw stays a picture, and says why on every build,
    also when it comes from the cache (it was once printed by the renderer, once)."""
    src = tmp_path / "odd.mmd"
    src.write_text("flowchart LR\n  A --> B\n", encoding="utf-8")
    calls: list[str] = []

    def render(diagram_id: str) -> Render:
        calls.append(diagram_id)
        return Render("<svg/>", _png(1800, 900), None, ("node X not found in the SVG",))

    FakeSession = _fake_session(render)

    from deck.diagrams import session

    monkeypatch.setattr(session, "RenderSession", FakeSession)
    builds = [cache.render_diagrams({"odd": src}, SETTINGS, repo_root=None, cache_dir=tmp_path / "c")["odd"]
              for _ in range(2)]
    assert calls == ["odd"]  # the second build came from the cache
    for r in builds:
        assert r.scene is None
        assert r.warnings == (f"{src}: node X not found in the SVG; the diagram stays a picture",)


def test_a_cached_scene_is_read_back_with_no_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scene = from_json((DATA / "every-shape.scene.json").read_text(encoding="utf-8"))
    src = tmp_path / "every.mmd"
    src.write_text((DATA / "every-shape.mmd").read_text(encoding="utf-8"), encoding="utf-8")

    FakeSession = _fake_session(lambda _diagram_id: Render("<svg/>", _png(1800, 900), scene))

    from deck.diagrams import session

    monkeypatch.setattr(session, "RenderSession", FakeSession)
    r = cache.render_diagrams({"every": src}, SETTINGS, repo_root=None, cache_dir=tmp_path / "c")["every"]
    assert r.scene == scene and r.warnings == ()


def test_editing_the_page_code_makes_every_render_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The .js files run in the page are part of the cache key: no version to remember to bump."""
    before = cache.cache_key("graph TD; A-->B", SETTINGS, "11.0.0")
    package = Path(cache.__file__).parent
    for script in package.glob("*.js"):
        shutil.copy(script, tmp_path / script.name)
    monkeypatch.setattr(cache, "__file__", str(tmp_path / "cache.py"))
    try:
        cache.page_code.cache_clear()
        assert cache.cache_key("graph TD; A-->B", SETTINGS, "11.0.0") == before  # same code, same key
        with (tmp_path / "scene.js").open("a", encoding="utf-8") as js:
            js.write("\n// an edit\n")
        cache.page_code.cache_clear()
        assert cache.cache_key("graph TD; A-->B", SETTINGS, "11.0.0") != before
    finally:
        monkeypatch.undo()
        cache.page_code.cache_clear()
