"""`deck import`: a seed-style Markdown question bank -> the files of a content folder.

Pure functions (text in, file texts out). The Markdown shape many interview banks use:

    # Bank title
    ## 一、Section title（30题）          -> a section (number from 一/二/… or 1/2/…, count checked)
    1) Question?                          -> a question ("N)", "N）", "N." or "N、")
    - 标准答：…  / Answer: …             -> answer      (full-width or ASCII colon, **bold** or not)
    - 反问点：…  / Ask back: …           -> follow_up
    - 坑位：…    / Pitfall: …            -> pitfall
    - 要点：a；b / Key points: a; b       -> key_points
    - 代码：     / Code:  + a fenced block -> code (the fence's language)
    ```mermaid … ```                      -> diagrams/<id>.mmd + a diagrams.yaml entry
    ## 参考文献与链接 / ## References      -> deck.yaml references (title, authors, year, url)
    ## 图示占位 / ## Diagram placeholders  -> diagrams.yaml entries with a stub .mmd each

Ids (stable for the same Markdown, unique, readable):
- a question's id is the slug of the Latin words of its text ("Pre-LN vs Post-LN？" ->
  "pre-ln-vs-post-ln", at most 6 words / 40 characters); a text without a Latin word of two or
  more letters (most Chinese questions) gets "<section id>-q<N>", N its number in the Markdown
  ("section-1-q7"); a slug already taken gets "-<section number>-<N>" appended;
- a section's id is the slug of its title, else "section-<number>";
- a diagram's id is the slug of its heading or placeholder title, else "overview" for the first
  diagram outside a question section, else "diagram-<N>".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

FIELD_LABELS = {
    "answer": ("标准答", "标准答案", "标准回答", "答案", "answer", "standard answer", "a"),
    "follow_up": ("反问点", "反问", "追问", "ask back", "ask-back", "follow-up", "follow up", "followup"),
    "pitfall": ("坑位", "易错点", "pitfall", "pitfalls", "trap"),
    "key_points": ("要点", "关键点", "key points", "key point"),
    "code": ("代码", "示例代码", "code"),
}
_LABEL_OF = {label: name for name, labels in FIELD_LABELS.items() for label in labels}
_LABELS = "|".join(sorted((re.escape(x) for x in _LABEL_OF), key=len, reverse=True))
FIELD_RE = re.compile(rf"^\s*(?:[-*+]\s+)?(?:\*\*|__)?\s*(?P<label>{_LABELS})\s*(?:\*\*|__)?\s*[:：]\s*"
                      rf"(?:\*\*|__)?\s*(?P<text>.*)$", re.IGNORECASE)
ITEM_RE = re.compile(r"^\s{0,3}(?:#{3,6}\s+)?(?:\*\*|__)?(?:Q\s*)?(?P<n>\d{1,3})\s*(?P<sep>[)）.．、:：])\s*"
                     r"(?P<text>\S.*?)(?:\*\*|__)?\s*$", re.IGNORECASE)
HEADING_RE = re.compile(r"^(?P<level>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
FENCE_RE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
RULE_RE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
BULLET_RE = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)）、])\s+(?P<text>.+)$")
SECTION_HEAD_RE = re.compile(r"^(?:(?:第\s*)?(?P<num>[一二三四五六七八九十]+|\d{1,2})\s*(?:节|章|部分)?"
                             r"\s*[、.．:：)）]\s*)?(?P<title>.+?)\s*(?:[（(]\s*(?P<count>\d+)\s*(?:题|道题?|questions?)\s*[)）])?$",
                             re.IGNORECASE)
REFERENCE_HEADINGS = ("参考文献", "参考资料", "参考链接", "references", "bibliography", "further reading")
PLACEHOLDER_HEADINGS = ("图示占位", "图示", "diagram placeholders", "placeholders")
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
URL_RE = re.compile(r"<?(https?://[^\s<>）)]+)>?")
YEAR_RE = re.compile(r"^(?:19|20)\d{2}[a-z]?$")
CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


@dataclass(frozen=True)
class Unplaced:
    line: int
    text: str
    reason: str


@dataclass
class _Question:
    number: int
    line: int
    text: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    code: tuple[str, str] | None = None  # (language, source)
    lines: list[int] = field(default_factory=list)  # line numbers of its fields, for the report if it is dropped


@dataclass
class _Diagram:
    line: int
    title: str
    source: str
    caption: str = ""
    placeholder: bool = False
    id: str = ""


@dataclass
class _Group:
    """Everything under one heading; it becomes a section if it holds questions."""

    title: str
    line: int
    number: int | None = None
    declared: int | None = None
    questions: list[_Question] = field(default_factory=list)
    diagrams: list[_Diagram] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    files: dict[str, str]  # path inside the bank folder -> text
    unplaced: tuple[Unplaced, ...]
    notices: tuple[str, ...]  # things that were placed but deserve a look (counts, dropped questions)
    sections: int
    questions: int
    code: int
    diagrams: int
    references: int


def import_markdown(text: str, source_name: str = "bank.md") -> Imported:
    """Parse the Markdown and return the bank's files; raise ValueError if it holds no question."""
    parser = _Parser(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    parser.run()
    return _Assembler(parser, source_name).files()


# ---------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.title: str | None = None
        self.groups: list[_Group] = [_Group(title="", line=0)]  # questions before any heading
        self.mode = "questions"  # or "references", "placeholders"
        self.references: list[tuple[int, str]] = []
        self.placeholders: list[_Diagram] = []
        self.question: _Question | None = None
        self.open_field: str | None = None
        self.unplaced: list[Unplaced] = []
        self.notices: list[str] = []
        self.used_headings: set[int] = set()

    def skip(self, i: int, reason: str) -> None:
        if self.lines[i].strip():
            self.unplaced.append(Unplaced(i + 1, self.lines[i].rstrip(), reason))

    def run(self) -> None:
        i = 0
        while i < len(self.lines):
            i = self.line(i)

    def line(self, i: int) -> int:
        raw = self.lines[i]
        stripped = raw.strip()
        fence = FENCE_RE.match(raw)
        if fence:
            return self.fenced(i, fence)
        if not stripped:
            self.open_field = None
            return i + 1
        if RULE_RE.match(raw):  # a horizontal rule only separates
            return i + 1
        heading = HEADING_RE.match(raw)
        item = ITEM_RE.match(raw) if self.mode == "questions" else None
        if item and self._is_question(item, raw):
            self.new_question(i, item)
            return i + 1
        if heading:
            self.heading(i, len(heading["level"]), _plain(heading["text"]))
            return i + 1
        if self.mode == "references":
            return self.reference(i)
        if self.mode == "placeholders":
            return self.placeholder(i)
        found = FIELD_RE.match(raw)
        if found:
            if self.question is None:
                self.skip(i, "a field outside any question")
            else:
                self.question.lines.append(i + 1)
                self.set_field(i, _LABEL_OF[found["label"].lower()], found["text"])
            return i + 1
        self.continuation(i)
        return i + 1

    def _is_question(self, item: re.Match, raw: str) -> bool:
        if item["sep"] in ")）":
            return not (self.open_field and raw.startswith((" ", "\t")))
        # "1." / "1、" also start numbered lists inside an answer: a question only if it is the next number.
        expected = self.question.number + 1 if self.question else 1
        return int(item["n"]) == expected and not raw.startswith((" ", "\t"))

    def heading(self, i: int, level: int, text: str) -> None:
        self.question, self.open_field = None, None
        if level == 1 and self.title is None:
            self.title = text
            self.used_headings.add(i)
            return
        low = text.lower()
        if any(k in low for k in REFERENCE_HEADINGS):
            self.mode = "references"
            self.used_headings.add(i)
            return
        if any(k in low for k in PLACEHOLDER_HEADINGS):
            self.mode = "placeholders"
            self.used_headings.add(i)
            return
        self.mode = "questions"
        head = SECTION_HEAD_RE.match(text)
        assert head is not None  # the title group matches any text
        number = _numeral(head["num"]) if head["num"] else None
        self.groups.append(_Group(title=head["title"], line=i + 1, number=number,
                                  declared=int(head["count"]) if head["count"] else None))

    def new_question(self, i: int, item: re.Match) -> None:
        self.question = _Question(number=int(item["n"]), line=i + 1, text=_plain(item["text"]))
        self.open_field = None
        self.groups[-1].questions.append(self.question)
        self.used_headings.add(self.groups[-1].line - 1)

    def set_field(self, i: int, name: str, text: str) -> None:
        assert self.question is not None
        if name in self.question.fields:
            self.skip(i, f"a second '{name}' for question {self.question.number}")
            self.open_field = None
            return
        if name == "code" and text.strip():
            self.skip(i, "text after the code label (the code is the fenced block that follows)")
            text = ""
        self.question.fields[name] = [_plain(text)] if text.strip() else []
        self.open_field = name

    def continuation(self, i: int) -> None:
        text = self.lines[i].strip()
        q = self.question
        if q is not None and self.open_field and self.open_field != "code":
            q.lines.append(i + 1)
            bullet = BULLET_RE.match(text)
            self.question.fields[self.open_field].append("- " + _plain(bullet["text"]) if bullet else _plain(text))
        elif q is not None and not q.fields and q.code is None:
            q.text += ("" if CJK_RE.search(q.text[-1:] + text[:1]) else " ") + _plain(text)
        else:
            self.skip(i, "text outside any question field")

    def fenced(self, i: int, fence: re.Match) -> int:
        indent, mark, language = fence["indent"], fence["fence"], fence["info"].lower() or "text"
        close = re.compile(rf"^\s*{re.escape(mark[0])}{{{len(mark)},}}\s*$")
        end = next((k for k in range(i + 1, len(self.lines)) if close.match(self.lines[k])), None)
        if end is None:
            self.notices.append(f"line {i + 1}: code fence never closed; it runs to the end of the file")
        body = self.lines[i + 1: end if end is not None else len(self.lines)]
        # Off with the fence's own indent (a fence inside a list item), tabs as 4 spaces like the loader.
        source = "\n".join((line[len(indent):] if line.startswith(indent) else line.lstrip()).replace("\t", "    ")
                           for line in body).strip("\n")
        after = (end if end is not None else len(self.lines) - 1) + 1
        if not source.strip():
            for k in range(i, after):
                self.skip(k, "an empty code block")
            return after
        q = self.question
        if language == "mermaid":
            title = q.text if q else self.groups[-1].title or self.title or "Diagram"
            self.groups[-1].diagrams.append(_Diagram(line=i + 1, title=title, source=source))
            self.used_headings.add(self.groups[-1].line - 1)
        elif q is not None and q.code is None and self.mode == "questions":
            q.code = (language, source)
            q.lines += range(i + 1, after + 1)
            if self.open_field == "code":
                self.open_field = None
        else:
            reason = f"a second code block for question {q.number}" if q else "a code block outside any question"
            for k in range(i, after):
                self.skip(k, reason)
        return after

    def reference(self, i: int) -> int:
        bullet = BULLET_RE.match(self.lines[i])
        if bullet:
            self.references.append((i + 1, bullet["text"]))
        else:
            self.skip(i, "not a list item of the reference list")
        return i + 1

    def placeholder(self, i: int) -> int:
        bullet = BULLET_RE.match(self.lines[i])
        if not bullet:
            self.skip(i, "not a list item of the diagram placeholder list")
            return i + 1
        text = _plain(bullet["text"])
        title, _, caption = text.replace("：", ":").partition(":") if re.search("[:：]", text) else (text, "", "")
        self.placeholders.append(_Diagram(line=i + 1, title=title.strip(), source="", caption=caption.strip(),
                                          placeholder=True))
        return i + 1


# ---------------------------------------------------------------- assembling the bank


class _Assembler:
    def __init__(self, parser: _Parser, source_name: str) -> None:
        self.p = parser
        self.source_name = source_name
        self.unplaced = list(parser.unplaced)
        self.notices = list(parser.notices)
        self.ids: set[str] = set()  # question ids
        self.diagram_ids: set[str] = set()

    def _unique(self, base: str, suffix: str) -> str:
        candidate = base if base not in self.ids else f"{base}-{suffix}"
        n = 2
        while candidate in self.ids:
            candidate, n = f"{base}-{suffix}-{n}", n + 1
        self.ids.add(candidate)
        return candidate

    def files(self) -> Imported:
        groups = [g for g in self.p.groups if g.questions]
        if not groups:
            raise ValueError("no questions found (expected lines like '1) question' followed by '- 标准答：…')")
        sections, overview = self._sections(groups)
        title = self.p.title or (groups[0].title if groups[0].title else self.source_name)
        every_text = " ".join(q["question"] for s in sections for q in s["questions"])
        deck: dict[str, Any] = {"title": title, "language": "zh-CN" if CJK_RE.search(every_text) else "en"}
        if overview:
            deck["overview_diagram"] = overview
        references = [r for line, text in self.p.references for r in _references(text, line, self.notices)]
        if references:
            deck["references"] = references
        header = (f"# yaml-language-server: $schema=content.schema.json\n"
                  f"# Imported from {self.source_name} by `deck import`.\n")
        files = {"deck.yaml": header + dump_yaml(deck)}
        for s in sections:
            files[f"{s['section']['number']:02d}-{s['section']['id']}.yaml"] = (
                "# yaml-language-server: $schema=content.schema.json\n" + _spaced(dump_yaml(s)))
        diagrams = self._diagram_files(files)
        self.unplaced += [Unplaced(i + 1, self.p.lines[i], "a heading with nothing placed under it")
                          for g in self.p.groups[1:] if (i := g.line - 1) not in self.p.used_headings]
        return Imported(files=files, unplaced=tuple(sorted(self.unplaced, key=lambda u: u.line)),
                        notices=tuple(self.notices), sections=len(sections),
                        questions=sum(len(s["questions"]) for s in sections),
                        code=sum(1 for s in sections for q in s["questions"] if "code" in q),
                        diagrams=diagrams, references=len(references))

    def _sections(self, groups: list[_Group]) -> tuple[list[dict[str, Any]], str | None]:
        # Numbers from the headings where they are usable and unique, the others the next free ones.
        given = [g.number if g.number and 1 <= g.number <= 99 else None for g in groups]
        given = [n if n and given.index(n) == k else None for k, n in enumerate(given)]
        free = (n for n in range(1, 100) if n not in given)
        numbers = [n or next(free) for n in given]
        out: list[dict[str, Any]] = []
        by_group: dict[int, dict[str, Any]] = {}
        section_ids: set[str] = set()
        for g, number in zip(groups, numbers, strict=True):
            sid = slug(g.title) or f"section-{number}"
            sid = sid if sid not in section_ids else f"{sid}-{number}"
            section_ids.add(sid)
            title = g.title or self.p.title or self.source_name
            if g.declared is not None and g.declared != len(g.questions):
                self.notices.append(f"line {g.line}: section '{title}' says {g.declared} questions, "
                                    f"{len(g.questions)} found")
            questions = [q for q in (self._question(sid, number, q) for q in g.questions) if q]
            if questions:
                out.append({"section": {"id": sid, "number": number, "title": title}, "questions": questions})
                by_group[id(g)] = out[-1]["section"]
        if not out:
            raise ValueError("no question has an answer (标准答 / Answer), so there is nothing to import")
        # A diagram under a heading with questions belongs to that section; under another heading
        # the first is the deck's overview and the others join the section before them.
        overview: str | None = None
        self.diagram_list: list[_Diagram] = []
        last = out[0]["section"]
        for g in self.p.groups:
            last = by_group.get(id(g), last)
            for d in g.diagrams:
                if id(g) not in by_group and overview is None:
                    d.id = overview = self._diagram_id(d, "overview")
                else:
                    d.id = self._diagram_id(d)
                    last.setdefault("diagrams", _Flow()).append(d.id)
                self.diagram_list.append(d)
        for d in self.p.placeholders:
            d.id = self._diagram_id(d)
            self.diagram_list.append(d)
        return out, overview

    def _diagram_id(self, d: _Diagram, fallback: str | None = None) -> str:
        base = slug(d.title) or fallback or f"diagram-{len(self.diagram_list) + 1}"
        did = base
        n = 2
        while did in self.diagram_ids:
            did, n = f"{base}-{n}", n + 1
        self.diagram_ids.add(did)
        return did

    def _question(self, sid: str, number: int, q: _Question) -> dict[str, Any] | None:
        fields = {k: "\n".join(v).strip() for k, v in q.fields.items() if k != "code"}
        if not fields.get("answer"):
            self.notices.append(f"line {q.line}: question {q.number} '{q.text}' has no answer (标准答 / Answer); "
                                "left out")
            self.unplaced += [Unplaced(n, self.p.lines[n - 1], "a question without an answer")
                              for n in [q.line, *q.lines]]
            return None
        base = slug(q.text) or f"{sid}-q{q.number}"
        out: dict[str, Any] = {"id": self._unique(base, f"{number}-{q.number}"), "question": q.text,
                               "answer": _block(fields["answer"])}
        for name in ("follow_up", "pitfall"):
            if fields.get(name):
                out[name] = _block(fields[name])
        if fields.get("key_points"):
            text = fields["key_points"].lstrip("- ")
            points = re.split(r"[；;]" if re.search("[；;]", text) else r"[，,、]", text)
            out["key_points"] = _Flow(p.strip() for p in points if p.strip())
        if "code" in q.fields and q.code is None:
            self.notices.append(f"line {q.line}: question {q.number} has a code label but no fenced block")
        if q.code:
            out["code"] = {"language": q.code[0], "source": q.code[1].rstrip() + "\n"}
        return out

    def _diagram_files(self, files: dict[str, str]) -> int:
        if not self.diagram_list:
            return 0
        entries: dict[str, Any] = {}
        for d in self.diagram_list:
            entry: dict[str, Any] = {"title": d.title}
            if d.caption:
                entry["caption"] = d.caption
            entries[d.id] = entry
            if d.placeholder:
                label = d.title.replace('"', "#quot;")
                files[f"diagrams/{d.id}.mmd"] = (
                    f"%% Placeholder imported from {self.source_name} line {d.line}; draw the diagram here and\n"
                    f"%% add '{d.id}' to a section's `diagrams:` list to show it.\n"
                    f'flowchart LR\n  placeholder["{label}"]\n')
            else:
                files[f"diagrams/{d.id}.mmd"] = d.source.rstrip() + "\n"
        placeholders = [d.id for d in self.diagram_list if d.placeholder]
        if placeholders:
            self.notices.append(f"{len(placeholders)} diagram placeholder(s) became stubs in diagrams/ "
                                f"({', '.join(placeholders)}); draw them and list them in a section to show them")
        note = (f"# Placeholders (stub .mmd, shown nowhere until drawn and listed in a section): "
                f"{', '.join(placeholders)}\n" if placeholders else "")
        files["diagrams/diagrams.yaml"] = ("# yaml-language-server: $schema=../content.schema.json\n"
                                           "# Title and caption of each diagram in this folder (<id>.mmd).\n"
                                           + note + _spaced_top(dump_yaml(entries)))
        return len(self.diagram_list)


def _references(text: str, line: int, notices: list[str]) -> list[dict[str, Any]]:
    """One list item -> one or more references ('LoRA（Hu et al., 2021）/ QLoRA（…）' is two)."""
    out = []
    for part in re.split(r"(?<=[)）])\s*/\s*", text):
        ref = _reference(part.strip())
        if ref:
            out.append(ref)
        else:
            notices.append(f"line {line}: empty reference '{part}' left out")
    return out


def _reference(text: str) -> dict[str, Any] | None:
    url = ""
    link = re.search(r"\[([^\]]+)\]\((\S+?)\)", text)
    if link:
        url = link[2]
        text = text[: link.start()] + link[1] + text[link.end():]
    bare = URL_RE.search(text)
    if bare:
        url = url or bare[1]
        text = (text[: bare.start()] + text[bare.end():]).strip()
    text = _plain(text).strip(" -–—:：,，.")
    ref: dict[str, Any] = {}
    apa = re.match(r"^(?P<authors>[^()（）\"“]+?)\s*[(（](?P<year>(?:19|20)\d{2})[a-z]?[)）]\.?\s*(?P<title>.+)$", text)
    tail = re.search(r"[（(](?P<inner>[^（）()]*)[)）]\s*$", text)
    if apa and not tail:
        ref = {"title": apa["title"].strip(" ."), "authors": apa["authors"].strip(" ,."), "year": int(apa["year"])}
    elif tail:
        parts = [p.strip() for p in re.split(r"[,，;；]", tail["inner"]) if p.strip()]
        years = [p for p in parts if YEAR_RE.match(p)]
        others = [p for p in parts if not YEAR_RE.match(p)]
        if years or any("et al" in p.lower() or p.endswith("等") for p in others):
            ref = {"title": text[: tail.start()].strip()}
            if others:
                ref["authors"] = ", ".join(others)
            if years:
                ref["year"] = int(years[0][:4])
            if len(years) > 1:
                ref["note"] = ", ".join(years)
    if not ref:
        ref = {"title": text}
    if not ref["title"]:
        return None
    ref["title"] = ref["title"].strip("\"“”")
    if url:
        ref["url"] = url
    return ref


# ---------------------------------------------------------------- text helpers


def slug(text: str, max_words: int = 6, max_len: int = 40) -> str:
    """Lowercase ASCII slug of the Latin words of text; '' if it has no word of 2+ letters."""
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


def _plain(text: str) -> str:
    """Markdown emphasis and inline code marks off: the bank holds plain text."""
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    return text.strip()


def _numeral(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return CN_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return (CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)


def _block(text: str) -> str:
    # A trailing newline makes PyYAML write several lines as a '|' block scalar.
    return text + "\n" if "\n" in text else text


class _Flow(list):
    """A short list written inline: [a, b]."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: ARG002
        return super().increase_indent(flow, False)  # "  - item" under its key, as the bundled bank is written


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def dump_yaml(data: Any) -> str:
    """Readable YAML: keys in the given order, block scalars for several lines, no line folding."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)


def _spaced(text: str) -> str:
    """A blank line between questions, as a person writes them."""
    return re.sub(r"(?<!questions:)\n(  - id: )", r"\n\n\1", text)


def _spaced_top(text: str) -> str:
    """A blank line between top-level entries."""
    return re.sub(r"\n(?=[^\s#])", "\n\n", text.rstrip("\n")) + "\n"
