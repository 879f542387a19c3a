"""One build: content -> plans -> .pptx files (+ PDFs), all or nothing per file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deck import REPO
from deck.model import Bank
from deck.profiles import MockOptions
from deck.theme import Theme

if TYPE_CHECKING:
    from deck.diagrams import RenderedDiagram


@dataclass(frozen=True)
class BuildRequest:
    content: Path
    profiles: tuple[str, ...]
    out_dir: Path
    target: Path | None  # explicit output file for a single profile
    theme: str
    cache: Path
    pdf: bool
    mock: MockOptions
    force: bool = False  # overwrite outputs that are not unchanged outputs of ours


def build(req: BuildRequest, progress: Callable[[str], None]) -> list[Path]:
    """Everything is planned and rendered in memory before the first file is written,
    so bad content or a failing diagram leaves every existing output untouched."""
    from deck import handout, profiles
    from deck.content import load_bank
    from deck.files import check_targets, write_output
    from deck.render import render
    from deck.theme import load_theme

    progress(f"loading {req.content}")
    bank = load_bank(req.content)
    theme = load_theme(req.theme)
    progress(f"{len(bank.sections)} sections, {len(bank.questions)} questions; diagrams")
    rendered = bank_diagrams(bank, theme, req.cache)
    sizes = {k: v.png_size for k, v in rendered.items()}

    outputs: list[tuple[Path, bytes, bool]] = []  # (path, data, always exported to PDF: meant for paper)
    for profile in req.profiles:
        progress(f"planning and rendering {profile}")
        if profile == "study":
            plan = profiles.study(bank, theme, sizes)
        elif profile == "mock":
            plan = profiles.mock(bank, theme, req.mock)
            card = handout.scorecard(bank, theme, req.mock)
            card_path = req.target.with_name(req.target.stem + "-scorecard.pptx") if req.target else \
                req.out_dir / "mock-scorecard.pptx"
            outputs.append((card_path, render(card), True))
        else:
            plan = handout.handout(bank, theme, sizes)
        path = req.target or req.out_dir / f"{profile}.pptx"
        outputs.append((path, render(plan, rendered), profile == "handout"))

    pdf_inputs = [path for path, _, paper in outputs if paper or req.pdf]
    # Every target, PDFs included, before the first write: all or nothing.
    check_targets([path for path, _, _ in outputs] + [p.with_suffix(".pdf") for p in pdf_inputs], req.force)
    for path, data, _ in outputs:
        write_output(path, data)
    written = [path for path, _, _ in outputs]
    if pdf_inputs:
        from deck.export import ExportError, to_pdf

        progress(f"exporting {len(pdf_inputs)} PDF(s) with LibreOffice")
        try:
            written += to_pdf(pdf_inputs)
        except ExportError as exc:
            if req.pdf:
                raise
            print(f"warning: {exc}", file=sys.stderr)
    return written


def bank_diagrams(bank: Bank, theme: Theme, cache: Path, force: bool = False) -> dict[str, RenderedDiagram]:
    """Render (or take from the cache) every diagram the bank shows."""
    from deck.diagrams import render_diagrams

    needed = {d for s in bank.sections for d in s.diagrams} | (
        {bank.overview_diagram} if bank.overview_diagram else set())
    if not needed:
        return {}
    sources = {d: bank.diagrams[d].source_path for d in sorted(needed)}
    cache.mkdir(parents=True, exist_ok=True)
    return render_diagrams(sources, theme.diagrams, repo_root=REPO, cache_dir=cache, force=force)
