"""Shared fixtures: the bundled bank built once per session, its PDFs, the schemas."""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from lxml import etree

from deck.cli import main
from deck.diagrams.discovery import MERMAID_JS, find_browser
from deck.errors import DiagramError
from deck.theme.settings import load_theme

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
XSD_DIR = REPO.parent / "shared" / "ooxml-xsd"
STRESS = Path(__file__).resolve().parent / "stress"
# The smallest valid section: two questions, every field.
SECTION = """section:
  id: demo
  number: 1
  title: 演示
questions:
  - id: first-q
    question: 什么是 KV cache？
    answer: 缓存已算过的 K 与 V，解码时只算新 token。
    follow_up: 你们的 KV cache 占多少显存？
    pitfall: 说“缓存注意力分数”。
  - id: second-q
    question: 什么是 GQA？
    answer: 多个 query 头共享一组 KV 头。
    follow_up: 组数怎么选？
    pitfall: 与 MQA 混为一谈。
"""


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All three profiles of the bundled bank (diagrams from the committed cache)."""
    out = tmp_path_factory.mktemp("build")
    assert main(["build", "-q", "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def stress_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stress")
    assert main(["build", "-q", "--content", str(STRESS), "--profile", "study",
                 "-o", str(out / "study.pptx")]) == 0
    return out / "study.pptx"


def no_libreoffice(decks: dict[str, bytes]) -> dict[str, bytes]:
    """Stands in for deck.export.pdf.pdf_bytes where PDFs are not under test (LibreOffice is the
    slow part): a placeholder PDF per deck, so the build writes everything as usual."""
    return {name: b"%PDF-1.4\n% placeholder: LibreOffice stubbed out by the test\n" for name in decks}


def need_soffice() -> None:
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed")


@pytest.fixture(scope="session")
def pdf_of(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """Convert a deck to PDF once per session (LibreOffice is the slow part)."""
    cache: dict[Path, Path] = {}

    def convert(deck: Path) -> Path:
        need_soffice()
        if deck not in cache:
            existing = deck.with_suffix(".pdf")
            if existing.exists() and existing.stat().st_mtime >= deck.stat().st_mtime:
                cache[deck] = existing
            else:
                from deck.export.pdf import to_pdf

                cache[deck] = to_pdf([deck])[0]
        return cache[deck]

    return convert


@pytest.fixture(scope="session")
def pml_schema() -> etree.XMLSchema:
    if not (XSD_DIR / "pml.xsd").exists():
        pytest.skip(f"OOXML schemas not found at {XSD_DIR}")
    return etree.XMLSchema(etree.parse(str(XSD_DIR / "pml.xsd")))


# CI runs the same generated examples every time (a failure reproduces); locally they vary.
if os.environ.get("CI"):
    settings.register_profile("ci", derandomize=True, database=None, deadline=None)
    settings.load_profile("ci")


# Diagrams: the bundled sources and committed renders; a browser when one can be had.
DIAGRAM_DIR = REPO / "content/diagrams"
CACHE = REPO / "deck/diagram-cache"
SETTINGS = load_theme().diagrams
SOURCES = {p.stem: p for p in sorted(DIAGRAM_DIR.glob("*.mmd"))}
BUNDLED = {"pipeline", "transformer-block", "rope-scaling", "zero3-sharding", "speculative-decoding"}
SVG_NS = "{http://www.w3.org/2000/svg}"


@functools.cache
def no_browser_reason() -> str | None:
    if not (REPO / MERMAID_JS).is_file():
        return "node_modules/mermaid is missing (run `npm ci`)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "the playwright package is not installed"
    try:
        if find_browser() is not None:
            return None
    except DiagramError as exc:
        return str(exc)
    with sync_playwright() as pw:
        return None if find_browser(pw) else "no Chromium/Chrome found (apt-get install chromium)"


@pytest.fixture
def browser() -> None:
    reason = no_browser_reason()
    if reason:
        pytest.skip(f"needs a browser: {reason}")
