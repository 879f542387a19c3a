"""Finding what renders: the pinned Mermaid build (node_modules in a checkout, else the copy
shipped in the package) and a Chromium (DECK_BROWSER, Playwright's own, a system one)."""

from __future__ import annotations

import json
import os
import re
import shutil
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deck import resources
from deck.errors import DiagramError

MERMAID_JS = Path("node_modules/mermaid/dist/mermaid.min.js")

# DESIGN.md: flags that keep a headless Chromium quiet and working as root in containers.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
HOW_TO_GET_A_BROWSER = (
    "install one with `apt-get install chromium` (Debian/Ubuntu) or `python -m playwright install "
    "chromium`, or set DECK_BROWSER to the path of a Chromium/Chrome executable"
)
_EXACT_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")


@dataclass(frozen=True)
class MermaidBuild:
    """The Mermaid that would render: node_modules in a checkout, else the copy shipped in the package."""

    pinned: str  # the cache key's version: package.json in a checkout, else the shipped copy's
    script: Path | None  # None: no build at all, only cached renders can be used
    version: str | None  # the build's own version
    origin: str

    def describe(self) -> str:
        if self.script is None:
            return f"no Mermaid build found; diagrams come only from the cache (pinned mermaid {self.pinned})"
        return f"mermaid {self.version} from {self.origin} ({self.script})"


def mermaid_build(repo_root: Path | None) -> MermaidBuild:
    pinned = mermaid_version(repo_root)
    vendor = resources.vendored_mermaid()
    candidates = [(vendor / "mermaid.min.js", vendor / "package.json", "the copy shipped in the package")]
    if repo_root is not None:
        candidates.insert(0, (repo_root / MERMAID_JS, repo_root / "node_modules/mermaid/package.json",
                              "node_modules"))
    for script, manifest, origin in candidates:
        if script.is_file():
            version = None
            with suppress(OSError, ValueError):
                version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
            return MermaidBuild(pinned, script, version, origin)
    return MermaidBuild(pinned, None, None, "")


def mermaid_version(repo_root: Path | None) -> str:
    """The exact Mermaid version pinned in package.json (known without node_modules); installed
    without a checkout (repo_root None), the version of the Mermaid copy shipped in the package."""
    manifest = repo_root / "package.json" if repo_root is not None else resources.vendored_mermaid() / "package.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiagramError(f"{manifest}: not found; it pins the Mermaid version used for diagrams") from None
    except (OSError, ValueError) as exc:
        raise DiagramError(f"{manifest}: cannot read it: {exc}") from None
    version = (data.get("dependencies") or {}).get("mermaid") if repo_root is not None else data.get("version")
    if not isinstance(version, str) or not _EXACT_VERSION_RE.match(version):
        raise DiagramError(
            f"{manifest}: dependencies.mermaid must be an exact version (got {version!r}); "
            "run `npm install --save-exact mermaid@11`"
        )
    return version


def find_browser(playwright: Any | None = None) -> str | None:
    """DECK_BROWSER, then Playwright's own Chromium, then a system Chromium/Chrome on PATH."""
    explicit = os.environ.get("DECK_BROWSER")
    if explicit:
        if not Path(explicit).is_file():
            raise DiagramError(f"DECK_BROWSER={explicit}: no such file; point it at a Chromium/Chrome executable")
        return explicit
    if playwright is not None:
        with suppress(Exception):  # the property raises on platforms Playwright does not support
            managed = playwright.chromium.executable_path
            if managed and Path(managed).is_file():
                return str(managed)
    for name in SYSTEM_BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None
