"""Deck language: an English bank gets English labels and no zh-marked run; a Chinese
bank marks each run by its own text."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from conftest import ENGLISH

from deck.content.load import load_bank
from deck.planning import handout, profiles
from deck.planning.selection import MockOptions
from deck.render.drawingml import Langs
from deck.render.writer import render
from deck.text.fonts import EAST_ASIAN
from deck.theme.settings import load_theme

CJK = re.compile(f"[{EAST_ASIAN}]")
LANG = re.compile(r'\b(?:lang|altLang)="([^"]*)"')


def english_plans() -> dict[str, object]:
    bank, theme = load_bank(ENGLISH), load_theme()
    opts = MockOptions(shuffle=True, seed=5)
    return {"study": profiles.study(bank, theme, {}), "mock": profiles.mock(bank, theme, opts),
            "mock-ordered": profiles.mock(bank, theme, MockOptions()),
            "scorecard": handout.scorecard(bank, theme, opts), "handout": handout.handout(bank, theme, {})}


@pytest.mark.parametrize("name", ["study", "mock", "mock-ordered", "scorecard", "handout"])
def test_english_bank_has_no_chinese_and_no_zh_run(name: str) -> None:
    plan = english_plans()[name]
    assert plan.language == "en"  # type: ignore[attr-defined]
    data = render(plan)  # type: ignore[arg-type]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [n for n in z.namelist() if re.match(r"ppt/(slides|notesSlides)/\w+\.xml$", n)]
        assert any("notesSlides" in n for n in parts) or name in ("scorecard", "handout")
        for part in parts:
            xml = z.read(part).decode("utf-8")
            text = "".join(re.findall(r"<a:t>([^<]*)</a:t>", xml))
            assert not CJK.search(text), (part, CJK.findall(text)[:10], text[:200])
            langs = set(LANG.findall(xml))
            assert langs and all(not lang.lower().startswith("zh") for lang in langs), (part, langs)


def test_english_labels_reach_slides_and_notes() -> None:
    plans = english_plans()
    study = plans["study"]
    texts = [p.text for s in study.slides for el in (s.title, *s.elements) if hasattr(el, "paras")  # type: ignore[attr-defined]
             for p in el.paras]
    assert "Contents" in texts and "References" in texts and "Thank you · Q&A" in texts
    assert any(t.startswith("1. HTTP and APIs") for t in texts)
    assert "2 questions" in texts and "1 question" in texts
    assert any(t.startswith("Answer") for t in texts) and any(t.startswith("Pitfall") for t in texts)
    notes = [s.notes_text for s in study.slides if s.kind == "question"]  # type: ignore[attr-defined]
    assert notes and all("Answer:" in n and "Pitfall:" in n for n in notes)


def test_run_lang_follows_its_text() -> None:
    zh, en, ja = Langs("zh-CN"), Langs("en-GB"), Langs("ja-JP")
    assert zh.of("标准答") == 'lang="zh-CN" altLang="en-US"'
    assert zh.of("torch.compile") == 'lang="en-US" altLang="zh-CN"'
    assert en.of("Answer") == 'lang="en-GB"' and en.of("中文") == 'lang="zh-CN" altLang="en-GB"'
    assert ja.of("日本語") == 'lang="ja-JP" altLang="en-US"'


def test_key_points_split_sentences_in_either_script() -> None:
    from deck.content.model import Question
    from deck.planning.digest import listen_for

    def key_points(q: Question) -> list[str]:
        return ["".join(r.text for p in point for r in p.runs) for point in listen_for(q, load_theme())]

    zh = Question("a", "q", "缓存 K 与 V。解码时只算新 token！第三句。", "", "")
    en = Question("b", "q", "Cache K and V, e.g. per layer. Decode reads 0.5 of it!\n- Third", "", "")
    assert key_points(zh) == ["缓存 K 与 V。", "解码时只算新 token！", "第三句。"]
    assert key_points(en) == ["Cache K and V, e.g. per layer.", "Decode reads 0.5 of it!", "Third"]


@pytest.mark.parametrize(("tag", "agenda"), [("zh", "目录"), ("zh-Hans", "目录"), ("zh-cn", "目录"), ("EN", "Contents"),
                                             ("en-GB", "Contents")])
def test_language_tags_find_their_table_in_any_case_and_by_primary_language(tag: str, agenda: str) -> None:
    assert load_theme().labels(tag).agenda == agenda
