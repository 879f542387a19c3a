"""The one Markdown dialect of every text field: CommonMark (markdown-it-py) with GFM tables and
strikethrough and `$…$` / `$$…$$` math (mdit-py-plugins), tuned so existing banks keep their look:
a single newline is a line break (as Marp does), raw HTML is text (`<think>` stays `<think>`),
and CommonMark never emphasises on an intraword `_` (`d_k` stays text unless written as math).
Decks read its token stream; the Anki package and the importer use the same parser."""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin


@functools.cache
def parser() -> MarkdownIt:
    """The shared parser (configured once; markdown-it parsers are reusable across calls)."""
    md = MarkdownIt("commonmark", {"breaks": True, "html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # `$5 and $6` stays text: a closing `$` must not follow a space, an opening one must not precede one.
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True)
    return md
