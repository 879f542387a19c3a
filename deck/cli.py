"""Command line: deck build | check | schema | diagrams | preview | init | import."""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

from deck import __version__, resources
from deck.errors import DeckError

BUNDLED = resources.bundled_bank()
PROFILES = ("study", "mock", "handout")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="deck", description="Compile a YAML question bank into PPTX decks.")
    p.add_argument("--version", action="version", version=f"interview-deck {__version__}")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub = p.add_subparsers(dest="command")

    b = sub.add_parser("build", help="build decks (default: all profiles into build/)")
    b.add_argument("--content", type=Path, default=BUNDLED, help="content folder (default: bundled bank)")
    b.add_argument("--profile", choices=(*PROFILES, "all"), default="all")
    b.add_argument("-o", "--output", type=Path, help="output .pptx (one profile) or folder (all)")
    b.add_argument("--pdf", action="store_true", help="also export PDFs with LibreOffice")
    b.add_argument("--theme", help="a shipped theme NAME or a PATH to a folder with theme.yaml "
                   "(default: deck.yaml's theme:, else default)")
    b.add_argument("--cache", type=Path, help="diagram render cache (default: the committed cache "
                   "for the bundled bank, else <output folder>/.diagram-cache)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    b.add_argument("-v", "--verbose", action="store_true",
                   help="say where the content, theme, diagram cache and Mermaid build come from")
    b.add_argument("--force", action="store_true",
                   help="overwrite outputs that interview-deck did not write or that were changed since")
    m = b.add_argument_group("mock interview")
    m.add_argument("--shuffle", action="store_true", help="draw questions in random order")
    m.add_argument("--seed", type=int, help="random seed (same seed, same questions and order)")
    m.add_argument("--limit", type=int, help="at most N questions")
    m.add_argument("--sections", help="comma-separated section numbers or ids, e.g. 1,3,lora")
    m.add_argument("--level", help="difficulty N or N-M (1 basic .. 3 hard), e.g. 2-3")

    c = sub.add_parser("check", help="validate content and print a summary")
    c.add_argument("--content", type=Path, default=BUNDLED)
    c.add_argument("--strict", action="store_true", help="every question also needs follow_up and pitfall")
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
    m = sub.add_parser("import", help="turn a Markdown question bank (seed style) into a bank folder")
    m.add_argument("markdown", type=Path)
    m.add_argument("-o", "--output", type=Path, required=True, help="new bank folder (must be empty or absent)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.command:
        _parser().print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except DeckError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; every output is either its old or its new version, never a partial file",
              file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: say so, point at --debug
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc}\n  rerun with --debug for a traceback",
              file=sys.stderr)
        return 1


def _cmd_check(args: argparse.Namespace) -> int:
    from deck.content import load_bank

    bank = load_bank(args.content, strict=args.strict)
    print(f"{bank.title}: {len(bank.sections)} sections, {len(bank.questions)} questions, "
          f"{len(bank.diagrams)} diagrams")
    for s in bank.sections:
        code = sum(1 for q in s.questions if q.code)
        levels = {lvl: sum(1 for q in s.questions if q.level == lvl) for lvl in (1, 2, 3)}
        print(f"  {s.number:>2} {s.id:<14} {s.title:<24} {len(s.questions):>3} questions, {code} code, "
              f"levels {levels[1]}/{levels[2]}/{levels[3]}, diagrams: {', '.join(s.diagrams) or '-'}")
    for name, label in (("follow_up", "反问点"), ("pitfall", "坑位")):
        lacking = sum(1 for q in bank.questions if not getattr(q, name))
        if lacking:
            print(f"  {lacking} question(s) without {name} ({label}); --strict requires it")
    warnings = bank.warnings
    for w in warnings:
        print(f"warning: {w}")
    print("ok" if not warnings else f"ok, {len(warnings)} warning(s)")
    return 0


def _cmd_schema(_args: argparse.Namespace) -> int:
    from deck.schema import content_schema

    print(json.dumps(content_schema(), ensure_ascii=False, indent=2))
    return 0


