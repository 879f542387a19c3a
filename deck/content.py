"""Load and validate the content directory into a Bank.

We walk PyYAML's node tree (safe composer) instead of plain dicts so every error
can name the file and line of the offending key, plus the question id and field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from deck.errors import ContentError
from deck.highlight import is_known
from deck.model import Bank, Code, Diagram, Question, Reference, Section

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Characters XML 1.0 cannot hold (python-pptx would crash deep inside lxml).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# libyaml's safe loader when present: same nodes and marks, several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_TEXT = 20_000  # characters per field: far beyond any slide, catches pasted files

QUESTION_FIELDS = {
    "id": "slug", "question": "text", "answer": "text", "follow_up": "text",
    "pitfall": "text", "key_points": "texts", "code": "code", "tags": "slugs", "level": "level",
}
REQUIRED_QUESTION = ("id", "question", "answer", "follow_up", "pitfall")
SECTION_FIELDS = {"id": "slug", "number": "number", "title": "text", "diagrams": "slugs"}
DECK_FIELDS = {"title": "text", "subtitle": "text", "author": "text", "language": "text",
               "overview_diagram": "slug", "references": "references"}
REFERENCE_FIELDS = {"title": "text", "authors": "text", "year": "year", "url": "text", "note": "text"}
DIAGRAM_FIELDS = {"title": "text", "caption": "text", "notes": "text"}


class _Ctx:
    """Where we are: file, and the question being read (for messages)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.question: str | None = None

    def error(self, node: yaml.Node | None, message: str, field: str | None = None,
              hint: str | None = None) -> ContentError:
        line = node.start_mark.line + 1 if node is not None else None
        return ContentError(message, file=self.file, line=line, question=self.question,
                            field=field, hint=hint)


def _read_yaml(path: Path, root: Path) -> tuple[yaml.Node, _Ctx]:
    rel = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    ctx = _Ctx(rel)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror}", file=rel) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", file=rel, line=line,
                           hint="save the file as UTF-8") from None
    try:
        node = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "YAML syntax error"
        hint = "indent with spaces, not tabs" if "\\t" in problem or "tab" in problem else \
            "check indentation and quoting near this line"
        raise ContentError(f"YAML syntax error: {problem}", file=rel,
                           line=mark.line + 1 if mark else None, hint=hint) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"YAML error: {exc}", file=rel) from None
    if not isinstance(node, yaml.MappingNode):
        raise ctx.error(node, "the file must be a mapping of keys to values")
    return node, ctx


