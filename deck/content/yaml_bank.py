"""A YAML bank folder (deck.yaml, section files, diagrams/) loaded and validated into a Bank.

We walk PyYAML's node tree (safe composer) instead of plain dicts so every error
can name the file and line of the offending key, plus the question id and field.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from deck.content.images import BadImage, inspect, kind_of
from deck.content.model import REVEALS, Bank, Code, Diagram, ProfileSettings, Question, Reference, Section
from deck.content.reading import decode, is_editor_file, not_regular, read_bytes
from deck.content.rich import parse as parse_markdown
from deck.errors import ContentError, os_advice
from deck.text.highlight import is_known

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Characters XML 1.0 cannot hold (the decks would not open), DEL and the C1
# controls (U+0080-U+009F): never text, usually mis-decoded bytes.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR mean a line break; Python's splitlines() breaks
# there anyway, so they are normalised to one newline.
LINE_BREAKS = str.maketrans({"\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
# Text made only of these shows as a blank slide: format characters (zero-width space, BOM, joiners),
# spaces of every width, controls, combining marks with nothing to combine with, and letters that
# draw nothing (Hangul fillers, the blank braille pattern).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})
INVISIBLE_CHARS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Tags a plain scalar, list or mapping resolves to; an explicit one of these (!!str) is harmless.
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "str", "timestamp",
                                                           "seq", "map"))
# libyaml's safe loader when present: same nodes and marks, several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_TEXT = 20_000  # characters per field: far beyond any slide, catches pasted files
# Items per list field. With aliases refused, a file expands to no more than its own size.
MAX_ITEMS = {"key_points": 12, "tags": 20, "diagrams": 20, "references": 500, "questions": 1000}
MAX_EVENTS = 200_000  # YAML values per file (a 30-question section has ~500); bounds memory before compose
MAX_BANK_QUESTIONS = 10_000  # a 20,000-slide deck: beyond what PowerPoint opens
YAML_SUFFIXES = (".yaml", ".yml")
MARKDOWN_SUFFIXES = (".md", ".markdown")

QUESTION_FIELDS = {
    "id": "slug", "question": "text", "answer": "text", "follow_up": "text",
    "pitfall": "text", "key_points": "texts", "code": "code", "tags": "slugs", "level": "level",
}
REQUIRED_QUESTION = ("id", "question", "answer")
# Optional in the model (imported and third-party banks lack them); `deck check --strict` requires them.
STRICT_QUESTION = ("follow_up", "pitfall")
SECTION_FIELDS = {"id": "slug", "number": "number", "title": "text", "intro": "text", "diagrams": "slugs"}
DECK_FIELDS = {"title": "text", "subtitle": "text", "author": "text", "language": "text", "theme": "text",
               "template": "text",
               "overview_diagram": "slug", "references": "references", "profiles": "profiles"}
PROFILE_FIELDS = {"reveal": "reveal"}
PROFILE_NAMES = ("study", "mock")  # the profiles that take settings
REFERENCE_FIELDS = {"title": "text", "authors": "text", "year": "year", "venue": "text", "url": "url",
                    "note": "text"}
URL_SCHEMES = ("http", "https", "mailto")  # what a slide link may open
MARKDOWN_FIELDS = ("question", "answer", "follow_up", "pitfall", "key_points")
DIAGRAM_FIELDS = {"title": "text", "caption": "text", "notes": "text", "native": "bool"}


class _Ctx:
    """Where we are: file, and the question being read (for messages)."""

    def __init__(self, file: str, root: Path | None = None) -> None:
        self.file = file
        self.root = root  # the content folder: Markdown image paths are relative to it
        self.question: str | None = None
        self.lines: list[str] = []  # the file's text, to find a column

    def column(self, line: int, needle: str) -> str:
        """':COLUMN' of needle on the file's 1-based line, or '' when it is not there as written."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        at = text.find(needle) if needle else -1
        return f":{at + 1}" if at >= 0 else ""

    def error(self, node: yaml.Node | None, message: str, field: str | None = None,
              hint: str | None = None) -> ContentError:
        line = node.start_mark.line + 1 if node is not None else None
        return ContentError(message, file=self.file, line=line, question=self.question,
                            field=field, hint=hint)


