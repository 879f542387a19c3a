"""The deck plan: plain immutable data describing every slide, no python-pptx.

Geometry is in points (1/72 in). Profiles (deck.planning.profiles, deck.planning.handout) build a
DeckPlan from a Bank; deck.render.writer turns it into a .pptx.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class RoleBoxes:
    """Where a template's layout for one slide role puts its title and text (points, on the page)."""

    title: Box | None  # its title placeholder (title or ctrTitle, after master inheritance)
    anchor: str  # that placeholder's vertical anchor: t, ctr or b
    body: Box | None  # its subtitle or body placeholder
    area: Box | None  # its content area (title top to body bottom, clear of artwork); None: none usable


@dataclass(frozen=True)
class Run:
    text: str
    color: str | None = None  # hex RGB; None = the element's colour
    bold: bool = False
    italic: bool = False
    size: float | None = None  # None = the element's size
    link: str | None = None  # key of a slide to jump to
    url: str | None = None  # external hyperlink (a references entry)
    baseline: int = 0  # percent x 1000 of the size: > 0 raised (superscript), < 0 lowered (subscript)
    strike: bool = False
    code: bool = False  # set in the monospace face
    highlight: str | None = None  # hex RGB behind the text (a code span's faint tint)


@dataclass(frozen=True)
class Para:
    runs: tuple[Run, ...]
    bullet: bool = False
    align: Literal["l", "ctr", "r"] = "l"
    gap_before: bool = False  # paragraph gap (theme) before this paragraph
    level: int = 0  # indent steps (Text.bullet_indent each) before the bullet: a nested list item
    number: int | None = None  # a numbered item (a:buAutoNum): its number

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Text:
    box: Box
    paras: tuple[Para, ...]
    size: float
    color: str
    role: str  # question, answer, follow_up, pitfall, code, label, footer, ...
    mono: bool = False
    bold: bool = False
    anchor: Literal["t", "ctr", "b"] = "t"
    fill: str | None = None
    line_spacing: float = 1.3
    paragraph_gap: float = 0.35
    bullet_indent: float = 1.1  # em
    number_indent: float = 1.6  # em: a numbered item's hang, room for "10."
    step: int = 0  # click step that reveals it (0 = visible from the start)


@dataclass(frozen=True)
class Rect:
    box: Box
    fill: str
    line: str | None = None
    step: int = 0


@dataclass(frozen=True)
class Picture:
    box: Box
    diagram: str  # diagram id; the renderer looks up its SVG and PNG ("" for a media file)
    alt: str
    step: int = 0
    media: str = ""  # a bank's picture file (absolute path; PNG, JPEG, GIF or SVG) instead of a diagram


@dataclass(frozen=True)
class Line:
    """An outline: colour, width in pt, preset dash name, line-end types (a:headEnd/a:tailEnd)."""

    color: str
    width: float
    dash: str | None = None  # "dash", "sysDash", ...; None = solid
    head: str | None = None  # end type at the path's start: "triangle", "oval", "diamond", ...
    tail: str | None = None  # end type at the path's end
    end_size: str = "med"  # a:headEnd/a:tailEnd w and len


@dataclass(frozen=True)
class Shape:
    """A drawn shape: a preset geometry (a:prstGeom) or, with a path, custom geometry
    (a:custGeom); path coordinates are points relative to the box's top-left."""

    box: Box
    geometry: str  # preset name ("rect", "roundRect", "ellipse", ...) or "custom"
    fill: str | None
    line: Line | None
    name: str
    adjust: tuple[tuple[str, int], ...] = ()  # preset guides (a:avLst), e.g. (("adj", 50000),)
    path: tuple[tuple[object, ...], ...] = ()  # ("M", x, y) | ("L", x, y) | ("C", x1, y1, x2, y2, x, y) | ("Z",)
    closed: bool = True  # False: an open path, never filled (edges)
    detail: tuple[tuple[object, ...], ...] = ()  # custom geometry's inner strokes (a second path, not filled)
    flip_h: bool = False
    flip_v: bool = False
    step: int = 0
    # Text in the shape's own body (a diagram node's label): its box is not used; the insets
    # (l, t, r, b in pt, from the geometry's text rectangle) place it. wrap=False: not wrapped.
    text: Text | None = None
    insets: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    wrap: bool = True
    sites: tuple[tuple[float, float], ...] = ()  # custom geometry's connection sites, relative to the box
    url: str | None = None  # clicking the shape opens it (a diagram node's `click X href`)
    link: str | None = None  # clicking the shape jumps to this slide (key; `click X "#id"`)


