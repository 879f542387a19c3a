"""Markdown as the importer sees it: the top-level blocks of the shared parser's token stream
(deck.content.markdown.parser), each with its source lines (token.map), plus the text helpers
the shape rules need: a block's plain text, its leading bold line, field labels, numbering.

Raw HTML is text in our dialect, so `<details>` and `<br>` arrive as paragraph text; the
rules look for them in that text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from markdown_it.token import Token

from deck.content.markdown import parser

FIELD_LABELS = {
    "answer": ("标准答", "标准答案", "标准回答", "参考答案", "答案", "回答", "答", "answer", "standard answer", "a",
               "一句话答案", "一句话总结", "short answer",
               "one-line answer", "one line answer"),
    "follow_up": ("反问点", "反问", "追问", "面试常见追问", "常见追问", "延伸追问", "ask back", "ask-back", "follow-up",
                  "follow up", "followup", "follow-ups", "follow-up questions"),
    "pitfall": ("坑位", "易错点", "常见误区", "误区", "pitfall", "pitfalls", "trap", "traps", "common mistakes"),
    "key_points": ("要点", "关键点", "key points", "key point", "key takeaways"),
    "code": ("代码", "示例代码", "code"),
}
LABEL_OF = {label: name for name, labels in FIELD_LABELS.items() for label in labels}
_LABELS = "|".join(sorted((re.escape(x) for x in LABEL_OF), key=len, reverse=True))
# "- **标准答：** text", "Answer: text", "**A:** text": label, optional bold, a colon.
FIELD_RE = re.compile(rf"^\s*(?:[-*+]\s+)?(?:\*\*|__)?\s*(?P<label>{_LABELS})\s*(?:\*\*|__)?\s*[:：]\s*"
                      rf"(?:\*\*|__)?\s*(?P<text>.*)$", re.IGNORECASE | re.DOTALL)
# A heading that names a field without a colon ("🎯 一句话答案", "Follow-up questions").
HEADING_LABEL_RE = re.compile(rf"^\W*(?P<label>{_LABELS})\W*$", re.IGNORECASE)
Q_PREFIX_RE = re.compile(r"^(?:Q\s*\d{1,3}\s*[·.:：、)）\-—]?|第\s*\d{1,3}\s*题[:：、.]?"
                         r"|(?:Q|问|问题|Question)\s*[:：])\s*",
                         re.IGNORECASE)
NUMBER_RE = re.compile(r"^(?:[（(]\d{1,3}[)）]|\d{1,3}(?:\.\d{1,3})*(?:\s*[.)）、:：．]|\s))\s*")
COUNT_RE = re.compile(r"[（(]\s*\d+\s*(?:[-–]\s*\d+|题|道题?|questions?)\s*[)）]\s*$", re.IGNORECASE)
ASIDE_RE = re.compile(r"^[?？:：]?\s*[（(][^（）()]*[)）]$")
ASIDE_TAIL_RE = re.compile(r"\s*[（(][^（）()]*[)）]\s*$")
QUESTION_END_RE = re.compile(r"[?？]\s*$")
TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
TRAILING_REFS_RE = re.compile(r"(?:\s*\[[^\[\]]*\])+\s*$")  # "… [src]" after the links are text
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


@dataclass
class Block:
    """One top-level block: its kind, source lines [start, end) and tokens."""

    kind: str  # heading, paragraph, bullet_list, ordered_list, blockquote, fence, code_block, table, hr, math_block
    start: int
    end: int
    tokens: list[Token] = field(default_factory=list)
    level: int = 0  # a heading's level

    @property
    def inline(self) -> Token | None:
        return next((t for t in self.tokens if t.type == "inline"), None)

    @property
    def info(self) -> str:
        return self.tokens[0].info.strip().split(" ")[0].lower() if self.kind == "fence" else ""


def blocks(text: str) -> list[Block]:
    """The top-level blocks, in order."""
    tokens = parser().parse(text)
    out: list[Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        j = _close(tokens, i)
        kind = tok.type.removesuffix("_open")
        start, end = tok.map if tok.map else (0, 0)
        out.append(Block(kind=kind, start=start, end=end, tokens=tokens[i:j + 1],
                         level=int(tok.tag[1]) if kind == "heading" else 0))
        i = j + 1
    return out


def _close(tokens: list[Token], i: int) -> int:
    """Index of the token closing tokens[i] (i itself for a token that opens nothing)."""
    if tokens[i].nesting != 1:
        return i
    depth, j = 0, i
    while True:
        depth += tokens[j].nesting
        if depth == 0:
            return j
        j += 1


def list_items(block: Block) -> list[Block]:
    """The items of a list block, each as a Block of its tokens (kind 'item')."""
    items = []
    toks = block.tokens
    i = 1
    while i < len(toks) - 1:
        if toks[i].type == "list_item_open" and toks[i].level == toks[0].level + 1:
            j = _close(toks, i)
            start, end = toks[i].map or (0, 0)
            items.append(Block(kind="item", start=start, end=end, tokens=toks[i:j + 1]))
            i = j
        i += 1
    return items


def children(item: Block) -> list[Block]:
    """The blocks directly inside a list item or blockquote."""
    inner = item.tokens[1:-1]
    level = item.tokens[0].level + 1
    out, i = [], 0
    while i < len(inner):
        tok = inner[i]
        if tok.level != level:
            i += 1
            continue
        j = _close(inner, i)
        start, end = tok.map if tok.map else (0, 0)
        out.append(Block(kind=tok.type.removesuffix("_open"), start=start, end=end, tokens=inner[i:j + 1]))
        i = j + 1
    return out


def plain(inline: Token | None, stop_at_break: bool = False) -> str:
    """Readable text of an inline token: no link targets, emphasis marks, tags or images."""
    if inline is None:
        return ""
    parts = []
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            if stop_at_break:
                break
            parts.append(" ")
        elif child.type == "text" or child.type == "code_inline":
            parts.append(child.content)
        elif child.type == "math_inline":
            parts.append(f"${child.content}$")
    return clean_text("".join(parts))


def clean_text(text: str) -> str:
    text = TAG_RE.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return TRAILING_REFS_RE.sub("", text).strip()


def lead_bold(inline: Token | None) -> tuple[str, bool] | None:
    """(text, more) if the inline's first line is one bold run (trailing punctuation aside):
    '**1. What is X?**' or '**Q：…**\\nA：…'; more says whether lines follow it."""
    kids = [c for c in inline.children or [] if c.type != "text" or c.content] if inline is not None else []
    if not kids or kids[0].type != "strong_open":
        return None
    depth, k = 0, 0
    while k < len(kids):
        depth += {"strong_open": 1, "strong_close": -1}.get(kids[k].type, 0)
        if depth == 0:
            break
        k += 1
    rest = kids[k + 1:]
    brk = next((n for n, c in enumerate(rest) if c.type in ("softbreak", "hardbreak")), len(rest))
    tail = "".join(c.content for c in rest[:brk] if c.type == "text").strip()
    # After the bold run: punctuation, or an aside in brackets ("**…？**（为什么不用一个头）").
    head = plain(Token("inline", "", 0, children=kids[1:k]))
    # …or a short remark after a whole sentence ("**…（为什么除以 dk 的平方根）**，并推导").
    remark = re.search(r"[?？。)）]$", head) is not None and len(tail) <= 30 and not tail.startswith((":", "："))
    if any(c.type != "text" for c in rest[:brk]) or (len(tail) > 2 and not ASIDE_RE.match(tail) and not remark):
        return None
    return head + tail, brk < len(rest)


def weight(text: str) -> int:
    """How much a title looks like a question: 3 'Q01'/'Q:', 2 ends with '?', 1 numbered, else 0."""
    if COUNT_RE.search(text):  # "… (30题)", "… (1-40)": a section announcing its questions
        return 0
    text = ASIDE_TAIL_RE.sub("", text)  # "什么是困惑度？（也叫 PPL）" asks all the same
    if Q_PREFIX_RE.match(text):
        return 3
    if QUESTION_END_RE.search(text):
        return 2
    return 1 if NUMBER_RE.match(text) and NUMBER_RE.sub("", text, count=1) else 0


def strip_number(text: str) -> str:
    """'Q01 · Title' / '1.2 Title' / '（3）Title' / 'Q: Title' -> 'Title'."""
    text = Q_PREFIX_RE.sub("", text, count=1)
    return NUMBER_RE.sub("", text, count=1).strip() or text


def field_label(text: str) -> tuple[str, str] | None:
    """(field, rest) if text starts with a field label and a colon."""
    found = FIELD_RE.match(text)
    if not found:
        return None
    return LABEL_OF[found["label"].lower()], found["text"]


def heading_label(text: str) -> str | None:
    """The field a sub-heading names ('🎯 一句话答案' -> answer), or None."""
    bare = "".join(c for c in text if unicodedata.category(c)[0] in "LNZP" or c in "-").strip()
    found = HEADING_LABEL_RE.match(bare)
    if found:
        return LABEL_OF[found["label"].lower()]
    low = bare.lower()
    for words, name in ((("追问", "反问", "follow-up", "follow up"), "follow_up"),
                        (("坑位", "易错", "误区", "pitfall"), "pitfall")):
        if any(w in low for w in words) and len(bare) <= 12:
            return name
    return None


def slug(text: str, max_words: int = 6, max_len: int = 40) -> str:
    """Lowercase ASCII slug of the Latin words of text; '' if it has no word of 2+ letters."""
    text = re.sub(r"\$[^$]*\$", " ", text)  # math is no word
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[A-Za-z0-9]+", ascii_text)
    if not any(len(w) >= 2 and re.search("[A-Za-z]", w) for w in words):
        return ""
    out = ""
    for w in words[:max_words]:
        if out and len(out) + 1 + len(w) > max_len:
            break
        out = f"{out}-{w.lower()}" if out else w.lower()[:max_len]
    return out
