"""`deck build --profile anki`: the .apkg opened as Anki would (a zip around an SQLite collection)."""

from __future__ import annotations

import html
import io
import json
import os
import re
import sqlite3
import time
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import SECTION, bundled_bank
from PIL import Image

from deck.cli import main
from deck.content.load import load_bank
from deck.export.anki import FIELDS, deck_name, note_guid
from deck.render.writer import build_epoch

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
RAW_MARKDOWN = ("**", "`", "$", "](")


@dataclass(frozen=True)
class Note:
    guid: str
    tags: tuple[str, ...]
    fields: dict[str, str]
    deck: str
    due: int


@dataclass(frozen=True)
class Package:
    notes: list[Note]
    decks: dict[int, str]
    models: list[dict]
    media: dict[str, bytes]  # name -> bytes
    zip_times: set[tuple[int, ...]]


def read_apkg(path: Path, tmp: Path) -> Package:
    with zipfile.ZipFile(path) as z:
        names = json.loads(z.read("media"))
        media = {name: z.read(index) for index, name in names.items()}
        db = tmp / f"{path.stem}-collection.anki2"
        db.write_bytes(z.read("collection.anki2"))
        times = {info.date_time for info in z.infolist()}
    conn = sqlite3.connect(db)
    try:
        col = conn.execute("SELECT decks, models FROM col").fetchone()
        decks = {int(k): v["name"] for k, v in json.loads(col[0]).items()}
        models = list(json.loads(col[1]).values())
        fields = {m["id"]: [f["name"] for f in m["flds"]] for m in models}
        rows = conn.execute("SELECT n.guid, n.tags, n.flds, n.mid, c.did, c.due FROM notes n "
                            "JOIN cards c ON c.nid = n.id ORDER BY c.due").fetchall()
    finally:
        conn.close()
    notes = [Note(guid, tuple(tags.split()), dict(zip(fields[str(mid)], flds.split("\x1f"), strict=True)),
                  decks[did], due) for guid, tags, flds, mid, did, due in rows]
    return Package(notes, decks, models, media, times)


class _Text(HTMLParser):
    """The text a reader sees outside code (a code panel may show `**kwargs` or `$HOME`)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.depth += tag in ("pre", "code")

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag in ("pre", "code")

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def prose(html_text: str) -> str:
    p = _Text()
    p.feed(html_text)
    return "".join(p.parts)


def media_refs(html_text: str) -> set[str]:
    """The names Anki's media check finds (rslib text.rs: img/object src= or data=)."""
    return set(re.findall(r'<(?:img|object)\b[^>]*\b(?:src|data)="([^"]+)"', html_text))


