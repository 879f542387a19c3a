"""One build: content -> plans -> .pptx files (+ PDFs), all or nothing per file."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from deck import resources
from deck.content.model import Bank, Reveal
from deck.errors import DeckError, os_error, printable
from deck.planning.selection import MockOptions
from deck.theme.settings import Theme

if TYPE_CHECKING:
    from deck.diagrams.cache import RenderedDiagram
    from deck.diagrams.scene import Scene
    from deck.plan import DeckPlan
    from deck.render.template import Template


@dataclass(frozen=True)
class BuildRequest:
    content: Path
    profiles: tuple[str, ...]
    out_dir: Path
    target: Path | None  # explicit output file for a single profile
    theme: str | None  # --theme; None: deck.yaml's `theme:`, else "default"
    cache: Path
    pdf: bool
    mock: MockOptions
    force: bool = False  # overwrite outputs that are not unchanged outputs of ours
    reveal: Reveal | None = None  # None: deck.yaml's profiles.<name>.reveal, else slides
    verbose: bool = False  # say where the bank, theme and Mermaid come from
    template: Path | None = None  # --template; None: deck.yaml's `template:`, else our own slides


Output = tuple[Path, bytes, bool]  # (path, data, always exported to PDF: meant for paper)


@dataclass(frozen=True)
class Job:
    """What every profile's maker reads: the request, the bank, both looks and the diagrams."""
    req: BuildRequest
    bank: Bank
    theme: Theme  # our own look: the Anki cards
    slides_theme: Theme  # the study and mock decks' look (a --template's, else ours)
    paper_theme: Theme  # the handout's and scorecard's: our A4 page, in a --template's colours and fonts
    template: Template | None
    rendered: dict[str, RenderedDiagram]

    @property
    def sizes(self) -> dict[str, tuple[int, int]]:
        return {k: v.png_size for k, v in self.rendered.items()}

    @property
    def scenes(self) -> dict[str, Scene]:
        return {k: v.scene for k, v in self.rendered.items() if v.scene is not None and self.bank.diagrams[k].native}

    def reveal(self, profile: str) -> Reveal:
        settings = self.bank.profiles.get(profile)
        return self.req.reveal or (settings and settings.reveal) or "slides"

    def deck(self, profile: str, plan: DeckPlan) -> Output:
        """A planned deck as .pptx bytes: on the template if it takes one, else our own package."""
        from deck.render.writer import render

        path = self.req.target or self.req.out_dir / f"{profile}.pptx"
        if self.template is None or not PROFILES[profile].template:
            return path, render(plan, self.rendered), PROFILES[profile].paper
        from deck.render.template_writer import render as template_render  # python-pptx: only for a template

        return path, template_render(plan, self.template, self.rendered), PROFILES[profile].paper


def _study(job: Job) -> list[Output]:
    from deck.planning import profiles

    return [job.deck("study", profiles.study(job.bank, job.slides_theme, job.sizes, job.reveal("study"),
                                             job.scenes))]


def _mock(job: Job) -> list[Output]:
    """The mock interview and the interviewer's scorecard beside it."""
    from deck.planning import handout, profiles
    from deck.render.writer import render

    req = job.req
    card_path = req.target.with_name(req.target.stem + "-scorecard.pptx") if req.target else \
        req.out_dir / "mock-scorecard.pptx"
    plan = profiles.mock(job.bank, job.slides_theme, replace(req.mock, reveal=job.reveal("mock"),
                                                             scorecard=card_path.with_suffix(".pdf").name))
    return [(card_path, render(handout.scorecard(job.bank, job.paper_theme, req.mock)), True), job.deck("mock", plan)]


def _handout(job: Job) -> list[Output]:
    from deck.planning import handout

    return [job.deck("handout", handout.handout(job.bank, job.paper_theme, job.sizes, job.scenes))]


def _anki(job: Job) -> list[Output]:
    """A package for spaced repetition, not a deck: no plan, no PDF."""
    from deck.export.anki import ANKI_FILE, anki_package

    return [(job.req.target or job.req.out_dir / ANKI_FILE, anki_package(job.bank, job.theme, job.rendered), False)]


@dataclass(frozen=True)
class Profile:
    make: Callable[[Job], list[Output]]
    suffix: str  # of its output file
    diagrams: bool  # shows diagrams: a build without such a profile starts no browser
    template: bool  # takes a --template's whole look (a paper profile takes its colours and fonts)
    paper: bool  # always exported to PDF: meant for print


# The one table of profiles: `deck build --profile` offers these names, in this order, and `all` builds them all.
PROFILES: dict[str, Profile] = {
    "study": Profile(_study, ".pptx", diagrams=True, template=True, paper=False),
    "mock": Profile(_mock, ".pptx", diagrams=False, template=True, paper=False),
    "handout": Profile(_handout, ".pptx", diagrams=True, template=False, paper=True),
    "anki": Profile(_anki, ".apkg", diagrams=True, template=False, paper=False),
}


