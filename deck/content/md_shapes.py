"""The shapes real question banks use, found in the block stream (deck.content.md_blocks):

- a question heading at any level (`## Q01 · …`, `#### 1) …?`, `## 3. _…_`) with the blocks under it
  as its answer; deeper headings inside it are part of the answer, or name a field ("🪤 面试常见追问");
- a bold line (`**1. …？**`, `**Q：…**`), its answer the lines and blocks that follow;
- a list item question (`1. **Q: …**` + `- **A:** …`, `- **Q：…**` + `A：…`, seed `1) …` + labelled list);
- labelled fields (`- 标准答：…`, `Answer:`, `**A:**`, `反问点` / Ask back, `坑位` / Pitfall, `要点`, `代码`);
- `Q: …` / `问：…` paragraphs, `<details><summary>…</summary>…</details>`, a question | answer table.

The question level is the heading level where most question-like headings are; headings above it
are sections. Every non-blank source line ends up in a field or in `unplaced` with a reason.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import yaml

from deck.content.md_blocks import (
    NUMBER_RE,
    QUESTION_END_RE,
    Block,
    blocks,
    children,
    clean_text,
    field_label,
    heading_label,
    lead_bold,
    list_items,
    plain,
    strip_number,
    weight,
)

REFERENCE_HEADINGS = ("参考文献", "参考资料", "参考链接", "references", "bibliography", "further reading")
PLACEHOLDER_HEADINGS = ("图示占位", "diagram placeholders")
SUMMARY_RE = re.compile(r"<summary>(?P<q>.*?)</summary>", re.IGNORECASE | re.DOTALL)
DETAILS_ONLY_RE = re.compile(r"^\s*(?:</?details[^>]*>\s*)+$", re.IGNORECASE)
TABLE_Q = re.compile(r"^(?:问题|题目|问|q|question|questions)$", re.IGNORECASE)
TABLE_A = re.compile(r"^(?:答案|回答|答|a|answer|answers)$", re.IGNORECASE)
BR_RE = re.compile(r"[ \t]*<br\s*/?>[ \t]*", re.IGNORECASE)
MARKER_RE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])[ \t]*")
FRONT_MATTER_RE = re.compile(r"\A---\n(?P<body>.*?\n)---\n", re.DOTALL)
# Emoji before a heading's words ("### 🪤 追问", "# 🧠 LLM …") are decoration, and newer ones have
# no glyph in any font set-up installs (they would draw as boxes): the heading keeps its words only.
DECOR_RE = re.compile("^(?P<mark>#{1,6}[ \t]+)?(?:[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]"
                      "[\ufe0f\u200d\U0001f3fb-\U0001f3ff]*[ \t]*)+(?=\\S)")


def undecorated(heading: str) -> str:
    return DECOR_RE.sub(lambda m: m["mark"] or "", heading, count=1)


@dataclass(frozen=True)
class Unplaced:
    line: int
    text: str
    reason: str


@dataclass
class RawQuestion:
    line: int
    text: str
    kind: str  # heading, bold, item, labelled, pair, details, table
    level: int = 0  # a heading question's level
    splits: bool = False  # a bold heading: bold question lines inside it are questions too
    fields: dict[str, list[str]] = field(default_factory=dict)
    code: tuple[str, str] | None = None  # a labelled code block: (language, source)
    current: str = "answer"
    lines: list[int] = field(default_factory=list)  # first lines of its parts, for the report

    def add(self, name: str, text: str, line: int) -> None:
        self.current = name
        if text.strip():
            self.fields.setdefault(name, []).append(text.strip("\n"))
            self.lines.append(line)


@dataclass
class Group:
    title: str
    line: int  # 1-based; 0 for the questions before any heading
    level: int = 0  # its heading's level
    questions: list[RawQuestion] = field(default_factory=list)
    diagrams: list[tuple[int, str, str]] = field(default_factory=list)  # (line, title, source)
    intro: list[tuple[Block, str]] = field(default_factory=list)  # prose before its first question


@dataclass
class Parsed:
    lines: list[str]
    title: str | None
    groups: list[Group]
    references: list[tuple[int, str]]
    placeholders: list[tuple[int, str]]
    unplaced: list[Unplaced]


def strip_front_matter(text: str) -> tuple[str | None, str]:
    """(its title, the text with the front matter blanked: line numbers stay right)."""
    front = FRONT_MATTER_RE.match(text)
    if not front:
        return None, text
    try:
        meta = yaml.safe_load(front["body"])
    except yaml.YAMLError:
        meta = None
    title = meta["title"].strip() or None if isinstance(meta, dict) and isinstance(meta.get("title"), str) else None
    return title, "\n" * front.group().count("\n") + text[front.end():]


def parse(text: str) -> Parsed:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    title, text = strip_front_matter(text)
    walker = _Walker(text.split("\n"), blocks(text), title)
    walker.run()
    walker.unplace_lone_intros()
    return Parsed(walker.lines, walker.title, walker.groups, walker.references, walker.placeholders,
                  walker.unplaced)


def _question_level(bs: list[Block]) -> int | None:
    """The heading level with the most question-like headings, weighed by their share of the level's
    headings (answers have numbered sub-headings too, among many others); ties: the shallower."""
    asks: Counter[int] = Counter()
    every: Counter[int] = Counter()
    for b in bs:
        if b.kind == "heading" and b.level > 1:
            every[b.level] += 1
            asks[b.level] += weight(plain(b.inline)) > 0
    if not +asks:
        return None
    return min(+asks, key=lambda lvl: (-asks[lvl] ** 2 / every[lvl], lvl))


class _Walker:
    def __init__(self, lines: list[str], bs: list[Block], title: str | None) -> None:
        self.lines, self.bs, self.title = lines, bs, title
        self.level = _question_level(bs)
        self.groups = [Group(title="", line=0)]
        self.q: RawQuestion | None = None
        self.mode = "questions"  # or references, placeholders
        self.references: list[tuple[int, str]] = []
        self.placeholders: list[tuple[int, str]] = []
        self.unplaced: list[Unplaced] = []

    # ---------------------------------------------------------------- source text

    def src(self, start: int, end: int) -> str:
        return "\n".join(self.lines[start:end]).strip("\n")

    def item_src(self, item: Block) -> str:
        """A list item's source without its marker, continuation lines dedented to match."""
        first = self.lines[item.start]
        marker = MARKER_RE.match(first)
        width = marker.end() if marker else 0
        rest = [ln[width:] if ln[:width].strip() == "" else ln.lstrip() for ln in self.lines[item.start + 1:item.end]]
        return "\n".join([first[width:], *rest]).strip("\n")

    def skip(self, b: Block, reason: str) -> None:
        for n in range(b.start, b.end):
            if self.lines[n].strip():
                self.unplaced.append(Unplaced(n + 1, self.lines[n].rstrip(), reason))

    # ---------------------------------------------------------------- walking

    def run(self) -> None:
        for i, b in enumerate(self.bs):
            handler = getattr(self, f"_{b.kind}", None)
            if self.mode != "questions" and b.kind != "heading":
                self.listed(b)
            elif handler is None:
                self.attach(b)
            else:
                handler(i, b)

    def new_question(self, q: RawQuestion) -> None:
        self.q = q
        self.groups[-1].questions.append(q)

    def attach(self, b: Block, text: str | None = None) -> None:
        """A block of the open question's current field, a section's intro, or a line left out."""
        if self.q is None:
            group = self.groups[-1]
            if group.line and not group.questions:  # under a section heading, before its first question
                group.intro.append((b, text if text is not None else self.src(b.start, b.end)))
                return
            self.skip(b, "outside any question (no question heading, bold question or Q: line above it)")
            return
        if self.q.kind == "labelled" and b.kind == "paragraph" and self.q.fields:
            self.skip(b, "a paragraph after the labelled fields (indent it under the label to keep it)")
            return
        self.q.add(self.q.current, text if text is not None else self.src(b.start, b.end), b.start + 1)

    def unplace_lone_intros(self) -> None:
        """Prose under a heading that got no question is no section's intro: it is left out."""
        for g in self.groups:
            if not g.questions:
                for b, _ in g.intro:
                    self.skip(b, "outside any question (no question heading, bold question or Q: line above it)")
                g.intro.clear()
        self.unplaced.sort(key=lambda u: u.line)

    def _hr(self, i: int, b: Block) -> None:
        pass  # a rule only separates

    def _heading(self, i: int, b: Block) -> None:
        text = plain(b.inline)
        low = text.lower()
        if b.level == 1 and self.title is None and not self.groups[-1].questions and self.q is None:
            self.title = undecorated(text)
            return
        if any(k in low for k in REFERENCE_HEADINGS) or any(k in low for k in PLACEHOLDER_HEADINGS):
            self.q = None
            self.mode = "references" if any(k in low for k in REFERENCE_HEADINGS) else "placeholders"
            return
        self.mode = "questions"
        q = self.q
        if q is not None and q.kind == "heading" and b.level > q.level:  # inside a question
            name = heading_label(text)
            if name is not None and name != "answer":
                q.current = name
                q.lines.append(b.start + 1)
            elif name == "answer" and not q.fields:
                q.current = "answer"
                q.lines.append(b.start + 1)
            else:
                q.add(q.current, undecorated(self.src(b.start, b.end)), b.start + 1)
            return
        if q is not None and b.level >= q.level and heading_label(text) not in (None, "answer"):
            q.current = heading_label(text) or "answer"  # "### 🪤 Follow-up questions" beside the question
            q.lines.append(b.start + 1)
            return
        if self.is_question_heading(i, b, text):
            if self.groups[-1].level >= b.level:  # the heading above was no section: questions without one
                self.groups.append(Group(title="", line=0))
            bold = lead_bold(b.inline)
            self.new_question(RawQuestion(line=b.start + 1, text=strip_number(text), kind="heading", level=b.level,
                                          splits=bold is not None and not bold[1]))
            return
        self.q = None
        if self.level is None or b.level <= self.level:
            self.groups.append(Group(title=text, line=b.start + 1, level=b.level))
        else:
            self.skip(b, "a heading that is neither a section nor a question")

    def is_question_heading(self, i: int, b: Block, text: str) -> bool:
        w = weight(text)
        if w == 0 or self.level is None:
            return False
        if b.level >= self.level:
            return True
        # Above the question level: a question only if no question heading is under it (`### 66) …?`).
        for nb in self.bs[i + 1:]:
            if nb.kind == "heading":
                if nb.level <= b.level:
                    return True
                if weight(plain(nb.inline)) > 0:
                    return False
        return True

    def _paragraph(self, i: int, b: Block) -> None:
        # Raw HTML is text in our dialect: a <br> becomes the line break it means.
        source = re.sub(r"\n{3,}", "\n\n", BR_RE.sub("\n", self.src(b.start, b.end)))
        summary = SUMMARY_RE.search(source)
        if summary:  # <details><summary>question</summary> answer … </details>
            question = strip_number(clean_text(summary["q"]))
            self.new_question(RawQuestion(line=b.start + 1, text=question, kind="details"))
            rest = DETAILS_ONLY_RE.sub("", source[summary.end():]).strip()
            self.q.add("answer", rest, b.start + 1)
            return
        if DETAILS_ONLY_RE.match(source):
            if "</details" in source.lower() and self.q is not None and self.q.kind == "details":
                self.q = None  # the collapsed answer ends here; prose after it is no part of it
            return
        if not clean_text(source):  # only tags: a banner or layout (<div align=center>, <br>)
            self.skip(b, "raw HTML with no text (a banner or layout)")
            return
        labelled = field_label(source)
        if labelled and self.q is not None:
            self.q.add(labelled[0], labelled[1], b.start + 1)
            return
        bold = lead_bold(b.inline)
        run = bold is not None and self.q is not None and self.q.kind == "bold" and not bold[1] and \
            re.search(r"[?？。)）]", bold[0]) is not None  # a sentence on its own line: one more in a run
        if bold and (run or self.starts_question(bold[0])):
            self.lead_question(b, bold[0], source, "bold")
            return
        first = plain(b.inline, stop_at_break=True)
        if weight(first) == 3 and self.starts_question(first):  # Q: … / 问：… / Q1 …
            self.lead_question(b, first, source, "pair")
            return
        if weight(first) and NUMBER_RE.match(first) and QUESTION_END_RE.search(first) and self.in_list_run():
            self.lead_question(b, first, source, "item")  # 1、问题？ (not a list to CommonMark)
            return
        self.attach(b, source)

    def starts_question(self, text: str) -> bool:
        w = weight(text)
        if w == 0 or field_label(text):
            return False
        q = self.q
        return q is None or q.kind != "heading" or q.splits or not q.fields

    def lead_question(self, b: Block, text: str, source: str, kind: str) -> None:
        """A question on the block's first line; the lines after it start its answer."""
        if self.q is not None and self.q.kind == "heading" and not self.q.fields and not self.q.splits:
            # A question heading whose first block is a bold question is a heading over questions.
            container = self.groups[-1].questions.pop()
            self.groups.append(Group(title=container.text, line=container.line, level=container.level))
            self.q = None
        q = RawQuestion(line=b.start + 1, text=strip_number(text), kind=kind,
                        level=self.q.level if self.q is not None and self.q.kind == "heading" else 0,
                        splits=self.q is not None and self.q.splits)
        if q.level:  # a bold question inside a bold question heading: same level, same rules
            q.kind = "heading"
        self.new_question(q)
        rest = source.split("\n", 1)[1] if "\n" in source else ""
        self.answer_text(q, rest, b.start + 2)

    def answer_text(self, q: RawQuestion, text: str, line: int) -> None:
        """Lines after a question line: a line with a label ('A：…', 'Code:') starts that field,
        the others continue the field open (the answer at first)."""
        name, chunk, first = "answer", [], line
        for n, row in enumerate(text.split("\n")):
            labelled = field_label(row.strip())
            if labelled:
                q.add(name, "\n".join(chunk), first)
                name, chunk, first = labelled[0], [labelled[1]], line + n
            else:
                chunk.append(row.strip() if len(chunk) == 0 or "\n" not in text.strip() else row)
        q.add(name, "\n".join(chunk), first)
        q.current = name

    def _bullet_list(self, i: int, b: Block) -> None:
        self.listing(i, b)

    def _ordered_list(self, i: int, b: Block) -> None:
        self.listing(i, b)

    def listing(self, i: int, b: Block) -> None:
        items = list_items(b)
        if self.q is None and all(_link_only(children(item)) for item in items):
            self.skip(b, "a table of contents or a list of links")
            return
        nxt = self.bs[i + 1] if i + 1 < len(self.bs) else None
        next_labelled = nxt is not None and nxt.kind == "bullet_list" and \
            bool(field_label(self.item_src(list_items(nxt)[0])))
        if not any(self.item_question(item, b, next_labelled) for item in items) and \
                not any(field_label(self.item_src(item)) for item in items):
            self.attach(b)
            return
        for item in items:
            q_text = self.item_question(item, b, next_labelled)
            if q_text is not None:
                self.item_as_question(item, q_text, next_labelled)
            else:
                self.item_as_field(item)

    def item_question(self, item: Block, b: Block, next_labelled: bool) -> str | None:
        """The question an item asks, if it is one."""
        if self.q is not None and self.q.kind == "heading":
            return None
        kids = children(item)
        if not kids or kids[0].kind != "paragraph":
            return None
        first = kids[0]
        bold = lead_bold(first.inline)
        if bold and weight(bold[0]) > 0 and not field_label(bold[0]):
            return bold[0]
        text = plain(first.inline, stop_at_break=True)
        if weight(text) == 3 and not field_label(text):
            return text
        nested = any(k.kind == "bullet_list" and field_label(self.item_src(list_items(k)[0])) for k in kids[1:])
        inline = any(field_label(row.strip()) for row in self.src(first.start, first.end).split("\n")[1:])
        if b.kind == "ordered_list" and (nested or next_labelled or inline) and not field_label(text):
            return text
        single = len(list_items(b)) == 1 or len(kids) > 1  # the answer follows it, or is inside it
        if b.kind == "ordered_list" and QUESTION_END_RE.search(text) and single and self.in_list_run():
            return text
        return None

    def in_list_run(self) -> bool:
        """No question open, or the open one is a numbered item: a plain '1. …?' may start the next."""
        return self.q is None or self.q.kind in ("item", "labelled", "pair")

    def item_as_question(self, item: Block, text: str, labelled_after: bool) -> None:
        q = RawQuestion(line=item.start + 1, text=strip_number(text), kind="item")
        self.new_question(q)
        kids = children(item)
        first = kids[0]
        body = self.src(first.start, first.end)
        rest = body.split("\n", 1)[1] if "\n" in body else ""
        if rest.strip():
            self.answer_text(q, rest, first.start + 2)
            q.kind = "labelled" if any(field_label(row.strip()) for row in rest.split("\n")) else q.kind
        q.kind = "labelled" if labelled_after else q.kind
        for k in kids[1:]:
            if k.kind == "bullet_list" and field_label(self.item_src(list_items(k)[0])):
                q.kind = "labelled"
                for sub in list_items(k):
                    self.item_as_field(sub)
            else:
                self.nested_block(q, k)

    def nested_block(self, q: RawQuestion, k: Block) -> None:
        lines = self.lines[k.start:k.end]
        indent = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
        text = "\n".join(ln[indent:] for ln in lines)
        if k.kind == "fence" and not k.tokens[0].content.strip():
            self.skip(k, "an empty code block")
        elif k.kind == "fence" and q.current == "code" and q.code is None:
            q.code = (k.info or "text", k.tokens[0].content.replace("\t", "    ").rstrip())
            q.lines.append(k.start + 1)
        else:
            q.add(q.current, text, k.start + 1)

    def item_as_field(self, item: Block) -> None:
        """A labelled item sets its field; an unlabelled one continues the open field."""
        text = self.item_src(item)
        labelled = field_label(text)
        q = self.q
        if q is None:
            self.skip(item, "a field outside any question")
            return
        if labelled:
            name, rest = labelled
            if name == "code":  # the code is the fenced block inside or after the item
                q.current = "code"
                q.lines.append(item.start + 1)
                for k in children(item)[1:]:
                    self.nested_block(q, k)
                return
            q.add(name, rest, item.start + 1)
        else:
            q.add(q.current, "- " + text.replace("\n", "\n  "), item.start + 1)

    def _fence(self, i: int, b: Block) -> None:
        if b.info == "mermaid":
            q, group = self.q, self.groups[-1]
            named = (q.text if q else "", group.title, self.title or "", "Diagram")
            title = next(t for t in named if re.search(r"\w", t))
            group.diagrams.append((b.start + 1, title, b.tokens[0].content.strip("\n")))
            return
        if self.q is not None and self.q.current == "code" and self.q.code is None:
            self.nested_block(self.q, b)
            return
        self.attach(b)

    def _table(self, i: int, b: Block) -> None:
        rows = [ln for ln in self.lines[b.start:b.end] if ln.strip()]
        head = [clean_text(c.strip(" *_")) for c in _cells(rows[0])]
        if len(head) >= 2 and TABLE_Q.match(head[0]) and TABLE_A.match(head[1]) and \
                (self.q is None or self.q.kind != "heading"):
            for n, row in enumerate(rows[2:], start=b.start + 3):
                cells = _cells(row)
                if len(cells) < 2:
                    continue
                q = RawQuestion(line=n, text=strip_number(clean_text(cells[0])), kind="table")
                self.new_question(q)
                q.add("answer", cells[1].replace("<br>", "\n").strip(), n)
                self.q = None
            return
        self.attach(b)

    def listed(self, b: Block) -> None:
        """A block under a references or diagram-placeholders heading."""
        if b.kind == "hr":
            return
        if b.kind not in ("bullet_list", "ordered_list"):
            self.skip(b, f"not a list item of the {self.mode} list")
            return
        for item in list_items(b):
            text = self.item_src(item)
            (self.references if self.mode == "references" else self.placeholders).append((item.start + 1, text))


def _link_only(kids: list[Block]) -> bool:
    """An item that is one link and nothing else ('- [Q01 · Title](#q01)')."""
    if len(kids) != 1 or kids[0].inline is None:
        return False
    inner = [c for c in kids[0].inline.children or [] if not (c.type == "text" and not c.content.strip())]
    return len(inner) >= 2 and inner[0].type == "link_open" and inner[-1].type == "link_close"


def _cells(row: str) -> list[str]:
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)]
