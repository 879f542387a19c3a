"""The wheel, installed (not editable) into a fresh venv, works away from the checkout: the
bundled bank, themes, diagram cache and Mermaid build are package data.

The venv gets the wheel only; the dependencies come from the environment running the tests
(a .pth file pointing at its site-packages), so nothing is downloaded."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import deck
from deck import resources
from deck.diagrams.discovery import find_browser

REPO = Path(__file__).resolve().parents[2]
SEED = Path(__file__).resolve().parents[1] / "seed.md"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return env | {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}


def _run(args: list[str | Path], cwd: Path, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    """args run with the test's environment, less its Python paths; path goes first on PATH."""
    env = _env() | ({"PATH": f"{path}{os.pathsep}{os.environ['PATH']}"} if path else {})
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


# LibreOffice's stand-in on PATH where the PDFs are not what is checked (~3 s of the installed build):
# a one-line PDF for each deck, named as LibreOffice names it.
FAKE_SOFFICE = """#!/bin/sh
out=.; decks=""
while [ $# -gt 0 ]; do case "$1" in --outdir) out=$2; shift;; *.pptx) decks="$decks $1";; esac; shift; done
mkdir -p "$out"
for deck in $decks; do printf '%%PDF-1.4\\n%%%%EOF\\n' > "$out/$(basename "$deck" .pptx).pdf"; done
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the sources, so the checkout gets no build/ or egg-info."""
    src = tmp_path_factory.mktemp("src")
    for folder in ("deck", "content", "templates"):
        shutil.copytree(REPO / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    out = tmp_path_factory.mktemp("wheels")
    done = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                 "-w", out, src], cwd=src)
    assert done.returncode == 0, done.stderr
    (whl,) = out.glob("*.whl")
    return whl


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    root = tmp_path_factory.mktemp("venv")
    assert _run([sys.executable, "-m", "venv", "--without-pip", root], cwd=root).returncode == 0
    python = root / "bin" / "python"
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root)
    # The dependencies, visible but after the venv's own site-packages (which holds the wheel).
    (Path(purelib.stdout.strip()) / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    done = _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel],
                cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def test_wheel_holds_the_package_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    # Every module and data file: the package, and the top-level bank and themes under their package names.
    expected = {f"{prefix}/{p.relative_to(REPO / folder).as_posix()}"
                for folder, prefix in (("deck", "deck"), ("content", "deck/bank"), ("templates", "deck/templates"))
                for p in (REPO / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert expected - names == set()
    assert {"deck/bank/deck.yaml", "deck/templates/default/theme.yaml", "deck/vendor/mermaid/LICENSE"} <= names
    assert f"Version: {deck.__version__}\n" in metadata  # the version has one source: deck/__init__.py


def test_installed_deck_builds_the_bundled_bank_from_any_folder(venv: Path, tmp_path: Path) -> None:
    where = _run([venv / "bin/python", "-c", "import deck; print(deck.__file__)"], cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv), where
    fake = tmp_path / "fake-libreoffice"
    fake.mkdir()
    (fake / "soffice").write_text(FAKE_SOFFICE, encoding="utf-8")
    (fake / "soffice").chmod(0o755)
    done = _run([venv / "bin/deck", "build", "-q", "-v"], cwd=tmp_path, path=fake)
    assert done.returncode == 0, done.stderr
    assert {"study.pptx", "mock.pptx", "mock-scorecard.pptx", "handout.pptx"} <= {
        p.name for p in (tmp_path / "build").iterdir()}
    assert "diagrams: 5 shown, 5 cached, 0 to render" in done.stderr  # the committed cache ships too
    assert "from the copy shipped in the package" in done.stderr  # no node_modules outside a checkout


def test_installed_init_and_import(venv: Path, tmp_path: Path) -> None:
    deck_cmd = venv / "bin/deck"
    assert _run([deck_cmd, "import", SEED, "-o", "y"], cwd=tmp_path).returncode == 0
    checked = _run([deck_cmd, "check", "--content", "y"], cwd=tmp_path)
    assert checked.returncode == 0 and "30 questions" in checked.stdout, checked.stderr
    assert _run([deck_cmd, "init", "x", "--lang", "en"], cwd=tmp_path).returncode == 0
    if find_browser() is None:
        pytest.skip("no Chromium: cannot render the starter diagram with the shipped Mermaid")
    done = _run([deck_cmd, "build", "-q", "-v", "--content", "x", "--profile", "study", "-o", "x.pptx"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 to render; mermaid 11" in done.stderr and "from the copy shipped in the package" in done.stderr
    assert (tmp_path / "x.pptx").stat().st_size > 20_000


def test_vendored_mermaid_is_the_pinned_version() -> None:
    pinned = json.loads((REPO / "package.json").read_text(encoding="utf-8"))["dependencies"]["mermaid"]
    vendored = resources.vendored_mermaid()
    assert json.loads((vendored / "package.json").read_text(encoding="utf-8"))["version"] == pinned
    assert "MIT License" in (vendored / "LICENSE").read_text(encoding="utf-8")
    modules = REPO / "node_modules/mermaid"
    if not modules.is_dir():
        pytest.skip("node_modules/mermaid is missing (run `npm ci`); version checked against package.json only")
    assert json.loads((modules / "package.json").read_text(encoding="utf-8"))["version"] == pinned
    digest = [hashlib.sha256(p.read_bytes()).hexdigest()
              for p in (vendored / "mermaid.min.js", modules / "dist/mermaid.min.js")]
    assert digest[0] == digest[1], "the shipped copy differs from node_modules: run scripts/vendor-mermaid.sh"