def build(req: BuildRequest, progress: Callable[[str], None], say: Callable[[str], None]) -> list[Path]:
    """Everything is planned and rendered in memory before the first file is written,
    so bad content or a failing diagram leaves every existing output untouched. progress gets
    the stages; say what a person must read (warnings, --verbose facts): the CLI prints both."""
    from deck.content.load import load_bank
    from deck.export.files import check_targets
    from deck.theme.settings import bank_theme

    unknown = [name for name in req.profiles if name not in PROFILES]
    if unknown:
        raise DeckError(f"unknown profile {unknown[0]!r}; choose from {', '.join(PROFILES)}")
    gc.unfreeze()  # an earlier build in this process (tests): its leftovers may be collected now
    progress(f"loading {req.content}")
    with _long_lived():
        bank = load_bank(req.content)
    for warning in bank.warnings:
        say(f"warning: {printable(warning)}")
    theme = bank_theme(bank, req.theme)
    # The handout and scorecard (the mock's) take a template's colours and fonts on our own page.
    takes_template = any(PROFILES[p].template or PROFILES[p].paper for p in req.profiles)
    template = _template(req, bank, say) if takes_template else None
    progress(f"{len(bank.sections)} sections, {len(bank.questions)} questions; diagrams")
    if req.verbose:
        _explain(req, bank, theme, say)
    # A build of profiles that show no diagram (mock alone) needs no browser.
    rendered = bank_diagrams(bank, theme, req.cache) if any(PROFILES[p].diagrams for p in req.profiles) else {}
    for warning in diagram_warnings(bank, theme, rendered):
        say(f"warning: {printable(warning)}")
    slides_theme, paper_theme = _template_looks(theme, template, say) if template else (theme, theme)
    job = Job(req, bank, theme, slides_theme, paper_theme, template, rendered)

    outputs: list[Output] = []
    for profile in req.profiles:
        progress(f"planning and rendering {profile}")
        with _long_lived():
            outputs += PROFILES[profile].make(job)

    pdf_inputs = [path for path, _, paper in outputs if paper or (req.pdf and path.suffix == ".pptx")]
    # Every target, PDFs included, before the first write: all or nothing.
    check_targets([path for path, _, _ in outputs] + [p.with_suffix(".pdf") for p in pdf_inputs], req.force)
    pdfs, failure = _pdfs([(path, data) for path, data, _ in outputs if path in pdf_inputs], progress)
    written = _write_pairs(outputs, pdfs, pdf_inputs, say)
    if failure:
        if req.pdf:
            raise failure
        say(f"warning: {failure}")
    return written


@contextlib.contextmanager
def _long_lived() -> Iterator[None]:
    """What loading, planning and rendering make lives to the end of the build (the bank, caches,
    plans), with little cyclic garbage (under a thousand objects a study build), yet the collector's
    passes over it, the last one at exit, cost ~90 ms of a one-second study build. So none runs
    meanwhile, and what was made is then frozen out of later passes; reference counting still
    frees everything not in a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _pdfs(decks: list[tuple[Path, bytes]],
          progress: Callable[[str], None]) -> tuple[dict[Path, bytes], DeckError | None]:
    """PDFs of the decks, made before anything is written: an interrupt or a failure during the
    slow LibreOffice run leaves every old deck and PDF as it was."""
    if not decks:
        return {}, None
    from deck.export.pdf import ExportError, pdf_bytes

    progress(f"exporting {len(decks)} PDF(s) with LibreOffice")
    try:
        made = pdf_bytes({path.name: data for path, data in decks})
    except ExportError as exc:
        return {}, exc
    return {path: made[path.name] for path, _ in decks}, None


def _write_pairs(outputs: list[tuple[Path, bytes, bool]], pdfs: dict[Path, bytes],
                 pdf_inputs: list[Path], say: Callable[[str], None]) -> list[Path]:
    """Each deck with its PDF, as a pair that an interrupt does not split; a deck whose PDF could
    not be made loses its old PDF (which would show another version), and we say so."""
    from deck.export.files import interrupts_deferred, remove_output, write_output

    written = []
    for path, data, _ in outputs:
        pdf = path.with_suffix(".pdf")
        with interrupts_deferred():
            write_output(path, data)
            written.append(path)
            if path in pdfs:
                try:
                    write_output(pdf, pdfs[path])
                except DeckError:  # e.g. disk full: no PDF of the old deck may stay beside the new one
                    with contextlib.suppress(DeckError, OSError):
                        remove_output(pdf)
                    raise
                written.append(pdf)
            elif path in pdf_inputs and os.path.lexists(pdf):
                remove_output(pdf)
                say(f"warning: removed {pdf}: it was made from the previous {path.name}")
    return written


def _template_looks(theme: Theme, template: Template, say: Callable[[str], None]) -> tuple[Theme, Theme]:
    """The slides' look on a template, and the handout's: our A4 page in its colours and fonts."""
    from deck.render.template_style import paper_theme, styled_theme  # python-pptx: only for a template

    warnings: list[str] = []
    slides = styled_theme(theme, template, warnings)
    for warning in warnings:
        say(f"warning: {warning}")
    return slides, paper_theme(theme, slides, template)


def _template(req: BuildRequest, bank: Bank, say: Callable[[str], None]) -> Template | None:
    """--template, else deck.yaml's template: (relative to the bank); checked and read before planning."""
    path = req.template or (bank.root / bank.template if bank.template and bank.root else None)
    if path is None:
        return None
    from deck.render.template import describe, load_template  # python-pptx: only for a template

    template = load_template(path.expanduser())
    if req.verbose:
        say("\n".join(describe(template)))
    return template


