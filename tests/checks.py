"""Checks on written files: schema validity and text placement read back from the PDF."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

EMU = 12700
NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}
PML_PARTS = re.compile(r"ppt/(slides|slideLayouts|slideMasters|notesSlides|notesMasters)/[^/]+\.xml$|"
                       r"ppt/presentation\.xml$")


def schema_errors(deck: Path, schema: etree.XMLSchema) -> list[str]:
    """Every PresentationML part validated against pml.xsd; DrawingML comes with it."""
    errors = []
    with zipfile.ZipFile(deck) as z:
        names = [n for n in z.namelist() if PML_PARTS.match(n)]
        assert names, "no PresentationML parts found"
        for name in names:
            doc = etree.fromstring(z.read(name))
            if not schema.validate(doc):
                errors += [f"{name}: {e.message}" for e in list(schema.error_log)[:3]]
    return errors


def text_boxes(deck: Path) -> list[list[tuple[float, float, float, float]]]:
    """Per slide, the rectangles (pt) of every shape that holds text."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    def walk(shapes):  # noqa: ANN001, ANN202 - group children (diagrams) keep slide coordinates
        for shape in shapes:
            if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
                yield from walk(shape.shapes)
            else:
                yield shape

    out = []
    for slide in Presentation(str(deck)).slides:
        rects = []
        for shape in walk(slide.shapes):
            if shape.has_text_frame and shape.text_frame.text.strip():
                x, y = shape.left / EMU, shape.top / EMU
                rects.append((x, y, x + shape.width / EMU, y + shape.height / EMU))
            elif getattr(shape, "has_table", False):
                # A native table's rows as written: a row LibreOffice had to grow pushes the text of the
                # rows below out of theirs. (A row, not a cell: the PDF joins the text of neighbouring
                # cells on one baseline into one line; a cell's text wraps inside it, never across.)
                top, x = shape.top / EMU, shape.left / EMU
                for row in shape.table.rows:
                    rects.append((x, top, x + shape.width / EMU, top + row.height / EMU))
                    top += row.height / EMU
        out.append(rects)
    return out


def placement_problems(deck: Path, pdf: Path, tolerance: float = 2.5) -> list[str]:
    """Every line LibreOffice drew lies inside a text shape and the page, and no two
    lines overlap: read from the PDF's text positions (PyMuPDF)."""
    import pymupdf

    boxes = text_boxes(deck)
    problems: list[str] = []
    with pymupdf.open(pdf) as doc:
        assert len(doc) == len(boxes), f"{len(doc)} pages for {len(boxes)} slides"
        for number, (page, rects) in enumerate(zip(doc, boxes, strict=True), 1):
            lines = []
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", []):
                    ink = [c for s in line["spans"] for c in s["chars"] if not c["c"].isspace()]
                    text = "".join(c["c"] for s in line["spans"] for c in s["chars"]).strip()
                    if not ink:
                        continue
                    # The line's ink: a space that ends a line hangs past the margin, unseen, as in PowerPoint.
                    x0, x1 = min(c["bbox"][0] for c in ink), max(c["bbox"][2] for c in ink)
                    y1 = line["bbox"][3]
                    # Glyph core from the baseline and size: PDF line boxes include the
                    # font's full ascent/descent (larger still for fallback fonts), which
                    # legitimately exceeds a tight line pitch.
                    # The baseline of the line's full-size text: sub- and superscripts sit off it.
                    size = max(s["size"] for s in line["spans"])
                    base = max(s["origin"][1] for s in line["spans"] if s["size"] >= size - 0.01)
                    core = (x0, base - 0.7 * size, x1, base)
                    lines.append((core, text))
                    if x0 < -tolerance or x1 > page.rect.width + tolerance or y1 > page.rect.height + tolerance:
                        problems.append(f"slide {number}: off the page: {text[:30]!r}")
                    elif not any(x0 >= r[0] - tolerance and x1 <= r[2] + tolerance and
                                 core[1] >= r[1] - tolerance and core[3] <= r[3] + tolerance for r in rects):
                        problems.append(f"slide {number}: outside its box: {text[:30]!r} at "
                                        f"{tuple(round(v) for v in (x0, line['bbox'][1], x1, y1))}")
            # Superscripts and combining marks (ᵀ, v̂) come out of the PDF as lines of their own.
            lines = [(core, text) for core, text in lines if len(text) > 2]
            # Pieces on one baseline are one visual line (PyMuPDF splits at font changes).
            for i, (a, ta) in enumerate(lines):
                for b, tb in lines[i + 1:]:
                    same_line = abs(a[3] - b[3]) < 0.25 * (a[3] - a[1])
                    # Pieces that abut (a line split at a superscript) may share a few points.
                    if not same_line and a[0] < b[2] - 3 and b[0] < a[2] - 3 and a[1] < b[3] - 1 and b[1] < a[3] - 1:
                        problems.append(f"slide {number}: lines overlap: {ta[:20]!r} / {tb[:20]!r}")
    return problems


