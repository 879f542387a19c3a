"""What build and check say about diagrams: ignored Mermaid settings, dropped clicks, labels a
room cannot read; the same lines from both commands; never a label overflowing its node."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from conftest import CACHE, REPO, SETTINGS, SOURCES, bundled_bank

from deck.build import diagram_warnings
from deck.cli import main
from deck.content.model import Diagram
from deck.content.scaffold import starter_files, write_new_bank
from deck.diagrams.cache import RenderedDiagram, render_diagrams
from deck.diagrams.scene import Scene
from deck.diagrams.shapes import label_fit
from deck.plan import Group, Picture
from deck.planning.compose import Page
from deck.planning.slides import diagram_room, diagram_slide
from deck.theme.settings import load_theme

BANK = bundled_bank()


def _stretched(scene: Scene, fx: float, fy: float) -> Scene:
    """The same labels in a larger layout: what a diagram with many more ranks does to them."""
    return dataclasses.replace(scene, width=scene.width * fx, height=scene.height * fy)


def _pipeline() -> Scene:
    scene = render_diagrams(SOURCES, SETTINGS, repo_root=REPO, cache_dir=CACHE)["pipeline"].scene
    assert scene is not None
    return scene


def _rendered(scene: Scene) -> dict[str, RenderedDiagram]:
    return {"pipeline": RenderedDiagram("pipeline", Path("p.svg"), Path("p.png"), (1600, 800), scene)}


def test_small_labels_warn_naming_the_diagram_and_what_to_do() -> None:
    theme = load_theme()
    scene = _pipeline()
    room = diagram_room(Page.slide(theme, theme.labels("zh-CN")))
    assert label_fit(scene, room, theme).size >= theme.diagram_shapes.legible_min
    assert diagram_warnings(BANK, theme, _rendered(scene)) == []
    tall = _stretched(scene, 1, 1.6)
    size = label_fit(tall, room, theme)
    assert size.fits and size.size < theme.diagram_shapes.legible_min
    (warning,) = diagram_warnings(BANK, theme, _rendered(tall))
    assert warning.startswith("content/diagrams/pipeline.mmd: diagram 'pipeline': labels would be ")
    assert f"under the theme's {theme.diagram_shapes.legible_min:g} pt" in warning
    assert "taller than a slide" in warning and "subgraphs" in warning and "split" in warning
    assert "lay it out left to right (flowchart LR)" in warning  # pipeline is TB
    (wide,) = diagram_warnings(BANK, theme, _rendered(_stretched(scene, 1.6, 1)))
    assert "wider than a slide: group nodes in subgraphs (direction TB)" in wide  # TB already: no turn advised


def test_labels_that_cannot_fit_make_a_picture_not_overflowing_text() -> None:
    theme = load_theme()
    scene = _stretched(_pipeline(), 1, 6)
    c = Page.slide(theme, theme.labels("zh-CN"))
    assert not label_fit(scene, diagram_room(c), theme).fits
    d = Diagram("pipeline", "title", "caption", "", SOURCES["pipeline"])
    slide = diagram_slide(c, d, "k", (1600, 800), "footer", 1, scene=scene)
    assert any(isinstance(e, Picture) for e in slide.elements)
    assert not any(isinstance(e, Group) for e in slide.elements)
    (warning,) = diagram_warnings(BANK, theme, _rendered(scene))
    assert "do not fit their nodes" in warning and "drawn as a picture" in warning
    # The bundled ones fit and are native.
    fitted = diagram_slide(c, d, "k", (1600, 800), "footer", 1, scene=_pipeline())
    assert any(isinstance(e, Group) for e in fitted.elements)


NOISY = """%%{init: {'theme': 'base', 'flowchart': {'htmlLabels': true, 'curve': 'linear'}}}%%
flowchart LR
  A[Client] --> B[Proxy]
  B --> C[App]
  click A href "mailto:ops@example.com"
"""


def test_check_prints_the_same_diagram_warnings_as_build(browser: None, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    bank = tmp_path / "bank"
    write_new_bank(bank, starter_files("en"))
    (bank / "diagrams/request-flow.mmd").write_text(NOISY, encoding="utf-8")
    cache = tmp_path / "cache"
    assert main(["check", "--content", str(bank), "--cache", str(cache)]) == 0
    checked = [line for line in capsys.readouterr().out.splitlines() if line.startswith("warning:")]
    study = str(tmp_path / "study.pptx")  # the study deck: no handout, so no LibreOffice
    assert main(["build", "-q", "--content", str(bank), "--cache", str(cache), "--profile", "study", "-o", study]) == 0
    built = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert checked == built and len(built) == 2, built
    assert re.match(r"warning: \S*request-flow\.mmd:1: %%\{init\}%%: flowchart\.curve, flowchart\.htmlLabels "
                    r"ignored", built[0]), built
    assert re.match(r"warning: \S*request-flow\.mmd:5: click link on A dropped", built[1]), built