def _explain(req: BuildRequest, bank: Bank, theme: Theme, say: Callable[[str], None]) -> None:
    from deck.diagrams.cache import stale_diagrams
    from deck.diagrams.discovery import mermaid_build

    say(f"content: {bank.root}\ntheme: {theme.name} ({theme.folder})\ndiagram cache: {req.cache}")
    sources = _sources(bank)
    stale = stale_diagrams(sources, theme.diagrams, repo_root=resources.checkout_root(), cache_dir=req.cache)
    say(f"diagrams: {len(sources)} shown, {len(sources) - len(stale)} cached, {len(stale)} to render; "
        f"{mermaid_build(resources.checkout_root()).describe()}")


def _sources(bank: Bank) -> dict[str, Path]:
    needed = {d for s in bank.sections for d in s.diagrams} | (
        {bank.overview_diagram} if bank.overview_diagram else set())
    return {d: bank.diagrams[d].source_path for d in sorted(needed)}


def bank_diagrams(bank: Bank, theme: Theme, cache: Path, force: bool = False) -> dict[str, RenderedDiagram]:
    """Render (or take from the cache) every diagram the bank shows."""
    from deck.diagrams.cache import render_diagrams, stale_diagrams

    sources = _sources(bank)
    if not sources:
        return {}
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, cache, "cannot create the diagram cache") from None
    settings = theme.diagrams
    root = resources.checkout_root()
    stale = list(sources) if force else stale_diagrams(sources, settings, repo_root=root, cache_dir=cache)
    if stale and not os.access(cache, os.W_OK | os.X_OK):  # say so before the browser starts
        raise DeckError(f"diagram cache '{cache}' is not writable, and {', '.join(stale)} must be rendered into "
                        "it; pass --cache DIR to use another folder")
    return render_diagrams(sources, settings, repo_root=root, cache_dir=cache, force=force)


def diagram_warnings(bank: Bank, theme: Theme, rendered: dict[str, RenderedDiagram]) -> list[str]:
    """What `deck build` and `deck check` both say about the diagrams: what a source held that we
    dropped or cannot draw, and labels a room cannot read (under the theme's legible_min on a slide)."""
    from deck.diagrams.shapes import label_fit
    from deck.diagrams.sources import source_label
    from deck.planning.compose import Page
    from deck.planning.slides import diagram_room

    warnings = [w for _, r in sorted(rendered.items()) for w in r.warnings]
    room = diagram_room(Page.slide(theme, theme.labels(bank.language)))
    cfg = theme.diagram_shapes
    for did, r in sorted(rendered.items()):
        if r.scene is None or not bank.diagrams[did].native:
            continue
        fit = label_fit(r.scene, room, theme)
        if fit.fits and fit.size >= cfg.legible_min:
            continue
        name = f"{source_label(bank.diagrams[did].source_path, resources.checkout_root())}: diagram '{did}'"
        wide = r.scene.width / r.scene.height > room.w / room.h
        todo = f"it is {'wider' if wide else 'taller'} than a slide: "
        turn = "TB" if wide else "LR"
        if _direction(bank.diagrams[did].source_path) not in (("TB", "TD", "BT") if wide else ("LR", "RL")):
            todo += f"lay it out {'top to bottom' if wide else 'left to right'} (flowchart {turn}), "
        todo += f"group nodes in subgraphs (direction {turn}), shorten labels, or split it into two diagrams"
        if not fit.fits:
            warnings.append(f"{name}: labels do not fit their nodes even at {cfg.label_min:g} pt, so it is drawn as "
                            f"a picture; {todo}")
        else:
            warnings.append(f"{name}: labels would be {fit.size:g} pt on a slide, under the theme's "
                            f"{cfg.legible_min:g} pt (diagram_shapes.legible_min); {todo}")
    return warnings


def _direction(path: Path) -> str | None:
    """The direction a flowchart's header names (TB, LR, ...), if the source says."""
    import re

    with contextlib.suppress(OSError, UnicodeDecodeError):
        found = re.search(r"^\s*(?:flowchart|graph)\s+(TB|TD|BT|LR|RL)\b", path.read_text(encoding="utf-8"), re.M)
        return found[1] if found else None
    return None
