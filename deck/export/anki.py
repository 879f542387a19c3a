"""A bank as an Anki package (.apkg): one note per question, a deck per section
(`<bank title>::<NN section title>`), for spaced repetition on a phone.

genanki writes the collection (an SQLite file); we write the zip around it, so the same bank
gives the same bytes. Note GUIDs come from the bank title and the question id, so importing a
rebuilt package updates the notes already in a collection and keeps their review history; deck and
note type ids come from the bank title. Anki takes an update only from a note newer than its copy
(its importer's default, "update notes: if newer"), so a note's `mod` is when the files it comes
from were last edited (their mtime; SOURCE_DATE_EPOCH instead, when set); ids and zip entry times
are the build epoch of the decks."""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import os
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

import genanki

from deck.content.model import Bank, Question, Section
from deck.export.anki_html import FieldHtml, Media
from deck.render.writer import build_epoch
from deck.theme.labels import Labels
from deck.theme.settings import Theme
from deck.theme.text_templates import render_text

if TYPE_CHECKING:
    from deck.diagrams.cache import RenderedDiagram

ANKI_FILE = "bank.apkg"  # the default output name
FIELDS = ("question", "answer", "follow_up", "pitfall", "code", "key_points", "diagrams", "source")


def stable_id(*parts: str) -> int:
    """An id in genanki's recommended range [2**30, 2**31), the same for the same parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def note_guid(bank: Bank, question: Question) -> str:
    return genanki.guid_for(bank.title, question.id)


def deck_name(bank: Bank, section: Section) -> str:
    # `::` nests decks in Anki; the zero-padded number keeps Anki's alphabetical order the bank's.
    return f"{_plain(bank.title)}::{section.number:02d} {_plain(section.title)}"


def _plain(name: str) -> str:
    return name.replace("::", ":").strip()


def _templates(labels: Labels) -> list[dict[str, str]]:
    def block(name: str, css: str, label: str) -> str:
        return (f"{{{{#{name}}}}}<section class=\"block {css}\"><div class=label>{html.escape(label)}</div>"
                f"{{{{{name}}}}}</section>{{{{/{name}}}}}")

    front = "<div class=deck-card><div class=q>{{question}}</div></div>"
    back = "\n".join([
        "<div class=deck-card><div class=q>{{question}}</div>",
        "<hr id=answer>",
        block("answer", "answer", labels.answer),
        block("follow_up", "follow-up", labels.follow_up),
        block("pitfall", "pitfall", labels.pitfall),
        f"{{{{#key_points}}}}<section class=points><div class=label>{html.escape(labels.key_points)}</div>"
        "{{key_points}}</section>{{/key_points}}",
        "{{#code}}<section class=code>{{code}}</section>{{/code}}",
        "{{#diagrams}}<section class=diagrams>{{diagrams}}</section>{{/diagrams}}",
        "<div class=source>{{source}}</div></div>",
    ])
    return [{"name": "Q → A", "qfmt": front, "afmt": back}]


def _model(bank: Bank, theme: Theme, labels: Labels) -> genanki.Model:
    css = render_text(theme, "anki.css.j2", p=theme.palette, a=theme.anki)
    return genanki.Model(stable_id("model", bank.title), f"interview-deck: {_plain(bank.title)}",
                         fields=[{"name": name} for name in FIELDS], templates=_templates(labels), css=css)


def _source(bank: Bank, labels: Labels, section: Section, i: int, question: Question) -> str:
    """Where a card comes from: bank · section · Qn (· level), as on the decks' markers."""
    text = labels.dot.join([bank.title, labels.section_label(section.number, section.title),
                            labels.qa_number.format(n=i)])
    if question.level:
        text += labels.notes_level.format(level=question.level)
    return html.escape(text)


def _tags(section: Section, question: Question) -> list[str]:
    tags = [section.id] + ([f"level-{question.level}"] if question.level else []) + list(question.tags)
    return list(dict.fromkeys(tags))


