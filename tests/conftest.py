"""Shared fixtures: the bundled bank built once per session, its PDFs, the schemas.

LibreOffice and Chromium are most of the suite's time (2 cores): share what they make.
- built: the bundled bank's decks with stand-in PDFs (no LibreOffice; ~2 s, made by each worker, so
  its many tests spread over both); bank_pdfs: LibreOffice's PDFs of a study deck, handout and
  scorecard, in one run: of dense_sample (the bundled bank's densest questions) in `make test`, of
  the bundled bank whole in the sweep; stress_deck: the stress deck, once.
- pdf_of(deck) / pdfs_of([decks]): PDFs beside the decks, each once per session; pdfs_of converts
  several decks in ONE LibreOffice run (a start-up is ~1.2 s of CPU), so give it every deck a test
  needs at once (tests/render/test_templates.py: the slides and click decks of a template).
- A costly session or module fixture several tests share goes into SHARED_FIXTURES (or its tests get
  one @pytest.mark.xdist_group): --dist loadgroup then runs them on one worker, so it is made once.
Marks are set from the fixtures a test uses (libreoffice, browser); an unmarked test that starts
either tool fails (_slow_tools_only_where_marked), so `make test-fast` stays fast.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from lxml import etree

from deck import resources
from deck.cli import main
from deck.diagrams.discovery import LAUNCH_ARGS, MERMAID_JS, find_browser
from deck.diagrams.session import RenderSession
from deck.errors import DiagramError
from deck.export import pdf as export
from deck.theme.settings import load_theme

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
XSD_DIR = REPO.parent / "shared" / "ooxml-xsd"
STRESS = Path(__file__).resolve().parent / "stress"
ENGLISH = Path(__file__).resolve().parent / "english"  # a bank with no Chinese anywhere
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
    """Every profile of the bundled bank (diagrams from the committed cache), built through the CLI;
    the handout's and scorecard's PDFs by the LibreOffice stand-in (fake_pdf names the deck each was
    made from), so the checks of what we write need no LibreOffice: bank_pdfs has LibreOffice's."""
    out = tmp_path_factory.mktemp("build")
    with pytest.MonkeyPatch.context() as patch:
        fake_libreoffice(patch)
        assert main(["build", "-q", "-o", str(out)]) == 0
    return out


@functools.cache
def bundled_bank() -> Any:
    """The bundled bank, loaded once a worker (~0.1 s; a Bank is frozen, so tests share it)."""
    from deck.content.load import load_bank

    return load_bank(CONTENT)


def study_plans(content: Path, theme: Any = None, reveals: tuple[str, ...] = ("slides",)) -> list[Any]:
    """The study plans of a bank, one a reveal, in a theme (ours unless given), diagrams from the
    committed renders, as `deck build` makes them."""
    from deck.build import bank_diagrams
    from deck.content.load import load_bank
    from deck.planning.profiles import study

    bank = bundled_bank() if content == CONTENT else load_bank(content)
    theme = load_theme() if theme is None else theme
    rendered = bank_diagrams(bank, theme, resources.diagram_cache())
    sizes = {d: r.png_size for d, r in rendered.items()}
    scenes = {d: r.scene for d, r in rendered.items() if r.scene is not None and bank.diagrams[d].native}
    return [study(bank, theme, sizes, reveal, scenes) for reveal in reveals]


DENSE, TIGHT = 16, 6  # the dense sample's questions: the densest answers, the code rows nearest their box's edge


