"""The HTML of an Anki note's fields: each text field's Markdown through the shared parser
(deck.content.markdown), with math left to Anki's own MathJax (\\( \\) and \\[ \\]), code
coloured inline by Pygments (no stylesheet classes: a field reads the same in any note type),
and local images and diagrams gathered as media files under content-hashed names."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.styles import get_style_by_name
from pygments.token import Token as PygmentsToken

from deck.content.markdown import parser
from deck.content.model import Question
from deck.errors import ContentError
from deck.text.highlight import lexer_for

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
_REMOTE = re.compile(r"^https?://", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^\w.-]+")
# Raw HTML stays text, but `<br>` is how Markdown writers break a line (as on the slides).
_BR = re.compile(r"[ \t]*<br\s*/?>[ \t]*", re.IGNORECASE)


@dataclass
class Media:
    """Files for the package's media folder, by name. Anki's media folder is shared by every deck
    of a collection, so a name carries a hash of the bytes: the same file keeps its name, another
    file never takes it."""

    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, stem: str, suffix: str, data: bytes) -> str:
        name = f"{_UNSAFE_NAME.sub('-', stem).strip('-') or 'media'}-{hashlib.sha256(data).hexdigest()[:12]}{suffix}"
        self.files[name] = data
        return name


@dataclass(frozen=True)
class _Where:
    """Whose text is being rendered: what an error names."""

    question: Question
    field: str


class FieldHtml:
    """Markdown and code to field HTML for one bank (images resolve against its folder)."""

    def __init__(self, root: Path | None, pygments_style: str, media: Media) -> None:
        self.root = root.resolve() if root else None
        self.media = media
        style = get_style_by_name(pygments_style)
        text = style.style_for_token(PygmentsToken.Text)["color"] or style.style_for_token(PygmentsToken)["color"]
        # The panel's own text colour: untokenised text must not inherit the card's (dark on dark).
        self.formatter = HtmlFormatter(noclasses=True, style=pygments_style, nobackground=False,
                                       cssstyles=f"color: #{text}" if text else "")
        self.renderer = RendererHTML(parser())
        rules: dict[str, Any] = {
            "math_inline": lambda tokens, i, _o, _e: rf"\({html.escape(tokens[i].content, quote=False)}\)",
            "math_inline_double": lambda tokens, i, _o, _e: self._display(tokens[i].content),
            "math_block": lambda tokens, i, _o, _e: self._display(tokens[i].content) + "\n",
            "fence": lambda tokens, i, _o, _e: self.code(tokens[i].content, tokens[i].info.strip().split(" ")[0]),
            "code_block": lambda tokens, i, _o, _e: self.code(tokens[i].content, "text"),
            "image": self._image,
            "text": lambda tokens, i, _o, _e: "<br />".join(escapeHtml(t) for t in _BR.split(tokens[i].content)),
        }
        self.renderer.rules.update(rules)

    @staticmethod
    def _display(tex: str) -> str:
        return rf"<div class=math>\[{html.escape(tex.strip(), quote=False)}\]</div>"

    def markdown(self, text: str, question: Question, name: str) -> str:
        """A text field as HTML (empty text: empty field, so the card hides its block)."""
        if not text.strip():
            return ""
        md = parser()
        env = {"where": _Where(question, name)}
        return self.renderer.render(_unlink_anchors(md.parse(text, env)), md.options, env).strip()

    def inline(self, text: str, question: Question, name: str) -> str:
        """One line of Markdown (a key point) without its paragraph."""
        md = parser()
        env = {"where": _Where(question, name)}
        return self.renderer.render(_unlink_anchors(md.parseInline(text, env)), md.options, env).strip()

    def code(self, source: str, language: str) -> str:
        out = highlight(source.rstrip("\n") + "\n", lexer_for(language.lower() or "text"), self.formatter)
        return out.strip()

    def _image(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        alt = self.renderer.renderInlineAsText(token.children or [], options, env)
        src = str(token.attrGet("src") or "")
        if not _REMOTE.match(src):  # a file of the bank: it goes into the package
            src = self._local_image(src, env["where"])
        title = token.attrGet("title")
        extra = f' title="{html.escape(str(title))}"' if title else ""
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}"{extra}>'

    def _local_image(self, src: str, where: _Where) -> str:
        q = where.question

        def refuse(why: str) -> ContentError:
            return ContentError(f"image '{src}' {why}", file=q.file or None, line=q.line or None, question=q.id,
                                field=where.field,
                                hint="give a path relative to the bank folder, or an http(s) URL")

        relative = Path(unquote(src))
        if self.root is None or not src or relative.is_absolute():
            raise refuse("is not a file of the bank")
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise refuse("is outside the bank folder")
        if path.suffix.lower() not in IMAGE_TYPES:
            raise refuse(f"is not an image ({', '.join(IMAGE_TYPES)})")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise refuse(f"cannot be read ({exc.strerror or exc})") from None
        return self.media.add(path.stem, path.suffix.lower(), data)

    def diagram(self, diagram_id: str, svg: bytes, png: bytes, title: str, caption: str) -> str:
        """A figure: the SVG (sharp at any zoom) with the PNG inside it for a client that cannot
        show SVG; Anki's media check and importer see both (object data=, img src=)."""
        svg_name = self.media.add(diagram_id, ".svg", svg)
        png_name = self.media.add(diagram_id, ".png", png)
        label = html.escape(title)
        text = f"<b>{label}</b>" + (f"<br>{html.escape(caption)}" if caption else "")
        return (f'<figure class=diagram><div class=frame><object data="{svg_name}" type="image/svg+xml" '
                f'aria-label="{label}"><img src="{png_name}" alt="{label}"></object></div>'
                f'<figcaption>{text}</figcaption></figure>')


def _unlink_anchors(tokens: list[Token]) -> list[Token]:
    """A link to a slide ([text](#id)) has no target on a card: its text stays, unlinked."""
    for inline in (t for t in tokens if t.children):
        anchors: list[bool] = []  # for each open link: does it point at a slide?
        for child in inline.children or ():
            if child.type == "link_open":
                anchors.append(str(child.attrGet("href") or "").startswith("#"))
                drop = anchors[-1]
            elif child.type == "link_close":
                drop = anchors.pop() if anchors else False
            else:
                continue
            if drop:
                child.type, child.tag, child.attrs = "text", "", {}
    return tokens
