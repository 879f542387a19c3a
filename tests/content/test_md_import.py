"""`deck import` and `deck build --content X.md` on the shapes of tests/content/md/*.md (one small
file per shape), images, the report, and input that must be refused."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, no_libreoffice
from pptx import Presentation

from deck.cli import main
from deck.content.importer import CannotImport, import_markdown
from deck.content.load import load_bank
from deck.content.yaml_bank import MAX_TEXT
from deck.errors import ContentError

MD = Path(__file__).resolve().parent / "md"


def _bank(name: str) -> dict[str, list[dict]]:
    """Section title -> its questions, as the import writes them."""
    result = import_markdown((MD / name).read_text(encoding="utf-8"), name, MD)
    out = {}
    for path, text in result.files.items():
        if path.endswith(".yaml") and path != "deck.yaml" and "/" not in path:
            data = yaml.safe_load(text)
            out[data["section"]["title"]] = data["questions"]
    return out


def _asked(bank: dict[str, list[dict]]) -> dict[str, list[str]]:
    return {title: [q["question"] for q in qs] for title, qs in bank.items()}


def test_question_headings_with_unlabelled_answers_keep_every_block() -> None:
    bank = _bank("headings.md")
    assert _asked(bank) == {"Attention": ["What is attention?", "Why scale by $\\sqrt{d}$?"],
                            "Training": ["How is it trained?", "What does warm-up do?"]}
    first = bank["Attention"][0]
    assert first["id"] == "what-is-attention"  # no [src] link, no _italic_ marks
    answer = first["answer"]
    for kept in ("It has **two** steps:", "1. score every key\n2. softmax the scores", "scores = q @ k.T",
                 "weights = scores.softmax(-1)", "#### A sub-heading inside the answer", "| score | $O(n^2)$ |",
                 "![local chart](images/chart.png)", "![remote](https://example.com/x.png)"):
        assert kept in answer, kept
    assert first["follow_up"] == "- **Q: Why softmax?**\n  A: It normalises.\n"  # nested Q/A kept as written
    second = bank["Attention"][1]
    assert second["id"] == "why-scale-by" and "<br>" not in second["answer"]
    assert "[the paper](https://arxiv.org/abs/1706.03762)" in second["answer"]


def test_prose_before_a_sections_first_question_is_its_intro(tmp_path: Path) -> None:
    """Kept as the section's intro (Markdown): the study deck's section slide has it as notes,
    the handout prints it under the section's band."""
    from deck.planning import handout, profiles
    from deck.theme.settings import load_theme

    result = import_markdown((MD / "headings.md").read_text(encoding="utf-8"), "headings.md", MD)
    sections = {d["section"]["title"]: d["section"] for d in
                (yaml.safe_load(t) for p, t in result.files.items() if p.endswith(".yaml") and p != "deck.yaml")}
    assert sections["Training"]["intro"] == ("How a model learns its weights: the loop, and **why** it starts "
                                             "slowly.\n\n- data in batches\n- a loss to lower\n")
    assert "intro" not in sections["Attention"]
    md = tmp_path / "bank.md"
    md.write_text((MD / "headings.md").read_text(encoding="utf-8").replace("](img/chart.png)", "](https://e.x/c.png)"),
                  encoding="utf-8")
    bank = load_bank(md)
    training = next(s for s in bank.sections if s.title == "Training")
    assert training.intro.startswith("How a model learns")
    theme = load_theme()
    study = profiles.study(bank, theme, {})
    divider = next(s for s in study.slides if s.key == f"section-{training.id}")
    assert "How a model learns its weights: the loop, and why it starts slowly." in divider.notes_text
    assert "data in batches" in divider.notes_text and "**" not in divider.notes_text
    printed = handout.handout(bank, theme, {})
    texts = [p.text for s in printed.slides for el in s.elements if hasattr(el, "paras") for p in el.paras]
    at = texts.index("How a model learns its weights: the loop, and why it starts slowly.")
    assert texts[at + 1:at + 3] == ["data in batches", "a loss to lower"]
    assert texts[at - 1] == "2. Training  2 questions"  # right under its band, before its first question
    assert texts[at + 3:at + 5] == ["Q1  How is it trained?", "Answer: By gradient descent."]


