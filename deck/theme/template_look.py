"""The theme keys for building on a user's PowerPoint template (theme.yaml `template:`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateStyle:
    """How our slides take a user's PowerPoint template's look (deck build --template)."""

    tint: float  # block tints: this share of the template's accent over its background
    muted: float  # muted text: this share of the text colour over the background (then made readable)
    rule: float  # footer rule: this share of the text colour over the background
    code_span: float  # inline code's tint: this share of the text colour over the background
    body_contrast: float  # WCAG contrast ratio text must reach on the real background
    title_contrast: float  # and titles, accents
    dark_code_style: str  # Pygments style of code on a dark background
    dark_code_bg: str
    dark_code_border: str