def _read_yaml(path: Path, root: Path, texts: dict[Path, str] | None = None) -> tuple[yaml.Node, _Ctx]:
    """The file's top node; texts holds the files of a bank made in memory (from Markdown)."""
    rel = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    ctx = _Ctx(rel, root if texts is None else root.parent)  # a bank from Markdown: its pictures are beside it
    text = texts[path] if texts is not None else decode(read_bytes(path, rel), rel)
    ctx.lines = text.split("\n")
    try:
        _check_plain_yaml(text, rel)
        node = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "YAML syntax error"
        hint = "indent with spaces, not tabs" if "\\t" in problem or "tab" in problem else \
            "a content file is one YAML document: remove this '---'" if "another document" in problem else \
            "check indentation and quoting near this line"
        raise ContentError(f"YAML syntax error: {problem}", file=rel, line=mark.line + 1 if mark else None,
                           column=mark.column + 1 if mark else None, hint=hint) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"YAML error: {' '.join(str(exc).split())}", file=rel) from None
    if node is None:
        raise ContentError("the file is empty", file=rel, hint="a content file is a mapping of keys to values")
    if not isinstance(node, yaml.MappingNode):
        raise ctx.error(node, "the file must be a mapping of keys to values")
    return node, ctx


def _check_plain_yaml(text: str, rel: str) -> None:
    """Refuse aliases and tags, from the event stream (where each has its own line and column).
    An alias lets a 30 KB file expand to gigabytes; a tag names a Python object or a type
    (binary, set, ...) the content model does not have."""
    for count, event in enumerate(yaml.parse(text, Loader=SAFE_LOADER)):
        mark = event.start_mark
        if count > MAX_EVENTS:  # before compose, which would build a Python object for each
            raise ContentError(f"holds more than {MAX_EVENTS:,} YAML values; a content file is far smaller",
                               file=rel, line=mark.line + 1, hint="split it, or look for a list pasted by mistake")
        where = {"file": rel, "line": mark.line + 1, "column": mark.column + 1}
        if isinstance(event, yaml.AliasEvent):
            raise ContentError(f"YAML aliases are not allowed (found *{event.anchor})", **where,
                               hint="write the text out where it is needed (aliases can blow a small file up to GBs)")
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!" and tag not in PLAIN_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!", 1)
            raise ContentError(f"YAML tags are not allowed (found {shown})", **where,
                               hint="remove the tag; content is plain text, numbers and lists")
        if isinstance(event, yaml.ScalarEvent) and event.value == "<<" and event.implicit[0]:
            raise ContentError("YAML merge keys ('<<') are not allowed", **where,
                               hint="write the keys out in full")


