"""Every code snippet in the bundled bank is checked by its language: Python parses, JSON and YAML
load, bash passes `bash -n`. Snippets that need only the standard library or numpy also run, and
the numbers they print are the ones the answers quote."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from conftest import bundled_bank

from deck.content.model import Question

SNIPPETS = [q for q in bundled_bank().questions if q.code is not None]
BY_ID = {q.id: q for q in SNIPPETS}


def _syntax_error(language: str, source: str) -> str | None:
    """None when the snippet is well-formed for its language, else what is wrong."""
    if language == "python":
        try:
            ast.parse(source)
        except SyntaxError as exc:
            return f"line {exc.lineno}: {exc.msg}"
    elif language == "json":
        try:
            json.loads(source)
        except json.JSONDecodeError as exc:
            return f"line {exc.lineno}: {exc.msg}"
    elif language == "yaml":
        try:
            yaml.safe_load(source)
        except yaml.YAMLError as exc:
            return str(exc)
    elif language == "bash":
        bash = shutil.which("bash")
        assert bash, "bash is needed to check bash snippets"
        run = subprocess.run([bash, "-n"], input=source, capture_output=True, text=True, check=False)
        if run.returncode:
            return run.stderr.strip()
    else:
        return f"no checker for language {language!r}: add one to this test"
    return None


@pytest.mark.parametrize("q", SNIPPETS, ids=lambda q: q.id)
def test_snippet_is_well_formed(q: Question) -> None:
    assert q.code is not None
    problem = _syntax_error(q.code.language, q.code.source)
    assert problem is None, f"{q.id} ({q.code.language}): {problem}"


def test_checker_rejects_broken_snippets() -> None:
    assert _syntax_error("python", "def f(:\n") is not None
    assert _syntax_error("json", '{"a": 1,}') is not None
    assert _syntax_error("yaml", "a: [1, 2\n") is not None
    assert _syntax_error("bash", "if true; then\n") is not None
    assert _syntax_error("rust", "fn main() {}") is not None


# Deprecated or removed APIs that earlier versions of the bank used.
OUTDATED = {
    "torch_dtype=": "use dtype= (torch_dtype is deprecated since transformers 4.56)",
    "--swap-space": "removed from vLLM's EngineArgs in 0.18 (V1 preempts by recompute only)",
}


@pytest.mark.parametrize("q", SNIPPETS, ids=lambda q: q.id)
def test_snippet_avoids_outdated_apis(q: Question) -> None:
    assert q.code is not None
    for needle, why in OUTDATED.items():
        assert needle not in q.code.source, f"{q.id}: {needle}: {why}"


class _ChatTok:
    """Stand-in chat template: each message is [role header, one content token]; the generation
    prompt is the assistant header alone."""

    HEADER = {"user": 1, "assistant": 7}

    def apply_chat_template(self, msgs: list[dict[str, str]], tokenize: bool = True,
                            add_generation_prompt: bool = False, return_dict: bool = False) -> list[int]:
        ids = [t for m in msgs for t in (self.HEADER[m["role"]], len(m["content"]))]
        return ids + [self.HEADER["assistant"]] if add_generation_prompt else ids


def _loss_mask(ns: dict[str, Any], out: str) -> None:
    msgs = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    got = ns["build"](_ChatTok(), msgs)
    assert got == {"input_ids": [1, 2, 7, 5], "labels": [-100, -100, -100, 5]}


def _numbers(out: str) -> list[float]:
    return [round(float(x), 1) for x in out.split()]


def _temperature(ns: dict[str, Any], out: str) -> None:
    assert "[0.639 0.297 0.064]" in out and "127.9" in out, out   # weights and epochs quoted


def _rope_configs(ns: dict[str, Any], out: str) -> None:
    assert all("rope_type" in ns[k] and "factor" in ns[k] for k in ("pi", "ntk", "yarn", "llama31"))


def _lora_params(ns: dict[str, Any], out: str) -> None:
    assert out.split() == ["41943040"], out


def _zero_memory(ns: dict[str, Any], out: str) -> None:
    assert _numbers(out) == [112.0, 0, 120.0, 1, 31.4, 2, 16.6, 3, 1.9], out


def _mfu(ns: dict[str, Any], out: str) -> None:
    assert out.strip() == "39.8%", out


def _kv_bytes(ns: dict[str, Any], out: str) -> None:
    assert out.split("\n")[:3] == ["128.0 KiB/token", "1.0 GiB @ 8K", "320.0"], out


def _capacity(ns: dict[str, Any], out: str) -> None:
    assert _numbers(out) == [320.0, 89.8, 738.8, 4.7], out   # in flight, GiB, TFLOP/s, A100s


# Snippets that run with only the standard library and numpy, each with a check of what it does.
RUNNABLE: dict[str, Callable[[dict[str, Any], str], None]] = {
    "data-mix-temperature": _temperature,
    "pi-vs-rope-scaling": _rope_configs,
    "sft-loss-mask": _loss_mask,
    "lora-param-count": _lora_params,
    "dist-memory-budget": _zero_memory,
    "dist-mfu": _mfu,
    "infer-kv-cache-size": _kv_bytes,
    "infer-capacity-planning": _capacity,
}


def test_runnable_list_names_python_snippets() -> None:
    for qid in RUNNABLE:
        assert qid in BY_ID, f"{qid} has no snippet any more: update RUNNABLE"
        code = BY_ID[qid].code
        assert code is not None and code.language == "python", qid


@pytest.mark.parametrize("qid", sorted(RUNNABLE))
def test_snippet_runs(qid: str) -> None:
    code = BY_ID[qid].code
    assert code is not None
    ns: dict[str, Any] = {"__name__": "__snippet__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.source, f"<{qid}>", "exec"), ns)  # noqa: S102 - the bank's own snippets
    RUNNABLE[qid](ns, out.getvalue())
