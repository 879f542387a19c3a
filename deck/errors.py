"""The one exception type the CLI turns into a clear message and a non-zero exit."""

from __future__ import annotations


class DeckError(Exception):
    """A problem the user can fix: the message says where and what to do."""

    exit_code = 2


class ContentError(DeckError):
    """Invalid content: names file, line, question id and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        question: str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file, self.line, self.question, self.field, self.hint = file, line, question, field, hint
        where = file or "<content>"
        if line is not None:
            where += f":{line}"
        parts = [where]
        if question:
            parts.append(f"question '{question}'")
        if field:
            parts.append(f"field '{field}'")
        text = ": ".join([", ".join(parts), message])
        if hint:
            text += f"\n  hint: {hint}"
        super().__init__(text)


class DiagramError(DeckError):
    """A diagram could not be rendered (syntax error, no browser, ...)."""


class ExportError(DeckError):
    """LibreOffice is missing or failed; the PPTX itself was still written."""

    exit_code = 3
