"""The one exception type the CLI turns into a clear message and a non-zero exit."""

from __future__ import annotations

import errno
import re

# Controls and bidi overrides that a file name or a YAML key can carry into a message: escaped, so
# a message stays on its line and cannot recolour or reorder the terminal.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str, newlines: bool = False) -> str:
    """text with control characters written as escapes (newlines kept if asked)."""
    return _UNPRINTABLE.sub(lambda m: m.group() if newlines and m.group() == "\n" else
                            m.group().encode("unicode_escape").decode("ascii"), text)


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
        column: int | None = None,
        question: str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file, self.line, self.question, self.field, self.hint = file, line, question, field, hint
        self.column = column
        where = file or ""
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        parts = [where] if where else []
        if question:
            parts.append(f"question '{question}'")
        if field:
            parts.append(f"field '{field}'")
        text = ": ".join([", ".join(parts), message]) if parts else message
        if hint:  # same line: one error is one line, whatever reads stderr
            text += f"; hint: {hint}"
        super().__init__(printable(text))


class DiagramError(DeckError):
    """A diagram could not be rendered (syntax error, no browser, ...)."""


class ExportError(DeckError):
    """LibreOffice is missing or failed; the PPTX itself was still written."""

    exit_code = 3


_OS_ADVICE = {
    errno.EACCES: "check its permissions, or choose another place",
    errno.EPERM: "check its permissions, or choose another place",
    errno.EROFS: "that file system is read-only; choose a writable place (-o, --cache)",
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.ENOENT: "it does not exist; check the path",
    errno.ENOTDIR: "part of the path is not a folder; check the path",
    errno.EISDIR: "it is a folder; give a file name",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter one",
    errno.ELOOP: "it is a loop of symlinks; fix the link",
    errno.EMFILE: "too many open files; raise the limit (ulimit -n) or close programs",
    errno.EIO: "the device reported an I/O error; check the disk",
}


def os_advice(exc: OSError) -> str:
    return _OS_ADVICE.get(exc.errno or 0, "check the path and its permissions")


def os_error(exc: OSError, path: object = None, doing: str = "cannot use") -> DeckError:
    """One line for any OSError: the path, what went wrong, what to do."""
    target = path if path is not None else exc.filename
    reason = exc.strerror or str(exc) or type(exc).__name__
    advice = os_advice(exc)
    where = f" '{target}'" if target is not None else ""
    return DeckError(printable(f"{doing}{where}: {reason}; {advice}"))