def test_emoji_before_a_headings_words_are_decoration() -> None:
    """Newer emoji (🪤) have no glyph in any font set-up installs: headings keep their words only;
    emoji inside the text stay (the emoji font draws them)."""
    md = ("# 🧠 LLM Bank\n\n## 🏗️ Section 1: Basics\n\n### What is X?\n\nX is ✅ done.\n\n"
          "#### 🪤 Why not Y?\n\nBecause 🎯.\n")
    result = import_markdown(md, "bank.md")
    assert yaml.safe_load(result.files["deck.yaml"])["title"] == "LLM Bank"
    (section,) = [yaml.safe_load(t) for p, t in result.files.items() if p.endswith(".yaml") and p != "deck.yaml"]
    assert section["section"]["title"] == "Basics"
    assert section["questions"][0]["answer"] == "X is ✅ done.\n\n#### Why not Y?\n\nBecause 🎯.\n"


def test_front_matter_title_toc_and_badges_are_no_sections() -> None:
    result = import_markdown((MD / "headings.md").read_text(encoding="utf-8"), "headings.md", MD)
    assert yaml.safe_load(result.files["deck.yaml"])["title"] == "Heading banks"
    assert [(u.line, u.reason) for u in result.unplaced] == [
        (5, "a heading with no question under it (not a section)"),
        (7, "outside any question (no question heading, bold question or Q: line above it)"),
        (9, "a heading with no question under it (not a section)"),
        (11, "a table of contents or a list of links"), (12, "a table of contents or a list of links")]
    assert result.notices == ("1 remote image(s) kept as links (nothing downloaded)",)
    assert result.assets == {"images/chart.png": MD / "img" / "chart.png"}


def test_bold_lines_numbered_on_across_sections() -> None:
    bank = _bank("bold.md")
    assert _asked(bank) == {"Basics": ["What is a token?", "What is a vocabulary?"],
                            "More": ["Why BPE?", "什么是困惑度？（也叫 PPL）"]}
    assert bank["Basics"][0]["answer"] == "A piece of text the model reads."  # the line under the bold one
    assert bank["Basics"][1]["answer"] == "All the tokens a tokenizer knows.\n\n- it is fixed before training\n"


def test_numbering_styles_and_restarts() -> None:
    bank = _bank("numbered.md")
    assert _asked(bank) == {"Part one": ["What is overfitting?", "How do you detect it?"],
                            "Part two": ["什么是正则化？", "What is dropout?"],
                            "Numbered questions": ["What is early stopping?"]}
    assert bank["Part two"][0] == {"id": "part-two-q1", "question": "什么是正则化？", "answer": "对模型复杂度的惩罚。"}


def test_question_answer_pairs() -> None:
    bank = _bank("pairs.md")
    assert _asked(bank) == {"English": ["What is RAG?", "Why rerank?"], "中文": ["什么是 LoRA？"],
                            "List pairs": ["What is a KV cache?", "What is paged attention?", "DPO 与 PPO 的取舍？"]}
    assert bank["English"][1]["answer"] == "A cross-encoder is more precise than the first-stage retriever."
    assert bank["中文"][0]["answer"] == "低秩适配。"
    assert bank["List pairs"][0]["answer"] == "Stored keys and values of earlier tokens.\n- it grows with the context\n"
    assert bank["List pairs"][2]["answer"] == "DPO 简单稳定；PPO 可控但昂贵。"


def test_details_and_question_answer_tables() -> None:
    bank = _bank("details_table.md")
    assert _asked(bank) == {"Collapsed": ["What is a vector database?", "What is cosine similarity?"],
                            "Table": ["What is recall@k?", "What is MRR?"]}
    assert bank["Collapsed"][0]["answer"] == "A store that indexes embeddings for nearest-neighbour search.\n\n" \
                                             "- HNSW\n- IVF\n"
    assert bank["Collapsed"][1]["answer"] == "The dot product of unit vectors."  # </details> ends it
    assert bank["Table"][1]["answer"] == "Mean reciprocal rank of the first relevant item.\nHigher is better.\n"


