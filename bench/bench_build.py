"""Build benchmark: `deck build --profile study` against pandoc on the same text.

Median of N runs after a warm-up, whole-process wall time and peak RSS
(/usr/bin/time -v), both tools in the same run. Also: a synthetic bank 10x the
bundled one, a field of one 19,000-character token (no break opportunity), and the
share of a full build spent in the layout engine. With --vs CHECKOUT, only the study
build's CPU time against another checkout's (issue #23's yardstick: 0cc6965).

    .venv/bin/python bench/bench_build.py [--runs 5] [--template corp.pptx ...]
    .venv/bin/python bench/bench_build.py --vs ../ref-0cc6965 [--runs 11]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DECK = [sys.executable, "-m", "deck"]


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one process run."""
    start = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    if run.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{run.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1)) / 1024
    return wall, rss


def median_of(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    timed(cmd, env)  # warm-up: page cache, font cache, .pyc
    samples = [timed(cmd, env) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def cpu_seconds(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    """User + system seconds of one process run, its children included (the OS's own accounting)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{run.stderr[-2000:]}")
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def versus(other: Path, runs: int, tmp: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Median CPU seconds of a study build from this checkout and from another (issue #23: within 15 %
    of the build before Markdown fields), and the median of their ratios: the two run in turn, so a
    change in the shared machine's speed hits both. Run from a neutral folder, after one warm-up each."""
    def study(root: Path, name: str) -> float:
        return cpu_seconds([*DECK, "build", "-q", "--profile", "study", "-o", str(tmp / f"{name}.pptx")],
                           {**env, "PYTHONPATH": str(root)}, tmp)

    samples: list[tuple[float, float]] = []
    for i in range(runs + 1):
        pair = study(REPO, "ours"), study(other, "theirs")
        if i:
            samples.append(pair)
    return (statistics.median(a for a, _ in samples), statistics.median(b for _, b in samples),
            statistics.median(a / b for a, b in samples))


def pandoc_markdown(content: Path) -> str:
    """The bank as pandoc slides: question slide, answer slide with follow-up and
    pitfall, code as fenced blocks, speaker notes as ::: notes."""
    from deck.content.load import load_bank

    bank = load_bank(content)
    out = [f"---\ntitle: \"{bank.title}\"\n---\n"]
    for s in bank.sections:
        out.append(f"# {s.title}\n")
        for q in s.questions:
            out.append(f"## {q.question}\n\n::: notes\n{q.answer}\n\n{q.follow_up}\n\n{q.pitfall}\n:::\n")
            body = f"**标准答** {q.answer}\n\n**反问点** {q.follow_up}\n\n**坑位** {q.pitfall}\n"
            if q.code:
                body += f"\n```{q.code.language}\n{q.code.source}\n```\n"
            out.append(f"## {q.question}（答）\n\n{body}")
    return "\n".join(out)


def synthetic_bank(target: Path, copies: int) -> None:
    """The bundled bank repeated `copies` times with unique ids and section numbers."""
    target.mkdir(parents=True)
    shutil.copy(REPO / "content" / "deck.yaml", target / "deck.yaml")
    shutil.copytree(REPO / "content" / "diagrams", target / "diagrams")
    for path in sorted((REPO / "content").glob("[0-9]*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for k in range(copies):
            copy = {"section": dict(data["section"]), "questions": []}
            copy["section"]["id"] = f"{data['section']['id']}-{k}"
            copy["section"]["number"] = data["section"]["number"] + 6 * k
            copy["questions"] = [dict(q, id=f"{q['id']}-{k}") for q in data["questions"]]
            (target / f"{copy['section']['number']:02d}-{copy['section']['id']}.yaml").write_text(
                yaml.safe_dump(copy, allow_unicode=True, sort_keys=False), encoding="utf-8")


def long_token_bank(target: Path, token: str) -> None:
    """A one-question bank whose answer is one token with no break opportunity (a hostile field)."""
    target.mkdir(parents=True)
    (target / "deck.yaml").write_text("title: long token\n", encoding="utf-8")
    (target / "01-long.yaml").write_text(
        "section: {id: long, number: 1, title: long}\nquestions:\n  - id: q\n    question: q\n"
        f"    answer: {json.dumps(token)}\n    follow_up: f\n    pitfall: p\n", encoding="utf-8")


LAYOUT_ENTRY_POINTS = {"deck.text.layout": ("fit", "split", "largest", "layout", "break_lines", "truncate"),
                       "deck.planning.compose": ("code_rows",),
                       "deck.theme.settings": ("faces",)}  # faces: font loading


def probe() -> None:
    """One build of study, mock and handout in this process (PDF export stubbed: that
    is LibreOffice's time), printing seconds spent inside the layout engine as JSON.
    Only the outermost layout call is timed; loading and measuring fonts count as layout."""
    import functools
    import importlib

    spent = [0.0]
    depth = [0]

    def timed_call(fn):  # noqa: ANN001, ANN202
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            if depth[0]:
                return fn(*args, **kwargs)
            depth[0] += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start
                depth[0] -= 1
        return wrapper

    for module_name, names in LAYOUT_ENTRY_POINTS.items():
        module = importlib.import_module(module_name)
        for name in names:
            setattr(module, name, timed_call(getattr(module, name)))
    import deck.export.pdf
    from deck.cli import main as cli_main

    def no_pdf(*_args, **_kw):  # noqa: ANN002, ANN003, ANN202
        raise deck.export.pdf.ExportError("no PDF in the bench")  # the build then writes the decks alone

    deck.export.pdf.pdf_bytes = no_pdf
    out = sys.argv[sys.argv.index("--probe") + 1]
    status = cli_main(["build", "-q", "--profile", "all", "--seed", "1", "-o", out])
    if status:
        raise SystemExit(status)
    print(json.dumps({"layout": spent[0]}))


def layout_share(runs: int, out: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Medians of (whole-process seconds, seconds inside the layout engine, layout time
    over the rest of that same run) for a build of all profiles, each run a fresh
    process so every cache starts cold."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--probe", str(out)]
    samples = []
    for _ in range(runs + 1):  # the first is a warm-up (page cache, .pyc)
        start = time.perf_counter()
        run = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - start
        if run.returncode:
            raise SystemExit(f"layout probe failed:\n{run.stderr[-2000:]}")
        samples.append((wall, json.loads(run.stdout.strip().splitlines()[-1])["layout"]))
    samples = samples[1:]
    return (statistics.median(w for w, _ in samples), statistics.median(lay for _, lay in samples),
            statistics.median(lay / (w - lay) for w, lay in samples))


def main() -> None:
    if "--probe" in sys.argv:
        probe()
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--template", type=Path, action="append", default=[],
                    help="also time the study deck on this PowerPoint template, and pandoc --reference-doc")
    ap.add_argument("--vs", type=Path, metavar="CHECKOUT",
                    help="only compare a study build's CPU time with another checkout's, e.g. "
                         "git worktree add --detach ../ref 0cc6965 (the commit before Markdown fields)")
    args = ap.parse_args()
    if args.vs:
        with tempfile.TemporaryDirectory(prefix="deck-bench-") as tmp:
            env = {**os.environ, "DECK_BROWSER": "/nonexistent"}  # both diagram caches are warm
            ours, theirs, ratio = versus(args.vs.resolve(), max(args.runs, 11), Path(tmp), env)
        print(f"study build CPU: this checkout {ours:.3f} s, {args.vs} {theirs:.3f} s, "
              f"ratio {ratio:.3f} (median of pairs run in turn; issue #23 asks <= 1.15 against 0cc6965)")
        return
    if not shutil.which("pandoc"):
        raise SystemExit("pandoc is missing: apt-get install pandoc")
    rows = []
    with tempfile.TemporaryDirectory(prefix="deck-bench-") as tmp:
        tmp_path = Path(tmp)
        md = tmp_path / "bank.md"
        md.write_text(pandoc_markdown(REPO / "content"), encoding="utf-8")
        # The diagram cache is warm for the bundled bank (committed renders); no browser may start.
        env = {**os.environ, "DECK_BROWSER": "/nonexistent"}
        ours = median_of([*DECK, "build", "-q", "--profile", "study", "-o", str(tmp_path / "study.pptx")],
                         args.runs, env)
        pandoc = median_of(["pandoc", str(md), "-o", str(tmp_path / "pandoc.pptx")], args.runs)
        rows += [("deck build --profile study (180 Q)", *ours), ("pandoc -o out.pptx (same text)", *pandoc)]
        for template in args.template:
            rows.append((f"  --template {template.name}", *median_of(
                [*DECK, "build", "-q", "--profile", "study", "--template", str(template.resolve()), "--force",
                 "-o", str(tmp_path / "t.pptx")], args.runs, env)))
            if template.suffix == ".pptx":  # pandoc takes no .potx
                rows.append((f"  pandoc --reference-doc {template.name}", *median_of(
                    ["pandoc", str(md), "--reference-doc", str(template.resolve()), "-o", str(tmp_path / "p.pptx")],
                    args.runs)))
        big = tmp_path / "big"
        synthetic_bank(big, 10)
        large = median_of([*DECK, "build", "-q", "--content", str(big), "--profile", "study",
                           "--cache", str(REPO / "deck" / "diagram-cache"), "-o", str(tmp_path / "big.pptx")],
                          max(1, args.runs // 2), env)
        rows.append(("deck build, 10x bank (1,800 Q)", *large))
        for name, token in (("letters", "a" * 19_000), ("full stops", "." * 19_000)):
            long_token_bank(tmp_path / name, token)
            rows.append((f"deck build, one 19,000-char token ({name})", *median_of(
                [*DECK, "build", "-q", "--content", str(tmp_path / name), "--profile", "study",
                 "-o", str(tmp_path / f"{name}.pptx")], args.runs, env)))
        whole, layout_s, share = layout_share(args.runs, tmp_path / "all", env)
    print(f"{'command':<40} {'median s':>9} {'peak MB':>8}")
    for name, wall, rss in rows:
        print(f"{name:<40} {wall:>9.2f} {rss:>8.0f}")
    print(f"\nratio ours / pandoc: {ours[0] / pandoc[0]:.2f}")
    print(f"10x bank / bundled: {large[0] / ours[0]:.1f}x time, peak {large[1]:.0f} MB")
    print(f"build of study + mock + scorecard + handout (PDF export excluded): {whole:.2f} s, "
          f"of which inside the layout engine {layout_s:.2f} s")
    print(f"layout adds {share:.0%} to a build without it (median over runs; target <= 30%)")
    print("warm rebuild used DECK_BROWSER=/nonexistent: no browser was needed")


if __name__ == "__main__":
    main()
