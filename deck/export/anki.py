"""A bank as an Anki package (.apkg): one note per question, a deck per section
(`<bank title>::<NN section title>`), for spaced repetition on a phone.

genanki writes the collection (an SQLite file); we write the zip around it, so the same bank
gives the same bytes: every time stamp (note, card and note type `mod`, ids counted from it,
zip entry times) is the build epoch of the decks (SOURCE_DATE_EPOCH). Note GUIDs come from the
bank title and the question id, so importing a rebuilt package updates the notes already in a
collection and keeps their review history; deck and note type ids come from the bank title."""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import sqlite3
import tempfile
import time
import zipfile
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

import genanki

from deck.content.model import Bank, Question, Section
from deck.export.anki_html import FieldHtml, Media
from deck.render.writer import build_epoch
from deck.theme.labels import Labels
from deck.theme.settings import Theme

if TYPE_CHECKING:
    from deck.diagrams.mermaid import RenderedDiagram

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
    css = theme.render("anki.css.j2", p=theme.palette, a=theme.anki)
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


def _diagram_fields(bank: Bank, fields: FieldHtml, rendered: dict[str, RenderedDiagram]) -> dict[str, str]:
    """Section id -> the figures of its diagrams, shown on its first question's cards (the overview
    diagram on the bank's first question), as the study deck shows them at the section's start."""
    def figure(diagram_id: str) -> str:
        d, r = bank.diagrams[diagram_id], rendered[diagram_id]
        return fields.diagram(diagram_id, r.svg_path.read_bytes(), r.png_path.read_bytes(), d.title, d.caption)

    out: dict[str, str] = {}
    for n, section in enumerate(bank.sections):
        ids = ([bank.overview_diagram] if n == 0 and bank.overview_diagram else []) + list(section.diagrams)
        out[section.id] = "".join(figure(d) for d in dict.fromkeys(ids) if d in rendered)
    return out


def anki_package(bank: Bank, theme: Theme, rendered: dict[str, RenderedDiagram]) -> bytes:
    """The .apkg bytes of a bank; rendered: its diagrams (deck.build.bank_diagrams)."""
    labels = theme.labels(bank.language)
    media = Media()
    fields = FieldHtml(bank.root, theme.anki.pygments_style, media)
    model = _model(bank, theme, labels)
    figures = _diagram_fields(bank, fields, rendered)
    top = genanki.Deck(stable_id("deck", bank.title), _plain(bank.title), description=html.escape(bank.subtitle))
    decks = [top]
    due = itertools.count(1)  # new cards come in the bank's order
    for section in bank.sections:
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
                "diagrams": figures[section.id] if i == 1 else "",
                "source": _source(bank, labels, section, i, q),
            }
            deck.add_note(genanki.Note(model=model, fields=[values[f] for f in FIELDS], tags=_tags(section, q),
                                       guid=note_guid(bank, q), due=next(due)))
        decks.append(deck)
    return _apkg(genanki.Package(decks), media, build_epoch())


def _apkg(package: genanki.Package, media: Media, epoch: int) -> bytes:
    """The package zip: collection.anki2, the media map (index -> name) and the numbered files."""
    with tempfile.TemporaryDirectory(prefix="deck-anki-") as tmp:
        db = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db)
        try:
            package.write_to_db(conn.cursor(), epoch, itertools.count(epoch * 1000))
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