def edited(paths: Iterable[Path], epoch: int) -> int:
    """Anki's `mod` of what these files hold: when they were last edited (never before the build
    epoch), so a rebuild after an edit is newer and an unchanged bank gives the same value;
    SOURCE_DATE_EPOCH, when set, stands for every file (a build reproducible on any checkout)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return epoch
    return max([epoch, *(int(p.stat().st_mtime) for p in paths if p.is_file())])


def _section_diagrams(bank: Bank, n: int, section: Section, rendered: dict[str, RenderedDiagram]) -> list[str]:
    """What a section's first question shows: its diagrams (the bank's first also the overview),
    as the study deck shows them at the section's start."""
    ids = ([bank.overview_diagram] if n == 0 and bank.overview_diagram else []) + list(section.diagrams)
    return [d for d in dict.fromkeys(ids) if d in rendered]


def anki_package(bank: Bank, theme: Theme, rendered: dict[str, RenderedDiagram]) -> bytes:
    """The .apkg bytes of a bank; rendered: its diagrams (deck.build.bank_diagrams)."""
    labels = theme.labels(bank.language)
    media = Media()
    fields = FieldHtml(bank.root, theme.anki.pygments_style, media)
    model = _model(bank, theme, labels)
    epoch = build_epoch()
    base = bank.root.parent if bank.root else Path()
    mods: dict[str, int] = {}  # note GUID -> mod
    top = genanki.Deck(stable_id("deck", bank.title), _plain(bank.title), description=html.escape(bank.subtitle))
    decks = [top]
    due = itertools.count(1)  # new cards come in the bank's order
    for n, section in enumerate(bank.sections):
        shown = _section_diagrams(bank, n, section, rendered)
        figures = "".join(fields.diagram(d, rendered[d].svg_path.read_bytes(), rendered[d].png_path.read_bytes(),
                                         bank.diagrams[d].title, bank.diagrams[d].caption) for d in shown)
        diagram_files = [bank.diagrams[d].source_path for d in shown] + (
            [bank.root / "diagrams" / "diagrams.yaml"] if shown and bank.root else [])
        deck = genanki.Deck(stable_id("deck", bank.title, section.id), deck_name(bank, section))
        for i, q in enumerate(section.questions, 1):
            values = {
                "question": fields.markdown(q.question, q, "question"),
                "answer": fields.markdown(q.answer, q, "answer"),
                "follow_up": fields.markdown(q.follow_up, q, "follow_up"),
                "pitfall": fields.markdown(q.pitfall, q, "pitfall"),
                "code": fields.code(q.code.source, q.code.language) if q.code else "",
                "key_points": "<ul>" + "".join(f"<li>{fields.inline(k, q, 'key_points')}</li>"
                                               for k in q.key_points) + "</ul>" if q.key_points else "",
                "diagrams": figures if i == 1 else "",
                "source": _source(bank, labels, section, i, q),
            }
            note = genanki.Note(model=model, fields=[values[f] for f in FIELDS], tags=_tags(section, q),
                                guid=note_guid(bank, q), due=next(due))
            mods[note.guid] = edited([base / q.file, *(diagram_files if i == 1 else [])], epoch)
            deck.add_note(note)
        decks.append(deck)
    theme_files = [theme.folder / "theme.yaml", theme.folder / "anki.css.j2"]
    return _apkg(genanki.Package(decks), media, epoch, mods, max([edited(theme_files, epoch), *mods.values()]))


def _apkg(package: genanki.Package, media: Media, epoch: int, mods: dict[str, int], model_mod: int) -> bytes:
    """The package zip: collection.anki2, the media map (index -> name) and the numbered files."""
    with tempfile.TemporaryDirectory(prefix="deck-anki-") as tmp:
        db = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db)
        try:
            package.write_to_db(conn.cursor(), epoch, itertools.count(epoch * 1000))
            # genanki stamps everything with one time; Anki decides updates by each note's own.
            conn.executemany("UPDATE notes SET mod = ? WHERE guid = ?", [(m, g) for g, m in mods.items()])
            conn.execute("UPDATE cards SET mod = (SELECT mod FROM notes WHERE notes.id = cards.nid)")
            models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
            conn.execute("UPDATE col SET models = ?",
                         (json.dumps({k: {**v, "mod": model_mod} for k, v in models.items()}),))
            conn.commit()
        finally:
            conn.close()
        collection = db.read_bytes()
    names = sorted(media.files)
    entries = [("collection.anki2", collection),
               ("media", json.dumps({str(i): n for i, n in enumerate(names)}, ensure_ascii=False).encode("utf-8")),
               *((str(i), media.files[n]) for i, n in enumerate(names))]
    stamp = time.gmtime(epoch)[:6]
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()
