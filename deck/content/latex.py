"""A small LaTeX math → Unicode typesetter: what `$…$` and `$$…$$` become as text every engine draws.

Greek letters and operators become Unicode characters, `^` and `_` baseline-shifted pieces (nested
ones shift further), \\frac{a}{b} becomes a/b, \\sqrt{x} √x, \\mathrm / \\text upright. An unknown
command is kept as its source and reported, so the author can fix it.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

SUPER, SUB = 30_000, -25_000  # a:rPr baseline, percent x 1000 of the size
MAX_DEPTH = 12  # braces and scripts nested deeper than this stay as their source

SYMBOLS = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # operators and relations
    "propto": "∝", "approx": "≈", "sim": "∼", "simeq": "≃", "equiv": "≡", "neq": "≠", "ne": "≠", "le": "≤",
    "leq": "≤", "ge": "≥", "geq": "≥", "ll": "≪", "gg": "≫", "cdot": "·", "times": "×", "div": "÷", "pm": "±",
    "mp": "∓", "ast": "∗", "star": "⋆", "circ": "∘", "odot": "⊙", "oplus": "⊕", "otimes": "⊗", "top": "⊤",
    "bot": "⊥", "perp": "⊥", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩",
    "forall": "∀", "exists": "∃", "neg": "¬", "land": "∧", "lor": "∨", "emptyset": "∅", "infty": "∞",
    "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐", "leftrightarrow": "↔", "mapsto": "↦",
    "ldots": "…", "cdots": "⋯", "dots": "…", "prime": "′", "mid": "|", "vert": "|", "Vert": "‖", "|": "‖",
    "lVert": "‖", "rVert": "‖", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈",
    "rceil": "⌉", "{": "{", "}": "}", "_": "_", "%": "%", "$": "$", "#": "#", "&": "&", "backslash": "\\",
    # spacing
    ",": "\u2009", ";": " ", ":": " ", "!": "", " ": " ", "quad": "\u2003", "qquad": "\u2003\u2003",
    # upright function names
    "log": "log", "ln": "ln", "exp": "exp", "max": "max", "min": "min", "arg": "arg", "sin": "sin",
    "cos": "cos", "tan": "tan", "lim": "lim", "det": "det", "dim": "dim", "sup": "sup", "inf": "inf",
    "Pr": "Pr", "argmax": "argmax", "argmin": "argmin",
}
# Commands that only size delimiters: \left( is (.
IGNORED = {"left", "right", "big", "Big", "bigg", "Bigg", "displaystyle", "limits", "nolimits"}
UPRIGHT = {"mathrm", "text", "operatorname", "textrm", "mathsf", "texttt"}
BOLD = {"mathbf", "boldsymbol", "textbf", "bm"}
ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7", "dot": "\u0307",
           "overline": "\u0305"}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.S)


@dataclass(frozen=True)
class Piece:
    """A run of typeset math: its text, baseline shift, and whether it is set upright/bold."""

    text: str
    baseline: int = 0
    italic: bool = False
    bold: bool = False


@dataclass(frozen=True)
class Math:
    pieces: tuple[Piece, ...]
    unknown: tuple[str, ...]  # commands kept as source, e.g. ("\\foo",)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


class _Reader:
    def __init__(self, source: str) -> None:
        self.tokens = _TOKEN.findall(source)
        self.i = 0
        self.unknown: list[str] = []

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        self.i += 1
        return self.tokens[self.i - 1]

    def group(self, depth: int, upright: bool, bold: bool) -> list[Piece]:
        """Until the matching `}` (or the end)."""
        out: list[Piece] = []
        while (tok := self.peek()) is not None and tok != "}":
            out += self.atom(depth, upright, bold)
        if tok == "}":
            self.take()
        return out

    def argument(self, depth: int, upright: bool, bold: bool) -> list[Piece]:
        """One argument: a {group} or a single token."""
        while (tok := self.peek()) is not None and tok.isspace():
            self.take()
        if tok is None:
            return []
        if depth > MAX_DEPTH:  # pathological nesting: the rest as its source, not a stack overflow
            rest = "".join(self.tokens[self.i:])
            self.i = len(self.tokens)
            return [Piece(rest)]
        if tok == "{":
            self.take()
            return self.group(depth + 1, upright, bold)
        return self.atom(depth + 1, upright, bold)

    def atom(self, depth: int, upright: bool, bold: bool) -> list[Piece]:
        tok = self.take()
        if tok == "{":
            return self.group(depth + 1, upright, bold) if depth <= MAX_DEPTH else [Piece(tok)]
        if tok in ("^", "_"):
            shift = SUPER if tok == "^" else SUB
            return [Piece(p.text, p.baseline + shift, p.italic, p.bold)
                    for p in self.argument(depth, upright, bold)]
        if tok.startswith("\\") and len(tok) > 1:
            return self.command(tok[1:], depth, upright, bold)
        if tok.isspace():
            return [Piece(" ")]
        return [Piece(tok, italic=tok.isascii() and tok.isalpha() and not upright, bold=bold)]

    def command(self, name: str, depth: int, upright: bool, bold: bool) -> list[Piece]:
        if name in SYMBOLS:
            return [Piece(SYMBOLS[name], bold=bold)]
        if name in IGNORED:
            return []
        if name in UPRIGHT or name in BOLD:
            return self.argument(depth, True, bold or name in BOLD)
        if name == "mathbb":
            arg = self.argument(depth, True, bold)
            return [Piece("".join(BLACKBOARD.get(ch, ch) for ch in p.text), p.baseline) for p in arg]
        if name in ("mathcal", "mathit"):
            return self.argument(depth, False, bold)
        if name in ACCENTS:
            arg = self.argument(depth, upright, bold)
            if arg:
                arg[-1] = Piece(arg[-1].text + ACCENTS[name], arg[-1].baseline, arg[-1].italic, arg[-1].bold)
            return arg
        if name == "frac":
            top, bottom = self.argument(depth, upright, bold), self.argument(depth, upright, bold)
            return [*_wrapped(top), Piece("/"), *_wrapped(bottom)]
        if name == "sqrt":
            return [Piece("√"), *_wrapped(self.argument(depth, upright, bold))]
        self.unknown.append("\\" + name)
        return [Piece("\\" + name)]


def _wrapped(pieces: list[Piece]) -> list[Piece]:
    """Parentheses around a fraction's part or a root's radicand unless it is one symbol or number."""
    base = "".join(p.text for p in pieces if not p.baseline)  # scripts ride on their base symbol
    if len(base) <= 1 or base.isalnum() or (base.startswith("(") and base.endswith(")")):
        return pieces
    return [Piece("("), *pieces, Piece(")")]


@functools.lru_cache(maxsize=4096)
def typeset(source: str) -> Math:
    """The formula as pieces of Unicode text with baseline shifts; adjacent like pieces merged."""
    reader = _Reader(source.strip())
    raw: list[Piece] = []
    while reader.peek() is not None:
        tok = reader.peek()
        if tok == "}":  # a stray closing brace is text
            reader.take()
            raw.append(Piece("}"))
            continue
        raw += reader.atom(0, False, False)
    merged = [Piece("".join(p.text for p in group), *style)
              for style, group in itertools.groupby((p for p in raw if p.text),
                                                    lambda p: (p.baseline, p.italic, p.bold))]
    return Math(tuple(merged), tuple(dict.fromkeys(reader.unknown)))
