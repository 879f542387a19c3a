"""JSON Schema of the content files, generated from the loader's own field tables."""

from __future__ import annotations

from typing import Any

from deck.content.model import REVEALS
from deck.content.yaml_bank import (
    DECK_FIELDS,
    DIAGRAM_FIELDS,
    PROFILE_NAMES,
    QUESTION_FIELDS,
    REFERENCE_FIELDS,
    REQUIRED_QUESTION,
    SECTION_FIELDS,
    SLUG,
)

DESCRIPTIONS = {
    "question": "the question (Markdown: **bold**, `code`, $math$)",
    "answer": "标准答: the standard answer (Markdown: **bold**, `code`, [links](https://…), $d_k$ math, "
              "- and 1. lists, ```fenced code```, tables)",
    "follow_up": "反问点: the question the candidate asks back (optional; `deck check --strict` requires it)",
    "pitfall": "坑位: the wrong or shallow answer interviewers hear, and why (optional; --strict requires it)",
    "theme": "a shipped theme name (default) or a folder holding theme.yaml, relative to this file",
    "template": "a PowerPoint template (.pptx or .potx) the study and mock decks are built on, relative to this file",
    "key_points": "2-4 short phrases the interviewer listens for",
    "level": "1 basic, 2 intermediate, 3 hard",
    "diagrams": "ids of diagrams/<id>.mmd shown at the start of the section",
    "intro": "what the section is about, before its first question (Markdown): the section slide's notes "
             "and the handout",
    "native": "false keeps a flowchart as a picture instead of editable shapes",
    "venue": "where a reference appeared: a conference or journal and year, arXiv preprint, technical report",
    "language": "BCP 47 tag of the bank's language (zh-CN, en, ...): picks the decks' label table",
}


def _kind(kind: str) -> dict[str, Any]:
    slug = {"type": "string", "pattern": SLUG.pattern}
    return {
        "text": {"type": "string", "minLength": 1},
        "url": {"type": "string", "pattern": "^([hH][tT][tT][pP][sS]?://|[mM][aA][iI][lL][tT][oO]:)\\S+$"},
        "slug": slug,
        "texts": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "slugs": {"type": "array", "items": slug},
        "level": {"type": "integer", "minimum": 1, "maximum": 3},
        "number": {"type": "integer", "minimum": 1, "maximum": 99},
        "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
        "bool": {"type": "boolean"},
        "code": {"type": "object", "additionalProperties": False, "required": ["source"],
                 "properties": {"language": {"type": "string"}, "source": {"type": "string"}}},
        "references": {"type": "array", "items": {"$ref": "#/$defs/reference"}},
        "profiles": {"type": "object", "additionalProperties": False, "properties": {
            name: {"type": "object", "additionalProperties": False,
                   "properties": {"reveal": {"enum": list(REVEALS)}}} for name in PROFILE_NAMES}},
    }[kind]


def _object(fields: dict[str, str], required: tuple[str, ...] = ()) -> dict[str, Any]:
    props = {}
    for name, kind in fields.items():
        props[name] = _kind(kind) | ({"description": DESCRIPTIONS[name]} if name in DESCRIPTIONS else {})
    return {"type": "object", "additionalProperties": False, "required": list(required),
            "properties": props}


def content_schema() -> dict[str, Any]:
    """One schema that accepts a section file, deck.yaml or diagrams/diagrams.yaml."""
    section_file = {"type": "object", "additionalProperties": False, "required": ["section", "questions"],
                    "properties": {"section": _object(SECTION_FIELDS, ("id", "number", "title")),
                                   "questions": {"type": "array", "minItems": 1,
                                                 "items": _object(QUESTION_FIELDS, REQUIRED_QUESTION)}}}
    deck_file = _object(DECK_FIELDS, ("title",))
    diagrams_file = {"type": "object", "propertyNames": {"pattern": SLUG.pattern},
                     "additionalProperties": _object(DIAGRAM_FIELDS, ("title",))}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "interview-deck content file",
        "$defs": {"reference": _object(REFERENCE_FIELDS, ("title",)), "section_file": section_file,
                  "deck_file": deck_file, "diagrams_file": diagrams_file},
        "oneOf": [{"$ref": "#/$defs/section_file"}, {"$ref": "#/$defs/deck_file"},
                  {"$ref": "#/$defs/diagrams_file"}],
    }
