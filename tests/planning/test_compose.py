"""Composition frames on their own: code wrapping, paginate, the stack's click steps,
the page size written for 16:9 and A4."""

from __future__ import annotations

import io
import re
import zipfile

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from deck.plan import Box, Text
from deck.planning.compose import Block, Page, code_rows
from deck.planning.selection import MockOptions
from deck.text.layout import Paragraph
from deck.text.paginate import paginate
from deck.theme.settings import load_theme

THEME = load_theme()
PAGE = Page.slide(THEME, THEME.labels("zh-CN"))
MONO = THEME.mono
CODE_MARK = THEME.code.continuation
identifiers = st.from_regex(r"[a-z_]{3,18}", fullmatch=True)
code_line = st.tuples(st.sampled_from(["", "    ", "        "]), st.lists(st.one_of(
    identifiers, st.sampled_from([", ", "(", ")", " = ", ".", "[", "]", " ", "中文注释", '"a-b"'])),
    min_size=1, max_size=40).map("".join)).map("".join)


@settings(max_examples=examples(300), deadline=None)
@given(code_line, st.floats(min_value=150, max_value=700), st.sampled_from([9.0, 12.0, 18.0]))
def test_code_rows_fit_break_between_tokens_and_keep_the_indent(line: str, width: float, size: float) -> None:
    number_w = 3
    starts, indent = code_rows(MONO, line, width, size, number_w, CODE_MARK)
    assert starts[0] == 0 and list(starts) == sorted(set(starts))
    rows = [line[a:b] for a, b in zip(starts, [*starts[1:], len(line)], strict=True)]
    assert "".join(rows) == line
    for k, row in enumerate(rows):
        head = " " * number_w + ("" if k == 0 else indent + CODE_MARK)
        fits = MONO((head + row).rstrip(), size) <= width + 1e-6
        # Only one character wider than what is left of the row may stand alone.
        assert fits or len(row.rstrip()) == 1, (row, width)
        if k:
            assert row[:1].strip(), "a continuation never starts with spaces"
            prev = rows[k - 1]
            # Between two word characters only when the word alone is wider than a row.
            if re.search(r"\w$", prev, re.ASCII) and re.match(r"\w", row, re.ASCII):
                word = re.search(r"\w+$", prev, re.ASCII).group() + re.match(r"\w+", row, re.ASCII).group()  # type: ignore[union-attr]
                assert MONO(head + word, size) + MONO.gap * size > width, (prev, row)  # gap: see code_rows
    if len(rows) > 1:
        assert indent == line[: len(line) - len(line.lstrip())] or not indent


def test_wrapped_code_hangs_under_its_indent_with_a_mark() -> None:
    source = "def f():\n    response = make_response(jsonify({'id': item_id, 'name': 'widget'}), 200)"
    panel = PAGE.code("python", source, Box(0, 0, 300, 400))
    assert panel is not None
    text = next(el for el in panel if isinstance(el, Text))
    rows = [p.text for p in text.paras]
    assert len(rows) > 2 and rows[1].startswith("2     response")
    for row in rows[2:]:
        assert row.startswith(" " * 6 + CODE_MARK), row  # gutter, the line's indent, the mark
    for prev, row in zip(rows[1:], rows[2:], strict=False):  # no identifier cut in two
        assert not (re.search(r"\w$", prev, re.ASCII) and re.match(r"\w", row.split(CODE_MARK, 1)[1], re.ASCII))
    # The mark is a muted run of its own, so copying the code leaves it easy to remove.
    mark = text.paras[2].runs[1]
    assert mark.text == CODE_MARK and mark.color == THEME.palette.muted


@given(st.lists(st.integers(1, 9), max_size=30), st.integers(1, 20))
def test_paginate_is_greedy_and_keeps_order(items: list[int], room: int) -> None:
    pages = paginate(items, lambda page, _i: sum(page) <= room)
    assert [x for page in pages for x in page] == items
    for page, nxt in zip(pages, pages[1:], strict=False):
        assert sum(page) <= room or len(page) == 1
        assert sum(page) + nxt[0] > room  # the next item did not fit


def test_stack_tags_each_block_with_its_click_step() -> None:
    blocks = [Block(b, b.label, (Paragraph("短的回答。"),)) for b in THEME.blocks(PAGE.labels)]
    placed = PAGE.stack(blocks, Box(40, 100, 800, 400), steps=True)
    assert placed is not None and [el.step for el in placed] == [1] * 4 + [2] * 4 + [3] * 4
    assert {el.step for el in PAGE.stack(blocks, Box(40, 100, 800, 400)) or []} == {0}


def test_slide_size_has_no_preset_type() -> None:
    from conftest import ENGLISH

    from deck.content.load import load_bank
    from deck.planning import handout, profiles
    from deck.render.writer import render

    bank = load_bank(ENGLISH)
    for plan in (profiles.study(bank, THEME, {}), handout.scorecard(bank, THEME, MockOptions())):
        with zipfile.ZipFile(io.BytesIO(render(plan))) as z:
            size = re.search(r"<p:sldSz [^>]*>", z.read("ppt/presentation.xml").decode()).group()  # type: ignore[union-attr]
        assert "type=" not in size
        assert f'cx="{round(plan.width * 12700)}"' in size and f'cy="{round(plan.height * 12700)}"' in size


def test_code_shrinks_to_keep_lines_whole_before_it_wraps() -> None:
    box = Box(PAGE.left, 100, PAGE.content_w, 300)  # the line fits whole at 18 pt only just not
    long_line = "result = compute_attention_scores(query_states, key_states, value_states, mask)"
    source = "def f(query_states, key_states, value_states):\n    " + long_line + "\n    return result"
    panel = PAGE.code("python", source, box)
    text = next(el for el in panel if isinstance(el, Text))
    mark = THEME.code.continuation
    assert not any(mark in p.text for p in text.paras) and len(text.paras) == 3  # whole lines, smaller
    assert text.size < THEME.sizes.code.max
    huge = PAGE.code("python", "x = " + "a_very_long_name + " * 30 + "1", box)  # cannot fit whole: wraps
    assert any(mark in p.text for p in next(el for el in huge if isinstance(el, Text)).paras)