def test_labelled_fields_in_both_languages_and_as_sub_headings() -> None:
    (serving,) = _bank("labelled.md").values()
    first, second, third = serving
    assert first == {"id": "what-limits-batch-size-when-serving", "question": "What limits batch size when serving?",
                     "answer": "KV cache memory.\n- longer contexts mean smaller batches\n",
                     "follow_up": "What is your p99 context length?", "pitfall": "quoting GPU FLOPs only.",
                     "key_points": ["memory", "context length", "paging"],
                     "code": {"language": "python", "source": "batch = free_memory // kv_bytes_per_sequence\n"}}
    assert (second["answer"], second["follow_up"], second["pitfall"], second["key_points"]) == (
        "小模型起草，大模型并行验证。", "草稿模型多大？", "忽略接受率。", ["起草", "验证", "回退"])
    assert third == {"id": "what-is-continuous-batching", "question": "What is continuous batching?",
                     "answer": "Requests join and leave the batch at every step.",
                     "follow_up": "- How does it interact with paging?",
                     "pitfall": "- Measuring throughput only at batch size 1."}


def test_import_copies_local_images_and_writes_nothing_on_a_dry_run(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bank"
    assert main(["import", str(MD / "headings.md"), "--dry-run"]) == 0
    report = capsys.readouterr().out
    assert "  Attention (line 14): 2 question(s)\n  Training (line 52): 2 question(s)\n" in report
    assert "1 image(s)" in report
    assert not out.exists()
    assert main(["import", str(MD / "headings.md"), "-o", str(out)]) == 0
    assert (out / "images" / "chart.png").read_bytes() == (MD / "img" / "chart.png").read_bytes()
    assert "![local chart](images/chart.png)" in load_bank(out).questions[0].answer


@pytest.mark.parametrize("target", ["../outside.png", "/etc/hosts", "link.png"])
def test_an_image_outside_the_folder_is_never_copied(tmp_path: Path, target: str) -> None:
    (tmp_path / "outside.png").write_bytes(b"secret")
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "link.png").symlink_to(tmp_path / "outside.png")
    md = f"## Q1 · What is shown?\n\n![a chart]({target}) here.\n"
    result = import_markdown(md, "x.md", folder)
    assert result.assets == {}
    assert result.files["01-section-1.yaml"].count("a chart here.") == 1  # the alt text stays
    assert any("outside the Markdown file's folder" in n for n in result.notices)


def test_no_question_says_what_it_looked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md = tmp_path / "notes.md"
    md.write_text("# Notes\n\nJust prose.\n\nMore prose.\n", encoding="utf-8")
    assert main(["import", str(md), "-o", str(tmp_path / "y")]) == 2
    err = capsys.readouterr().err
    assert "no question found" in err and "a bold line" in err and "<details>" in err
    assert "line 3: Just prose." in err and "line 5: More prose." in err and "CONTENT.md" in err
    assert not (tmp_path / "y").exists()
    with pytest.raises(CannotImport, match="found 1 question"):
        import_markdown("## Q1 · Asked, never answered?\n", "x.md")


def test_import_needs_an_output_or_a_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(MD / "bold.md")]) == 2
    assert "give -o DIR (the new bank folder) or --dry-run" in capsys.readouterr().err


def test_a_loader_warning_names_the_markdown_file(tmp_path: Path) -> None:
    md = tmp_path / "notes.md"
    md.write_text("## Q1 · What is it?\n\n- Answer: this.\n- Code:\n\n```klingon\nqapla\n```\n", encoding="utf-8")
    (warning,) = load_bank(md).warnings
    assert warning.startswith(f"{md} as imported: 01-notes.yaml:") and "unknown code language 'klingon'" in warning


