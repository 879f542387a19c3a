"""Side-by-side pictures of corpus flowcharts: our slide drawn by LibreOffice, our slide drawn by a
second engine (Aspose.Slides, evaluation mode: `pip install aspose-slides`, Debian libgdiplus), and
Mermaid's own render, one PNG per case in build/side-by-side/ (derived from corpus files: never
commit them).

    python scripts/side_by_side.py 20-all-shapes-styled 58-demo-30-shapes-bidir-tb ...
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml
from lxml import etree
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deck.cli import main as deck_main  # noqa: E402
from deck.content.scaffold import starter_files, write_new_bank  # noqa: E402
from deck.diagrams.session import RenderSession  # noqa: E402
from deck.export.pdf import to_pdf  # noqa: E402
from deck.theme.settings import load_theme  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "mermaid-flowcharts"
NS = {"p": "http://schemas.openxmlformats.org/presentationml/2006/main"}
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
DPI = 200  # both engines draw the slide at this resolution
PANEL_H = 700  # px: each panel is scaled to this height
BAR = 28  # px: the caption bar above each panel


def _source(name: str) -> Path:
    for folder in (CORPUS, CORPUS / "shape-aliases"):
        if (folder / f"{name.removesuffix('.mmd')}.mmd").is_file():
            return folder / f"{name.removesuffix('.mmd')}.mmd"
    raise SystemExit(f"{name}: not in {CORPUS}")


def _deck(files: list[Path], tmp: Path) -> Path:
    """The files as the diagrams of a temporary bank, built as a study deck through the CLI."""
    bank = tmp / "bank"
    write_new_bank(bank, starter_files("en"))
    index = {}
    for f in files:
        shutil.copy(f, bank / "diagrams" / f.name)
        index[f.stem] = {"title": f.stem, "caption": f"Mermaid corpus: {f.name}", "notes": "From Mermaid's tests."}
    meta = bank / "diagrams/diagrams.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + yaml.safe_dump(index, allow_unicode=True), encoding="utf-8")
    section = {"section": {"id": "corpus", "number": 3, "title": "Corpus", "diagrams": list(index)},
               "questions": [{"id": "corpus-q", "question": "Which diagrams?", "answer": "These.",
                              "follow_up": "More?", "pitfall": "None."}]}
    (bank / "03-corpus.yaml").write_text(yaml.safe_dump(section), encoding="utf-8")
    out = tmp / "study.pptx"
    if deck_main(["build", "-q", "--content", str(bank), "--profile", "study", "--cache", str(tmp / "c"),
                  "-o", str(out)]) != 0:
        raise SystemExit("the build failed")
    return out


def _slides(deck: Path) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """Each corpus diagram's slide number (1-based) and its box on the slide (pt), told by its alt text."""
    found = {}
    with zipfile.ZipFile(deck) as z:
        order = etree.fromstring(z.read("ppt/presentation.xml")).findall(".//p:sldId", NS)
        rels = etree.fromstring(z.read("ppt/_rels/presentation.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels}
        rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        for number, sld in enumerate(order, 1):
            slide = etree.fromstring(z.read("ppt/" + target[sld.get(rid)].removeprefix("/ppt/")))
            for pr in slide.iterfind(".//p:cNvPr", NS):
                if pr.get("descr", "").startswith("Mermaid corpus: "):
                    xfrm = next(pr.getparent().getparent().iter(f"{{{A}}}xfrm"))
                    off, ext = xfrm.find(f"{{{A}}}off"), xfrm.find(f"{{{A}}}ext")
                    box = tuple(int(v) / 12700 for v in (off.get("x"), off.get("y"), ext.get("cx"), ext.get("cy")))
                    found[pr.get("descr").removeprefix("Mermaid corpus: ").removesuffix(".mmd")] = (number, box)
    return found


def _crop(image: Image.Image, box: tuple[float, float, float, float], dpi: float) -> Image.Image:
    """The diagram's part of a slide picture (dpi: pixels per inch), with a small margin."""
    k, m = dpi / 72, 8
    x, y, w, h = box
    return image.crop((round((x - m) * k), round((y - m) * k), round((x + w + m) * k), round((y + h + m) * k)))


def _panel(image: Image.Image, title: str) -> Image.Image:
    image = image.convert("RGB")
    image = image.resize((max(1, round(image.width * PANEL_H / image.height)), PANEL_H), Image.LANCZOS)
    out = Image.new("RGB", (image.width, PANEL_H + BAR), "white")
    out.paste(image, (0, BAR))
    ImageDraw.Draw(out).text((8, 6), title, fill="black")
    return out


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("cases", nargs="+", help="corpus file names (with or without .mmd)")
    args.add_argument("-o", "--out", type=Path, default=REPO / "build" / "side-by-side")
    a = args.parse_args(argv)
    import aspose.slides as slides  # optional: only this script and one test need it

    files = [_source(c) for c in a.cases]
    a.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="side-by-side-") as t:
        tmp = Path(t)
        deck = _deck(files, tmp)
        numbers = _slides(deck)
        (pdf,) = to_pdf([deck])
        theme = load_theme()
        with slides.Presentation(str(deck)) as pres, \
                RenderSession(theme.diagrams, repo_root=REPO, needed_for=["side-by-side"]) as session:
            for f in files:
                n, box = numbers[f.stem]
                subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(n), "-l", str(n), "-singlefile",
                                str(pdf), str(tmp / "lo")], check=True)
                pres.slides[n - 1].get_image(DPI / 72, DPI / 72).save(str(tmp / "aspose.png"), slides.ImageFormat.PNG)
                (tmp / "mermaid.png").write_bytes(session.render("m", f.read_text(encoding="utf-8"), label=f.name).png)
                panels = [_panel(_crop(Image.open(tmp / "lo.png"), box, DPI), f"ours in LibreOffice: {f.stem}"),
                          _panel(_crop(Image.open(tmp / "aspose.png"), box, DPI), "ours in Aspose.Slides (evaluation)"),
                          _panel(Image.open(tmp / "mermaid.png"), "Mermaid's render")]
                sheet = Image.new("RGB", (sum(p.width for p in panels) + 16 * 2, PANEL_H + BAR), "#888888")
                x = 0
                for p in panels:
                    sheet.paste(p, (x, 0))
                    x += p.width + 16
                sheet.save(a.out / f"{f.stem}.png")
                print(a.out / f"{f.stem}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