@pytest.fixture(scope="session")
def dense_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """The bundled bank cut to the questions where LibreOffice breaking a line otherwise than our
    measure would matter most: the DENSE whose slides our measure breaks into the most lines, the
    TIGHT whose code rows leave the least room, and each section's densest (every section, diagram
    and reference stays). The bank folder and the questions kept."""
    import yaml
    from checks import code_room, line_counts

    (plan,), theme = study_plans(CONTENT), load_theme()
    dense: dict[str, float] = {}
    room: dict[str, float] = {}
    for slide, lines, spare in zip(plan.slides, line_counts(plan, theme), code_room(plan, theme), strict=True):
        if slide.question_id:
            dense[slide.question_id] = max(dense.get(slide.question_id, 0.0), lines)
            room[slide.question_id] = min(room.get(slide.question_id, float("inf")), spare)
    kept = set(sorted(dense, key=lambda q: -dense[q])[:DENSE]) | set(sorted(room, key=room.__getitem__)[:TIGHT])
    bank = tmp_path_factory.mktemp("dense") / "bank"
    shutil.copytree(CONTENT, bank)
    for path in sorted(bank.glob("0*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        questions = [q for q in data["questions"] if q["id"] in kept] or [
            max(data["questions"], key=lambda q: dense[q["id"]])]
        kept |= {q["id"] for q in questions}
        path.write_text(yaml.safe_dump(data | {"questions": questions}, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    return bank, kept


@pytest.fixture(scope="session")
def dense_built(dense_sample: tuple[Path, set[str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every profile of the dense sample, built through the CLI like `built` (stand-in PDFs)."""
    folder = tmp_path_factory.mktemp("dense-built")
    cache = Path(shutil.copytree(resources.diagram_cache(), folder / "cache"))
    with pytest.MonkeyPatch.context() as patch:
        fake_libreoffice(patch)
        assert main(["build", "-q", "--content", str(dense_sample[0]), "--cache", str(cache),
                     "-o", str(folder / "decks")]) == 0
    return folder / "decks"


@pytest.fixture(scope="session", params=["sample", pytest.param("bundled", marks=pytest.mark.sweep)])
def bank_pdfs(request: pytest.FixtureRequest, pdfs_of,  # noqa: ANN001
              tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[Path, Path]]]:
    """LibreOffice's PDFs of a bank's study deck, handout and scorecard, in one run: the dense sample's
    in `make test`, the bundled bank's whole (~430 study slides, 80 handout pages) in the sweep. The
    bank folder, and file name -> (deck, PDF)."""
    folder = tmp_path_factory.mktemp(f"pdfs-{request.param}")
    if request.param == "bundled":
        content, built = CONTENT, request.getfixturevalue("built")
    else:
        content, built = request.getfixturevalue("dense_sample")[0], request.getfixturevalue("dense_built")
    decks = [Path(shutil.copy(built / name, folder / name)) for name in ("study.pptx", "handout.pptx",
                                                                          "mock-scorecard.pptx")]
    return content, {deck.name: (deck, pdf) for deck, pdf in zip(decks, pdfs_of(decks), strict=True)}


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
def pdfs_of():  # noqa: ANN201
    """Convert decks to PDFs beside them in ONE LibreOffice run (its start-up is paid once), each
    deck once per session: `pdfs_of([a, b])` -> [a.pdf, b.pdf]. The decks' file names must differ
    (LibreOffice names each PDF after its deck). Tests sharing the decks should share an xdist
    group (see SHARED_FIXTURES) so the conversion happens in one worker."""
    cache: dict[Path, Path] = {}

    def convert(decks: list[Path]) -> list[Path]:
        need_soffice()
        todo = []
        for deck in decks:
            existing = deck.with_suffix(".pdf")
            if deck in cache:
                continue
            if existing.exists() and existing.stat().st_mtime >= deck.stat().st_mtime:
                cache[deck] = existing
            else:
                todo.append(deck)
        assert len({d.name for d in todo}) == len(todo), f"one LibreOffice run needs distinct names: {todo}"
        if todo:
            from deck.export.pdf import to_pdf

            cache.update(zip(todo, to_pdf(todo), strict=True))
        return [cache[deck] for deck in decks]

    return convert


@pytest.fixture(scope="session")
def pdf_of(pdfs_of):  # noqa: ANN001, ANN201
    """Convert one deck to PDF once per session (LibreOffice is the slow part); pdfs_of for several."""
    return lambda deck: pdfs_of([deck])[0]


@pytest.fixture(scope="session")
def pml_schema() -> etree.XMLSchema:
    if not (XSD_DIR / "pml.xsd").exists():
        pytest.skip(f"OOXML schemas not found at {XSD_DIR}")
    return etree.XMLSchema(etree.parse(str(XSD_DIR / "pml.xsd")))


# Property tests (@given, pytest mark `hypothesis`) run a fifth of their examples in `make test` and
# all of them in the sweep (`make test-sweep` sets DECK_SWEEP). CI runs the same generated examples
# every time (a failure reproduces); locally they vary, so reruns reach further.
SWEEP = bool(os.environ.get("DECK_SWEEP"))


def examples(n: int) -> int:
    """A property test's example count: n in the sweep, a fifth of n (at least 20) otherwise."""
    return n if SWEEP else max(20, n // 5)


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


class BrowserPool:
    """One Playwright and one Chromium a worker, for every browser test: each RenderSession still
    makes its own context, page and Mermaid as in a build, but starting the two was ~0.6 s of a
    session's ~2 s. Tests that draw with Chromium themselves take it from here too: a second
    Playwright cannot start in a thread that runs one, and once it runs, neither can asyncio.run
    (a test that needs either calls stop() first, as test_mermaid's injection test does). Stopped
    when the worker's session ends."""

    def __init__(self) -> None:
        self._pw: Any = None
        self._browser: Any = None
        self.executable: str | None = None

    def playwright(self) -> Any:
        if self._pw is None:
            from playwright.sync_api import sync_playwright

            self._pw = sync_playwright().start()
        return self._pw

    def browser(self) -> Any:
        if self._browser is None or not self._browser.is_connected():
            self.executable = find_browser(self.playwright())
            if self.executable is None:
                pytest.skip("no Chromium/Chrome found (apt-get install chromium)")
            self._browser = self.playwright().chromium.launch(executable_path=self.executable, headless=True,
                                                              args=LAUNCH_ARGS)
        return self._browser

    def launch(self, session: RenderSession, _stack: object, _sync_playwright: object) -> Any:
        """RenderSession._launch's stand-in: the pool's browser, left running when the session closes."""
        browser = self.browser()
        session.executable = self.executable
        return browser

    def idle(self) -> bool:
        return self._pw is None

    def stop(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()
            self._pw = self._browser = None


BROWSERS = BrowserPool()
OWN_LAUNCH = RenderSession._launch  # the product's: a Playwright and a Chromium for one session


@pytest.fixture(scope="session", autouse=True)
def _one_browser_a_worker() -> Iterator[None]:
    """Every RenderSession of the run (module fixtures' too) launches in BROWSERS, stopped last."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RenderSession, "_launch", lambda session, *args: BROWSERS.launch(session, *args))
        try:
            yield
        finally:
            BROWSERS.stop()


@functools.cache
def no_browser_reason() -> str | None:
    if not (REPO / MERMAID_JS).is_file():
        return "node_modules/mermaid is missing (run `npm ci`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    try:
        if find_browser() is not None:
            return None
    except DiagramError as exc:
        return str(exc)
    return None if find_browser(BROWSERS.playwright()) else "no Chromium/Chrome found (apt-get install chromium)"


@pytest.fixture
def browser() -> None:
    reason = no_browser_reason()
    if reason:
        pytest.skip(f"needs a browser: {reason}")


@pytest.fixture
def chromium() -> Any:
    """The worker's Chromium (no Mermaid needed), to open pages in: close what you open."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright package is not installed")
    return BROWSERS.browser()


@pytest.fixture(scope="session")
def starter_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A diagram cache for banks made by `deck init`: each language's starter diagram is rendered
    once on a worker. Its tests share one xdist group (SHARED_FIXTURES), so once a run."""
    return str(tmp_path_factory.mktemp("starter-cache"))


# --- marks: the slow tools a test runs, read from what it uses ------------------------------------
# `make test-fast` deselects both. A test that starts LibreOffice or Chromium without using one of
# these fixtures or helpers carries an explicit @pytest.mark.libreoffice / browser instead.
LIBREOFFICE_FIXTURES = {"bank_pdfs", "pdf_of", "pdfs_of", "venv"}  # venv: packaging
LIBREOFFICE_CALLS = ("need_soffice(", "_soffice(", "to_pdf(")
BROWSER_FIXTURES = {"browser", "chromium"}  # chromium: a bare browser (tests/export/test_anki.py)
# Costly fixtures shared by several tests (session or module scope): xdist would make each of them
# once per worker; one group keeps its tests on one worker, so it is made once (--dist loadgroup).
# Not `built`: cheaper to make twice than to hold its ~40 tests on one worker.
SHARED_FIXTURES = ("bank_pdfs", "dense_built", "stress_deck", "wheel", "click_deck", "corpus_deck", "starter_cache",
                   "template_sample", "corpus_build")


def _group_id(config: pytest.Config, item: pytest.Item) -> None:
    """--dist loadgroup keeps a group on one worker by the "@group" suffix xdist gives its test ids,
    but xdist 3.8 writes it to Item._nodeid, which pytest 9 no longer reads (ids come from Item._id):
    without this each worker made every shared fixture, and a group's tests were spread."""
    groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                     for m in item.iter_markers("xdist_group")})
    if groups and getattr(config.option, "loadgroup", False) and hasattr(item, "_id") and "@" not in item.nodeid:
        from _pytest.nodeid import coerce_node_id

        item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(groups)}")


# tryfirst: xdist reads the xdist_group marks in its own modifyitems hook, after this one.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    import inspect

    sources: dict[object, str] = {}  # a parametrized test's items share one function
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        function = getattr(item, "function", None)
        if function not in sources:
            sources[function] = inspect.getsource(function) if function is not None else ""
        source = sources[function]
        if fixtures & LIBREOFFICE_FIXTURES or any(call in source for call in LIBREOFFICE_CALLS):
            item.add_marker(pytest.mark.libreoffice)
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        shared = next((name for name in SHARED_FIXTURES if name in fixtures), None)
        if shared:
            # A parametrized fixture: one group per value (each made once, the groups spread over workers).
            param = getattr(getattr(item, "callspec", None), "params", {}).get(shared)
            item.add_marker(pytest.mark.xdist_group(shared if param is None else f"{shared}-{param}"))
        _group_id(config, item)
    # The modules that took longest last run first (pytest's cache; without one, those with the most
    # LibreOffice tests), whole modules, so their module-scoped fixtures are still made once: xdist
    # then fills the other worker around their long tests instead of ending with one worker alone.
    last: dict[str, float] = config.cache.get(SECONDS, {}) if hasattr(config, "cache") else {}
    runs: dict[Path, int] = {}
    seconds: dict[Path, float] = {}
    for item in items:
        runs[item.path] = runs.get(item.path, 0) + (item.get_closest_marker("libreoffice") is not None)
        seconds[item.path] = seconds.get(item.path, 0.0) + last.get(item.nodeid, 0.0)
    items.sort(key=lambda item: (-seconds[item.path], -runs[item.path]))


SECONDS = "interview-deck/test-seconds"  # pytest cache key: each test's setup + call + teardown time
_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep this run's times for the order above (the controller, which sees every worker's reports)."""
    config = session.config
    if _seconds and hasattr(config, "cache") and not hasattr(config, "workerinput"):
        times = config.cache.get(SECONDS, {})
        config.cache.set(SECONDS, {**times, **{k: round(v, 2) for k, v in _seconds.items()}})


@pytest.fixture(autouse=True)
def _slow_tools_only_where_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unmarked test that reaches LibreOffice or Chromium fails, so the marks stay true and
    `make test-fast` stays fast. The patched calls are the ones that start them."""
    import playwright.sync_api

    def refuse(tool: str, mark: str, hint: str):  # noqa: ANN202
        def refused(*_args: object, **_kwargs: object) -> None:
            pytest.fail(f"this test starts {tool}: mark it @pytest.mark.{mark}{hint}", pytrace=False)
        return refused

    if request.node.get_closest_marker("libreoffice") is None:
        monkeypatch.setattr(export, "_convert", refuse(
            "LibreOffice", "libreoffice", ", or stub deck.export.pdf.pdf_bytes with no_libreoffice"))
    if request.node.get_closest_marker("browser") is None:
        monkeypatch.setattr(RenderSession, "_start", refuse("Chromium", "browser", ""))
        monkeypatch.setattr(playwright.sync_api, "sync_playwright", refuse("Playwright", "browser", ""))


# --- one small bank and the CLI's one-line errors (content, export and CLI tests) ------------------
ONE_QUESTION = SECTION[:SECTION.index("  - id: second-q")]  # the first question only


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    (root / "deck.yaml").write_text("title: 演示题库\n", encoding="utf-8")
    (root / "01-demo.yaml").write_text(ONE_QUESTION, encoding="utf-8")
    return root


def fails(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 2) -> str:
    """Run the CLI; it must exit with code and print exactly one line, an error, on stderr."""
    assert main(argv) == code
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err and "internal error" not in err, err
    return lines[0]


def check_fails(capsys: pytest.CaptureFixture[str], root: Path) -> str:
    return fails(capsys, ["check", "--content", str(root)])


def build(root: Path, out: Path, *extra: str) -> list[str]:
    return ["build", "-q", "--content", str(root), "--profile", "study", "-o", str(out), *extra]


def english_with_follow_up(folder: Path, follow_up: str) -> Path:
    """A copy of the English bank in folder whose first question asks back follow_up (Markdown)."""
    shutil.copytree(ENGLISH, folder)
    path = folder / "01-http.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    follow_up: How do you make a POST safe to retry in your payment API?\n"
    assert old in text
    path.write_text(text.replace(old, f"    follow_up: {follow_up}\n"), encoding="utf-8")
    return folder


def with_answer(root: Path, answer: str) -> None:
    text = ONE_QUESTION.replace("    answer: 缓存已算过的 K 与 V，解码时只算新 token。\n", f"    answer: {answer}\n")
    (root / "01-demo.yaml").write_text(text, encoding="utf-8")


def with_diagram(bank: Path, index: str | None, mmd: bool) -> None:
    (bank / "diagrams").mkdir()
    if index is not None:
        (bank / "diagrams" / "diagrams.yaml").write_text(index, encoding="utf-8")
    if mmd:
        (bank / "diagrams" / "flow.mmd").write_text("flowchart LR\n  A --> B\n", encoding="utf-8")
    (bank / "01-demo.yaml").write_text(
        ONE_QUESTION.replace("  title: 演示\n", "  title: 演示\n  diagrams: [flow]\n"), encoding="utf-8")


@pytest.fixture
def no_hang() -> Iterator[None]:
    """A blocking open() of a FIFO would hang the test run: fail it after 20 s instead."""
    def hung(_signum: int, _frame: object) -> None:
        raise TimeoutError("blocked on a special file")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def fake_pdf(deck: bytes) -> bytes:
    """What fake_libreoffice makes of a deck: a 'PDF' naming the deck bytes it was made from."""
    return b"%PDF-fake " + hashlib.sha256(deck).hexdigest().encode()


def fake_libreoffice(monkeypatch: pytest.MonkeyPatch, behaviour: str = "ok") -> None:
    """LibreOffice stand-in at deck.export.pdf._convert (the one call that starts soffice)."""
    def convert(decks: list[Path], _tmp: Path) -> list[bytes]:
        if behaviour == "interrupt":
            raise KeyboardInterrupt
        if behaviour == "missing":
            raise export.ExportError("LibreOffice is not installed, so no PDF was made (the .pptx was written)")
        return [fake_pdf(d.read_bytes()) for d in decks]

    monkeypatch.setattr(export, "_convert", convert)
