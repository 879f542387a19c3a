"""Command line: deck build | check | schema | diagrams | preview | init | import."""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from deck import __version__, resources
from deck.atomic import check_folder
from deck.build import PROFILES
from deck.content.reading import not_regular
from deck.errors import DeckError, os_error, printable

BUNDLED = resources.bundled_bank()
SIGPIPE_EXIT = 141  # what a shell reports for a program stopped by a closed pipe (128 + SIGPIPE)
IMPORT_HELP = """\
Read a Markdown question bank and write a bank folder (YAML) that checks and builds.

It understands these shapes, alone or mixed in one file:
  - a question heading at any level (## Q01 · …, #### 3) …?, ## 2. …); the blocks under it are
    its answer; deeper headings stay in the answer or name a field (🎯 一句话答案, 🪤 追问)
  - a bold line (**1. …？**) with the answer in the lines and blocks below it
  - a list of questions: 1. **Q: …** + - **A:** …, or - **Q：…** + A：…
  - 1) question + labelled lines: 标准答 / Answer, 反问点 / Ask back, 坑位 / Pitfall,
    要点 / Key points, 代码 / Code (+ a fenced block)
  - Q: … / 问：… then the answer; <details><summary>question</summary>answer</details>
  - a table whose header is question | answer
Headings above the questions are sections; the first # heading (or front matter title:) is the
title. Answers keep their Markdown (lists, tables, code, math, links); local images are copied
into the bank, remote ones stay links. Every line left out is listed with its number and why.
See CONTENT.md, 'Importing Markdown'."""


class UsageError(DeckError):
    """A bad option or value on the command line."""