def _pairs(node: yaml.Node, ctx: _Ctx, allowed: dict[str, str], what: str,
           field: str | None = None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise ctx.error(node, f"{what} must be a mapping (key: value)", field, "keys: " + ", ".join(allowed))
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise ctx.error(key, f"a key in {what} must be a plain name, not a list or mapping", field)
        name = key.value
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
    value = node.value.translate(LINE_BREAKS).strip("\n")
    bad = XML_INVALID.search(value)
    if bad:
        raise ctx.error(node, f"contains control character U+{ord(bad.group()):04X}, which a "
                        "PPTX cannot hold", field, "delete it (often pasted from a terminal)")
    if invisible_only(value):
        raise ctx.error(node, "is empty" if not value.strip() else "is empty: it has only invisible characters "
                        "(zero-width or special spaces)", field, "write visible text" if value.strip() else None)
    if len(value) > MAX_TEXT:
        raise ctx.error(node, f"is {len(value):,} characters long (limit {MAX_TEXT:,})", field,
                        "shorten it; a slide or handout page cannot show this much")
    return value


def _url(node: yaml.Node, ctx: _Ctx, field: str) -> str:
    """A web or mail link as written (IDNs and non-ASCII paths are fine; deck.planning.profiles encodes
    them for the package): a slide link with javascript:, file: or a smuggled space would run
    or open something the reader did not expect."""
    value = _text(node, ctx, field)
    bad = next((c for c in value if unicodedata.category(c)[0] in "CZ"), None)
    if bad is not None:
        raise ctx.error(node, f"'{value}' contains {'a space' if bad == ' ' else f'U+{ord(bad):04X}'}, which a "
                        "link cannot hold", field, "write spaces as %20; remove other invisible characters")
    try:
        parts = urlsplit(value)
    except ValueError as exc:  # e.g. an unclosed [IPv6] host
        raise ctx.error(node, f"'{value}' is not a valid link ({exc})", field) from None
    scheme = parts.scheme.lower()
    if scheme not in URL_SCHEMES or (scheme != "mailto" and not parts.hostname) or \
            (scheme == "mailto" and not parts.path):
        shown = f"a {scheme}: link" if scheme else "not a full link"
        raise ctx.error(node, f"'{value}' is {shown}; only http://, https:// and mailto: links are allowed",
                        field, "write the whole address, e.g. https://arxiv.org/abs/2305.13245")
    return value


def invisible_only(value: str) -> bool:
    return all(c in INVISIBLE_CHARS or unicodedata.category(c) in INVISIBLE_CATEGORIES for c in value)


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
    limit = MAX_ITEMS.get(field.rpartition(".")[2], MAX_ITEMS["references"])
    if len(node.value) > limit:
        raise ctx.error(node, f"has {len(node.value):,} items (limit {limit})", field,
                        "keep it short; a slide cannot show this many")
    return tuple(item(n) for n in node.value)


def _bool(node: yaml.Node, ctx: _Ctx, field: str) -> bool:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
        raise ctx.error(node, "expected true or false", field)
    return bool(yaml.safe_load(node.value))


def _field(kind: str, node: yaml.Node, ctx: _Ctx, field: str) -> Any:
    if kind == "text":
        return _text(node, ctx, field)
    if kind == "slug":
        return _slug(node, ctx, field)
    if kind == "texts":
        return _list(node, ctx, field, lambda n: _text(n, ctx, field))
    if kind == "slugs":
        return _list(node, ctx, field, lambda n: _slug(n, ctx, field))
    if kind == "url":
        return _url(node, ctx, field)
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


def _question(node: yaml.Node, ctx: _Ctx, warnings: list[str], strict: bool) -> Question:
    ctx.question = None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "id" and isinstance(value, yaml.ScalarNode):
                ctx.question = value.value
    pairs = _pairs(node, ctx, QUESTION_FIELDS, "a question")
    for name in REQUIRED_QUESTION + (STRICT_QUESTION if strict else ()):
        if name not in pairs:
            raise ctx.error(node, f"required field '{name}' is missing", name,
                            f"add '{name}:' to this question")
    values: dict[str, Any] = {}
    for name, (_key, value) in pairs.items():
        kind = QUESTION_FIELDS[name]
        values[name] = _code(value, ctx, warnings) if kind == "code" else _field(kind, value, ctx, name)
        if name in MARKDOWN_FIELDS:
            items = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for i, (item, text) in enumerate(zip(items, values[name] if kind == "texts" else [values[name]],
                                                strict=True)):
                _markdown(item, text, ctx, f"{name}[{i}]" if kind == "texts" else name, warnings)
    return Question(**values, file=ctx.file, line=node.start_mark.line + 1)


def _markdown(node: yaml.Node, text: str, ctx: _Ctx, field: str, warnings: list[str]) -> None:
    """Check a Markdown field: a missing image is an error, an unknown math command or an
    unclosed `$` a warning; both name the file line of the problem."""
    first = node.start_mark.line + 1 + (1 if getattr(node, "style", None) in ("|", ">") else 0)
    rich = parse_markdown(text)
    for line, src in rich.images if ctx.root is not None else ():
        where = f"question '{ctx.question}', " if ctx.question else ""
        if src.startswith(("http://", "https://")):  # nothing is downloaded: the alt text stands in
            warnings.append(f"{ctx.file}:{first + line}: {where}{field}: remote image '{src}' is not fetched; "
                            "its alt text is shown")
            continue
        path = (ctx.root / src).resolve()
        inside = "://" not in src and path.is_relative_to(ctx.root.resolve())
        if not inside or not path.is_file():
            col = ctx.column(first + line, f"({src}")
            raise ContentError(f"image '{src}' {'not found' if inside else 'is outside the bank folder'}",
                               file=ctx.file, line=first + line, column=int(col[1:]) + 1 if col else None,
                               question=ctx.question, field=field,
                               hint=f"put the picture in {ctx.root.name}/ and give its path relative to that folder")
        if kind_of(src) is None:
            warnings.append(f"{ctx.file}:{first + line}: {where}{field}: image '{src}' is not a PNG, JPEG, GIF or "
                            "SVG file; its alt text is shown")
            continue
        try:
            inspect(path)
        except BadImage as exc:
            col = ctx.column(first + line, f"({src}")
            raise ContentError(f"image '{src}' {exc}", file=ctx.file, line=first + line,
                               column=int(col[1:]) + 1 if col else None, question=ctx.question, field=field,
                               hint="fix or replace the picture file") from None
    for problem in rich.problems:
        where = f"question '{ctx.question}', " if ctx.question else ""
        line = first + problem.line
        warnings.append(f"{ctx.file}:{line}{ctx.column(line, problem.needle)}: {where}{field}: {problem.message}")


def _diagram_hint(root: Path, did: str) -> str:
    mmd, index = f"{root.name}/diagrams/{did}.mmd", f"{root.name}/diagrams/diagrams.yaml"
    if not_regular(root / "diagrams" / f"{did}.mmd") is None:
        return f"{mmd} exists: add an entry '{did}:' with a 'title:' to {index}"
    return f"add {mmd} and an entry '{did}:' with a 'title:' in {index}"


def _section(path: Path, root: Path, diagrams: dict[str, Diagram], warnings: list[str],
             strict: bool, texts: dict[Path, str] | None) -> Section:
    node, ctx = _read_yaml(path, root, texts)
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
                            _diagram_hint(root, item.value))
    qnode = top["questions"][1]
    if not isinstance(qnode, yaml.SequenceNode):
        raise ctx.error(qnode, "'questions' must be a list of questions", "questions")
    if not qnode.value:
        raise ctx.error(qnode, "the section has no questions", "questions",
                        "add at least one question, or remove the file")
    if len(qnode.value) > MAX_ITEMS["questions"]:
        raise ctx.error(qnode, f"has {len(qnode.value):,} questions (limit {MAX_ITEMS['questions']:,})",
                        "questions", "split it into several sections")
    questions = tuple(_question(q, ctx, warnings, strict) for q in qnode.value)
    return Section(**meta, questions=questions, file=ctx.file)


