"""Generated banks (random lengths, scripts, punctuation, code) build into
schema-valid decks whose text stays inside its boxes; huge input is refused cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from checks import placement_problems, schema_errors
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from deck.cli import main

words = st.one_of(
    st.text(alphabet="模型训练显存注意力缓存推理量化数据对齐梯度并行", min_size=1, max_size=30),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ_0123456789", min_size=1, max_size=25),
    st.sampled_from(["，", "。", "、", "；", "：", "？", "（", "）", "“", "”", " ", "-", "/", "=", "√", "ᵀ"]),
    # Tokens longer than a line, set off by spaces or glued to the Chinese around them.
    st.sampled_from([" https://example.com/some/very/long/path/that/keeps/going/on/and/on ",
                     " a_really_long_identifier_name_that_will_not_fit_on_one_line_of_a_narrow_box ",
                     "https://example.com/glued/to/chinese/on/both/sides/without/any/spaces/at/all",
                     "torch.distributed.fsdp.fully_sharded_data_parallel.FullyShardedDataParallel"]),
)
texts = st.lists(words, min_size=1, max_size=80).map(lambda ws: "".join(ws).strip() or "空")
multiline = st.lists(texts, min_size=1, max_size=6).map(lambda ps: "\n".join(
    (f"- {p}" if i % 2 else p) for i, p in enumerate(ps)))
code = st.fixed_dictionaries({
    "language": st.sampled_from(["python", "bash", "yaml", "json", "cpp", "text"]),
    "source": st.lists(st.text(alphabet="abc xyz=()[]{}:#\"'0123 中文注释", max_size=90), min_size=1,
                       max_size=40).map("\n".join).filter(lambda s: s.strip()),
})


@st.composite
def banks(draw: st.DrawFn) -> dict:
    n = draw(st.integers(1, 3))
    questions = []
    for i in range(n):
        q = {"id": f"q-{i}", "question": draw(texts), "answer": draw(multiline), "follow_up": draw(texts),
             "pitfall": draw(texts), "level": draw(st.integers(1, 3))}
        if draw(st.booleans()):
            q["code"] = draw(code)
        questions.append(q)
    return {"section": {"id": "fuzz", "number": 1, "title": draw(texts)[:30]}, "questions": questions}


# No shrinking: each example costs a LibreOffice run; the failing bank is printed whole.
@settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(banks())
def test_generated_banks_build_valid_decks(tmp_path: Path, pml_schema, bank: dict) -> None:  # noqa: ANN001
    root = tmp_path / "content"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    (root / "deck.yaml").write_text("title: 生成的题库\n", encoding="utf-8")
    (root / "01-fuzz.yaml").write_text(yaml.safe_dump(bank, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(out / "s.pptx")]) == 0
    assert main(["build", "-q", "--content", str(root), "--profile", "handout", "-o", str(out / "h.pptx")]) == 0
    for deck in ("s.pptx", "h.pptx"):
        assert schema_errors(out / deck, pml_schema) == []
    if shutil.which("soffice"):
        from deck.export import to_pdf

        pdf = to_pdf([out / "s.pptx"])[0]
        assert placement_problems(out / "s.pptx", pdf) == []
        assert placement_problems(out / "h.pptx", out / "h.pdf") == []


def test_five_megabyte_answer_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "content"
    root.mkdir()
    (root / "deck.yaml").write_text("title: t\n", encoding="utf-8")
    huge = "注意力" * (5 * 1024 * 1024 // 9)
    (root / "01-a.yaml").write_text(
        "section: {id: a, number: 1, title: A}\nquestions:\n  - id: q\n    question: 问\n"
        f"    answer: {huge}\n    follow_up: 反\n    pitfall: 坑\n", encoding="utf-8")
    out = tmp_path / "x.pptx"
    assert main(["build", "-q", "--content", str(root), "--profile", "study", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "01-a.yaml:5" in err and "field 'answer'" in err and "characters long" in err
    assert not out.exists()


def test_read_only_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, permissions are not enforced: make creating the temp file fail as EACCES would."""
    import tempfile

    def refuse(*_a: object, **_k: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    out = tmp_path / "s.pptx"
    assert main(["build", "-q", "--profile", "mock", "--limit", "1", "-o", str(out)]) == 2
    assert "cannot write in" in capsys.readouterr().err and not out.exists()