class _Parser(argparse.ArgumentParser):
    """argparse prints the whole usage before a bad option's message; we print one line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="deck", description="Compile a YAML question bank into PPTX decks.")
    p.add_argument("--version", action="version", version=f"interview-deck {__version__}")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub = p.add_subparsers(dest="command")

    b = sub.add_parser("build", help="build decks (default: all profiles into build/)")
    b.add_argument("--content", type=Path, default=BUNDLED,
                   help="content folder, or a Markdown bank (FILE.md, a folder of .md) read as `deck import` reads it "
                        "(default: bundled bank)")
    b.add_argument("--profile", choices=(*PROFILES, "all"), default="all")
    b.add_argument("-o", "--output", type=Path, help="output .pptx (.apkg for anki) of one profile, or folder (all)")
    b.add_argument("--pdf", action="store_true", help="also export PDFs with LibreOffice")
    b.add_argument("--theme", help="a shipped theme NAME or a PATH to a folder with theme.yaml "
                   "(default: deck.yaml's theme:, else default)")
    b.add_argument("--template", type=Path, help="build the study and mock decks on this PowerPoint template "
                   "(.pptx or .potx; default: deck.yaml's template:)")
    b.add_argument("--cache", type=Path, help="diagram render cache (default: the committed cache "
                   "for the bundled bank, else <output folder>/.diagram-cache)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress display (shown only on a terminal)")
    b.add_argument("-v", "--verbose", action="store_true",
                   help="say where the content, theme, diagram cache and Mermaid build come from")
    b.add_argument("--force", action="store_true",
                   help="overwrite outputs that interview-deck did not write or that were changed since")
    b.add_argument("--reveal", choices=("slides", "click"),
                   help="study and mock: the answer on the next slide (default), or behind clicks on the "
                        "question's own slide; default from deck.yaml profiles.<name>.reveal")
    m = b.add_argument_group("mock interview")
    m.add_argument("--shuffle", action="store_true", help="draw questions in random order")
    m.add_argument("--seed", type=int, help="random seed (same seed, same questions and order)")
    m.add_argument("--limit", type=int, help="at most N questions")
    m.add_argument("--sections", help="comma-separated section numbers or ids, e.g. 1,3,lora")
    m.add_argument("--level", help="difficulty N or N-M (1 basic .. 3 hard), e.g. 2-3")

    c = sub.add_parser("check", help="validate content and print a summary")
    c.add_argument("--content", type=Path, default=BUNDLED)
    c.add_argument("--strict", action="store_true", help="every question also needs follow_up and pitfall")
    c.add_argument("--cache", type=Path, help="diagram render cache, as for build (diagrams are rendered "
                   "and checked like a build does)")
    sub.add_parser("schema", help="print the JSON Schema of the content files")
    d = sub.add_parser("diagrams", help="render stale diagrams into the cache")
    d.add_argument("--content", type=Path, default=BUNDLED)
    d.add_argument("--cache", type=Path)
    d.add_argument("--force", action="store_true", help="render all, even if cached")
    d.add_argument("--theme", help="theme NAME or PATH (default: deck.yaml's theme:, else default)")
    v = sub.add_parser("preview", help="PNG thumbnails and a contact sheet of a deck")
    v.add_argument("deck", type=Path)
    v.add_argument("-o", "--output", type=Path, help="contact sheet PNG (default: DECK-contact.png)")
    v.add_argument("--limit", type=int, help="only the first N slides")
    v.add_argument("--force", action="store_true", help="overwrite a contact sheet not written by interview-deck")
    i = sub.add_parser("init", help="start a new bank in DIR that builds as it is")
    i.add_argument("dir", type=Path)
    i.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the example bank")
    m = sub.add_parser("import", help="turn a Markdown question bank into a bank folder",
                       description=IMPORT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_argument("markdown", type=Path)
    m.add_argument("-o", "--output", type=Path, help="new bank folder (must be empty or absent)")
    m.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
    t = sub.add_parser("template", help="PowerPoint templates: export our default look as one")
    ts = t.add_subparsers(dest="action", required=True)
    te = ts.add_parser("export", help="write our look as a template (no slides) to edit and give to --template")
    te.add_argument("file", type=Path, help="the .pptx to write")
    te.add_argument("--theme", default="default", help="theme NAME or PATH (default: default)")
    te.add_argument("--force", action="store_true", help="overwrite a file not written by interview-deck")
    return p


def main(argv: list[str] | None = None) -> int:
    # A build makes many long-lived objects (caches, plans) and little cyclic garbage: Python's default
    # (a collection every 700 allocations) spent about 40 ms of a one-second study build collecting.
    gc.set_threshold(50_000, 20, 20)
    for stream in (sys.stdout, sys.stderr):  # a Chinese title must not crash an ASCII-only terminal
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = _parser().parse_args(argv)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if not args.command:
        _parser().print_help()
        return 2
    try:
        code = COMMANDS[args.command](args)
        if sys.stdout:  # None when started with stdout closed (deck check >&-)
            sys.stdout.flush()  # here, not at exit, so a closed pipe is seen below
        return code
    except BrokenPipeError:  # deck check | head -1: the reader has all it wanted
        _silence_stdout()
        return SIGPIPE_EXIT
    except DeckError as exc:
        if args.debug:
            raise
        print(f"error: {printable(str(exc), newlines=True)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; every output is its old or its new version (a deck with its PDF), never a partial file",
              file=sys.stderr)
        return 130
    except OSError as exc:  # a file or folder the user can fix: name it, say what to do
        if args.debug:
            raise
        print(f"error: {os_error(exc)}", file=sys.stderr)
        return DeckError.exit_code
    except Exception as exc:  # noqa: BLE001 - a bug: say so, point at --debug
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc}\n  rerun with --debug for a traceback",
              file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (captured in tests)
        pass


def _cmd_check(args: argparse.Namespace) -> int:
    from deck.build import bank_diagrams, diagram_warnings
    from deck.content.load import load_bank
    from deck.theme.settings import bank_theme

    bank = load_bank(args.content, strict=args.strict)
    theme = bank_theme(bank, None)
    theme.labels(bank.language)  # deck.yaml's theme: and language: must resolve too
    # The diagrams a build would show, rendered (or taken from the cache) and checked as a build does.
    diagram_notes = diagram_warnings(bank, theme, bank_diagrams(bank, theme, _cache_dir(args, Path("build"))))
    print(f"{bank.title}: {len(bank.sections)} sections, {len(bank.questions)} questions, "
          f"{len(bank.diagrams)} diagrams")
    for s in bank.sections:
        code = sum(1 for q in s.questions if q.code)
        levels = {lvl: sum(1 for q in s.questions if q.level == lvl) for lvl in (1, 2, 3)}
        print(f"  {s.number:>2} {s.id:<14} {s.title:<24} {len(s.questions):>3} questions, {code} code, "
              f"levels {levels[1]}/{levels[2]}/{levels[3]}, diagrams: {', '.join(s.diagrams) or '-'}")
    for name in ("follow_up", "pitfall"):
        lacking = sum(1 for q in bank.questions if not getattr(q, name))
        if lacking:
            print(f"  {lacking} question(s) without {name}; --strict requires it")
    warnings = [*bank.warnings, *diagram_notes]
    for w in warnings:
        print(f"warning: {printable(w)}")
    print("ok" if not warnings else f"ok, {len(warnings)} warning(s)")
    return 0


def _cmd_schema(_args: argparse.Namespace) -> int:
    from deck.content.schema import content_schema

    print(json.dumps(content_schema(), ensure_ascii=False, indent=2))
    return 0


def _cache_dir(args: argparse.Namespace, out_dir: Path) -> Path:
    if args.cache:
        if args.cache.exists() and not args.cache.is_dir():
            raise DeckError(f"--cache '{args.cache}' is not a folder; give a folder for the diagram renders")
        return args.cache
    if args.content.resolve() == BUNDLED.resolve():
        return resources.diagram_cache()
    return out_dir / ".diagram-cache"


def _cmd_diagrams(args: argparse.Namespace) -> int:
    from deck.build import bank_diagrams, diagram_warnings
    from deck.content.load import load_bank
    from deck.theme.settings import bank_theme

    bank = load_bank(args.content)
    cache = _cache_dir(args, Path("build"))
    theme = bank_theme(bank, args.theme)
    rendered = bank_diagrams(bank, theme, cache, force=args.force)
    for warning in diagram_warnings(bank, theme, rendered):
        print(f"warning: {printable(warning)}", file=sys.stderr)
    for r in rendered.values():
        print(f"{r.id}: {r.svg_path} ({r.png_size[0]}x{r.png_size[1]} png)")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from deck.build import BuildRequest, build
    from deck.planning.selection import MockOptions, parse_levels

    seed = args.seed
    if args.shuffle and seed is None:
        seed = random.SystemRandom().randrange(1, 100_000)
    sections = tuple(x.strip() for x in args.sections.split(",") if x.strip()) if args.sections else ()
    if args.sections is not None and not sections:
        raise DeckError(f"--sections '{args.sections}': no section given; list numbers or ids, e.g. 1,3,lora")
    if args.limit is not None and args.limit < 1:
        raise DeckError("--limit must be at least 1")
    mock = MockOptions(shuffle=args.shuffle, seed=seed, limit=args.limit, sections=sections,
                       levels=parse_levels(args.level) if args.level else None)
    profiles = tuple(PROFILES) if args.profile == "all" else (args.profile,)
    if args.output and args.profile != "all":
        target = _deck_path(args.output, PROFILES[args.profile].suffix)
        out_dir = target.parent
        check_folder(target)  # before the build: the default diagram cache beside it would make the folder
    else:
        out_dir, target = args.output or Path("build"), None
        if os.path.lexists(out_dir) and not out_dir.is_dir():
            kind = not_regular(out_dir) or "a file"
            raise DeckError(f"output '{out_dir}' is {kind}; with all profiles -o names a folder")
        if not out_dir.exists() and out_dir.suffix.lower() in (".pptx", ".pdf", ".apkg"):
            raise DeckError(f"-o '{out_dir}' names a file, but with all profiles -o names a folder; "
                            f"add --profile {', '.join(PROFILES)} to build one output")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise os_error(exc, out_dir, "cannot create the output folder") from None
    request = BuildRequest(content=args.content, profiles=profiles, out_dir=out_dir, target=target,
                           theme=args.theme, cache=_cache_dir(args, out_dir), pdf=args.pdf, mock=mock,
                           force=args.force, reveal=args.reveal, verbose=args.verbose,
                           template=args.template)
    written = build(request, progress=_progress(args.quiet), say=lambda msg: print(msg, file=sys.stderr))
    if args.shuffle and args.seed is None and "mock" in profiles:  # after the build: a failed one has nothing to replay
        print(f"mock: shuffled with seed {seed} (rerun with --seed {seed} to replay)", file=sys.stderr)
    for path in written:
        print(path)
    return 0


def _deck_path(path: Path, suffix: str) -> Path:
    """A deck is a .pptx (an Anki package .apkg). A name without an extension gets one, and we say
    so; another extension is refused (-o talk.pdf --pdf would write the deck, then its PDF over it)."""
    a, what = ("an", "Anki package") if suffix == ".apkg" else ("a", "deck")
    if path.suffix.lower() == suffix or path.is_dir():  # a folder: refused by name when checked
        return path
    if path.suffix:
        raise DeckError(f"-o '{path}': {a} {what} is a {suffix} file; give a name ending in {suffix}"
                        + (" (--pdf writes the PDF beside it)" if path.suffix.lower() == ".pdf" else ""))
    named = path.with_name(path.name + suffix)
    print(f"note: -o '{path}' has no extension; writing the {what} to {named}", file=sys.stderr)
    return named


def _progress(quiet: bool) -> Callable[[str], None]:
    if quiet or not (sys.stderr and sys.stderr.isatty()):  # progress is for a person; logs get results and errors
        return lambda _msg: None
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    return lambda msg: console.print(f"[dim]•[/dim] {msg}")


def _cmd_preview(args: argparse.Namespace) -> int:
    from deck.export.pdf import contact_sheet

    if args.limit is not None and args.limit < 1:
        raise DeckError("--limit must be at least 1")
    out = args.output or args.deck.with_name(args.deck.stem + "-contact.png")
    if out.is_dir():
        raise DeckError(f"-o '{out}' is a folder; give a file name like {out / 'contact.png'}")
    if out.suffix.lower() != ".png":
        if out.suffix:
            raise DeckError(f"-o '{out}': the contact sheet is a PNG image; give a name ending in .png")
        out = out.with_name(out.name + ".png")
        print(f"note: -o '{args.output}' has no extension; writing the contact sheet to {out}", file=sys.stderr)
    print(contact_sheet(args.deck, out, limit=args.limit, force=args.force))
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from deck.content.scaffold import starter_files, write_new_bank

    write_new_bank(args.dir, starter_files(args.lang))
    print(f"{args.dir}: new bank ({args.lang}); build it with: deck build --content {args.dir}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from deck.content.importer import CannotImport, import_markdown
    from deck.content.reading import read_markdown
    from deck.content.scaffold import write_new_bank

    if args.output is None and not args.dry_run:
        raise UsageError("deck import: give -o DIR (the new bank folder) or --dry-run")
    text = read_markdown(args.markdown)
    try:
        result = import_markdown(text, args.markdown.name, args.markdown.resolve().parent)
    except CannotImport as exc:
        raise DeckError(f"{args.markdown}: {exc}") from None
    for u in result.unplaced:
        print(f"{args.markdown}:{u.line}: left out ({u.reason}): {u.text.strip()[:160]}", file=sys.stderr)
    for notice in result.notices:
        print(f"{args.markdown}: note: {notice}", file=sys.stderr)
    for s in result.report:
        missing = f", {s.found - s.answered} without an answer (left out)" if s.found > s.answered else ""
        print(f"  {s.title}{f' (line {s.line})' if s.line else ''}: {s.found} question(s){missing}")
    if not args.dry_run:
        write_new_bank(args.output, result.files, result.assets)
    where = "dry run, nothing written" if args.dry_run else str(args.output)
    print(f"{where}: {result.sections} section(s), {result.questions} questions ({result.code} with code), "
          f"{result.diagrams} diagram(s), {result.references} reference(s), {len(result.assets)} image(s); "
          f"{len(result.unplaced)} line(s) left out")
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from deck.export.files import check_targets, write_output
    from deck.render.template_export import export
    from deck.theme.settings import load_theme

    if args.file.suffix.lower() != ".pptx":
        raise DeckError(f"'{args.file}': a template is written as a .pptx file; give a name ending in .pptx")
    data = export(load_theme(args.theme))
    check_targets([args.file], args.force)
    write_output(args.file, data)
    print(f"{args.file}: our look as a template; build on it with: deck build --template {args.file}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": _cmd_build, "check": _cmd_check, "schema": _cmd_schema, "diagrams": _cmd_diagrams,
    "preview": _cmd_preview, "init": _cmd_init, "import": _cmd_import, "template": _cmd_template,
}
