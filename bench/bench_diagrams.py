"""Benchmark deck.diagrams (one browser session for all diagrams) against mermaid-cli (mmdc).

Renders the 5 bundled diagrams plus 15 synthetic ones (flowcharts and sequence diagrams with
Chinese labels). Each renderer gets one warm-up run, then the median of --runs timed runs:

- deck.diagrams: render_diagrams(force=True) into a fresh temp cache: SVG + PNG at the theme's scale
  plus the flowchart scenes read from the DOM, and the same without scene extraction (the two
  timed in alternation);
- warm build: plan + write the study deck and the handout from the committed cache, with the
  flowcharts as native shapes and as pictures (what a build costs once diagrams are cached);
- mmdc per file: one `mmdc -i x.mmd -o x.svg` per diagram (how a Makefile would call it): SVG only;
- mmdc batch: one `mmdc` call on a Markdown file holding all diagrams (reuses one browser): SVG only.

mermaid-cli is installed on first use into bench/.mmdc/ (git-ignored) with PUPPETEER_SKIP_DOWNLOAD=1
and pointed at the system Chromium; it is never a dependency of the root package.json.

    python bench/bench_diagrams.py [--runs 5] [--browser /usr/bin/chromium] [--skip-mmdc]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from deck.diagrams.cache import render_diagrams  # noqa: E402
from deck.diagrams.discovery import LAUNCH_ARGS  # noqa: E402
from deck.diagrams.session import mermaid_config  # noqa: E402
from deck.theme.settings import load_theme  # noqa: E402

MMDC_DIR = REPO / "bench/.mmdc"
MMDC_SPEC = "@mermaid-js/mermaid-cli@11"


def synthetic_sources() -> dict[str, str]:
    """15 varied diagrams: LR/TB flowcharts, subgraphs, shapes, sequence diagrams."""
    steps = ["读取", "清洗", "分词", "打包", "训练", "评测", "导出", "量化", "部署", "监控", "回滚", "告警"]
    out: dict[str, str] = {}
    for i, n in enumerate([4, 6, 8, 10, 12]):  # chains with side branches
        lines = ["flowchart LR"]
        for k in range(n - 1):
            lines.append(f'  N{k}["{steps[k % 12]} {k}"] --> N{k + 1}["{steps[(k + 1) % 12]} {k + 1}"]')
            if k % 3 == 1:
                lines.append(f'  N{k} -.-> S{k}(["旁路 {k}"])')
        out[f"syn-chain-{i + 1}"] = "\n".join(lines) + "\n"
    for i, groups in enumerate([2, 3, 3, 4]):  # TB with subgraphs
        lines = ["flowchart TB"]
        for g in range(groups):
            lines += [f'  subgraph G{g} ["阶段 {g + 1}"]', "    direction LR"]
            lines += [f'    G{g}A["输入 {g}"] --> G{g}B["处理 {g}"] --> G{g}C["输出 {g}"]', "  end"]
            if g:
                lines.append(f"  G{g - 1} --> G{g}")
        out[f"syn-subgraph-{i + 1}"] = "\n".join(lines) + "\n"
    shapes = [
        'A(["开始"]) --> B{"是否缓存?"}',
        'B -- "命中" --> C[("KV 缓存")]',
        'B -- "未命中" --> D[["预填充 prefill"]]',
        'D --> E{{"解码 decode"}} ==> F(("结束"))',
        "C --> E",
        'E -.->|"重试"| B',
    ]
    out["syn-shapes-1"] = "flowchart LR\n" + "".join(f"  {s}\n" for s in shapes)
    out["syn-shapes-2"] = "flowchart TB\n" + "".join(f"  {s}\n" for s in shapes)
    for i, (actors, msgs) in enumerate([(3, 6), (4, 9), (4, 12), (5, 15)]):
        names = ["客户端", "网关", "调度器", "推理引擎", "KV缓存"][:actors]
        lines = ["sequenceDiagram"] + [f"  participant P{a} as {names[a]}" for a in range(actors)]
        for m in range(msgs):
            a, b = m % actors, (m + 1) % actors
            arrow = "->>" if m % 2 == 0 else "-->>"
            lines.append(f"  P{a}{arrow}P{b}: 消息 {m + 1} token={m * 16}")
            if m == 2:
                lines.append(f"  Note over P0,P{actors - 1}: 批处理窗口 10 ms")
            if m == 4:
                lines += ["  alt 缓存命中", "    P1->>P0: 直接返回", "  else 未命中", "    P1->>P2: 排队", "  end"]
        out[f"syn-sequence-{i + 1}"] = "\n".join(lines) + "\n"
    assert len(out) == 15, len(out)
    return out


def median_time(fn: Callable[[int], None], runs: int) -> tuple[float, list[float]]:
    fn(-1)  # warm-up: page cache, font cache, npm/node startup
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def paired_medians(a: Callable[[int], None], b: Callable[[int], None],
                   runs: int) -> tuple[tuple[float, list[float]], tuple[float, list[float]]]:
    """Medians of a and b timed in alternation (a, b, b, a, ...), so load from other processes on a
    shared machine falls on both alike."""
    a(-1)
    b(-1)
    times: dict[int, list[float]] = {0: [], 1: []}
    for i in range(runs):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            t0 = time.perf_counter()
            (a, b)[which](i)
            times[which].append(time.perf_counter() - t0)
    return (statistics.median(times[0]), times[0]), (statistics.median(times[1]), times[1])


def warm_builds(runs: int) -> tuple[float, float]:
    """Median seconds to plan and write study + handout from the committed cache: native / pictures."""
    from deck.build import bank_diagrams
    from deck.content.load import load_bank
    from deck.planning import handout, profiles
    from deck.render.writer import render

    bank, theme = load_bank(REPO / "content"), load_theme()

    def build(native: bool) -> Callable[[int], None]:
        def run(_i: int) -> None:
            rendered = bank_diagrams(bank, theme, REPO / "deck/diagram-cache")  # reads the scene JSON too
            sizes = {k: v.png_size for k, v in rendered.items()}
            scenes = {k: v.scene for k, v in rendered.items() if v.scene} if native else {}
            render(profiles.study(bank, theme, sizes, scenes=scenes), rendered)
            render(handout.handout(bank, theme, sizes, scenes=scenes), rendered)
        return run

    (native, _), (pictures, _) = paired_medians(build(True), build(False), runs)
    return native, pictures


def ensure_mmdc() -> Path:
    mmdc = MMDC_DIR / "node_modules/.bin/mmdc"
    if not mmdc.exists():
        MMDC_DIR.mkdir(parents=True, exist_ok=True)
        manifest = MMDC_DIR / "package.json"
        if not manifest.exists():
            manifest.write_text('{"name": "bench-mmdc", "private": true}\n', encoding="utf-8")
        env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
        print(f"installing {MMDC_SPEC} into {MMDC_DIR} ...", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", MMDC_SPEC], cwd=MMDC_DIR, env=env, check=True)
    return mmdc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--browser", default=os.environ.get("DECK_BROWSER") or shutil.which("chromium"))
    parser.add_argument("--skip-mmdc", action="store_true")
    args = parser.parse_args()

    settings = load_theme().diagrams
    work = Path(tempfile.mkdtemp(prefix="bench-diagrams-"))
    try:
        src_dir = work / "src"
        src_dir.mkdir()
        texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((REPO / "content/diagrams").glob("*.mmd"))}
        texts.update(synthetic_sources())
        sources = {}
        for diagram_id, text in texts.items():
            sources[diagram_id] = src_dir / f"{diagram_id}.mmd"
            sources[diagram_id].write_text(text, encoding="utf-8")
        n = len(sources)
        if args.browser:
            os.environ["DECK_BROWSER"] = args.browser

        def ours(i: int) -> None:
            render_diagrams(sources, settings, repo_root=REPO, cache_dir=work / f"ours-{i}", force=True)

        def ours_no_scene(i: int) -> None:
            render_diagrams(sources, settings, repo_root=REPO, cache_dir=work / f"plain-{i}", force=True,
                            scenes=False)

        rows = []
        (med, times), (med2, times2) = paired_medians(ours, ours_no_scene, args.runs)
        rows.append(("deck.diagrams (1 session)", "+scene", med, times))
        rows.append(("deck.diagrams, no scenes", "SVG+PNG", med2, times2))
        warm = warm_builds(args.runs)

        if not args.skip_mmdc:
            mmdc = ensure_mmdc()
            config = mermaid_config(settings)
            (work / "mermaid.json").write_text(json.dumps(config), encoding="utf-8")
            puppeteer: dict[str, object] = {"args": LAUNCH_ARGS}
            if args.browser:
                puppeteer["executablePath"] = args.browser
            (work / "puppeteer.json").write_text(json.dumps(puppeteer), encoding="utf-8")
            common = ["-q", "-b", "white", "-c", str(work / "mermaid.json"), "-p", str(work / "puppeteer.json")]

            def per_file(i: int) -> None:
                out = work / f"mmdc-{i}"
                out.mkdir(exist_ok=True)
                for diagram_id, path in sources.items():
                    cmd = [str(mmdc), *common, "-i", str(path), "-o", str(out / f"{diagram_id}.svg")]
                    subprocess.run(cmd, check=True, capture_output=True)

            markdown = work / "all.md"
            markdown.write_text(
                "".join(f"## {k}\n\n```mermaid\n{v}```\n\n" for k, v in texts.items()), encoding="utf-8"
            )

            def batch(i: int) -> None:
                out = work / f"mmdc-batch-{i}"
                out.mkdir(exist_ok=True)
                cmd = [str(mmdc), *common, "-i", str(markdown), "-o", str(out / "all.md"), "-e", "svg"]
                subprocess.run(cmd, check=True, capture_output=True)

            med, times = median_time(per_file, args.runs)
            rows.append(("mmdc, one call per diagram", "SVG", med, times))
            med, times = median_time(batch, args.runs)
            rows.append(("mmdc, one call on a .md", "SVG", med, times))
            svgs = list((work / "mmdc-0").glob("*.svg"))
            assert len(svgs) == n, f"mmdc wrote {len(svgs)} of {n} SVGs"

        print(f"\n{n} diagrams, median of {args.runs} runs after 1 warm-up (browser: {args.browser or 'auto'})\n")
        print(f"| {'renderer':<28} | {'output':<7} | {'median s':>8} | {'ms/diagram':>10} | runs (s)")
        print(f"|{'-' * 30}|{'-' * 9}|{'-' * 10}|{'-' * 12}|---------")
        for name, output, med, times in rows:
            runs = " ".join(f"{t:.2f}" for t in times)
            print(f"| {name:<28} | {output:<7} | {med:8.2f} | {med / n * 1000:10.0f} | {runs}")
        base = rows[0][2]
        print(f"scene extraction: {base / rows[1][2] - 1:+.1%} diagram time ({(base - rows[1][2]) / n * 1000:+.0f} ms "
              "per diagram)")
        for name, _, med, _ in rows[2:]:
            print(f"{name} / deck.diagrams = {med / base:.1f}x")
        native, pictures = warm
        print(f"\nwarm build (study + handout from the cache): native diagrams {native:.2f} s, "
              f"pictures {pictures:.2f} s ({native / pictures - 1:+.1%})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