def diagrams_of(root: Path, warnings: list[str]) -> dict[str, Diagram]:
    folder = root / "diagrams"
    index = _one_file(folder, "diagrams") if folder.is_dir() else None
    if index is None:
        return {}
    node, ctx = _read_yaml(index, root)
    out: dict[str, Diagram] = {}
    for key, value in node.value:
        did = _slug(key, ctx, "diagram id")
        pairs = _pairs(value, ctx, DIAGRAM_FIELDS, f"diagram '{did}'", did)
        meta = {k: _text(v, ctx, f"{did}.{k}") for k, (_, v) in pairs.items() if k != "native"}
        native = _bool(pairs["native"][1], ctx, f"{did}.native") if "native" in pairs else True
        if "title" not in meta:
            raise ctx.error(value, "a diagram needs a title", f"{did}.title")
        source = (folder / f"{did}.mmd").resolve()
        mmd = f"{root.name}/diagrams/{did}.mmd"
        if not source.is_relative_to(folder.resolve()):
            raise ctx.error(key, f"the Mermaid source {mmd} is a link to outside the content folder", did,
                            f"copy the file into {root.name}/diagrams/")
        problem = not_regular(source)
        if problem == "missing":
            raise ctx.error(key, f"no Mermaid source {mmd}", did, f"add {mmd}, or remove the entry '{did}'")
        if problem:
            raise ctx.error(key, f"the Mermaid source {mmd} is {problem}, not a regular file", did,
                            f"replace it with a plain .mmd file, or remove the entry '{did}'")
        out[did] = Diagram(id=did, title=meta["title"], caption=meta.get("caption", ""),
                           notes=meta.get("notes", ""), source_path=source, native=native)
    for orphan in sorted({p.stem for p in listing(folder, ".mmd")} - set(out)):
        warnings.append(f"{root.name}/diagrams/{orphan}.mmd has no entry in {ctx.file}, so nothing can show it; "
                        f"add an entry '{orphan}:' with a 'title:' there")
    return out


