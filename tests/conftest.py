"""Shared fixtures: the bundled bank built once per session, its PDFs, the schemas."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from lxml import etree

from deck.cli import main

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "deck" / "bank"
XSD_DIR = REPO.parent / "shared" / "ooxml-xsd"
STRESS = Path(__file__).resolve().parent / "stress"


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
                from deck.export import to_pdf

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
