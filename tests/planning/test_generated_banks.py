"""Generated banks (random lengths, scripts, punctuation, code) plan text inside its
boxes and render schema-valid decks; huge input is refused cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from checks import placement_problems, plan_problems, schema_errors
from conftest import examples, no_libreoffice
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import deck.export.pdf
from deck.cli import main
from deck.plan import Box
from deck.theme.settings import load_theme

THEME = load_theme()

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


def write_bank(root: Path, bank: dict) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "deck.yaml").write_text("title: 生成的题库\n", encoding="utf-8")
    (root / "01-fuzz.yaml").write_text(yaml.safe_dump(bank, allow_unicode=True), encoding="utf-8")
    return root


def plans_of(root: Path) -> list:
    from deck.content.load import load_bank
    from deck.planning import handout, profiles
    from deck.planning.selection import MockOptions

    bank = load_bank(root)
    return [profiles.study(bank, THEME, {}), handout.handout(bank, THEME, {}),
            profiles.mock(bank, THEME, MockOptions(shuffle=True, seed=1)),
            handout.scorecard(bank, THEME, MockOptions())]


# In process and on the plan: cheap enough for hundreds of banks (LibreOffice checks the
# measure itself on the bundled decks, the stress bank and one generated bank below).
# No shrinking (slow on banks this size): a failing bank is printed whole.
@settings(max_examples=examples(200), deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(banks())
def test_generated_banks_plan_inside_their_boxes(tmp_path: Path, bank: dict) -> None:
    for plan in plans_of(write_bank(tmp_path / "content", bank)):
        assert plan_problems(plan, THEME) == [], plan.profile


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(banks())
def test_generated_banks_render_schema_valid(tmp_path: Path, pml_schema, bank: dict) -> None:  # noqa: ANN001
    from deck.render.writer import render

    for plan in plans_of(write_bank(tmp_path / "content", bank))[:2]:
        deck = tmp_path / f"{plan.profile}.pptx"
        deck.write_bytes(render(plan))
        assert schema_errors(deck, pml_schema) == []


def test_plan_check_can_fail(tmp_path: Path) -> None:
    from dataclasses import replace

    plan = plans_of(write_bank(tmp_path / "content", FIXED))[0]
    slide = next(s for s in plan.slides if s.kind == "reveal")
    squeezed = tuple(replace(el, box=replace(el.box, h=el.box.h / 3)) if getattr(el, "role", "") == "answer" else el
                     for el in slide.elements)
    bad = replace(plan, slides=(replace(slide, elements=squeezed),))
    assert any("tall in a" in p for p in plan_problems(bad, THEME))
    off = replace(plan, slides=(replace(slide, elements=(replace(slide.elements[0], box=Box(-40, 0, 10, 10)),)),))
    assert any("off the page" in p for p in plan_problems(off, THEME))


# One generated bank through LibreOffice: the plan check's measure agrees with a renderer.
FIXED = {"section": {"id": "fuzz", "number": 1, "title": "生成 mixed 标题"}, "questions": [
    {"id": "q-0", "question": "模型训练" * 12 + " a_really_long_identifier_name_that_will_not_fit_on_one_line ",
     "answer": "\n".join(["显存注意力" * 30 + "https://example.com/glued/to/chinese/on/both/sides/without/any/spaces",
                          "- torch.distributed.fsdp.fully_sharded_data_parallel.FullyShardedDataParallel，梯度" * 4,
                          "推理量化（ᵀ √）“对齐”" * 20] * 3),
     "follow_up": "缓存推理" * 20, "pitfall": "数据对齐，" * 25, "level": 2,
     "code": {"language": "python", "source": "\n".join(
         f"x{i} = call_something_long(argument_number_{i}, other=[1, 2, 3], 中文注释='很长的注释内容')" * (1 + i % 2)
         for i in range(30))}},
    {"id": "q-1", "question": "短题？", "answer": "短答。", "follow_up": "反问。", "pitfall": "坑。", "level": 1}]}


def test_one_generated_bank_renders_inside_its_boxes_in_libreoffice(tmp_path: Path) -> None:
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed")
    from deck.export.pdf import to_pdf
    from deck.render.writer import render

    decks = []
    for plan in plans_of(write_bank(tmp_path / "content", FIXED))[:2]:
        deck = tmp_path / f"{plan.profile}.pptx"
        deck.write_bytes(render(plan))
        decks.append(deck)
    for deck, pdf in zip(decks, to_pdf(decks), strict=True):
        assert placement_problems(deck, pdf) == [], deck.name


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
    monkeypatch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)  # the scorecard's PDF is not under test
    out = tmp_path / "s.pptx"
    assert main(["build", "-q", "--profile", "mock", "--limit", "1", "-o", str(out)]) == 2
    assert "cannot write in" in capsys.readouterr().err and not out.exists()