@dataclass(frozen=True)
class Glue:
    """A connector end glued to a shape of the same group: the shape's name, its site index."""

    shape: str
    site: int


@dataclass(frozen=True)
class Connector:
    """A preset connector (p:cxnSp) glued to its shapes' connection sites, so it follows them
    when they move. box is the unrotated frame; rot is in degrees (0, 90, 180, 270), applied
    after the flips about the box's centre."""

    box: Box
    geometry: str  # straightConnector1, bentConnector2, bentConnector3, curvedConnector3
    line: Line
    name: str
    start: Glue | None
    end: Glue | None
    adjust: tuple[tuple[str, int], ...] = ()
    flip_h: bool = False
    flip_v: bool = False
    rot: int = 0
    step: int = 0


@dataclass(frozen=True)
class Group:
    """Shapes and text boxes that move together (one diagram): a p:grpSp."""

    box: Box
    children: tuple[Shape | Text | Connector, ...]
    name: str
    alt: str = ""
    step: int = 0


@dataclass(frozen=True)
class Table:
    """A native table (a:tbl): one text frame per cell on a grid of column widths and row heights;
    each cell's box is its grid cell, its fill the cell's, its text set inside pad_x/pad_y."""

    box: Box
    columns: tuple[float, ...]
    rows: tuple[float, ...]
    cells: tuple[tuple[Text, ...], ...]  # row-major, the header row first when header
    header: bool
    border: Line
    pad_x: float
    pad_y: float
    step: int = 0


Element = Text | Rect | Picture | Shape | Group | Table


@dataclass(frozen=True)
class Effect:
    """How the elements of a click step enter: at once, or fading in over duration_ms."""

    kind: Literal["appear", "fade"] = "appear"
    duration_ms: int = 0


@dataclass(frozen=True)
class Slide:
    kind: str  # title, agenda, section, diagram, question, reveal, code, references, closing, ...
    key: str  # unique; hyperlink target
    title: Text  # goes into the title placeholder (outline, navigation, screen readers)
    elements: tuple[Element, ...] = ()
    notes: tuple[Para, ...] = ()  # speaker notes: paragraphs of styled runs, never fitted (a notes page scrolls)
    background: str | None = None
    question_id: str | None = None
    effect: Effect = Effect()  # entrance of its click steps (elements with step > 0), in step order

    @property
    def notes_text(self) -> str:
        """The notes as plain text, one line per paragraph."""
        return "\n".join(p.text for p in self.notes)


@dataclass(frozen=True)
class Faces:
    """Typefaces the runs name: Latin, East Asian and monospace."""

    latin: str
    east_asian: str
    mono: str


@dataclass(frozen=True)
class NotesStyle:
    size: float
    color: str
    line_spacing: float


@dataclass(frozen=True)
class DeckPlan:
    profile: str
    title: str
    width: float
    height: float
    slides: tuple[Slide, ...]
    faces: Faces
    notes: NotesStyle  # speaker notes (Slide.notes)
    inset: float  # text box inset on every side
    link_color: str  # hyperlinks, visited or not (the theme's hlink colours)
    svg_scale: float  # a bank's SVG picture gets a PNG fallback of this many pixels per CSS pixel drawn
    language: str = "zh-CN"  # BCP 47 tag of the deck's text
