"""The line breaker and fitter (no PPTX involved): properties over random text."""

from __future__ import annotations

import itertools

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deck.text import layout
from deck.text.fonts import is_east_asian
from deck.text.layout import CLOSING, OPENING, Paragraph, Style
from deck.theme.settings import load_theme

THEME = load_theme()
MEASURE = THEME.sans

pieces = st.one_of(
    st.sampled_from(list("模型训练显存注意力缓存推理量化")),
    st.sampled_from(list("，。、；：？！）」』】》（「『【《")),
    st.from_regex(r"[A-Za-z_]{1,12}", fullmatch=True),
    st.from_regex(r"[0-9.]{1,6}", fullmatch=True),
    st.sampled_from([" ", "  ", "(", ")", ",", "/", "-", "://"]),
    st.from_regex(r"[a-z_]{40,130}", fullmatch=True),  # identifiers and URLs longer than a line
)
texts = st.lists(pieces, min_size=1, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, st.floats(min_value=80, max_value=900), st.sampled_from([9.0, 12.0, 16.0, 24.0, 40.0]))
def test_lines_fit_and_rejoin(text: str, width: float, size: float) -> None:
    lines = layout.break_lines(text, width, size, MEASURE)
    assert "".join(lines) == text
    for line in lines:
        # A single character wider than the box is the only thing allowed through.
        assert MEASURE(line.rstrip(), size) <= width or len(line.rstrip()) == 1
    atoms = layout._atoms(text)
    spans = dict(zip(itertools.accumulate(map(len, atoms)), atoms, strict=True))  # end offset -> atom
    offset = 0
    for prev, line in zip(lines, lines[1:], strict=False):
        offset += len(prev)
        end = prev.rstrip()[-1:]
        if offset in spans:
            # Between atoms, kinsoku holds: closing punctuation never starts a line and
            # opening brackets never end one (they are glued to their neighbours).
            assert line[0] not in CLOSING and end not in OPENING
            continue
        # Inside an atom: only one wider than the line (URL, identifier, or a kinsoku
        # group in a tiny box) is broken, and kinsoku still holds where it can.
        atom = next(a for stop, a in spans.items() if stop > offset)
        assert MEASURE(atom.rstrip(), size) > width
        if line[0] in CLOSING:  # only if it cannot fit together with the character before it
            run = line[: len(line) - len(line.lstrip("".join(CLOSING)))]
            assert MEASURE(prev.rstrip()[-1:] + run, size) > width
        if end in OPENING and end not in "([{":  # ASCII brackets stay inside words instead
            # only if carrying it down would empty its line, or it cannot fit with what follows
            assert prev.strip() == end or MEASURE(end + line.lstrip()[:1], size) > width


def test_cjk_breaks_anywhere_latin_words_stay_whole() -> None:
    lines = layout.break_lines("注意力" * 20 + " transformer_block_forward 完成。", 320, 16, MEASURE)
    assert any("transformer_block_forward" in line for line in lines)
    assert all(len(line) > 2 for line in lines[:-1])


def test_bullets_and_paragraphs() -> None:
    paras = layout.paragraphs("第一段\n- 要点一\n- 要点二\n\n第二段")
    assert paras == [Paragraph("第一段"), Paragraph("要点一", True), Paragraph("要点二", True), Paragraph("第二段")]


def test_fit_picks_largest_size_and_split_covers_everything() -> None:
    style = Style(max_size=40, min_size=24)
    short = layout.fit([Paragraph("短问题？")], 800, 300, style, MEASURE)
    assert short.fits and short.size == 40
    text = "解码阶段每步都要读全部权重和 KV cache，因此访存受限。" * 40
    long = layout.fit(layout.paragraphs(text), 800, 300, style, MEASURE)
    assert not long.fits and long.size == 24
    chunks = layout.split(layout.paragraphs(text), 800, 300, style, MEASURE)
    assert len(chunks) > 1
    assert "".join(p.text for c in chunks for p in c) == text
    for chunk in chunks:
        assert layout.layout(chunk, 800, 24, style, MEASURE)[1] <= 300


def test_mixed_script_spacing_is_counted() -> None:
    # LibreOffice adds space where Chinese meets Latin; the measure must include it.
    plain = MEASURE("模型", 20) + MEASURE("GPU", 20)
    assert MEASURE("模型GPU", 20) > plain
    assert MEASURE("模型 GPU", 20) > plain + MEASURE(" ", 20)


