"""A user's template is untrusted input: check the zip and every XML part before python-pptx
sees it (no zip bomb, no oversized part, no DTD or entity, no external target, no macros, no
encryption, a presentation with a master), and switch a .potx's main content type in memory.

Every refusal is one TemplateError naming the file; nothing is fetched and memory stays bounded
(parts are read in chunks against the limits below, never trusting the sizes the zip declares).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from deck.errors import DeckError

MAX_FILE = 64 << 20  # bytes on disk
MAX_PART = 32 << 20  # one part, uncompressed
MAX_TOTAL = 200 << 20  # all parts, uncompressed
MAX_PARTS = 4000
MAX_RATIO = 200  # uncompressed / compressed, for parts over 1 MiB
RATIO_FLOOR = 1 << 20
CHUNK = 1 << 16
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: an encrypted OOXML or a legacy .ppt

_PML = "application/vnd.openxmlformats-officedocument.presentationml."
PRESENTATION = _PML + "presentation.main+xml"
MAIN_TYPES = {PRESENTATION, _PML + "template.main+xml", _PML + "slideshow.main+xml"}
MACRO_TYPES = ("macroEnabled", "vbaProject")
MASTER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/slideMaster"
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class TemplateError(DeckError):
    """A template that cannot be used, with the reason."""


def checked_package(path: Path) -> bytes:
    """The template's package bytes, checked and ready for python-pptx (a .potx as a .pptx)."""
    def fail(reason: str) -> TemplateError:
        return TemplateError(f"template '{path}': {reason}")

    if path.suffix.lower() in (".pptm", ".potm"):
        raise fail("macro-enabled files are not accepted; save it as .pptx or .potx")
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise fail("not a file")
        if size > MAX_FILE:
            raise fail(f"{size >> 20} MiB is over the {MAX_FILE >> 20} MiB limit for a template")
        data = path.read_bytes()
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    if data.startswith(OLE_MAGIC):
        raise fail("it is encrypted (password-protected) or a legacy binary .ppt; save it unprotected as .pptx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = _read_parts(archive, fail)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError) as exc:
        raise fail(f"not a presentation (not a readable zip package: {exc})") from None
    _check_xml(parts, fail)
    types = parts.get("[Content_Types].xml")
    if types is None:
        raise fail("not a presentation ([Content_Types].xml is missing)")
    root = etree.fromstring(types, _PARSER)
    overrides = {el.get("PartName", ""): el.get("ContentType", "") for el in root if el.get("PartName")}
    if any(m in t for t in overrides.values() for m in MACRO_TYPES) or any("vbaProject" in n for n in parts):
        raise fail("it holds macros (a VBA project); save it as a macro-free .pptx or .potx")
    main = overrides.get("/ppt/presentation.xml")
    if main not in MAIN_TYPES or "ppt/presentation.xml" not in parts:
        raise fail("not a PowerPoint presentation or template (no ppt/presentation.xml main part)")
    rels = parts.get("ppt/_rels/presentation.xml.rels")
    masters = [] if rels is None else [r for r in etree.fromstring(rels, _PARSER) if r.get("Type") == MASTER_REL]
    if not masters or not all(_target(m.get("Target", "")) in parts for m in masters):
        raise fail("it has no slide master (or its master part is missing)")
    if main != PRESENTATION:
        parts["[Content_Types].xml"] = types.replace(main.encode(), PRESENTATION.encode())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in parts.items():
            zf.writestr(name, blob)
    return out.getvalue()


def _target(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else "ppt/" + target


def _read_parts(archive: zipfile.ZipFile, fail: Callable[[str], TemplateError]) -> dict[str, bytes]:
    """Every member, read in chunks so a member that lies about its size stops at the limit."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise fail(f"{len(infos)} parts is over the limit of {MAX_PARTS}")
    if any(i.flag_bits & 0x1 for i in infos):
        raise fail("it is encrypted; save it unprotected")
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        if info.file_size > MAX_PART:
            raise fail(f"part {info.filename} ({info.file_size >> 20} MiB) is over the "
                       f"{MAX_PART >> 20} MiB limit")
        chunks, size = [], 0
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                total += len(chunk)
                if size > MAX_PART or total > MAX_TOTAL:
                    raise fail(f"part {info.filename} unpacks past the size limits (a zip bomb?)")
                if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
                    raise fail(f"part {info.filename} is compressed {size // max(info.compress_size, 1)}:1 "
                               "(a zip bomb?)")
                chunks.append(chunk)
        parts[info.filename] = b"".join(chunks)
    return parts


def _check_xml(parts: dict[str, bytes], fail: Callable[[str], TemplateError]) -> None:
    """No DTD or entity anywhere (entity expansion, external entities), every XML part well-formed,
    and no external relationship but hyperlinks (a linked picture or OLE object would be fetched)."""
    for name, blob in parts.items():
        if not name.endswith((".xml", ".rels")):
            continue
        if _DTD.search(blob[:4096]) or b"<!ENTITY" in blob:
            raise fail(f"part {name} declares a DTD or entities, which templates never need")
        try:
            root = etree.fromstring(blob, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise fail(f"part {name} is not well-formed XML ({exc})") from None
        if name.endswith(".rels"):
            for rel in root:
                if rel.get("TargetMode") == "External" and rel.get("Type") != HYPERLINK_REL:
                    raise fail(f"part {name} links to an external {rel.get('Type', '').rsplit('/', 1)[-1]} "
                               f"'{rel.get('Target')}'; templates must be self-contained")