def test_import_help_describes_the_shapes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    text = capsys.readouterr().out
    for shape in ("question heading", "bold line", "**Q: …**", "标准答 / Answer", "<details>", "question | answer",
                  "--dry-run"):
        assert shape in text, shape


def test_a_too_long_answer_is_cut_and_reported() -> None:
    para = "word " * 1000
    md = "## Q1 · Long?\n\n" + "\n\n".join([para] * 6) + "\n"
    result = import_markdown(md, "long.md")
    answer = yaml.safe_load(result.files["01-long.yaml"])["questions"][0]["answer"]
    assert len(answer) <= MAX_TEXT and answer.count("word") == 3000
    assert any("longer than 20,000 characters; its last 3 part(s) are left out" in n for n in result.notices)


def test_build_reads_markdown_in_place_like_import_then_build(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import deck.export.pdf

    monkeypatch.setattr(deck.export.pdf, "pdf_bytes", no_libreoffice)
    src = MD / "labelled.md"
    assert main(["import", str(src), "-o", str(tmp_path / "bank")]) == 0
    assert main(["build", "-q", "--profile", "study", "--content", str(tmp_path / "bank"),
                 "-o", str(tmp_path / "a.pptx")]) == 0
    assert main(["build", "-q", "--profile", "study", "--content", str(src), "-o", str(tmp_path / "b.pptx")]) == 0
    assert (tmp_path / "a.pptx").read_bytes() == (tmp_path / "b.pptx").read_bytes()
    text = "\n".join(s.text_frame.text for slide in Presentation(str(tmp_path / "b.pptx")).slides
                     for s in slide.shapes if s.has_text_frame)
    assert "What limits batch size when serving?" in text and "推测解码的原理？" in text


def test_a_folder_of_markdown_is_one_bank(tmp_path: Path) -> None:
    for name in ("pairs.md", "bold.md"):
        (tmp_path / name).write_text((MD / name).read_text(encoding="utf-8"), encoding="utf-8")
    bank = load_bank(tmp_path)
    assert bank.title == "Bold lines" and bank.root == tmp_path  # files in name order; the first gives the title
    assert [s.title for s in bank.sections] == ["Basics", "More", "English", "中文", "List pairs"]
    assert len(bank.questions) == 10


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.mkdir(), "is a folder, not a regular file"),
    (lambda p: p.write_bytes(b"## Q1 a?\n\nok \xff\n"), ":3:4: not valid UTF-8 (byte 0xff)"),
    (lambda p: p.write_bytes(b"## Q1 \x07\n"), ":1:7: contains the control character U+0007"),
])
def test_bad_markdown_given_to_build_is_one_error(tmp_path: Path, make, message: str) -> None:  # noqa: ANN001
    md = tmp_path / "bank.md"
    make(md)
    with pytest.raises(ContentError, match=re.escape(message)):
        load_bank(md)


def test_a_fifo_given_to_build_ends_at_once(tmp_path: Path) -> None:
    """In a child process with a timeout: opening a FIFO for reading would block forever."""
    fifo = tmp_path / "bank.md"
    os.mkfifo(fifo)
    run = subprocess.run([sys.executable, "-m", "deck", "check", "--content", str(fifo)], capture_output=True,
                         text=True, timeout=60, check=False, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 2 and "is a named pipe (FIFO), not a regular file" in run.stderr


def test_the_loader_counts_hold_for_markdown() -> None:
    md = "## Many\n\n" + "".join(f"**{n}. Question {n}?**\nAnswer {n}.\n\n" for n in range(1, 1002))
    with pytest.raises(CannotImport, match="more than 99 sections or 1000 questions in one section"):
        import_markdown(md, "many.md")


def test_a_yaml_folder_without_deck_yaml_is_not_read_as_markdown(tmp_path: Path) -> None:
    (tmp_path / "01-a.yaml").write_text("section: {}\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("## Q1 · What?\n\nThis.\n", encoding="utf-8")
    with pytest.raises(ContentError, match="deck.yaml' is missing"):
        load_bank(tmp_path)
