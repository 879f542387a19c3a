"""Reading content files safely: regular files only, never blocking, bounded in size, decoded
as UTF-8 with file:line:column for any byte or character a content file cannot hold.

A FIFO named like a section file would block open() forever, a device would never end, an
editor's lock file is a dangling symlink: each is found with stat() before it is opened, and
the open itself is non-blocking with a second check on the open descriptor.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

from deck.errors import ContentError, os_advice

MAX_FILE_BYTES = 16_000_000  # a 30-question section is ~40 KB; beyond this it is not a section file
# What YAML lets a file hold raw (its printable set); anything else is named here with its
# position, before the parser, which gives only a byte offset into "<unicode string>".
UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Raw NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR are line breaks to YAML: pasted inside a value they
# split it, and the parser's complaint would point elsewhere. (Written as escapes they are newlines.)
RAW_BREAKS = re.compile("[\x85\u2028\u2029]")
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def is_editor_file(name: str) -> bool:
    """Hidden files, Emacs locks (.#x) and autosaves (#x#), backups (x~), Office locks (~$x), swap files."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", "#", ".swp", ".swo", ".tmp", ".bak"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def not_regular(path: Path) -> str | None:
    """Why path is not a regular file we can read ("a named pipe (FIFO)", ...), or None. Never opens it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a symlink to a missing file" if path.is_symlink() else "missing"
    except OSError as exc:
        return f"not readable ({exc.strerror})"
    return None if stat.S_ISREG(mode) else _kind(mode)


def read_bytes(path: Path, rel: str) -> bytes:
    """The bytes of a regular file, or a ContentError naming it; never blocks on a pipe or device."""
    problem = not_regular(path)
    if problem == "missing":
        raise ContentError("the file is missing", file=rel)
    if problem:
        raise ContentError(f"is {problem}, not a regular file", file=rel,
                           hint="content files must be plain files; replace it or remove it")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with os.fdopen(fd, "rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if not stat.S_ISREG(mode):  # replaced between stat() and open()
                raise ContentError(f"is {_kind(mode)}, not a regular file", file=rel)
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror}", file=rel, hint=os_advice(exc)) from None
    if len(data) > MAX_FILE_BYTES:
        raise ContentError(f"is larger than {MAX_FILE_BYTES // 1_000_000} MB, far beyond a section file",
                           file=rel, hint="split it into several section files")
    return data


def decode(data: bytes, rel: str) -> str:
    """UTF-8 (a BOM is fine) holding only what YAML allows, else file:line:column of the first bad one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start:exc.start].decode("utf-8", "replace")) + 1
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
        raise ContentError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", file=rel,
                           line=data.count(b"\n", 0, exc.start) + 1, column=column,
                           hint="it looks like UTF-16; save it as UTF-8" if utf16 else "save the file as UTF-8"
                           ) from None
    bad = UNPRINTABLE.search(text)
    if bad:
        what = "control character" if unicodedata.category(bad.group()) == "Cc" else "character"
        raise _at(text, bad.start(), rel, f"contains the {what} U+{ord(bad.group()):04X}, which a content "
                  "file cannot hold", "delete it (often pasted from a terminal or a binary file)")
    bad = RAW_BREAKS.search(text)
    if bad:
        name = unicodedata.name(bad.group(), "NEXT LINE")
        raise _at(text, bad.start(), rel, f"contains U+{ord(bad.group()):04X} ({name}), which YAML reads as a "
                  "line break in the middle of the text", "replace it with a normal line break or a space")
    return text


def _at(text: str, at: int, rel: str, message: str, hint: str) -> ContentError:
    return ContentError(message, file=rel, line=text.count("\n", 0, at) + 1, column=at - text.rfind("\n", 0, at),
                        hint=hint)


def read_markdown(path: Path) -> str:
    """The Markdown to import, read like a content file: a FIFO or device is refused without
    blocking, a huge file before it fills memory, bad UTF-8 with its line and column."""
    return decode(read_bytes(path, str(path)), str(path))