def _reference_breaks(text: str, width: float, size: float) -> list[str]:
    """The obvious greedy breaker: add an atom while the whole line, measured as one
    string, still fits. break_lines must agree with it (it bisects over positions)."""
    lines, line = [], ""
    for atom in layout._atoms(text):
        if atom.isspace() or not line or MEASURE((line + atom).rstrip(), size) <= width:
            line += atom
        else:
            lines.append(line)
            line = atom
    return [*lines, line]


short_pieces = st.one_of(
    st.sampled_from(list("模型训练显存注意力缓存推理量化，。、；：？！）」（「")),
    st.from_regex(r"[A-Za-z_]{1,8}", fullmatch=True),
    st.sampled_from([" ", "  ", "(", ")", ",", "/", "-", "0.1", "β"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(short_pieces, min_size=1, max_size=80).map("".join), st.floats(min_value=120, max_value=900),
       st.sampled_from([9.0, 16.0, 24.0]))
def test_breaker_matches_the_obvious_greedy(text: str, width: float, size: float) -> None:
    assume(all(MEASURE(atom.rstrip(), size) <= width for atom in layout._atoms(text)))  # no over-long atom
    assert list(layout.break_lines(text, width, size, MEASURE)) == _reference_breaks(text, width, size)


def test_breaker_edge_cases_found_in_review() -> None:
    """Inputs where the bisecting breaker once differed from the whole-line greedy one."""
    # Same comparison for "fits alone" and the bisection: this once looped forever.
    assert layout.break_lines("i KV", 11.648340000011649, 9.0, MEASURE) == ("i ", "KV")
    # Spaces glued to closing punctuation at a line start carry no Chinese/Latin gap.
    width = MEASURE(" ，模型", 20) + 0.5
    assert list(layout.break_lines("Word ，模型", width, 20, MEASURE)) == _reference_breaks("Word ，模型", width, 20)
    # After an atom as wide as the box, its trailing spaces stay on its line.
    assert layout.break_lines("存 型", MEASURE("存", 24), 24, MEASURE) == ("存 ", "型")
    assert layout.break_lines("模 ", MEASURE("模", 24), 24, MEASURE) == ("模 ",)
    assert layout.break_lines("LoRA rank", MEASURE("LoRA", 18), 18, MEASURE) == ("LoRA ", "rank")


def _reference_atoms(text: str) -> list[str]:
    """The plain loop the atom regex replaces: split into pieces, glue closing marks to
    what precedes them and anything after an opening bracket to it."""
    raw: list[str] = []
    word = ""
    for ch in text:
        if ch.isspace() or is_east_asian(ch) or (not word and (ch in CLOSING or ch in OPENING)):
            if word:
                raw.append(word)
                word = ""
            if ch.isspace() and raw and raw[-1].isspace():
                raw[-1] += ch
            else:
                raw.append(ch)
        else:
            word += ch
    raw += [word] if word else []
    atoms: list[str] = []
    glue_next = False
    for piece in raw:
        if atoms and (glue_next or piece[0] in CLOSING):
            atoms[-1] += piece
        else:
            atoms.append(piece)
        glue_next = atoms[-1].rstrip()[-1:] in OPENING
    return atoms


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(sorted(CLOSING | OPENING) + list("模型ab_.=/0 \t\u3000\u00a0") + ["  ", "xy"]),
                max_size=30).map("".join))
def test_atoms_match_the_plain_loop(text: str) -> None:
    assert list(layout._atoms(text)) == _reference_atoms(text)


def test_a_run_of_marks_wider_than_the_box_fills_its_lines() -> None:
    """Kinsoku cannot hold inside a run of closing (or opening) marks: the lines are full, not one
    mark each (which also cost a measure per carried mark and a split quadratic in lines)."""
    width, size = 300.0, 18.0
    for mark in ".-。（":
        text = mark * 3000
        lines = layout.break_lines(text, width, size, MEASURE)
        assert "".join(lines) == text
        full = len(lines[0])
        assert MEASURE(mark * full, size) <= width < MEASURE(mark * (full + 1), size)
        assert all(len(line) == full for line in lines[:-1]) and len(lines) == -(-len(text) // full)
    # Kinsoku still holds where it can: the character before a closing mark is carried down with it.
    text = "a" * 200 + "。"
    lines = layout.break_lines(text, width, size, MEASURE)
    assert lines[-1][0] == "a" and "".join(lines) == text


def test_soft_breaks_of_a_long_token_are_after_slashes_and_hyphens_before_a_letter() -> None:
    pieces = list(filter(None, layout._SOFT_BREAK.split("https://a.io/x-y--z/-/9-" + "-" * 5000)))
    assert pieces == ["https://", "a.io/", "x-", "y--", "z/-/", "9" + "-" * 5001]