def _cache_dir(args: argparse.Namespace, out_dir: Path) -> Path:
    if args.cache:
        return args.cache
    if args.content.resolve() == BUNDLED.resolve():
        return resources.diagram_cache()
    return out_dir / ".diagram-cache"


def _cmd_diagrams(args: argparse.Namespace) -> int:
    from deck.build import bank_diagrams
    from deck.content import load_bank
    from deck.theme import load_theme

    bank = load_bank(args.content)
    cache = _cache_dir(args, Path("build"))
    theme = load_theme(args.theme) if args.theme else load_theme(bank.theme or "default", bank.root)
    rendered = bank_diagrams(bank, theme, cache, force=args.force)
    for r in rendered.values():
        print(f"{r.id}: {r.svg_path} ({r.png_size[0]}x{r.png_size[1]} png)")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from deck.build import BuildRequest, build
    from deck.profiles import MockOptions, parse_levels

    seed = args.seed
    if args.shuffle and seed is None:
        seed = random.SystemRandom().randrange(1, 100_000)
        print(f"mock: shuffled with seed {seed} (rerun with --seed {seed} to replay)", file=sys.stderr)
    sections = tuple(x.strip() for x in args.sections.split(",") if x.strip()) if args.sections else ()
    if args.limit is not None and args.limit < 1:
        raise DeckError("--limit must be at least 1")
    mock = MockOptions(shuffle=args.shuffle, seed=seed, limit=args.limit, sections=sections,
                       levels=parse_levels(args.level) if args.level else None)
    profiles = PROFILES if args.profile == "all" else (args.profile,)
    if args.output and args.profile != "all":
        out_dir, target = args.output.parent, args.output
    else:
        out_dir, target = args.output or Path("build"), None
        if out_dir.exists() and not out_dir.is_dir():
            raise DeckError(f"output '{out_dir}' is a file; with all profiles -o names a folder")
        out_dir.mkdir(parents=True, exist_ok=True)
    request = BuildRequest(content=args.content, profiles=profiles, out_dir=out_dir, target=target,
                           theme=args.theme, cache=_cache_dir(args, out_dir), pdf=args.pdf, mock=mock,
                           force=args.force, verbose=args.verbose)
    written = build(request, progress=_progress(args.quiet))
    for path in written:
        print(path)
    return 0


def _progress(quiet: bool) -> Callable[[str], None]:
    if quiet:
        return lambda _msg: None
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    return lambda msg: console.print(f"[dim]•[/dim] {msg}")


def _cmd_preview(args: argparse.Namespace) -> int:
    from deck.export import contact_sheet

    out = args.output or args.deck.with_name(args.deck.stem + "-contact.png")
    print(contact_sheet(args.deck, out, limit=args.limit, force=args.force))
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from deck.scaffold import starter_files, write_new_bank

    write_new_bank(args.dir, starter_files(args.lang))
    print(f"{args.dir}: new bank ({args.lang}); build it with: deck build --content {args.dir}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from deck.importer import import_markdown
    from deck.scaffold import read_markdown, write_new_bank

    text = read_markdown(args.markdown)
    try:
        result = import_markdown(text, args.markdown.name)
    except ValueError as exc:
        raise DeckError(f"{args.markdown}: {exc}") from None
    write_new_bank(args.output, result.files)
    for u in result.unplaced:
        print(f"{args.markdown}:{u.line}: not placed ({u.reason}): {u.text.strip()}", file=sys.stderr)
    for notice in result.notices:
        print(f"{args.markdown}: note: {notice}", file=sys.stderr)
    print(f"{args.output}: {result.sections} section(s), {result.questions} questions ({result.code} with code), "
          f"{result.diagrams} diagram(s), {result.references} reference(s); {len(result.unplaced)} line(s) not placed")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": _cmd_build, "check": _cmd_check, "schema": _cmd_schema,
    "diagrams": _cmd_diagrams, "preview": _cmd_preview, "init": _cmd_init, "import": _cmd_import,
}
