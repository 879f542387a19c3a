"""The rich-text model of Markdown fields and the LaTeX → Unicode typesetter."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import CONTENT, SECTION, bundled_bank, examples
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deck.cli import main
from deck.content.latex import SUB, SUPER, typeset
from deck.content.load import load_bank
from deck.content.rich import _MARKDOWN, parse, parse_markdown, plain
from deck.errors import ContentError


def test_scripts_are_baseline_shifted_and_nest() -> None:
    assert typeset("d_k").pieces[1].text == "k" and typeset("d_k").pieces[1].baseline == SUB
    assert [(p.text, p.baseline) for p in typeset("x^{2^n}").pieces] == [("x", 0), ("2", SUPER), ("n", 2 * SUPER)]
    assert typeset("W_i^Q").text == "WiQ"


def test_commands_become_unicode() -> None:
    assert typeset(r"\alpha \propto \beta").text == "α ∝ β"
    assert typeset(r"\frac{a}{b}").text == "a/b"
    assert typeset(r"\frac{a+b}{c}").text == "(a+b)/c"
    assert typeset(r"\sqrt{d_k}").text == "√dk"
    assert typeset(r"q^\top k \cdot v \approx 1").text == "q⊤ k · v ≈ 1"
    upright = typeset(r"\mathrm{softmax}(x)")
    assert upright.pieces[0].text == "softmax(" and not upright.pieces[0].italic
    assert typeset("x").pieces[0].italic


def test_unknown_command_stays_as_source_and_is_reported() -> None:
    m = typeset(r"a \foo b")
    assert r"\foo" in m.text and m.unknown == (r"\foo",)


@pytest.mark.parametrize("source", ["{" * 200_000, "x^" * 100_000, r"\frac" * 40_000, "}" * 100_000])
def test_pathological_formulas_end_quickly(source: str) -> None:
    """Ten times what a field may hold (load caps a field at 20,000 characters)."""
    start = time.perf_counter()
    typeset.__wrapped__(source)  # type: ignore[attr-defined]
    assert time.perf_counter() - start < 10


def test_blocks_and_spans() -> None:
    rich = parse("**b** *i* ~~s~~ `c` [l](https://x.org) $d_k$\n"
                 "1. one\n   - nested\n2. two\n\n```python\nx = 1\n```\n\n| h |\n|---|\n| v |")
    spans = rich.blocks[0].spans
    assert spans[0].bold and spans[2].italic and spans[4].strike and spans[6].code
    assert spans[8].url == "https://x.org"
    assert [s.baseline for s in spans if s.math] == [0, SUB]
    kinds = [(b.kind, b.level, b.number) for b in rich.blocks[1:]]
    assert kinds == [("item", 0, 1), ("item", 1, None), ("item", 0, 2), ("code", 0, None), ("table", 0, None)]
    assert rich.blocks[4].language == "python" and rich.blocks[4].source == "x = 1"


def test_accidental_markup_in_plain_text_survives() -> None:
    for text in ("a_b_c and snake_case_name", "$5 and $6", "US$ 10", "C# and F#"):
        assert plain(text) == text
    assert plain("x\n1. first\n# not a heading?") == "x\n1. first\nnot a heading?"


def test_unclosed_dollar_is_reported() -> None:
    assert [p.message for p in parse("costs $x more").problems][0].startswith("'$' at '$x more'")
    assert parse("costs $5 more").problems == ()


def _bare(source: str) -> str:
    """A field's source without the markup the bundled bank uses: math, code-span ticks, list markers."""
    text = re.sub(r"\$[^$\n]+\$", "", source).replace("`", "")
    lines = (re.sub(r"^(?:[-*] |\d+\. )", "", line.strip()).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _rendered(source: str) -> str:
    lines = ("".join(s.text for s in b.spans if not s.math) if b.kind != "code" else b.source
             for b in parse(source).blocks)
    return "\n".join(line.strip() for line in lines if line.strip())


def test_bundled_bank_renders_every_field_as_written() -> None:
    """Nothing is swallowed by accidental emphasis: each field's text minus math is its source minus markup."""
    bank = bundled_bank()
    checked = 0
    for q in bank.questions:
        for text in (q.question, q.answer, q.follow_up, q.pitfall, *q.key_points):
            assert _rendered(text) == _bare(text), (q.id, text)
            assert not any(s.bold or s.strike or (s.italic and not s.math) for b in parse(text).blocks
                           for s in b.spans), q.id
            checked += 1
    assert checked > 700
    scripts = sum(1 for q in bank.questions for text in (q.answer, q.pitfall, *q.key_points)
                  for b in parse(text).blocks for s in b.spans if s.baseline)
    assert scripts > 100  # the formulas are typeset, not ASCII carets


def test_plain_fields_skip_the_parser_with_the_same_blocks() -> None:
    bank = bundled_bank()
    texts = [t for q in bank.questions for t in (q.question, q.answer, q.follow_up, q.pitfall, *q.key_points)]
    fast = [t for t in texts if not _MARKDOWN.search(t)]
    assert len(fast) > 1100
    cases = ["a\n  b  \n\n c", "x\ty", "a\n- b\n- c\nd", "- b\n\n- c", "a\n-", "- - -", "- 1. x", "-  x", "-x",
             "head_dim and a__b", "中_文", "- x_y", "a _b_", "2. x", "x\n===", "- -x", "- +x", "约 ~30% 与 a~b",
             "a | b | c", "x -> y, a > b", "C# 与 #1", "[x] 与 [y] (z)", "a & b", "a < b", "a | b\n中文"]
    for text in [*fast, *cases]:
        assert parse(text) == parse_markdown(text), text
    for text in ["a ~~b~~", "a | b\n--|--\n1 | 2", "a | b\n:-: | -\n1 | 2", "> q", "# h", "- > q", "- # h", "[a](u)",
                 "![a](u)", "[a][b]\n\n[b]: u", "a &amp; b", "<br>", "a<br>b", "<http://x.y>", "x\t\ny"]:
        assert _MARKDOWN.search(text), text  # each of these is Markdown: the parser reads it


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.sampled_from([*"ab 中，。|-:~[]()!<>#&;=+1.)_\t", "\n", "- ", "~~", "](", "[x]: /u", "&amp;", "<br>",
                                 "<http://a.b>", "|--|--|", "---", "> ", "# ", "1. ", "a@b.c", ":-", "  "]),
                max_size=25).map("".join))