def plan_problems(plan, theme) -> list[str]:  # noqa: ANN001
    """Layout properties read from the plan, in process: every text fits its box as our
    measure sets it (code rows as given, other text re-broken at its size), and every box
    lies on the page. The LibreOffice checks above confirm the measure on real decks."""
    problems = []
    eps = 0.01
    for number, slide in enumerate(plan.slides, 1):
        for el, pad_x, pad_y in _framed(slide, plan.inset):
            b = el.box
            where = f"slide {number} ({slide.kind}) {getattr(el, 'role', type(el).__name__)}"
            if b.x < -eps or b.y < -eps or b.x + b.w > plan.width + eps or b.y + b.h > plan.height + eps:
                problems.append(f"{where}: box {b} off the page")
            measured = _measure(el, pad_x, pad_y, theme)
            if measured is None:
                continue
            used, height, found = measured
            problems += [f"{where}: {x}" for x in found]
            if used > height + 0.5:
                problems.append(f"{where}: text {used:.1f} pt tall in a {height:.1f} pt box: "
                                f"{el.paras[0].text[:30]!r}")
    return problems


def line_counts(plan, theme) -> list[float]:  # noqa: ANN001
    """Per slide, the lines our measure breaks its text into (code rows aside: they are given): each
    break is where LibreOffice might break otherwise and push text out of a box fitted to it, so the
    densest slides are where a sample for LibreOffice should look."""
    out = []
    for slide in plan.slides:
        lines = 0.0
        for el, pad_x, pad_y in _framed(slide, plan.inset):
            measured = _measure(el, pad_x, pad_y, theme)
            if measured is not None and not el.mono:
                lines += measured[0] / (el.size * el.line_spacing)
        out.append(lines)
    return out


def code_room(plan, theme) -> list[float]:  # noqa: ANN001
    """Per slide, the room its widest code row leaves in its box, in ems of its size (inf without
    code): a row LibreOffice draws wider than we measure it spills out sideways."""
    out = []
    for slide in plan.slides:
        room = [(el.box.w - 2 * pad_x - max(theme.mono(p.text.rstrip(), el.size) for p in el.paras)) / el.size
                for el, pad_x, _ in _framed(slide, plan.inset) if getattr(el, "mono", False) and el.paras]
        out.append(min(room, default=float("inf")))
    return out


def _framed(slide, inset):  # noqa: ANN001, ANN202
    """A slide's title and elements with their insets, and each table cell with its table's."""
    from deck.plan import Table

    cells = [(c, el.pad_x, el.pad_y) for el in slide.elements if isinstance(el, Table) for row in el.cells
             for c in row]
    return [(e, inset, inset) for e in (slide.title, *slide.elements)] + cells


def _measure(el, pad_x, pad_y, theme):  # noqa: ANN001, ANN202
    """A text element as our measure sets it: (height used, height inside its insets, problems of
    its lines and runs); None for an element without text."""
    from deck.plan import Text
    from deck.text import layout
    from deck.text.layout import Style

    if not isinstance(el, Text) or not el.paras:
        return None
    eps = 0.01
    problems = []
    width, height = el.box.w - 2 * pad_x, el.box.h - 2 * pad_y
    if el.mono:
        for p in el.paras:
            if theme.mono(p.text.rstrip(), el.size) > width + eps:
                problems.append(f"code row wider than its box: {p.text[:30]!r}")
        used = len(el.paras) * el.size * el.line_spacing
    else:
        bold = el.bold or all(r.bold for p in el.paras for r in p.runs)  # bold labels are short
        measure = theme.sans_bold if bold else theme.sans
        if any(r.size and r.size > el.size for p in el.paras for r in p.runs):
            problems.append("a run is larger than its box's size")
        style = Style(el.size, el.size, el.line_spacing, el.paragraph_gap)
        lines, used = layout.layout([_paragraph(p, theme) for p in el.paras], width, el.size, style, measure)
        if el.role == "cell" and all(len(ls) == 1 for ls in lines):  # one unbroken line: no spare
            used = len(el.paras) * el.size * el.line_spacing
        # A single line is never broken by a wider measure than ours; only height counts.
        if any(len(p.text) > 1 and w > width + eps for p, ls in zip(el.paras, lines, strict=True)
               for w in _line_widths(p.text, ls, measure, el.size)):
            problems.append("a line is wider than its box")
    return used, height, problems


