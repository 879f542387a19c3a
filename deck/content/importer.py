"""`deck import` and `deck build --content FILE.md`: a Markdown question bank -> the files of a
content folder. Reading the shapes is deck.content.md_shapes; here the questions become
sections and fields, images are copied, ids are made, references and diagrams are collected,
and everything left out is counted for the report.

Fields keep their Markdown source (paragraphs, lists, tables, code, math, images, links);
question titles and ids are plain text. Ids are stable for the same Markdown and unique:
- a question's id is the slug of the Latin words of its text (at most 6 words / 40 characters);
  a text without a Latin word of two letters gets "<section id>-q<N>", N its place in its section;
  a slug already taken gets "-<section number>-<N>" appended;
- a section's id is the slug of its title, else "section-<number>";
- a diagram's id is the slug of its title, else "overview" for the first outside a section.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deck.content.images import BadImage, inspect, kind_of
from deck.content.md_blocks import CJK_RE, slug
from deck.content.md_shapes import Parsed, RawQuestion, Unplaced, parse
from deck.content.yaml_bank import MAX_BANK_QUESTIONS, MAX_ITEMS, MAX_TEXT, invisible_only

SECTION_HEAD_RE = re.compile(r"^\W*(?:(?:第\s*)?(?:[一二三四五六七八九十]+|\d{1,2}|[A-Z])\s*(?:节|章|部分)?"
                             r"\s*[、.．:：)）]\s*)?"
                             r"(?:Section\s+\d+\s*[:：.]\s*)?(?P<title>.+?)\s*"
                             r"(?:[（(]\s*(?P<count>\d+)\s*(?:题|道题?|questions?)\s*[)）]|[（(]\s*\d+\s*[-–]\s*\d+\s*[)）])?$",
                             re.IGNORECASE)
IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<target><[^>]*>|[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
URL_RE = re.compile(r"<?(https?://[^\s<>）)]+)>?")
YEAR_RE = re.compile(r"^(?:19|20)\d{2}[a-z]?$")
SHAPES_HELP = """\
a question heading (`## Q01 · …`, `#### 3) …?`, `## 2. …`) with its answer under it;
a bold line (`**1. …？**`) with the answer in the lines below it;
a list of questions (`1. **Q: …**` + `   - **A:** …`, `- **Q：…**` + `  A：…`);
`1) question` + labelled lines (`- 标准答：…` / `- Answer: …`, 反问点 / Ask back, 坑位 / Pitfall, 要点, 代码);
`Q: …` / `问：…` then the answer; `<details><summary>question</summary>answer</details>`;
a table whose header is question | answer"""


@dataclass(frozen=True)
class SectionReport:
    title: str
    line: int
    found: int
    answered: int


@dataclass(frozen=True)
class Imported:
    files: dict[str, str]  # path inside the bank folder -> text
    assets: dict[str, Path]  # path inside the bank folder -> a local image to copy there
    unplaced: tuple[Unplaced, ...]
    notices: tuple[str, ...]  # placed, but deserve a look (counts, long answers, images)
    report: tuple[SectionReport, ...]
    questions: int
    code: int
    diagrams: int
    references: int

    @property
    def sections(self) -> int:
        return sum(1 for s in self.report if s.answered)


class CannotImport(ValueError):
    """No question found, none with an answer, or beyond the loader's counts: the message says why."""


def import_markdown(text: str, source_name: str = "bank.md", base: Path | None = None,
                    copy_images: bool = True) -> Imported:
    """The bank's files from Markdown; base is the folder local images are taken from (None: not copied).
    copy_images False: a local image keeps its path (relative to base), for a bank read in place.
    Raise CannotImport if it holds no question with an answer."""
    parsed = parse(text)
    return _Assembler(parsed, source_name, base, copy_images).files()


