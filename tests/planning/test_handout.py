"""The handout and scorecard pages (A4): their own fixed texts fit like the slides' do."""

from __future__ import annotations

from pathlib import Path

from checks import plan_problems
from conftest import SECTION

from deck.content.load import load_bank
from deck.planning import handout
from deck.planning.selection import MockOptions
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
    plans = [handout.handout(bank, THEME, {}), handout.scorecard(bank, THEME, MockOptions())]
    assert all(len(p.slides) > 1 for p in plans)
    for plan in plans:
        assert plan_problems(plan, THEME) == [], plan.profile
        footers = [e for s in plan.slides for e in s.elements if getattr(e, "role", "") == "footer"]
        assert footers and any("…" in e.paras[0].text for e in footers), plan.profile


def test_a_question_longer_than_a_page_is_cut_in_its_headings_and_kept_whole_in_the_body(tmp_path: Path) -> None:
    """Found by the generated banks: a pasted essay as the question made every part's heading a
    page tall, so each part's answer was set below the page."""
    question = "torch.distributed.fsdp.fully_sharded_data_parallel.FullyShardedDataParallel 显存怎么算？" * 40
    root = tmp_path / "bank"
    root.mkdir()
    (root / "deck.yaml").write_text("title: 长题\n", encoding="utf-8")
    (root / "01-demo.yaml").write_text(SECTION.replace("什么是 KV cache？", question)
                                       .replace("缓存已算过的 K 与 V，解码时只算新 token。", "答" * 3000),
                                       encoding="utf-8")
    plan = handout.handout(load_bank(root), THEME, {})
    assert plan_problems(plan, THEME) == []
    headings = [e for s in plan.slides for e in s.elements if getattr(e, "role", "") == "question"]
    long_ones = [h for h in headings if "FullyShardedDataParallel" in h.paras[0].text]
    assert len(long_ones) > 1 and all("…" in h.paras[0].text for h in long_ones)
    body = "".join(p.text for s in plan.slides for e in s.elements if getattr(e, "role", "") == "answer"
                   for p in e.paras)
    assert question in body  # nothing lost: the question starts the body whole