def slide_kinds(plan) -> Counter[str]:  # noqa: ANN001
    """The kinds of slide a plan holds: a question's second answer (code, table, references) slide is
    a continued one; a diagram is native (shapes) or a picture; an answer slide may hold code (beside
    the blocks or in them), a table, a picture; a slide with click steps is a click build."""
    from deck.plan import Group, Picture, Table, Text

    kinds: Counter[str] = Counter()
    seen: Counter[tuple[str, str | None]] = Counter()
    for s in plan.slides:
        kind = {"reveal": "answer", "qa": "answer"}.get(s.kind, s.kind)
        if kind == "diagram":
            kind += " native" if any(isinstance(e, Group) for e in s.elements) else " picture"
        found = [kind]
        if any(isinstance(e, Table) for e in s.elements):
            found.append("table")
        if kind == "answer" and any(isinstance(e, Picture) for e in s.elements):
            found.append("picture")
        if kind == "answer" and any(isinstance(e, Text) and (e.mono or any(p.runs and all(r.code for r in p.runs)
                                                                          for p in e.paras)) for e in s.elements):
            found.append("answer with code")  # a code panel beside the blocks, or a code block's lines in them
        for k in found:
            seen[k, s.question_id] += 1
            continued = k in ("answer", "code", "table", "references") and seen[k, s.question_id] > 1
            kinds[f"{k} continued" if continued else k] += 1
        if any(getattr(e, "step", 0) for e in s.elements):
            kinds["click build"] += 1
    return kinds


def _line_widths(text, lines, measure, size):  # noqa: ANN001, ANN202
    """Each line's width (trailing spaces aside, lines of one character skipped) measured where it
    stands in its paragraph, as the layout measures it: a quote takes its script from the character
    before it, which may sit on the line above (LibreOffice sets the paragraph, not each line alone)."""
    from deck.text.layout import line_width

    edges = measure.edges(text)
    start = 0
    for line in lines:
        if len(line.rstrip()) > 1:
            yield line_width(text, start, start + len(line), edges) * size
        start += len(line)


def _paragraph(p, theme):  # noqa: ANN001, ANN202
    """A plan paragraph as the layout measured it: its indent, its gap, the face of its runs."""
    from deck.text.layout import Paragraph

    code = bool(p.runs) and all(r.code for r in p.runs)
    # Code and math runs make the layout measure a paragraph in the widest face; bold alone may be a
    # label or heading the planners measure their own way (checked here in the frame's face).
    styled = any(r.italic or r.code or r.baseline for r in p.runs)
    face = theme.mono if code else theme.mixed if styled else None
    return Paragraph(p.text, p.bullet, level=p.level, gap=p.gap_before, measure=face)


# Connection sites of the preset geometries our diagrams use (ECMA-376 presetShapeDefinitions.xml, a:cxnLst).
PRESET_SITES = {"rect": 4, "roundRect": 4, "diamond": 4, "flowChartPredefinedProcess": 4, "trapezoid": 4,
                "ellipse": 8, "hexagon": 6, "can": 4, "parallelogram": 6}


def glue_report(slide: etree._Element) -> tuple[int, int, list[str]]:
    """A slide's diagram edges: how many are glued connectors, how many free paths ("Edge ..."
    shapes), and what is wrong with the glue (an end not glued, a shape id that is not a shape
    of the same group, a site index past the shape's sites)."""
    glued = free = 0
    problems: list[str] = []
    for group in slide.iter(f"{{{NS['p']}}}grpSp"):
        shapes = {sp.find("p:nvSpPr/p:cNvPr", NS).get("id"): sp for sp in group.findall("p:sp", NS)}
        free += sum(1 for sp in shapes.values() if re.fullmatch(r"Edge (?!end ).*",
                                                                 sp.find("p:nvSpPr/p:cNvPr", NS).get("name")))
        for cxn in group.findall("p:cxnSp", NS):
            glued += 1
            name = cxn.find("p:nvCxnSpPr/p:cNvPr", NS).get("name")
            for tag in ("stCxn", "endCxn"):
                end = cxn.find(f"p:nvCxnSpPr/p:cNvCxnSpPr/a:{tag}", NS)
                sp = shapes.get(end.get("id")) if end is not None else None
                if sp is None:
                    problems.append(f"{name}: {tag} not glued to a shape of its group")
                    continue
                preset = sp.find("p:spPr/a:prstGeom", NS)
                count = PRESET_SITES.get(preset.get("prst"), 0) if preset is not None else \
                    len(sp.findall("p:spPr/a:custGeom/a:cxnLst/a:cxn", NS))
                if not 0 <= int(end.get("idx")) < count:
                    problems.append(f"{name}: {tag} idx {end.get('idx')} of {count} sites")
    return glued, free, problems