def _pairs(node: yaml.Node, ctx: _Ctx, allowed: dict[str, str], what: str,
           field: str | None = None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise ctx.error(node, f"{what} must be a mapping (key: value)", field)
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
        if name not in allowed:
            close = [k for k in allowed if k.replace("_", "") == name.replace("_", "").lower()]
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
            raise ctx.error(key, f"unknown key '{name}' in {what}", name, hint)
        if name in out:
            raise ctx.error(key, f"key '{name}' appears twice in {what}", name)
        out[name] = (key, value)
    return out


def _text(node: yaml.Node, ctx: _Ctx, field: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        kind = "a list" if isinstance(node, yaml.SequenceNode) else \
            "a mapping" if isinstance(node, yaml.MappingNode) else "empty"
        raise ctx.error(node, f"expected text, found {kind}", field,
                        "write the text on one line, or use '|' for several lines")
    value = node.value.strip("\n")
    bad = XML_INVALID.search(value)
    if bad:
        raise ctx.error(node, f"contains control character U+{ord(bad.group()):04X}, which a "
                        "PPTX cannot hold", field, "delete it (often pasted from a terminal)")
    if not value.strip():
        raise ctx.error(node, "is empty", field)
    if len(value) > MAX_TEXT:
        raise ctx.error(node, f"is {len(value):,} characters long (limit {MAX_TEXT:,})", field,
                        "shorten it; a slide or handout page cannot show this much")
    return value


def _slug(node: yaml.Node, ctx: _Ctx, field: str) -> str:
    value = _text(node, ctx, field)
    if not SLUG.match(value):
        raise ctx.error(node, f"'{value}' is not a valid id", field,
                        "use lowercase ascii letters, digits and '-', e.g. 'kv-cache-size'")
    return value


def _int(node: yaml.Node, ctx: _Ctx, field: str, lo: int, hi: int) -> int:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
        raise ctx.error(node, f"expected a whole number from {lo} to {hi}", field)
    try:
        value = int(node.value.replace("_", ""), 10)
    except ValueError:
        raise ctx.error(node, f"'{node.value}' is not a plain whole number from {lo} to {hi}", field) from None
    if not lo <= value <= hi:
        raise ctx.error(node, f"{value} is out of range {lo}..{hi}", field)
    return value


def _list(node: yaml.Node, ctx: _Ctx, field: str, item: Callable[[yaml.Node], Any]) -> tuple:
    if not isinstance(node, yaml.SequenceNode):
        raise ctx.error(node, "expected a list, e.g. [a, b]", field)
    return tuple(item(n) for n in node.value)


def _field(kind: str, node: yaml.Node, ctx: _Ctx, field: str) -> Any:
    if kind == "text":
        return _text(node, ctx, field)
    if kind == "slug":
        return _slug(node, ctx, field)
    if kind == "texts":
        return _list(node, ctx, field, lambda n: _text(n, ctx, field))
    if kind == "slugs":
        return _list(node, ctx, field, lambda n: _slug(n, ctx, field))
    if kind == "level":
        return _int(node, ctx, field, 1, 3)
    if kind == "number":
        return _int(node, ctx, field, 1, 99)
    if kind == "year":
        return _int(node, ctx, field, 1900, 2100)
    raise AssertionError(kind)


def _code(node: yaml.Node, ctx: _Ctx, warnings: list[str]) -> Code:
    pairs = _pairs(node, ctx, {"language": "text", "source": "text"}, "code", "code")
    if "source" not in pairs:
        raise ctx.error(node, "code needs 'source'", "code.source")
    language = _text(pairs["language"][1], ctx, "code.language").lower() \
        if "language" in pairs else "text"
    source = pairs["source"][1]
    if not is_known(language):
        warnings.append(f"{ctx.file}:{pairs['language'][1].start_mark.line + 1}: question "
                        f"'{ctx.question}': unknown code language '{language}', shown as plain text")
    text = _text(source, ctx, "code.source")
    return Code(language=language, source=text.replace("\t", "    ").rstrip())


def _question(node: yaml.Node, ctx: _Ctx, warnings: list[str]) -> Question:
    ctx.question = None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "id" and isinstance(value, yaml.ScalarNode):
                ctx.question = value.value
    pairs = _pairs(node, ctx, QUESTION_FIELDS, "a question")
    for name in REQUIRED_QUESTION:
        if name not in pairs:
            raise ctx.error(node, f"required field '{name}' is missing", name,
                            f"add '{name}:' to this question")
    values: dict[str, Any] = {}
    for name, (_key, value) in pairs.items():
        kind = QUESTION_FIELDS[name]
        values[name] = _code(value, ctx, warnings) if kind == "code" else _field(kind, value, ctx, name)
    return Question(**values, file=ctx.file, line=node.start_mark.line + 1)


def _section(path: Path, root: Path, diagrams: dict[str, Diagram], warnings: list[str]) -> Section:
    node, ctx = _read_yaml(path, root)
    top = _pairs(node, ctx, {"section": "", "questions": ""}, "a section file")
    for name in ("section", "questions"):
        if name not in top:
            raise ctx.error(node, f"'{name}:' is missing", name)
    head = _pairs(top["section"][1], ctx, SECTION_FIELDS, "section", "section")
    for name in ("id", "number", "title"):
        if name not in head:
            raise ctx.error(top["section"][1], f"section needs '{name}'", f"section.{name}")
    meta = {k: _field(SECTION_FIELDS[k], v, ctx, f"section.{k}") for k, (_, v) in head.items()}
    for item in head["diagrams"][1].value if "diagrams" in head else ():
        if item.value not in diagrams:
            raise ctx.error(item, f"unknown diagram '{item.value}'", "section.diagrams",
                            f"add content/diagrams/{item.value}.mmd and an entry in content/diagrams/diagrams.yaml")
    qnode = top["questions"][1]
    if not isinstance(qnode, yaml.SequenceNode):
        raise ctx.error(qnode, "'questions' must be a list of questions", "questions")
    if not qnode.value:
        raise ctx.error(qnode, "the section has no questions", "questions",
                        "add at least one question, or remove the file")
    questions = tuple(_question(q, ctx, warnings) for q in qnode.value)
    return Section(**meta, questions=questions, file=ctx.file)


def _diagrams(root: Path) -> dict[str, Diagram]:
    folder = root / "diagrams"
    index = folder / "diagrams.yaml"
    if not index.exists():
        return {}
    node, ctx = _read_yaml(index, root)
    out: dict[str, Diagram] = {}
    for key, value in node.value:
        did = _slug(key, ctx, "diagram id")
        pairs = _pairs(value, ctx, DIAGRAM_FIELDS, f"diagram '{did}'", did)
        meta = {k: _text(v, ctx, f"{did}.{k}") for k, (_, v) in pairs.items()}
        if "title" not in meta:
            raise ctx.error(value, "a diagram needs a title", f"{did}.title")
        source = (folder / f"{did}.mmd").resolve()
        if not source.is_relative_to(folder.resolve()) or not source.is_file():
            raise ctx.error(key, f"no Mermaid source content/diagrams/{did}.mmd", did,
                            f"create diagrams/{did}.mmd or remove the entry")
        out[did] = Diagram(id=did, title=meta["title"], caption=meta.get("caption", ""),
                           notes=meta.get("notes", ""), source_path=source)
    return out


def _reference(node: yaml.Node, ctx: _Ctx) -> Reference:
    pairs = _pairs(node, ctx, REFERENCE_FIELDS, "a reference", "references")
    if "title" not in pairs:
        raise ctx.error(node, "a reference needs a title", "references.title")
    return Reference(**{k: _field(REFERENCE_FIELDS[k], v, ctx, f"references.{k}") for k, (_, v) in pairs.items()})


def load_bank(root: Path) -> Bank:
    """Read content/deck.yaml and every section file; raise ContentError on the first problem."""
    root = Path(root)
    if not root.is_dir():
        raise ContentError(f"content directory '{root}' does not exist",
                           hint="pass --content DIR pointing at a folder with deck.yaml")
    deck_path = root / "deck.yaml"
    if not deck_path.is_file():
        raise ContentError(f"'{deck_path}' is missing", hint="create deck.yaml with at least 'title:'")
    node, ctx = _read_yaml(deck_path, root)
    pairs = _pairs(node, ctx, DECK_FIELDS, "deck.yaml")
    if "title" not in pairs:
        raise ctx.error(node, "deck.yaml needs 'title'", "title")
    meta: dict[str, Any] = {}
    for name, (_key, value) in pairs.items():
        if name == "references":
            meta[name] = _list(value, ctx, name, lambda n: _reference(n, ctx))
        else:
            meta[name] = _field(DECK_FIELDS[name], value, ctx, name)
    diagrams = _diagrams(root)
    overview = meta.get("overview_diagram")
    if overview and overview not in diagrams:
        raise ctx.error(pairs["overview_diagram"][1], f"unknown diagram '{overview}'",
                        "overview_diagram", "known: " + (", ".join(sorted(diagrams)) or "none"))

    warnings: list[str] = []
    files = sorted(p for p in root.glob("*.yaml") if p.name != "deck.yaml")
    if not files:
        raise ContentError(f"no section files (*.yaml besides deck.yaml) in '{root}'")
    sections = [_section(p, root, diagrams, warnings) for p in files]
    _check_unique(sections)
    sections.sort(key=lambda s: s.number)
    return Bank(title=meta["title"], subtitle=meta.get("subtitle", ""), author=meta.get("author", ""),
                sections=tuple(sections), references=meta.get("references", ()),
                overview_diagram=overview, diagrams=diagrams, warnings=tuple(warnings),
                language=meta.get("language", "zh-CN"))


def _check_unique(sections: list[Section]) -> None:
    seen_q: dict[str, Question] = {}
    seen_s: dict[str, Section] = {}
    seen_n: dict[int, Section] = {}
    for s in sections:
        for other, key in ((seen_s.get(s.id), "id"), (seen_n.get(s.number), "number")):
            if other:
                raise ContentError(f"section {key} '{getattr(s, key)}' is also used by {other.file}",
                                   file=s.file, field=f"section.{key}", hint="section ids and numbers must be unique")
        seen_s[s.id], seen_n[s.number] = s, s
        for q in s.questions:
            if q.id in seen_q:
                first = seen_q[q.id]
                raise ContentError(f"duplicate question id (first used at {first.file}:{first.line})",
                                   file=q.file, line=q.line, question=q.id, field="id",
                                   hint="give each question a unique id")
            seen_q[q.id] = q
