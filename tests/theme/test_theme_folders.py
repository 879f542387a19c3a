"""Themes: a shipped NAME (package data) or a PATH to a folder; deck.yaml's `theme:` is the default."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from deck import resources
from deck.cli import main

BANK = {
    "deck.yaml": "title: Theme test\nlanguage: en\ntheme: ../house-style\n",
    "01-basics.yaml": "section: {id: basics, number: 1, title: Basics}\n"
                      "questions:\n  - {id: q1, question: Why?, answer: Because.}\n",
}


def _bank_with_own_theme(tmp_path: Path) -> Path:
    theme = tmp_path / "house-style"
    shutil.copytree(resources.themes_dir() / "default", theme)
    text = (theme / "theme.yaml").read_text(encoding="utf-8")
    (theme / "theme.yaml").write_text(text.replace('primary: "1D4ED8"', 'primary: "AB1234"'), encoding="utf-8")
    root = tmp_path / "bank"
    root.mkdir()
    for name, body in BANK.items():
        (root / name).write_text(body, encoding="utf-8")
    return root


def _slide_xml(pptx: Path) -> str:
    with zipfile.ZipFile(pptx) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("ppt/slides/slide"))


def test_deck_yaml_theme_is_a_folder_beside_the_bank(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _bank_with_own_theme(tmp_path)
    out = tmp_path / "own.pptx"
    assert main(["build", "-q", "-v", "--content", str(root), "--profile", "study", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"({tmp_path / 'bank' / '../house-style'})" in err
    # --verbose names the Mermaid build: node_modules in a checkout that has it (installed: tests/e2e/test_packaging.py)
    assert "diagrams: 0 shown" in err and ("from node_modules" in err or "from the copy shipped" in err)
    assert 'val="AB1234"' in _slide_xml(out)
    # --theme wins over deck.yaml: a shipped NAME ...
    shipped = tmp_path / "shipped.pptx"
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(shipped),
                 "--theme", "default"]) == 0
    assert 'val="AB1234"' not in _slide_xml(shipped) and 'val="1D4ED8"' in _slide_xml(shipped)
    # ... or a PATH
    by_path = tmp_path / "path.pptx"
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(by_path),
                 "--theme", str(tmp_path / "house-style")]) == 0
    assert 'val="AB1234"' in _slide_xml(by_path)


def test_unknown_theme_names_the_shipped_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _bank_with_own_theme(tmp_path)
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(tmp_path / "x.pptx"),
                 "--theme", "nope"]) == 2
    err = capsys.readouterr().err
    assert "theme 'nope' not found: not a shipped theme (default) nor a folder with theme.yaml" in err
    assert not (tmp_path / "x.pptx").exists()


def test_a_theme_folder_with_only_theme_yaml_borrows_templates_and_labels(tmp_path: Path) -> None:
    theme = tmp_path / "bare"
    theme.mkdir()
    shutil.copy(resources.themes_dir() / "default" / "theme.yaml", theme / "theme.yaml")
    root = _bank_with_own_theme(tmp_path)
    out = tmp_path / "bare.pptx"
    assert main(["build", "-q", "--content", str(root), "--theme", str(theme), "--profile", "study",
                 "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        notes = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("ppt/notesSlides/"))
    assert "Because." in notes  # the default theme's notes templates, the English label table


def test_check_resolves_the_theme_and_language_it_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _bank_with_own_theme(tmp_path)
    assert main(["check", "--content", str(root)]) == 0
    (root / "deck.yaml").write_text("title: T\nlanguage: fr\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--content", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no label table for language 'fr'" in err[0]