def listing(folder: Path, *suffixes: str) -> list[Path]:
    """The files in folder with these suffixes, editor files left out."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise ContentError(f"cannot list the folder: {exc.strerror}", file=str(folder), hint=os_advice(exc)) from None
    return [folder / n for n in names if not is_editor_file(n) and Path(n).suffix.lower() in suffixes]


def _one_file(folder: Path, stem: str) -> Path | None:
    """folder/stem.yaml or folder/stem.yml (not both), or None."""
    found = [folder / f"{stem}{suffix}" for suffix in YAML_SUFFIXES if os.path.lexists(folder / f"{stem}{suffix}")]
    if len(found) > 1:
        raise ContentError(f"both {stem}.yaml and {stem}.yml are here", file=str(folder), hint="keep one of them")
    return found[0] if found else None


def _section_files(root: Path, warnings: list[str]) -> list[Path]:
    """*.yaml and *.yml besides deck.yaml; what is not a regular file is skipped with a warning
    (a FIFO would block, a dangling symlink is an editor's lock file, a folder is not a section)."""
    files = []
    for path in listing(root, *YAML_SUFFIXES):
        if path.name in ("deck.yaml", "deck.yml"):
            continue
        problem = not_regular(path)
        if problem:
            warnings.append(f"{root.name}/{path.name}: skipped, it is {problem}, not a section file")
        else:
            files.append(path)
    return sorted(files)


def _check_root(root: Path) -> None:
    if not os.path.lexists(root):
        raise ContentError(f"content directory '{root}' does not exist",
                           hint="pass --content DIR pointing at a folder with deck.yaml")
    problem = not_regular(root)
    if problem != "a folder":
        what = "a regular file" if problem is None else problem
        raise ContentError(f"content directory '{root}' is not a folder (it is {what})",
                           hint="pass --content DIR, the folder that holds deck.yaml and the section files")


def _reference(node: yaml.Node, ctx: _Ctx) -> Reference:
    pairs = _pairs(node, ctx, REFERENCE_FIELDS, "a reference", "references")
    if "title" not in pairs:
        raise ctx.error(node, "a reference needs a title", "references.title")
    return Reference(**{k: _field(REFERENCE_FIELDS[k], v, ctx, f"references.{k}") for k, (_, v) in pairs.items()})


def _profiles(node: yaml.Node, ctx: _Ctx) -> dict[str, ProfileSettings]:
    out = {}
    for name, (_key, value) in _pairs(node, ctx, dict.fromkeys(PROFILE_NAMES, ""), "profiles", "profiles").items():
        settings = {}
        for field, (_k, v) in _pairs(value, ctx, PROFILE_FIELDS, f"profiles.{name}", f"profiles.{name}").items():
            settings[field] = _text(v, ctx, f"profiles.{name}.{field}")
            if settings[field] not in REVEALS:
                raise ctx.error(v, f"unknown reveal '{settings[field]}'", f"profiles.{name}.{field}",
                                "use " + " or ".join(REVEALS))
        out[name] = ProfileSettings(**settings)
    return out


def load_yaml_bank(root: Path, strict: bool = False) -> Bank:
    """Read deck.yaml and every section file of a YAML bank folder (see deck.content.load)."""
    _check_root(root)
    deck_path = _one_file(root, "deck")
    if deck_path is None:
        raise ContentError(f"'{root / 'deck.yaml'}' is missing", hint="create deck.yaml with at least 'title:'")
    warnings: list[str] = []
    diagrams = diagrams_of(root, warnings)
    return bank_of(root, deck_path, _section_files(root, warnings), diagrams, warnings, strict)


def bank_of(root: Path, deck_path: Path, files: list[Path], diagrams: dict[str, Diagram], warnings: list[str],
            strict: bool, texts: dict[Path, str] | None = None) -> Bank:
    """The bank from its deck file and section files (read from disk, or from texts)."""
    node, ctx = _read_yaml(deck_path, root, texts)
    pairs = _pairs(node, ctx, DECK_FIELDS, "deck.yaml")
    if "title" not in pairs:
        raise ctx.error(node, "deck.yaml needs 'title'", "title")
    meta: dict[str, Any] = {}
    for name, (_key, value) in pairs.items():
        if name == "references":
            meta[name] = _list(value, ctx, name, lambda n: _reference(n, ctx))
        elif name == "profiles":
            meta[name] = _profiles(value, ctx)
        else:
            meta[name] = _field(DECK_FIELDS[name], value, ctx, name)
    overview = meta.get("overview_diagram")
    if overview and overview not in diagrams:
        raise ctx.error(pairs["overview_diagram"][1], f"unknown diagram '{overview}'",
                        "overview_diagram", _diagram_hint(root, overview))

    if not files:
        raise ContentError(f"no section files (*.yaml or *.yml besides deck.yaml) in '{root}'")
    sections = [_section(p, root, diagrams, warnings, strict, texts) for p in files]
    total = sum(len(s.questions) for s in sections)
    if total > MAX_BANK_QUESTIONS:
        raise ContentError(f"the bank has {total:,} questions (limit {MAX_BANK_QUESTIONS:,})", file=str(root),
                           hint="build it as several banks")
    _check_unique(sections)
    _check_anchors(sections, diagrams, warnings)
    sections.sort(key=lambda s: s.number)
    return Bank(title=meta["title"], subtitle=meta.get("subtitle", ""), author=meta.get("author", ""),
                language=meta.get("language", "zh-CN"), theme=meta.get("theme"), root=root,
                template=meta.get("template"),
                sections=tuple(sections), references=meta.get("references", ()),
                overview_diagram=overview, diagrams=diagrams, warnings=tuple(warnings),
                profiles=meta.get("profiles", {}))


def _check_anchors(sections: list[Section], diagrams: dict[str, Diagram], warnings: list[str]) -> None:
    """A link to a slide, [text](#id), must name a question, section or diagram of the bank."""
    ids = {s.id for s in sections} | {q.id for s in sections for q in s.questions} | set(diagrams)
    for q in (q for s in sections for q in s.questions):
        for name in MARKDOWN_FIELDS:
            value = getattr(q, name)
            for i, text in enumerate(value if isinstance(value, tuple) else (value,)):
                field = f"{name}[{i}]" if isinstance(value, tuple) else name
                for _line, anchor in parse_markdown(text).anchors:
                    if anchor[1:] not in ids:
                        warnings.append(f"{q.file}:{q.line}: question '{q.id}', {field}: link '{anchor}' names no "
                                        "question, section or diagram of the bank, so it stays text")


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