def test_the_parser_skip_gives_the_parsers_blocks(text: str) -> None:
    assume(not _MARKDOWN.search(text))
    assert parse(text) == parse_markdown(text)


def _bank(tmp_path: Path, answer: str) -> Path:
    (tmp_path / "deck.yaml").write_text("title: T\nsubtitle: S\nauthor: A\n", encoding="utf-8")
    body = "\n".join("      " + line for line in answer.split("\n"))
    (tmp_path / "s.yaml").write_text(SECTION.replace("    answer: 缓存已算过的 K 与 V，解码时只算新 token。",
                                                     "    answer: |\n" + body), encoding="utf-8")
    return tmp_path


def test_missing_image_names_file_line_and_path(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as err:
        load_bank(_bank(tmp_path, "first line\n\n![a chart](charts/nope.png)"))
    e = err.value
    assert e.file.endswith("s.yaml") and (e.line, e.question, e.field) == (11, "first-q", "answer")
    assert e.column == 18  # "      ![a chart](": the path starts in column 18
    assert "charts/nope.png" in str(e)


def test_an_unclosed_dollar_is_warned_at_its_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(_bank(tmp_path, "line\n  costs $abc"))]) == 0  # "        costs $abc"
    assert "s.yaml:10:15: question 'first-q', answer: '$' at '$abc' opens math" in capsys.readouterr().out


def test_check_warns_on_unknown_math(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(_bank(tmp_path, "line\n$\\foo x$"))]) == 0
    out = capsys.readouterr()
    assert "s.yaml:10:8: question 'first-q', answer: unknown math command \\foo" in out.out + out.err  # line:column


@pytest.mark.parametrize("answer", ["- " * 10_000 + "x", "> " * 10_000 + "x", "*" * 50_000 + " x", "_a" * 9_000,
                                    "$" + "{ " * 4_500 + "x$", "[ " * 9_000])
def test_pathological_markdown_gives_a_build_or_one_message(tmp_path: Path, answer: str) -> None:
    start = time.perf_counter()
    code = main(["build", "-q", "--content", str(_bank(tmp_path, answer)), "--profile", "study",
                 "-o", str(tmp_path / "out.pptx")])
    assert code in (0, 2) and time.perf_counter() - start < 60
    assert (tmp_path / "out.pptx").exists() == (code == 0)


def test_display_math_inside_a_paragraph_is_typeset_not_shown_as_source() -> None:
    """Real banks put `$$…$$` on the line after a sentence (no blank line): markdown-it reads it as
    math inside the paragraph, and it is typeset like any formula."""
    from deck.content.rich import parse

    rich = parse("For a sequence:\n$$\\text{softmax}\\left(\\frac{QK^T}{\\sqrt{d_k}}\\right)V$$")
    text = "".join(s.text for b in rich.blocks for s in b.spans)
    assert "\\" not in text and "$" not in text and "softmax(" in text, text
    assert any(s.baseline > 0 for b in rich.blocks for s in b.spans)  # the T of K^T


def test_br_breaks_the_line_and_other_html_stays_text() -> None:
    """Real banks break lines with <br> (in list items and table cells); <think> stays text."""
    from deck.content.rich import parse

    rich = parse("first<br>second <BR/> third <think>")
    assert [[s.text for s in b.spans] for b in rich.blocks] == [["first"], ["second"], ["third <think>"]]
    table = parse("| q | a<br>b |\n|---|---|\n| 1 | 2 |").blocks[0]
    assert ["".join(s.text for s in cell) for cell in table.rows[0]] == ["q", "a b"]


def test_an_amount_between_dollar_signs_is_money_and_formulas_stay_math() -> None:
    """`$5 US$` is money (a number, then words only); pandoc's rule alone would typeset it."""
    from deck.content.markdown import parser

    def spans(text: str) -> list[tuple[str, bool]]:
        return [(s.text, s.math) for b in parse(text).blocks for s in b.spans]

    assert spans("It costs $5 US$ per hour") == [("It costs $5 US$ per hour", False)]
    assert spans("$5 US$ or $20 per month$, then $x$") == [("$5 US$ or $20 per month$, then ", False),
                                                        ("x", True)]
    assert parse("It costs $5 US$ per hour").problems == ()
    for formula in ("$5$", "$2^n$", "$4 d_{model}$", "$1.75 \\times 10^{11}$", "$32 \\text{ heads}$", "$1M+$"):
        assert spans(formula) and all(m for _, m in spans(formula)), formula
    # Every formula of the bundled bank and of the corpus banks stays one (counted without the rule).
    md = parser()

    def formulas(paths: list[Path]) -> int:
        return sum(k.type == "math_inline" for p in paths for t in md.parse(p.read_text(encoding="utf-8"))
                   for k in t.children or [])

    assert formulas(sorted(CONTENT.rglob("*.yaml"))) == 145  # 121 in answers, 24 in the diagram notes
    corpus = sorted((CONTENT.parent.parent / "shared" / "corpus" / "real-markdown").glob("*.md"))
    assert formulas(corpus) == (262 if corpus else 0)