@pytest.fixture(scope="module")
def bundled(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Package:
    return read_apkg(built / "bank.apkg", tmp_path_factory.mktemp("apkg"))


def test_bundled_bank_is_180_notes_in_6_section_decks(bundled: Package) -> None:
    bank = bundled_bank()
    assert len(bundled.notes) == 180 and len({n.guid for n in bundled.notes}) == 180
    by_deck: dict[str, int] = {}
    for note in bundled.notes:
        by_deck[note.deck] = by_deck.get(note.deck, 0) + 1
    assert by_deck == {deck_name(bank, s): 30 for s in bank.sections}
    assert all(name.startswith(f"{bank.title}::0") for name in by_deck)
    questions = bank.questions
    for note, q, section in zip(bundled.notes, questions, [s for s in bank.sections for _ in s.questions],
                                strict=True):
        assert note.guid == note_guid(bank, q)
        assert note.tags[0] == section.id and f"level-{q.level}" in note.tags and set(q.tags) <= set(note.tags)
        assert list(note.fields) == list(FIELDS)
        assert note.deck == deck_name(bank, section)
    assert [n.due for n in bundled.notes] == list(range(1, 181))  # new cards in the bank's order
    assert bundled.zip_times == {tuple(time.gmtime(build_epoch())[:6])}


def test_no_raw_markdown_and_code_is_highlighted(bundled: Package) -> None:
    bank = bundled_bank()
    for note, q in zip(bundled.notes, bank.questions, strict=True):
        for name, value in note.fields.items():
            text = prose(value)
            for mark in RAW_MARKDOWN:
                assert mark not in text, f"{q.id}.{name}: raw {mark!r} in {text[:200]!r}"
        assert note.fields["answer"].startswith(("<p>", "<ul>", "<ol>", "<table>")), q.id
        code = note.fields["code"]
        if q.code:
            assert code.startswith('<div class="highlight" style="background: #'), q.id
            assert len(set(re.findall(r'<span style="color: (#[0-9A-Fa-f]{6})', code))) >= 2, q.id
            assert html.unescape(re.sub(r"<[^>]+>", "", code)).strip() == q.code.source.strip(), q.id  # all of it
        else:
            assert code == ""
        assert note.fields["source"].startswith(bank.title)
    assert sum(1 for q in bank.questions if q.code) == sum(1 for n in bundled.notes if n.fields["code"])


def test_diagrams_are_media_on_each_sections_first_question(bundled: Package) -> None:
    bank = bundled_bank()
    assert sorted(n.rsplit("-", 1)[0] + n[-4:] for n in bundled.media) == sorted(
        f"{d}{ext}" for d in bank.diagrams for ext in (".png", ".svg"))
    refs: set[str] = set()
    firsts = {s.questions[0].id: s for s in bank.sections}
    for note, q in zip(bundled.notes, bank.questions, strict=True):
        found = media_refs(note.fields["diagrams"])
        refs |= found
        if q.id not in firsts:
            assert not found
            continue
        section = firsts[q.id]
        wanted = ([bank.overview_diagram] if section is bank.sections[0] else []) + list(section.diagrams)
        assert sorted(n.rsplit("-", 1)[0] for n in found) == sorted(d for d in wanted for _ in (0, 1)), q.id
        for d in wanted:
            assert bank.diagrams[d].title in prose(note.fields["diagrams"])
    assert refs == set(bundled.media)  # every file is used, every use has its file
    for name, data in bundled.media.items():
        assert data.startswith(b"\x89PNG") if name.endswith(".png") else b"<svg" in data[:400]


def test_note_type_has_the_banks_labels_and_css(bundled: Package) -> None:
    (model,) = bundled.models
    back = model["tmpls"][0]["afmt"]
    for label in ("标准答", "反问点", "坑位", "要点"):
        assert label in back
    assert back.index("{{answer}}") < back.index("{{follow_up}}") < back.index("{{pitfall}}") < back.index(
        "{{key_points}}") < back.index("{{code}}")
    css = model["css"]
    for face in ("PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"):
        assert face in css
    assert ".nightMode" in css and "{{" not in css


def _bank(tmp_path: Path, answer: str, extra: str = "") -> Path:
    root = tmp_path / "bank"
    root.mkdir(parents=True)
    (root / "deck.yaml").write_text("title: Demo::Bank\nlanguage: en\n", encoding="utf-8")
    section = SECTION.replace("    answer: 缓存已算过的 K 与 V，解码时只算新 token。\n",
                              "    answer: |\n" + "".join(f"      {line}\n" for line in answer.splitlines()) + extra)
    (root / "01-demo.yaml").write_text(section, encoding="utf-8")
    return root


def _build(root: Path, out: Path, *extra: str) -> int:
    return main(["build", "-q", "--content", str(root), "--profile", "anki", "-o", str(out), *extra])


MARKDOWN = r"""**Bold** and `inline_code` and $x^2 + d_k$ and $5 or $6, [a link](https://example.com/x).
Next line <think> stays text.

Line one<br>line two and `<br>` in code. $5 US$ is money.

$$
\sum_i \alpha_i
$$

| a | b |
|---|---|
| 1 | 2 |

![a figure](img/fig.png)

```python
def f(**kw): return "$HOME"
```"""


def test_markdown_fields_become_html_math_for_mathjax_images_as_media(tmp_path: Path) -> None:
    root = _bank(tmp_path, MARKDOWN)
    (root / "img").mkdir()
    png = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(png, "PNG")  # a real picture: the loader decodes it
    png = png.getvalue()
    (root / "img" / "fig.png").write_bytes(png)
    assert _build(root, tmp_path / "demo.apkg") == 0
    pkg = read_apkg(tmp_path / "demo.apkg", tmp_path)
    answer = pkg.notes[0].fields["answer"]
    assert "<strong>Bold</strong>" in answer and "<code>inline_code</code>" in answer
    assert r"\(x^2 + d_k\)" in answer and r"\[\sum_i \alpha_i\]" in answer
    assert "$5 or $6" in answer  # prices are not math
    assert '<a href="https://example.com/x">a link</a>' in answer
    assert "<br />\nNext line &lt;think&gt; stays text." in answer
    assert "Line one<br />line two and <code>&lt;br&gt;</code> in code." in answer  # <br> breaks, as on slides
    assert "$5 US$ is money" in answer
    assert "<table>" in answer and "<td>2</td>" in answer
    (name,) = pkg.media
    assert pkg.media[name] == png and f'<img src="{name}" alt="a figure">' in answer
    assert '<div class="highlight"' in answer and "**" not in prose(answer).replace("**kw", "")
    assert set(pkg.decks.values()) >= {"Demo:Bank", "Demo:Bank::01 演示"}  # `::` in a title would nest decks


def test_a_link_to_a_slide_is_text_on_a_card(tmp_path: Path) -> None:
    root = _bank(tmp_path, "See [**the cache**](#kv) and [docs](https://example.com/d).")
    assert _build(root, tmp_path / "demo.apkg") == 0
    answer = read_apkg(tmp_path / "demo.apkg", tmp_path).notes[0].fields["answer"]
    assert "See <strong>the cache</strong> and" in answer and 'href="#' not in answer
    assert '<a href="https://example.com/d">docs</a>' in answer


def test_a_missing_or_escaping_image_names_file_line_question_field(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    for src, why in (("img/none.png", "not found"), ("../secret.png", "is outside the bank folder")):
        root = _bank(tmp_path / why.replace(" ", "-"), f"See ![x]({src})")
        capsys.readouterr()
        assert _build(root, tmp_path / "x.apkg") == 2
        err = capsys.readouterr().err
        # The loader names the image's own line and column (the answer's text starts on line 9).
        assert err.startswith("error: bank/01-demo.yaml:9:16, question 'first-q', field 'answer': image "), err
        assert why in err
        assert not (tmp_path / "x.apkg").exists()


def test_guids_survive_edits_and_builds_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _bank(tmp_path, "First answer.")
    assert _build(root, tmp_path / "a.apkg") == 0
    assert _build(root, tmp_path / "b.apkg") == 0
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()
    section = root / "01-demo.yaml"
    section.write_text(section.read_text(encoding="utf-8").replace("First answer.", "Edited answer."),
                       encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(build_epoch() + 86400))
    assert _build(root, tmp_path / "c.apkg") == 0
    a, c = read_apkg(tmp_path / "a.apkg", tmp_path), read_apkg(tmp_path / "c.apkg", tmp_path)
    assert [n.guid for n in a.notes] == [n.guid for n in c.notes]
    assert a.decks == c.decks and [m["id"] for m in a.models] == [m["id"] for m in c.models]
    assert "Edited answer." in c.notes[0].fields["answer"] and "First answer." in a.notes[0].fields["answer"]


def test_bundled_rebuild_is_byte_identical(built: Path, tmp_path: Path) -> None:
    assert main(["build", "-q", "--profile", "anki", "-o", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again.apkg").read_bytes() == (built / "bank.apkg").read_bytes()


def test_output_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _bank(tmp_path, "A.")
    assert _build(root, tmp_path / "deck.pptx") == 2
    assert "an Anki package is a .apkg file" in capsys.readouterr().err
    assert main(["build", "-q", "--content", str(root), "--profile", "anki", "-o", str(tmp_path / "o"),
                 "--pdf"]) == 0  # --pdf is for decks: nothing to convert here
    assert capsys.readouterr().err == f"note: -o '{tmp_path / 'o'}' has no extension; writing the Anki package " \
        f"to {tmp_path / 'o.apkg'}\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [".interview-deck.json", "o.apkg"]


def test_english_starter(tmp_path: Path, browser: None, starter_cache: str) -> None:
    assert main(["init", str(tmp_path / "en"), "--lang", "en"]) == 0
    assert _build(tmp_path / "en", tmp_path / "en.apkg", "--cache", starter_cache) == 0
    bank = load_bank(tmp_path / "en")
    pkg = read_apkg(tmp_path / "en.apkg", tmp_path)
    assert [n.guid for n in pkg.notes] == [note_guid(bank, q) for q in bank.questions]
    assert {n.deck for n in pkg.notes} == {deck_name(bank, s) for s in bank.sections}
    assert len(pkg.media) == 2 * len(bank.diagrams)
    (model,) = pkg.models
    assert "Ask back" in model["tmpls"][0]["afmt"] and not CJK.search(model["tmpls"][0]["afmt"])
    for note in pkg.notes:
        assert not CJK.search("".join(note.fields.values())), note.guid
        assert note.tags[0] in {s.id for s in bank.sections}
    assert any(n.fields["code"] for n in pkg.notes)


# --- Cards as Anki shows them, drawn by Chromium ------------------------------------------------------------------


def card_html(model: dict, fields: dict[str, str], night: bool) -> str:
    """The back of a card the way Anki renders its template: {{#f}}…{{/f}} shown when f is not
    empty, {{f}} the field's HTML as it is, {{FrontSide}} the rendered front."""
    def render(template: str) -> str:
        template = re.sub(r"\{\{#(\w+)\}\}(.*?)\{\{/\1\}\}", lambda m: m.group(2) if fields[m.group(1)] else "",
                          template, flags=re.S)
        return re.sub(r"\{\{(\w+)\}\}", lambda m: fields[m.group(1)], template)

    (tmpl,) = model["tmpls"]
    back = render(tmpl["afmt"].replace("{{FrontSide}}", render(tmpl["qfmt"])))
    # Anki's reviewer: the card is the body, night mode adds classes and a dark ground of its own.
    klass = "card card1" + (" nightMode night_mode" if night else "")
    ground = "<style>html { background: #2c2c2c; }</style>" if night else ""
    return (f"<!doctype html><html><head><meta charset=utf-8><style>{model['css']}</style>{ground}</head>"
            f"<body class='{klass}'>{back}</body></html>")


def test_cards_look_right_in_light_and_night_mode(bundled: Package, tmp_path: Path, chromium: Any) -> None:
    shots = Path(os.environ.get("ANKI_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    for name, data in bundled.media.items():
        (tmp_path / name).write_bytes(data)
    (model,) = bundled.models
    chosen = [bundled.notes[0], next(n for n in bundled.notes if n.fields["code"]), bundled.notes[-1]]
    page = chromium.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    try:
        for i, note in enumerate(chosen):
            for night in (False, True):
                path = tmp_path / f"card{i}-{'night' if night else 'light'}.html"
                path.write_text(card_html(model, note.fields, night), encoding="utf-8")
                page.set_viewport_size({"width": 390, "height": 844})
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                # The whole card in the viewport: Chromium paints an <object> only once it is in view.
                page.set_viewport_size({"width": 390, "height": page.evaluate("document.body.scrollHeight")})
                page.wait_for_timeout(300)
                page.screenshot(path=str(shots / f"{path.stem}.png"), full_page=True)
                seen = page.evaluate("""() => ({
                    wide: document.documentElement.scrollWidth,
                    text: getComputedStyle(document.body).color,
                    label: getComputedStyle(document.querySelector('.answer .label')).color,
                    code: [...document.querySelectorAll('.highlight')].map(
                        e => getComputedStyle(e).backgroundColor),
                })""")
                assert seen["wide"] <= 390, f"{path.stem}: the card is wider than a phone"
                dark_text = seen["text"] in ("rgb(31, 41, 51)",)
                assert dark_text != night, f"{path.stem}: text colour {seen['text']}"
                assert seen["label"] != seen["text"]
                assert all(c == "rgb(13, 17, 23)" for c in seen["code"]), seen["code"]
                if i == 0:  # the diagrams: the SVG in its object shows; its PNG fallback is never needed
                    boxes = page.evaluate("""() => [...document.querySelectorAll('figure object')].map(
                        o => [o.getBoundingClientRect().width, o.getBoundingClientRect().height])""")
                    assert len(boxes) == 3 and all(w >= 600 and h > 150 for w, h in boxes), boxes
    finally:
        page.close()


# --- Imported by Anki itself (PyPI `anki`: the desktop app's own Rust backend) -------------------------------------


def _anki_import(col: object, path: Path) -> object:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    options = ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, merge_notetypes=True)
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options)).log


def test_anki_imports_the_bundled_package_with_every_media_file_used(built: Path, tmp_path: Path) -> None:
    collection = pytest.importorskip("anki.collection")
    col = collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        log = _anki_import(col, built / "bank.apkg")
        assert (len(log.new), len(log.updated), len(log.duplicate)) == (180, 0, 0)
        assert col.note_count() == 180 and col.card_count() == 180
        bank = bundled_bank()
        for section in bank.sections:
            assert len(col.find_cards(f'"deck:{deck_name(bank, section)}" tag:{section.id}')) == 30
        check = col.media.check()  # Anki's own scan of the fields: <object data=…> and <img src=…> both count
        assert len(list(Path(col.media.dir()).iterdir())) == 10 and not check.unused and not check.missing
        card = col.get_card(col.find_cards(f"tag:{bank.sections[0].id}")[0])
        assert "标准答" in card.answer() and "<object data=" in card.answer()
    finally:
        col.close()


def test_a_rebuilt_package_updates_notes_and_keeps_their_reviews(tmp_path: Path) -> None:
    collection = pytest.importorskip("anki.collection")
    root = _bank(tmp_path, "First answer.")
    assert _build(root, tmp_path / "a.apkg") == 0
    col = collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        assert len(_anki_import(col, tmp_path / "a.apkg").new) == 2
        col.decks.select(col.decks.id_for_name("Demo:Bank::01 演示"))
        card = col.sched.getCard()
        col.sched.answerCard(card, 3)  # one review: "Good"
        assert "First answer." in card.note()["answer"]
        section = root / "01-demo.yaml"
        before = section.stat().st_mtime
        assert _build(root, tmp_path / "same.apkg") == 0  # unchanged: nothing to update
        assert len(_anki_import(col, tmp_path / "same.apkg").updated) == 0
        section.write_text(section.read_text(encoding="utf-8").replace("First answer.", "Edited answer."),
                           encoding="utf-8")
        os.utime(section, (before + 60, before + 60))  # edited a minute later (mtime has 1 s steps in Anki)
        assert _build(root, tmp_path / "b.apkg") == 0
        log = _anki_import(col, tmp_path / "b.apkg")
        assert (len(log.new), len(log.updated)) == (0, 2)  # the notes of the edited file
        assert col.note_count() == 2
        after = col.get_card(card.id)
        assert after.reps == 1 and after.queue != 0  # still reviewed, not new again
        assert "Edited answer." in after.note()["answer"]
    finally:
        col.close()
