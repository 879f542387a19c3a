"""One headless Chromium with Mermaid loaded, rendering many diagrams: SVG, PNG and, for
flowcharts, the scene read from the live DOM. The page's JavaScript lives in the .js files
beside this module (package data, checked by `node --check` in the tests)."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import struct
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deck.diagrams.discovery import HOW_TO_GET_A_BROWSER, LAUNCH_ARGS, find_browser, mermaid_build
from deck.diagrams.scene import Scene, from_dom
from deck.diagrams.sources import MAX_TEXT_SIZE, check_id, inspect_source
from deck.errors import DiagramError

if TYPE_CHECKING:
    from deck.theme.diagram_settings import DiagramSettings

_ERROR_LINE_RE = re.compile(r"(error on line )(\d+)")

# Layout defaults; a theme may override them with `flowchart:` / `sequence:` in its diagrams block.
_FLOWCHART_DEFAULTS: dict[str, Any] = {
    "useMaxWidth": False,
    "htmlLabels": False,
    "curve": "basis",
    "padding": 12,
    "nodeSpacing": 30,
    "rankSpacing": 50,
    "diagramPadding": 8,
    "wrappingWidth": 400,
}
_SEQUENCE_DEFAULTS: dict[str, Any] = {
    "useMaxWidth": False,
    "mirrorActors": False,
    "wrap": False,
    "diagramMarginX": 16,
    "diagramMarginY": 12,
    "boxMargin": 8,
    "noteMargin": 10,
    "messageMargin": 36,
    "width": 150,
    "height": 50,
}

# Host page: a strict CSP is a second wall behind Mermaid's own sanitising: only the Mermaid
# script (allowed by its hash) runs, so an injected inline handler or <script> cannot, and
# nothing can be fetched. The page itself is loaded with set_content (no request).
_HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-{script_hash}'; \
style-src 'unsafe-inline'; img-src data:; font-src data:">
<style>html,body{{margin:0;padding:0;background:#ffffff}} #stage{{display:inline-block;background:#ffffff}}
#stage>svg{{display:block}}</style>
</head><body><div id="stage"></div></body></html>"""

_INIT_JS = "config => { mermaid.initialize(config); }"
# Helpers first, then the render function they serve (render.js), called with page.evaluate's argument.
_SCRIPTS = ("colors.js", "inline_styles.js", "rich_text.js", "portable.js", "scene.js")


@functools.cache
def render_script() -> str:
    """The function page.evaluate runs for one diagram, put together from the .js files."""
    files = importlib_resources.files("deck.diagrams")
    helpers = "".join(files.joinpath(name).read_text(encoding="utf-8") for name in _SCRIPTS)
    render = files.joinpath("render.js").read_text(encoding="utf-8")
    return f"async (args) => {{\n{helpers}\nreturn await ({render})(args);\n}}"


def mermaid_config(settings: DiagramSettings) -> dict[str, Any]:
    """mermaid.initialize's configuration: our fixed choices, then the theme's settings."""
    given = settings.data()
    family, size = settings.font_family, settings.font_size
    theme_vars = {**given.get("theme_variables", {}), "fontFamily": family, "fontSize": f"{size}px"}
    sequence_fonts = {
        "actorFontFamily": family,
        "noteFontFamily": family,
        "messageFontFamily": family,
        "actorFontSize": size,
        "noteFontSize": size - 2,
        "messageFontSize": size - 2,
    }
    return {
        "startOnLoad": False,
        "securityLevel": "strict",
        "htmlLabels": False,
        "logLevel": "fatal",
        "maxTextSize": MAX_TEXT_SIZE,
        "deterministicIds": True,
        # Mermaid 11 draws its new shapes with rough.js, seeded at random unless told: the same source
        # then gave other coordinates on every render (31 of the 100 corpus flowcharts).
        "handDrawnSeed": 1,
        "theme": "base",
        "themeVariables": theme_vars,
        "fontFamily": family,
        "flowchart": {**_FLOWCHART_DEFAULTS, **given.get("flowchart", {})},
        "sequence": {**_SEQUENCE_DEFAULTS, **sequence_fonts, **given.get("sequence", {})},
    }


@dataclass(frozen=True)
class Render:
    """One diagram as the browser drew it."""

    svg: str
    png: bytes
    scene: Scene | None  # a flowchart we can draw as shapes
    unsupported: tuple[str, ...] = ()  # why a flowchart stays a picture (found in the DOM)


