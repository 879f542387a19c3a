"""The handout and scorecard pages (A4): their own fixed texts fit like the slides' do."""

from __future__ import annotations

from pathlib import Path

from checks import plan_problems
from conftest import SECTION

from deck.content.load import load_bank
from deck.planning import handout, profiles
from deck.theme.settings import load_theme

THEME = load_theme()


def test_a_long_bank_title_fits_every_handout_footer(tmp_path: Path) -> None:
    """The footer repeats the bank title on every page: a 159-character title is cut to its
    box (as the slides' footers are), never set past the page's edge."""
    title = "大模型工程面试高频问答：预训练、监督微调、参数高效微调、对齐、分布式训练与推理服务部署的" * 4
    title = title[:159]
    root = tmp_path / "bank"
    root.mkdir()
    (root / "deck.yaml").write_text(f"title: {title}\n", encoding="utf-8")
    # Enough questions for several pages: the footer is on every page but the first.
    questions = SECTION.split("questions:\n", 1)[1]
    many = "".join(questions.replace("first-q", f"first-{i}").replace("second-q", f"second-{i}") for i in range(30))
    (root / "01-demo.yaml").write_text(SECTION.split("questions:\n", 1)[0] + "questions:\n" + many, encoding="utf-8")
    bank = load_bank(root)
    plans = [handout.handout(bank, THEME, {}), handout.scorecard(bank, THEME, profiles.MockOptions())]
    assert all(len(p.slides) > 1 for p in plans)
    for plan in plans:
        assert plan_problems(plan, THEME) == [], plan.profile
        footers = [e for s in plan.slides for e in s.elements if getattr(e, "role", "") == "footer"]
        assert footers and any("…" in e.paras[0].text for e in footers), plan.profile
