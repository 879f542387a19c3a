"""PDF export and previews through LibreOffice (headless) and pdftoppm."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from deck.content.reading import not_regular
from deck.errors import DeckError, ExportError
from deck.export.files import check_targets, write_output

TIMEOUT = 600  # seconds for one LibreOffice run (a 400-slide deck takes ~10 s here)

# What LibreOffice makes different in every run: the Info dates (D:YYYYMMDDHHmmSS then Z' or
# +HH'mm'), the trailer's random /ID, the /DocChecksum over all of it, and, in XMP metadata
# (PDF/A only), ISO dates and uuid ids. Each is rewritten in place with the same byte length so
# the xref table's offsets stay valid.
_INFO_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\()D:(\d{4,14})([^)]*)\)")
_XMP_DATE = re.compile(rb"(<xmp:(?:Create|Modify|Metadata)Date>)(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)([^<]*)<")
_XMP_ID = re.compile(rb"(<xmpMM:(?:Document|Instance)ID>uuid:)([0-9A-Fa-f-]+)<")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ExportError("LibreOffice is not installed, so no PDF was made (the .pptx was written); "
                      "install it: apt-get install --no-install-recommends libreoffice-impress")


def _convert(decks: list[Path], tmp: Path) -> list[bytes]:
    """The PDF of each deck, in one LibreOffice run with a private profile under tmp."""
    exe = soffice()
    outdir = tmp / "out"
    cmd = [exe, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--norestore",
           "--convert-to", "pdf", "--outdir", str(outdir), *map(str, decks)]
    try:  # TZ=UTC: LibreOffice then writes its dates with Z', like the rewritten ones
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                             env={**os.environ, "HOME": str(tmp), "TZ": "UTC"}, check=False)
    except subprocess.TimeoutExpired:
        raise ExportError(f"LibreOffice took longer than {TIMEOUT} s; no PDF was made") from None
    out = []
    for deck in decks:
        made = outdir / (deck.stem + ".pdf")
        if not made.is_file():
            detail = " ".join((run.stderr.strip() or run.stdout.strip()).split())
            raise ExportError(f"LibreOffice did not convert {deck}: {detail}")
        out.append(reproducible(made.read_bytes(), deck.read_bytes()))
    return out


def _utc_offset(zone: bytes) -> bytes:
    """A time zone suffix (Z', +01'00', -05:00, .123Z) as UTC in the same shape and length."""
    return re.sub(rb"\d", b"0", zone.replace(b"-", b"+"))


def _hex(seed: bytes, like: bytes) -> bytes:
    """Hex digits from seed with like's length and case, any dashes of like kept (uuids)."""
    digits = hashlib.shake_256(seed).hexdigest(len(like)).encode()
    digits = digits.upper() if like.upper() == like else digits
    return bytes(c if c == ord("-") else d for c, d in zip(like, digits, strict=False))


def reproducible(pdf: bytes, source: bytes) -> bytes:
    """pdf with its dates set to the build epoch and its ids derived from source (the PPTX), so the
    same deck gives the same bytes; every rewrite keeps its length, so offsets stay valid."""
    from deck.render.writer import build_epoch

    when = time.gmtime(build_epoch())
    stamp = time.strftime("%Y%m%d%H%M%S", when).encode()
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", when).encode()
    out = _INFO_DATE.sub(lambda m: m[1] + b"D:" + stamp[:len(m[2])] + _utc_offset(m[3]) + b")", pdf)
    out = _XMP_DATE.sub(lambda m: m[1] + iso + _utc_offset(m[3]) + b"<", out)
    out = _XMP_ID.sub(lambda m: m[1] + _hex(source + m[1], m[2]) + b"<", out)
    ident = _ID.search(out)
    if ident:  # both halves from the deck: the same deck is the same document
        start, end = ident.span(1)[0], ident.span(2)[1]
        middle = out[ident.end(1):ident.start(2)]
        out = out[:start] + _hex(source, ident[1]) + middle + _hex(source, ident[2]) + out[end:]
    checksum = _CHECKSUM.search(out)
    if checksum:  # LibreOffice's digest covered the random values; ours covers the rewritten file
        a, b = checksum.span(1)
        out = out[:a] + _hex(out[:a] + out[b:], checksum[1]) + out[b:]
    if len(out) != len(pdf):  # the xref offsets rely on it; a bug of ours, never the user's
        raise ExportError("internal error: making the PDF reproducible changed its length")
    return out


def pdf_bytes(decks: dict[str, bytes]) -> dict[str, bytes]:
    """PDFs of decks not written yet (file name -> PPTX bytes), made in a private folder, so a
    deck and its PDF can then be written together."""
    with tempfile.TemporaryDirectory(prefix="deck-lo-") as tmp:
        folder = Path(tmp, "in")
        folder.mkdir()
        for name, data in decks.items():
            (folder / name).write_bytes(data)
        return dict(zip(decks, _convert([folder / name for name in decks], Path(tmp)), strict=True))


def to_pdf(decks: list[Path]) -> list[Path]:
    """Convert existing decks to PDFs beside them."""
    with tempfile.TemporaryDirectory(prefix="deck-lo-") as tmp:
        pdfs = _convert(decks, Path(tmp))
    out = []
    for deck, data in zip(decks, pdfs, strict=True):
        write_output(deck.with_suffix(".pdf"), data)
        out.append(deck.with_suffix(".pdf"))
    return out


def contact_sheet(deck: Path, out: Path, columns: int = 6, limit: int | None = None,
                  force: bool = False) -> Path:
    """A grid image of every slide, numbered, made from LibreOffice's PDF."""
    from PIL import Image, ImageDraw, ImageFont

    from deck.text.fonts import font_file

    problem = not_regular(deck)
    if problem:
        raise DeckError(f"no such deck: {deck}" if problem == "missing" else
                        f"'{deck}' is {problem}, not a deck; give a .pptx file")
    if deck.suffix.lower() not in (".pptx", ".pdf"):
        raise DeckError(f"'{deck}' is not a .pptx deck (or its .pdf); give the deck to preview")
    check_targets([out], force)
    if not shutil.which("pdftoppm"):
        raise ExportError("pdftoppm is missing: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory(prefix="deck-preview-") as tmp:
        copy = Path(tmp, deck.name)
        shutil.copy(deck, copy)
        pdf = deck.with_suffix(".pdf") if deck.suffix == ".pdf" else to_pdf([copy])[0]
        pages = ["-l", str(limit)] if limit else []
        if subprocess.run(["pdftoppm", "-png", "-r", "24", *pages, str(pdf), str(Path(tmp, "s"))],
                          capture_output=True, check=False).returncode:
            raise ExportError(f"pdftoppm could not read {pdf}")
        pages = sorted(Path(tmp).glob("s-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        thumbs = [Image.open(p).convert("RGB") for p in pages]
        if not thumbs:
            raise ExportError(f"{deck} has no pages to preview")
        tw, th = thumbs[0].size
        pad, label = 8, 16
        rows = -(-len(thumbs) // columns)
        sheet = Image.new("RGB", (columns * (tw + pad) + pad, rows * (th + pad + label) + pad), "#E5E7EB")
        draw = ImageDraw.Draw(sheet)
        path, index = font_file("Noto Sans CJK SC")
        font = ImageFont.truetype(str(path), 12, index=index)
        for i, thumb in enumerate(thumbs):
            x = pad + (i % columns) * (tw + pad)
            y = pad + (i // columns) * (th + pad + label)
            draw.text((x, y), str(i + 1), fill="#374151", font=font)
            sheet.paste(thumb, (x, y + label))
        png = Path(tmp, "sheet.png")
        sheet.quantize(colors=128).save(png, optimize=True)
        write_output(out, png.read_bytes())
    return out
