"""Text layout: CJK-aware line breaking, size fitting and splitting (no python-pptx).

Input is text, a box in points and a width function; output is lines and a size.
The renderer writes exactly these sizes, an exact line pitch (size × line_spacing)
and no autofit, so what we measure here is what PowerPoint and LibreOffice show.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from deck.plan import Run
from deck.text.fonts import EAST_ASIAN, is_east_asian
from deck.text.paginate import paginate


class Measure(Protocol):
    """Text width in points at a size, and in em at size 1 (deck.fonts.Face is one)."""

    def __call__(self, text: str, size: float) -> float: ...

    def em(self, text: str) -> float: ...

    def edges(self, text: str) -> tuple[list[float], list[float]]: ...


# Kinsoku: these never start a line / never end one (GB/T 15834 and JIS X 4051 practice).
CLOSING = set("，。、；：？！）」』】》〉〕］｝’”…‥,.;:!?)]}%、・ー～-")
OPENING = set("（「『【《〈〔［｛‘“([{")
BULLET = "- "
SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
# Pieces of a long token: a break is allowed after '/' or '-' when a letter or digit follows
# (a split at a position, linear: a lookahead over the run of marks was quadratic in '----…').
_SOFT_BREAK = re.compile(r"(?<=[/-])(?=[A-Za-z0-9])")


@dataclass(frozen=True)
class Paragraph:
    text: str
    bullet: bool = False
    runs: tuple[Run, ...] = ()  # styled runs whose texts join to text; () = text as one plain run
    level: int = 0  # indent steps before the bullet (nested lists, quotes, code in a list)
    number: int | None = None  # a numbered item: its number (the bullet is a:buAutoNum)
    gap: bool = True  # the paragraph gap before it (none between the lines of a code block)
    measure: Measure | None = None  # the face its runs are set in when not the frame's (bold, code)

    def indent(self, style: Style, size: float) -> float:
        """Points taken from the line width by the bullet and the nesting."""
        hang = (style.number_indent if self.number is not None else style.bullet_indent) if self.bullet else 0.0
        return (style.bullet_indent * self.level + hang) * size

    def cut(self, start: int, end: int) -> Paragraph:
        """The paragraph's text[start:end] with its runs' styles (a piece of a split paragraph)."""
        if not self.runs:
            return replace(self, text=self.text[start:end])
        runs, offset = [], 0
        for run in self.runs:
            lo, hi = max(start, offset), min(end, offset + len(run.text))
            if lo < hi:
                runs.append(replace(run, text=run.text[lo - offset:hi - offset]))
            offset += len(run.text)
        return replace(self, text=self.text[start:end], runs=tuple(runs))

    def join(self, other: Paragraph) -> Paragraph:
        runs = (self.runs or (Run(self.text),)) + (other.runs or (Run(other.text),)) \
            if self.runs or other.runs else ()
        return replace(self, text=self.text + other.text, runs=runs)


@dataclass(frozen=True)
class Style:
    """How a block is set: sizes to try, line pitch and paragraph gap (in lines)."""

    max_size: float
    min_size: float
    line_spacing: float = 1.3
    paragraph_gap: float = 0.35
    bullet_indent: float = 1.1  # em
    number_indent: float = 1.6  # em: a numbered item's hang, room for "10."
    step: float = 1.0


@dataclass(frozen=True)
class Fit:
    size: float
    lines: tuple[tuple[str, ...], ...]  # per paragraph
    height: float
    fits: bool


def paragraphs(text: str) -> list[Paragraph]:
    """Split on newlines; '- ' lines become bullets; blank lines are dropped."""
    out = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(BULLET) or line.startswith("• "):
            out.append(Paragraph(line[2:].strip(), bullet=True))
        else:
            out.append(Paragraph(line))
    return out


# Raw pieces: a run of spaces, one East Asian character, an opening or closing mark
# that does not continue a word, or a word. ASCII punctuation stays inside its word:
# renderers do not break "f(x)" or "a,b", and our break opportunities must be a
# subset of theirs. An atom is: pieces ending in an opening bracket (each with the
# spaces after it), one piece, then the closing marks right after it. One regex
# does this in C (tests/test_layout.py checks it against the plain loop).
_MARKS = re.escape("".join(sorted(ch for ch in CLOSING | OPENING if not is_east_asian(ch))))
_WORD = rf"[^\s{EAST_ASIAN}{_MARKS}][^\s{EAST_ASIAN}]*+"
_OPEN = re.escape("".join(sorted(OPENING)))
_PIECE = rf"\s+|[{EAST_ASIAN}]|[{_MARKS}]|{_WORD}"
_CLOSE = re.escape("".join(sorted(CLOSING)))
_ATOM = re.compile(rf"(?:(?:[{_OPEN}]|{_WORD}(?<=[{_OPEN}]))\s*+)*+(?:{_PIECE})?[{_CLOSE}]*+")


# No break between a Chinese closing mark and a Latin word or number right after it: LibreOffice
# keeps "adapter，add_weighted_adapter" and "文，add" together (it breaks before the mark's own
# character instead), while after a mark and before Chinese it breaks. Probed with LibreOffice 7.4:
# see tests/text/test_layout.py. (It may also hang the mark past the margin: we never count on that.)
_CJK_CLOSE = re.escape("".join(sorted(c for c in CLOSING if is_east_asian(c))))
_MARK_LATIN = re.compile(rf"[{_CJK_CLOSE}][A-Za-z0-9]")
_ENDS_MARK = re.compile(rf"[{_CJK_CLOSE}]$")


@functools.lru_cache(maxsize=20_000)
def _atoms(text: str) -> tuple[str, ...]:
    """Unbreakable pieces: one CJK char, one Latin word, or a run of spaces,
    with closing punctuation glued to what precedes it and opening to what follows."""
    atoms = tuple(filter(None, _ATOM.findall(text)))
    if not _MARK_LATIN.search(text):  # most texts
        return atoms
    glued: list[str] = []
    for atom in atoms:
        if glued and atom[0].isascii() and atom[0].isalnum() and _ENDS_MARK.search(glued[-1]):
            glued[-1] += atom
        else:
            glued.append(atom)
    return tuple(glued)


@dataclass(frozen=True)
class _Metrics:
    """A text's atoms with their positions at size 1, as if set on one endless line.

    A line that begins with atom i and ends with atom k is ends[k] - starts[i] wide
    (trailing spaces excluded), so the breaker finds each line's end by bisection.
    ends is made non-decreasing (spaces take the end before them), which bisection needs."""

    atoms: tuple[str, ...]
    starts: tuple[float, ...]  # where atom i starts (after any Chinese/Latin gap before it)
    ends: tuple[float, ...]  # where atom i's ink ends (trailing spaces excluded)
    after: tuple[float, ...]  # where atom i's last character ends, trailing spaces included
    long: tuple[float, ...]  # widths of atoms of more than 12 characters (see layout())
    offsets: tuple[int, ...]  # where atom i starts in the text; one more: the text's length


@functools.lru_cache(maxsize=50_000)
def _metrics(text: str, measure: Measure) -> _Metrics:
    lefts, rights = measure.edges(text)
    atoms = _atoms(text)
    starts: list[float] = []
    ends: list[float] = []
    after: list[float] = []
    long: list[float] = []
    end = 0.0  # edges only grow, so ends are non-decreasing without a max()
    offset = 0
    offsets = [0]
    for atom in atoms:
        n = len(atom)
        start = lefts[offset]
        if n == 1:  # most atoms: one Chinese character
            if not atom.isspace():
                end = rights[offset]
        elif not atom.isspace():
            core = atom.rstrip()
            lead = len(core) - len(core.lstrip())
            if lead:  # spaces glued to closing punctuation: a line starting here has no gap after them
                start += lefts[offset + lead] - rights[offset + lead - 1]
            end = rights[offset + len(core) - 1]
            if n > 12:
                long.append(rights[offset + n - 1] - lefts[offset])
        starts.append(start)
        ends.append(end)
        offset += n
        offsets.append(offset)
        after.append(rights[offset - 1])
    return _Metrics(atoms, tuple(starts), tuple(ends), tuple(after), tuple(long), tuple(offsets))


@functools.lru_cache(maxsize=20_000)
def break_lines(text: str, width: float, size: float, measure: Measure) -> tuple[str, ...]:
    """Greedy line breaking; ''.join(result) == text. Trailing spaces do not count.
    Cached: fitting and packing ask for the same text in the same box again."""
    m = _metrics(text, measure)
    atoms, starts, ends, offsets, n = m.atoms, m.starts, m.ends, m.offsets, len(m.atoms)
    limit = width / size * (1 - 1e-12)  # line width at size 1; the margin absorbs rounding
    lines: list[str] = []
    head, i, base = "", 0, 0.0  # the line so far: head + atoms[i:j]; atom k fits if ends[k] - base <= limit
    while i < n:
        j = bisect.bisect_right(ends, base + limit, i, n)
        line = head + text[offsets[i]:offsets[j]]
        if j == n:
            lines.append(line)
            break
        # Atom j starts the next line if it fits there: the same comparison as the
        # bisection's, so the next pass takes it (and a line is never empty).
        if ends[j] <= starts[j] + limit and (j > i or head):
            lines.append(line)
            head, i, base = "", j, starts[j]
            continue
        # An atom wider than a line (URL, long identifier) starts a fresh line and is
        # broken where the renderers break it: after '/' or '-', else at any character.
        start = offsets[i] - len(head)  # where this line starts in the text
        if line.strip():
            lines.append(line)
            start = offsets[j]
        start = _break_long(text, start, offsets[j], offsets[j + 1], width / size, measure.edges(text), lines)
        head = text[start:offsets[j + 1]]
        i = j + 1
        if i < n and atoms[i].isspace():  # spaces stay at the end of the line, as always
            head += atoms[i]
            i += 1
        base = m.after[i - 1] - measure.em(head)
    else:  # the text ended with an over-long atom (or is empty)
        lines.append(head)
    return tuple(ln for ln in lines if ln) or ("",)


def line_width(text: str, a: int, b: int, edges: tuple[list[float], list[float]]) -> float:
    """Width at size 1 of a line text[a:b], trailing spaces aside, where it stands in the text (a
    quote takes its script from the character before it, even across a line's start). A line that
    starts with spaces has no Chinese/Latin gap after them, as in _metrics."""
    lefts, rights = edges
    while b > a and text[b - 1].isspace():
        b -= 1
    if b <= a:
        return 0.0
    x = a
    while x < b and text[x].isspace():
        x += 1
    gap = lefts[x] - rights[x - 1] if x > a else 0.0
    return rights[b - 1] - lefts[a] - gap


def _break_long(text: str, start: int, first: int, stop: int, limit: float,
                edges: tuple[list[float], list[float]], lines: list[str]) -> int:
    """Set the over-long atom text[first:stop] after text[start:first] (blank or empty), `limit`
    em to a line: full lines go to `lines`; returns where the unfinished last line starts."""
    def fits(a: int, b: int) -> bool:
        return line_width(text, a, b, edges) <= limit

    pos = first
    for piece in filter(None, _SOFT_BREAK.split(text[first:stop])):
        end = pos + len(piece)
        if not fits(start, end):
            if text[start:pos].strip():
                lines.append(text[start:pos])
                start = pos
            for k in range(pos, end):
                if text[start:k].strip() and not fits(start, k + 1):
                    cut = _kinsoku_cut(text, start, k, fits)
                    lines.append(text[start:cut])
                    start = cut
        pos = end
    return start


def _kinsoku_cut(text: str, start: int, k: int, fits: Callable[[int, int], bool]) -> int:
    """Where a full line text[start:k] ends when text[k] does not fit after it. Kinsoku still
    applies: carry an opening bracket, or the character before a closing one, down to the next
    line, while what is carried fits there. A line of nothing but such marks breaks where it is
    full, but opening brackets at its end still go down with the character that follows them (not
    another bracket) while that fits."""
    def banned(cut: int) -> bool:
        return text[cut - 1] in OPENING or text[cut] in CLOSING

    cut = k
    while cut > start + 1 and banned(cut):  # the last allowed end, found without measuring
        cut -= 1
    if banned(cut):  # "（（模" two characters wide: "（" / "（模", not "（（" / "模"
        cut = k
        while text[k] not in OPENING and cut > start + 1 and text[cut - 1] in OPENING and fits(cut - 1, k + 1):
            cut -= 1
        return cut
    if cut == k or fits(cut, k + 1):  # widths grow with the text carried
        return cut
    cut = k  # what is carried does not fit: carry as much as fits
    while cut > start + 1 and banned(cut) and fits(cut - 1, k + 1):
        cut -= 1
    return cut


def layout(paras: Sequence[Paragraph], width: float, size: float, style: Style,
           measure: Measure) -> tuple[tuple[tuple[str, ...], ...], float]:
    """Lines per paragraph and total height in points at one size.

    A token longer than half a line (URL, long identifier) is where renderers'
    breaking differs from ours and from each other's: each reserves one spare line."""
    pitch = size * style.line_spacing
    out = []
    height = 0.0
    for i, p in enumerate(paras):
        w = width - p.indent(style, size)
        face = p.measure or measure
        lines = break_lines(p.text, w, size, face)
        out.append(lines)
        gap = style.paragraph_gap * pitch if i and p.gap else 0
        height += (len(lines) + _spare(p.text, w, size, face)) * pitch + gap
    return tuple(out), height


def _used(text: str, width: float, size: float, measure: Measure) -> int:
    """Lines the text takes as layout() counts them: its lines and spare lines."""
    return len(break_lines(text, width, size, measure)) + _spare(text, width, size, measure)


def _spare(text: str, width: float, size: float, measure: Measure) -> int:
    """Spare lines reserved for the text's tokens longer than half a line (see layout())."""
    long = _metrics(text, measure).long
    return sum(1 for full in long if full * size > width / 2) if long else 0


def largest(lo: float, hi: float, step: float, ok: Callable[[float], bool]) -> float | None:
    """The largest size among hi, hi-step, ... down to lo (lo always tried) for which
    ok() holds, by bisection (fitting is monotone in size); None if even lo fails."""
    n = int((hi - lo) / step + 1e-9)
    grid = [hi - k * step for k in range(n + 1)]
    if grid[-1] > lo + 1e-9:
        grid.append(lo)
    if ok(grid[0]):
        return grid[0]
    if not ok(grid[-1]):
        return None
    good, bad = len(grid) - 1, 0
    while good - bad > 1:
        mid = (good + bad) // 2
        if ok(grid[mid]):
            good = mid
        else:
            bad = mid
    return grid[good]


def fit(paras: Sequence[Paragraph], width: float, height: float, style: Style,
        measure: Measure) -> Fit:
    """The largest size in [min, max] at which the paragraphs fit the box."""
    size = largest(style.min_size, style.max_size, style.step,
                   lambda s: layout(paras, width, s, style, measure)[1] <= height)
    lines, h = layout(paras, width, size or style.min_size, style, measure)
    return Fit(size or style.min_size, lines, h, size is not None)


def split(paras: Sequence[Paragraph], width: float, height: float, style: Style,
          measure: Measure) -> list[list[Paragraph]]:
    """Chunks that each fit the box at the minimum size: split at paragraphs, then
    sentences, then lines. Pieces of one paragraph that share a chunk are rejoined."""
    size = style.min_size
    pitch = size * style.line_spacing

    def fits(ps: Sequence[Paragraph]) -> bool:
        return layout(ps, width, size, style, measure)[1] <= height

    pieces: list[tuple[int, Paragraph]] = []
    for index, p in enumerate(paras):
        if fits([p]):
            pieces.append((index, p))
            continue
        start = 0
        for sentence in (s for s in SENTENCE_END.split(p.text) if s):
            part = p.cut(start, start + len(sentence))
            if fits([part]):
                pieces.append((index, part))
                start += len(sentence)
                continue
            w = width - p.indent(style, size)
            lines = break_lines(sentence, w, size, p.measure or measure)
            ends = list(itertools.accumulate(map(len, lines), initial=start))[1:]
            starts = [start, *ends[:-1]]
            per_chunk = max(1, int(height // pitch))

            def chunk(i: int, n: int, p: Paragraph = p, starts: list[int] = starts, ends: list[int] = ends
                      ) -> Paragraph:
                return p.cut(starts[i], ends[min(i + n, len(ends)) - 1])

            # Fewer lines per chunk while a chunk still overflows (spare lines for long tokens).
            while per_chunk > 1 and not all(fits([chunk(i, per_chunk)]) for i in range(0, len(lines), per_chunk)):
                per_chunk -= 1
            pieces += [(index, chunk(i, per_chunk)) for i in range(0, len(lines), per_chunk)]
            start += len(sentence)
    chunks = paginate(pieces, lambda chunk, _i: fits([p for _, p in chunk]), _join)
    return [[p for _, p in chunk] for chunk in chunks]


def _join(chunk: list[tuple[int, Paragraph]], piece: tuple[int, Paragraph]) -> list[tuple[int, Paragraph]]:
    """The chunk with the piece on it, rejoined to the piece before when both come from one paragraph."""
    if chunk and chunk[-1][0] == piece[0]:
        (index, a), (_, b) = chunk[-1], piece
        return [*chunk[:-1], (index, a.join(b))]
    return [*chunk, piece]


def truncate(text: str, width: float, max_lines: int, size: float, measure: Measure) -> str:
    """At most max_lines lines; an ellipsis marks what was cut (used for restatements)."""
    text = text.replace("\n", " ")
    lines = list(break_lines(text, width, size, measure))
    if len(lines) + _spare(text, width, size, measure) <= max_lines:
        return text
    lines = lines[:max_lines]
    kept = "".join(lines)
    # Cut until the last line takes the ellipsis and no token is left long enough to need a spare line.
    while len(kept) > 1 and (measure(lines[-1] + "…", size) > width or
                             _used(kept.rstrip() + "…", width, size, measure) > max_lines):
        kept = kept[:-1]
        lines[-1] = lines[-1][:-1]
    return kept.rstrip() + "…"
