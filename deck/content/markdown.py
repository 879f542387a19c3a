"""The one Markdown dialect of every text field: CommonMark (markdown-it-py) with GFM tables and
strikethrough and `$…$` / `$$…$$` math (mdit-py-plugins), tuned so existing banks keep their look:
a single newline is a line break (as Marp does), raw HTML is text (`<think>` stays `<think>`),
and CommonMark never emphasises on an intraword `_` (`d_k` stays text unless written as math).
Decks read its token stream; the Anki package and the importer use the same parser."""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.dollarmath import dollarmath_plugin

# `$5 US$`: pandoc's rule (no space inside either `$`, no digit after the closing one) takes it as math;
# an amount followed by words only, with no TeX in it, is money ($5 US$, $20 per month$), not a formula.
_AMOUNT = re.compile(r"\d[\d.,]*(?:\s+[A-Za-z]+)+")


def _amounts_as_text(state: StateCore) -> None:
    """Inline math that reads as an amount of money goes back to text, with its dollar signs."""
    for block in state.tokens:
        kids = block.children
        if not kids or not any(k.type == "math_inline" and _AMOUNT.fullmatch(k.content) for k in kids):
            continue
        merged = []
        for k in kids:
            if k.type == "math_inline" and _AMOUNT.fullmatch(k.content):
                k.type, k.tag, k.markup, k.content = "text", "", "", f"${k.content}$"
            if k.type == "text" and merged and merged[-1].type == "text":
                merged[-1].content += k.content
            else:
                merged.append(k)
        block.children = merged


@functools.cache
def parser() -> MarkdownIt:
    """The shared parser (configured once; markdown-it parsers are reusable across calls)."""
    md = MarkdownIt("commonmark", {"breaks": True, "html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # `$5 and $6` stays text: a closing `$` must not follow a space, an opening one must not precede one.
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True)
    md.core.ruler.after("inline", "amounts_as_text", _amounts_as_text)
    return md