class RenderSession:
    """One browser, one page with Mermaid loaded; render() many diagrams through it.

    Every network request of the page is aborted and recorded in ``requests``; dialogs are
    dismissed and recorded in ``dialogs``; page errors go to ``page_errors``. A render that
    caused a request or dialog is refused.
    """

    def __init__(self, settings: DiagramSettings, *, repo_root: Path | None, needed_for: list[str],
                 scenes: bool = True) -> None:
        self.settings = settings
        self.scenes = scenes  # read flowchart scenes from the DOM (off only to measure what it costs)
        self.repo_root = repo_root
        self.needed_for = needed_for
        self.scale = float(settings.scale)
        self.min_long_side = settings.min_png_long_side
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []
        self.console: list[str] = []
        self.executable: str | None = None  # the Chromium found, once _launch has looked
        self._stack: ExitStack | None = None
        self._error_type: type[Exception] = Exception
        self.page: Any = None

    def _what(self) -> str:
        return ", ".join(self.needed_for) or "diagrams"

    def _mermaid_script(self) -> str:
        build = mermaid_build(self.repo_root)
        if build.script is None:
            raise DiagramError(
                f"cannot render diagram(s) {self._what()}: no Mermaid build (node_modules/mermaid or the copy "
                f"shipped in the package); run `npm ci` in the checkout"
            )
        if build.version is not None and build.version != build.pinned:
            # The cache key names the pinned version; rendering with another would lie.
            raise DiagramError(
                f"cannot render diagram(s) {self._what()}: {build.origin} has mermaid {build.version}, "
                f"package.json pins {build.pinned}; run `npm ci` (and scripts/vendor-mermaid.sh for the shipped copy)"
            )
        return build.script.read_text(encoding="utf-8")

    def __enter__(self) -> RenderSession:
        try:
            find_browser()  # a wrong DECK_BROWSER fails here, before Playwright starts
        except DiagramError as exc:
            raise DiagramError(f"cannot render diagram(s) {self._what()}: {exc}") from None
        script = self._mermaid_script()
        try:
            from playwright.sync_api import Error as PlaywrightError
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise DiagramError(
                f"cannot render diagram(s) {self._what()}: the Python package `playwright` is not "
                "installed (pip install playwright)"
            ) from None
        self._error_type = PlaywrightError
        stack = ExitStack()
        try:
            self.page = self._start(stack, sync_playwright, script)
        except BaseException:
            stack.close()  # do not leave a browser behind when setup fails half-way
            raise
        self._stack = stack
        return self

    def _start(self, stack: ExitStack, sync_playwright: Any, script: str) -> Any:
        try:
            browser = self._launch(stack, sync_playwright)
            context = browser.new_context(
                device_scale_factor=self.scale,
                viewport={"width": 1600, "height": 1000},
                service_workers="block",
                offline=True,
            )
            stack.callback(self._close, context)
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.route("**/*", lambda route: route.abort())
            page.on("request", lambda request: self.requests.append(request.url))
            page.on("dialog", self._on_dialog)
            page.on("pageerror", lambda error: self.page_errors.append(str(error)))
            page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
            digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
            page.set_content(_HOST_PAGE.format(script_hash=digest))
            page.add_script_tag(content=script)
            page.evaluate(_INIT_JS, mermaid_config(self.settings))
        except self._error_type as exc:
            what = f"browser {self.executable}" if self.executable else "Playwright"
            raise DiagramError(
                f"cannot render diagram(s) {self._what()}: {what} failed: {exc}; {HOW_TO_GET_A_BROWSER}"
            ) from None
        return page

    def _launch(self, stack: ExitStack, sync_playwright: Any) -> Any:
        """Playwright and Chromium, stopped when the session closes (the session's own context and
        page are made in it by _start)."""
        pw = stack.enter_context(sync_playwright())  # raises inside a running asyncio loop
        self.executable = find_browser(pw)
        if self.executable is None:
            raise DiagramError(f"cannot render diagram(s) {self._what()}: no Chromium found; {HOW_TO_GET_A_BROWSER}")
        return pw.chromium.launch(executable_path=self.executable, headless=True, args=LAUNCH_ARGS)

    def _close(self, context: Any) -> None:
        with suppress(self._error_type):  # after a browser crash: the error that stopped the render is the one to tell
            context.close()

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        with suppress(Exception):
            dialog.dismiss()

    def __exit__(self, *exc: object) -> None:
        if self._stack is not None:
            self._stack.close()

    def render(self, diagram_id: str, source: str, *, label: str) -> Render:
        """Render one diagram. Raises DiagramError '<label>:<line>: <message>'."""
        check_id(diagram_id)
        inspection = inspect_source(source, label)
        text, offset = inspection.text, inspection.offset
        before = (len(self.requests), len(self.dialogs))
        try:
            result = self.page.evaluate(
                render_script(),
                {
                    "id": f"diagram-{diagram_id}",
                    "src": text,
                    "scale": self.scale,
                    "minLong": self.min_long_side,
                    "maxLong": self.settings.max_png_long_side,
                    "withScene": self.scenes and inspection.picture_reason is None,
                    "maxText": MAX_TEXT_SIZE,
                },
            )
            png = None
            if "svg" in result:
                # A clip of the page is cheaper than an element screenshot (no scroll/stability waits).
                png = self.page.screenshot(type="png", clip=result["clip"], full_page=True, animations="disabled")
        except self._error_type as exc:
            raise DiagramError(f"{label}: browser error while rendering: {exc}") from None
        if "error" in result:
            message = str(result["error"]).strip()
            if not result.get("line"):
                raise DiagramError(f"{label}: {message}")
            line = int(result["line"]) + offset
            # Mermaid counts lines after dropping front matter/directives; say the file's line.
            message = _ERROR_LINE_RE.sub(lambda m: f"{m[1]}{line}", message, count=1)
            raise DiagramError(f"{label}:{line}: {message}")
        leaked = self.requests[before[0] :] + self.dialogs[before[1] :]
        if leaked:
            raise DiagramError(f"{label}: rendering tried to open a dialog or load a resource: {leaked}")
        assert png is not None
        width, height = struct.unpack(">II", png[16:24])
        if max(width, height) < self.min_long_side:
            raise DiagramError(f"{label}: PNG is {width}x{height}, below min_png_long_side={self.min_long_side}")
        svg = '<?xml version="1.0" encoding="UTF-8"?>\n' + result["svg"] + "\n"
        unsupported = tuple(result.get("unsupported") or ())
        if result.get("scene") is None or unsupported:
            # Never half-native: one unknown piece and the whole diagram stays a picture.
            return Render(svg, png, None, unsupported)
        return Render(svg, png, from_dom(json.loads(result["scene"])))