class _Assembler:
    def __init__(self, parsed: Parsed, source_name: str, base: Path | None, copy_images: bool) -> None:
        self.p = parsed
        self.copy_images = copy_images
        self.source_name = source_name
        self.base = base
        self.unplaced = list(parsed.unplaced)
        self.notices: list[str] = []
        self.ids: set[str] = set()
        self.diagram_ids: set[str] = set()
        self.diagram_list: list[dict[str, Any]] = []
        self.assets: dict[str, Path] = {}
        self.remote_images = 0
        self.missing_images: list[str] = []

    def _unique(self, base: str, suffix: str) -> str:
        candidate = base if base not in self.ids else f"{base}-{suffix}"
        n = 2
        while candidate in self.ids:
            candidate, n = f"{base}-{suffix}-{n}", n + 1
        self.ids.add(candidate)
        return candidate

    def files(self) -> Imported:
        found = sum(len(g.questions) for g in self.p.groups)
        if not found:
            raise CannotImport(self._nothing_found())
        if found > MAX_BANK_QUESTIONS:
            raise CannotImport(f"it holds {found:,} questions (limit {MAX_BANK_QUESTIONS:,}); split it into "
                                  "several files")
        sections, report, overview = self._sections()
        title = self.p.title or Path(self.source_name).stem
        asked = [q["question"] for s in sections for q in s["questions"]]
        chinese = sum(1 for text in asked if CJK_RE.search(text)) * 2 >= len(asked)
        deck: dict[str, Any] = {"title": title, "language": "zh-CN" if chinese else "en"}
        if overview:
            deck["overview_diagram"] = overview
        references = [r for line, text in self.p.references for r in _references(text, line, self.notices)]
        if references:
            deck["references"] = references[:MAX_ITEMS["references"]]
        header = (f"# yaml-language-server: $schema=content.schema.json\n"
                  f"# Imported from {self.source_name} by `deck import`.\n")
        files = {"deck.yaml": header + dump_yaml(deck)}
        for s in sections:
            files[f"{s['section']['number']:02d}-{s['section']['id']}.yaml"] = (
                "# yaml-language-server: $schema=content.schema.json\n" + _spaced(dump_yaml(s)))
        diagrams = self._diagram_files(files)
        if self.missing_images:
            more = " …" if len(self.missing_images) > 5 else ""
            self.notices.append(f"{len(self.missing_images)} local image(s) not found beside the file, their alt text "
                                f"kept: {', '.join(self.missing_images[:5])}{more}")
        if self.remote_images:
            self.notices.append(f"{self.remote_images} remote image(s) kept as links (nothing downloaded)")
        return Imported(files=files, assets=dict(sorted(self.assets.items())),
                        unplaced=tuple(sorted(self.unplaced, key=lambda u: u.line)),
                        notices=tuple(self.notices), report=tuple(report),
                        questions=sum(len(s["questions"]) for s in sections),
                        code=sum(1 for s in sections for q in s["questions"] if "code" in q),
                        diagrams=diagrams, references=len(deck.get("references", ())))

    def _nothing_found(self) -> str:
        lines = [u for u in self.p.unplaced][:5]
        shown = "".join(f"\n  line {u.line}: {u.text.strip()[:100]}" for u in lines)
        return ("no question found. It looks for:\n" + "\n".join(f"  {s}" for s in SHAPES_HELP.split("\n")) +
                (f"\nFirst lines it could not place:{shown}" if shown else "\nThe file has no text.") +
                "\nSee CONTENT.md, 'Importing Markdown'.")

    def _sections(self) -> tuple[list[dict[str, Any]], list[SectionReport], str | None]:
        out: list[dict[str, Any]] = []
        report: list[SectionReport] = []
        by_group: dict[int, dict[str, Any]] = {}
        section_ids: set[str] = set()
        for g in self.p.groups:
            if not g.questions:
                if g.line and not g.diagrams:
                    self.unplaced.append(Unplaced(g.line, self.p.lines[g.line - 1], "a heading with no question "
                                                  "under it (not a section)"))
                continue
            number = len(out) + 1
            head = SECTION_HEAD_RE.match(g.title) if g.title else None
            title = (head["title"] if head else g.title) or self.p.title or Path(self.source_name).stem
            if head and head["count"] and int(head["count"]) != len(g.questions):
                self.notices.append(f"line {g.line}: section '{title}' says {head['count']} questions, "
                                    f"{len(g.questions)} found")
            sid = slug(title) or f"section-{number}"
            sid = sid if sid not in section_ids else f"{sid}-{number}"
            questions = [q for q in (self._question(sid, number, n, q) for n, q in enumerate(g.questions, 1)) if q]
            report.append(SectionReport(title, g.line, len(g.questions), len(questions)))
            if not questions:
                continue
            if number > 99 or len(questions) > MAX_ITEMS["questions"]:
                raise CannotImport(f"line {g.line}: more than 99 sections or {MAX_ITEMS['questions']} questions "
                                      "in one section; split the file")
            section_ids.add(sid)
            head_fields: dict[str, Any] = {"id": sid, "number": number, "title": title}
            intro = "\n\n".join(self._images(text, b.start + 1) for b, text in g.intro).strip()
            if intro and not invisible_only(intro):
                head_fields["intro"] = _block(intro[:MAX_TEXT])
            out.append({"section": head_fields, "questions": questions})
            by_group[id(g)] = out[-1]["section"]
        if not out:
            raise CannotImport(f"found {sum(r.found for r in report)} question(s) but none has an answer, so there "
                                  "is nothing to import (an answer is the text under a question, or a labelled "
                                  "'标准答：' / 'Answer:' line)")
        return out, report, self._diagrams(by_group)

    def _diagrams(self, by_group: dict[int, dict[str, Any]]) -> str | None:
        """A diagram under a section belongs to it; elsewhere the first is the deck's overview and
        the others join the section before them."""
        overview: str | None = None
        last = next(iter(by_group.values()))
        for g in self.p.groups:
            last = by_group.get(id(g), last)
            for line, title, source in g.diagrams:
                d = {"line": line, "title": title, "source": source}
                if id(g) not in by_group and overview is None:
                    d["id"] = overview = self._diagram_id(title, "overview")
                else:
                    d["id"] = self._diagram_id(title)
                    last.setdefault("diagrams", _Flow()).append(d["id"])
                self.diagram_list.append(d)
        for line, text in self.p.placeholders:
            title, _, caption = re.sub("[*_`]", "", text).replace("：", ":").partition(":")
            if not re.search(r"\w", title):
                self.unplaced.append(Unplaced(line, self.p.lines[line - 1], "a diagram placeholder without a title"))
                continue
            d = {"line": line, "title": title.strip(), "caption": caption.strip(), "placeholder": True}
            d["id"] = self._diagram_id(d["title"])
            self.diagram_list.append(d)
        return overview

    def _diagram_id(self, title: str, fallback: str | None = None) -> str:
        base = slug(title) or fallback or f"diagram-{len(self.diagram_list) + 1}"
        did, n = base, 2
        while did in self.diagram_ids:
            did, n = f"{base}-{n}", n + 1
        self.diagram_ids.add(did)
        return did

    def _question(self, sid: str, number: int, n: int, q: RawQuestion) -> dict[str, Any] | None:
        if not re.search(r"\w", q.text):  # "Q:" or "**1.**" alone: nothing asked
            self.unplaced += [Unplaced(line, self.p.lines[line - 1], "a question line without a question")
                              for line in sorted({q.line, *q.lines})]
            return None
        fields = {k: self._field(q, k, parts) for k, parts in q.fields.items()}
        if not fields.get("answer"):
            self.notices.append(f"line {q.line}: question '{q.text[:60]}' has no answer; left out")
            self.unplaced += [Unplaced(line, self.p.lines[line - 1], "a question without an answer")
                              for line in sorted({q.line, *q.lines})]
            return None
        text = q.text if len(q.text) <= MAX_TEXT else q.text[:MAX_TEXT]
        out: dict[str, Any] = {"id": self._unique(slug(text) or f"{sid}-q{n}", f"{number}-{n}"), "question": text,
                               "answer": _block(fields["answer"])}
        for name in ("follow_up", "pitfall"):
            if fields.get(name):
                out[name] = _block(fields[name])
        if fields.get("key_points"):
            points = [re.sub(r"^[-*+]\s+", "", p).strip() for p in
                      re.split(r"\n|[；;]" if re.search("[；;\n]", fields["key_points"]) else r"[，,、]",
                               fields["key_points"])]
            out["key_points"] = _Flow(p[:MAX_TEXT] for p in points if p.strip())[:MAX_ITEMS["key_points"]]
        if q.current == "code" and q.code is None and "code" not in q.fields:
            self.notices.append(f"line {q.line}: question '{q.text[:60]}' has a code label but no fenced block")
        if q.code:
            out["code"] = {"language": q.code[0], "source": q.code[1].rstrip() + "\n"}
        elif fields.get("code"):  # a code label followed by more than one block: they join the answer
            out["answer"] = _block(fields["answer"] + "\n\n" + fields["code"])
        return out

    def _field(self, q: RawQuestion, name: str, parts: list[str]) -> str:
        """The parts joined as Markdown, images taken care of, cut at a part to fit the loader's limit."""
        kept: list[str] = []
        size = 0
        for k, part in enumerate(parts):
            part = self._images(part, q.line)
            if size + len(part) + 2 > MAX_TEXT:
                self.notices.append(f"line {q.line}: the {name} of question '{q.text[:60]}' is longer than "
                                    f"{MAX_TEXT:,} characters; its last {len(parts) - k} part(s) are left out")
                break
            kept.append(part)
            size += len(part) + 2
        text = "\n\n".join(kept).strip()
        return "" if invisible_only(text) else text

    def _images(self, text: str, line: int) -> str:
        def one(m: re.Match) -> str:
            target = m["target"].strip("<>")
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                self.remote_images += target.lower().startswith(("http:", "https:"))
                return m.group()
            path = self._local(target, line)
            if path is None:
                return m["alt"] or ""
            if not self.copy_images:
                return m.group()
            name = f"images/{path.name}"
            n = 2
            while name in self.assets and self.assets[name] != path:
                name, n = f"images/{path.stem}-{n}{path.suffix}", n + 1
            self.assets[name] = path
            return f"![{m['alt']}]({name}{m['title'] or ''})"
        return IMAGE_RE.sub(one, text)

    def _local(self, target: str, line: int) -> Path | None:
        """A local image inside the input's folder, or None with a notice."""
        from urllib.parse import unquote

        rel = unquote(target.split("#")[0].split("?")[0])
        if self.base is None:
            self.notices.append(f"line {line}: image '{rel}' not copied (no folder to take it from)")
            return None
        path = (self.base / rel)
        inside = not os.path.isabs(rel) and path.resolve().is_relative_to(self.base.resolve())
        if not inside:
            self.notices.append(f"line {line}: image '{rel}' is outside the Markdown file's folder; not copied, "
                                "its alt text kept")
            return None
        if not path.resolve().is_file():
            self.missing_images.append(f"{rel} (line {line})")
            return None
        if kind_of(rel) is not None:
            try:
                inspect(path.resolve())
            except BadImage as exc:  # a broken or unsafe picture: the bank keeps its alt text, the report says why
                self.notices.append(f"line {line}: image '{rel}' {exc}; its alt text kept")
                return None
        return path.resolve()

    def _diagram_files(self, files: dict[str, str]) -> int:
        if not self.diagram_list:
            return 0
        entries: dict[str, Any] = {}
        for d in self.diagram_list:
            entry: dict[str, Any] = {"title": d["title"]}
            if d.get("caption"):
                entry["caption"] = d["caption"]
            entries[d["id"]] = entry
            if d.get("placeholder"):
                label = d["title"].replace('"', "#quot;")
                files[f"diagrams/{d['id']}.mmd"] = (
                    f"%% Placeholder imported from {self.source_name} line {d['line']}; draw the diagram here and\n"
                    f"%% add '{d['id']}' to a section's `diagrams:` list to show it.\n"
                    f'flowchart LR\n  placeholder["{label}"]\n')
            else:
                files[f"diagrams/{d['id']}.mmd"] = d["source"].rstrip() + "\n"
        placeholders = [d["id"] for d in self.diagram_list if d.get("placeholder")]
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
    if re.match(r"^(?:https?://[^/\s]|mailto:\S)\S*$", url):  # what a slide link may open (load.URL_SCHEMES)
        ref["url"] = url
    return ref


# ---------------------------------------------------------------- text helpers
def _plain(text: str) -> str:
    """Emphasis and inline code marks off: a reference is plain text."""
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return re.sub(r"`([^`]+)`", r"\1", text).strip()


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
