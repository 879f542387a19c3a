"""The theme as typed data: theme.yaml and its label tables, in a shipped theme folder
(templates/<name>/, package data) or any folder given by path. Loaded once, validated against
the dataclasses below: a wrong type or an unknown key is a DeckError naming theme.yaml:line and
the key; a key a theme folder's file lacks (written for an older version) takes the default
theme's value. Its Jinja2 templates: deck.theme.text_templates.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from deck import resources
from deck.content.model import Bank
from deck.errors import DeckError
from deck.plan import Box, RoleBoxes
from deck.text.fonts import Face, Widest, faces
from deck.text.layout import Style
from deck.theme.diagram_settings import DiagramSettings, DiagramShapes
from deck.theme.labels import Labels, load_labels
from deck.theme.template_look import TemplateStyle
from deck.theme.typed_yaml import Range, Reader, compose, merged

PT_PER_IN = 72.0
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Palette:
    background: str
    text: str
    muted: str
    rule: str
    primary: str
    secondary: str
    warning: str
    divider_bg: str
    divider_text: str
    divider_accent: str
    code_bg: str
    code_border: str
    code_span: str  # the faint tint behind `code` inside text
    answer_tint: str
    follow_up_tint: str
    pitfall_tint: str


@dataclass(frozen=True)
class MeasureFonts:
    latin: str
    latin_bold: str
    east_asian: str
    east_asian_bold: str
    mono: str
    fallback: str
    emoji: str = ""  # measured where the faces and the fallback lack a glyph, if installed


@dataclass(frozen=True)
class Fonts:
    latin: str
    east_asian: str
    mono: str
    measure: MeasureFonts
    safety_margin: float
    asian_latin_gap: float
    line_spacing: float
    paragraph_gap: float


@dataclass(frozen=True)
class SlidePage:
    """The 16:9 page in inches as written in the file; the properties give points."""

    width: float
    height: float
    margin_x: float
    margin_top: float
    margin_bottom: float
    footer_height: float

    @property
    def w(self) -> float:
        return self.width * PT_PER_IN

    @property
    def h(self) -> float:
        return self.height * PT_PER_IN


@dataclass(frozen=True)
class Sizes:
    title_slide: Range
    subtitle: float
    section_title: Range
    section_number: float
    heading: float
    question: Range
    question_small: Range
    question_click: Range  # the question atop its own click-reveal slide
    block_label: float
    answer: Range
    follow_up: Range
    pitfall: Range
    code: Range
    body: Range
    footer: float
    marker: float
    notes: float


@dataclass(frozen=True)
class Code:
    pygments_style: str
    continuation: str  # starts a wrapped line's continuation row (muted)


@dataclass(frozen=True)
class AnkiNight:
    """Card colours in Anki's night mode (the palette's serve the light cards)."""

    text: str
    muted: str
    rule: str
    primary: str
    secondary: str
    warning: str
    answer_tint: str
    follow_up_tint: str
    pitfall_tint: str


@dataclass(frozen=True)
class Anki:
    """The Anki package's cards (deck/export/anki.py; the stylesheet is anki.css.j2)."""

    pygments_style: str  # inline colours on the style's own panel: the same in light and night mode
    font_size: float  # px: the card's body text
    question_size: float  # px
    code_size: float  # px
    width: float  # px: the widest a card's text runs (a desktop window; a phone is narrower)
    diagram_width: float  # px: a diagram is never drawn narrower (a phone scrolls it sideways)
    night: AnkiNight


@dataclass(frozen=True)
class Reveal:
    """How the blocks of a click-reveal slide enter: fade or appear."""

    effect: str
    duration_ms: int = 0


@dataclass(frozen=True)
class SlideLayout:
    """Offsets and gaps of the 16:9 slides, in points unless named otherwise."""

    inset: float
    footer_offset: float
    rule: float
    footer_shrink: float
    marker_indent: float
    marker_shrink: float
    question_top: float
    question_bottom: float
    accent_y: float
    accent_w: float
    accent_h: float
    title_gap: float
    restate_lines: int
    restate_cut_lines: int
    click_top: float
    click_lines: int
    area_bottom: float
    block_gap: float
    block_bar: float
    block_pad: float
    block_right: float
    block_label_y: float
    block_body_overlap: float
    block_extra: float
    code_split: float
    code_gutter: float
    code_pad_x: float
    code_pad_y: float
    diagram_gap: float
    caption_above: float
    caption_below: float
    caption_lines: int
    caption_grow: float
    caption_min: float
    divider_bar_above: float
    divider_bar_w: float
    divider_bar_h: float
    divider_number_y: float
    divider_title_y: float
    divider_title_gap: float
    divider_title_lines: int
    divider_sub_gap: float
    divider_sub_min: float
    divider_sub_lines: int
    list_gap: float
    list_bottom: float


@dataclass(frozen=True)
class HandoutSizes:
    title: float
    section: float
    question: Range
    body: Range
    label: float
    code: Range
    footer: float


@dataclass(frozen=True)
class HandoutLayout:
    """Offsets and gaps of the A4 pages, in points (fractions of the page where named so)."""

    gap: float
    footer_room: float
    page_title_above: float
    rule_above: float
    rule: float
    qa_reserve: float
    qa_heading_share: float
    qa_overlap: float
    qa_bar: float
    code_indent: float
    code_pad: float
    code_page_share: float
    cover_band: float
    cover_title_y: float
    cover_title_h: float
    cover_title_min: float
    cover_sub_y: float
    cover_sub_h: float
    cover_sub_shrink: float
    cover_sub_min: float
    cover_note_y: float
    cover_note_h: float
    cover_note_grow: float
    band_pad: float
    band_gap: float
    band_text_y: float
    band_shrink: float
    diagram_share: float
    diagram_gap: float
    diagram_title_min: float
    contents_head: float
    contents_title_shrink: float
    contents_grow: float
    contents_gap: float
    contents_number_w: float
    score_head_gap: float
    score_head_shrink: float
    score_box_w: float
    score_box_h: float
    score_box_y: float
    score_gap: float
    score_pad: float
    score_row_min: float
    score_rule_above: float
    score_row_gap: float
    score_cut_lines: int
    score_grow: float
    score_section_shrink: float


@dataclass(frozen=True)
class Handout:
    width_mm: float
    height_mm: float
    margin_mm: float
    sizes: HandoutSizes
    layout: HandoutLayout

    @property
    def w(self) -> float:
        return self.width_mm * PT_PER_MM

    @property
    def h(self) -> float:
        return self.height_mm * PT_PER_MM

    @property
    def margin(self) -> float:
        return self.margin_mm * PT_PER_MM


@dataclass(frozen=True)
class BlockStyle:
    """How one answer block is told apart: its label, accent, tint and sizes."""

    role: str
    label: str
    accent: str
    tint: str
    size: Range


@dataclass(frozen=True)
class Tables:
    """Markdown tables as native tables, in points; colours are palette names."""

    scale: float  # cell text: this share of the size of the text around the table
    pad_x: float  # cell insets
    pad_y: float
    border_width: float
    header_fill: str
    fill: str
    border: str


@dataclass(frozen=True)
class Images:
    """Markdown pictures: as wide as the text allows, never past their pixels at dpi."""

    dpi: float
    max_height: float  # slides, points
    handout_max_height: float
    svg_scale: float  # an SVG's PNG fallback: pixels per CSS pixel of its drawn size


@dataclass(frozen=True)
class Theme:
    palette: Palette
    fonts: Fonts
    slide: SlidePage
    layout: SlideLayout
    sizes: Sizes
    code: Code
    handout: Handout
    reveal: Reveal
    diagrams: DiagramSettings
    diagram_shapes: DiagramShapes
    anki: Anki
    template: TemplateStyle
    tables: Tables
    images: Images
    name: str = "default"
    folder: Path = field(default=Path(), compare=False)
    area: Box | None = None  # content area on a template's page (points); None: the slide margins
    roles: tuple[tuple[str, RoleBoxes], ...] = ()  # a template's layout boxes by slide role

    def role(self, name: str) -> RoleBoxes | None:
        return dict(self.roles).get(name)

    def style(self, sizes: Range | float, step: float = 1.0) -> Style:
        """Fitting style for a size range: line pitch and paragraph gap from the theme."""
        hi, lo = (sizes.max, sizes.min) if isinstance(sizes, Range) else (sizes, sizes)
        return Style(max_size=hi, min_size=lo, line_spacing=self.fonts.line_spacing,
                     paragraph_gap=self.fonts.paragraph_gap, step=step)

    def color(self, name: str) -> str:
        """A palette colour by its name (names in the theme, e.g. diagram_shapes.colors)."""
        return getattr(self.palette, name)

    def blocks(self, labels: Labels) -> tuple[BlockStyle, ...]:
        """标准答 / 反问点 / 坑位 (or their translations), in the order a reveal shows them."""
        p, s = self.palette, self.sizes
        return (BlockStyle("answer", labels.answer, p.primary, p.answer_tint, s.answer),
                BlockStyle("follow_up", labels.follow_up, p.secondary, p.follow_up_tint, s.follow_up),
                BlockStyle("pitfall", labels.pitfall, p.warning, p.pitfall_tint, s.pitfall))

    @functools.cached_property
    def _faces(self) -> dict[str, Face]:
        m = self.fonts.measure
        table = {"latin": m.latin, "latin_bold": m.latin_bold, "east_asian": m.east_asian,
                 "east_asian_bold": m.east_asian_bold, "mono": m.mono, "fallback": m.fallback, "emoji": m.emoji}
        return faces(table, self.fonts.safety_margin, self.fonts.asian_latin_gap)

    @property
    def sans(self) -> Face:
        return self._faces["sans"]

    @property
    def sans_bold(self) -> Face:
        return self._faces["sans_bold"]

    @property
    def mono(self) -> Face:
        return self._faces["mono"]

    @functools.cached_property
    def mixed(self) -> Face:
        """For text mixing regular, bold and code runs: each character as wide as its widest face."""
        return Widest(self.sans, self.sans_bold, self.mono)

    def labels(self, language: str) -> Labels:
        default = resources.themes_dir() / "default" / "labels"
        return load_labels(tuple(dict.fromkeys((self.folder / "labels", default))), language)


def read_theme(path: Path, name: str) -> Theme:
    """Parse and validate one theme.yaml; the keys it lacks come from the default theme's."""
    root = compose(path, "the theme")
    default = resources.themes_dir() / "default" / "theme.yaml"
    if path.resolve() != default.resolve():
        root = merged(root, compose(default, "the theme"))
    if isinstance(root, yaml.MappingNode):  # `name:` is informative; the folder names the theme
        root.value = [(k, v) for k, v in root.value if k.value != "name"]
    reader = Reader(path.name)
    theme = reader.read(Theme, root, "", skip=("name", "folder", "area", "roles"))
    names = {f.name for f in dataclasses.fields(Palette)}
    colors = {f"diagram_shapes.colors.{k}": v for k, v in dataclasses.asdict(theme.diagram_shapes.colors).items()}
    colors |= {f"tables.{k}": getattr(theme.tables, k) for k in ("header_fill", "fill", "border")}
    for key, value in colors.items():
        if value not in names:
            raise DeckError(f"{path.name}: '{key}': '{value}' is not a palette colour "
                            f"(palette: {', '.join(sorted(names))})")
    d = theme.diagrams
    if d.max_png_long_side < d.min_png_long_side:
        raise DeckError(f"{path.name}: 'diagrams.max_png_long_side' ({d.max_png_long_side}) is below "
                        f"'diagrams.min_png_long_side' ({d.min_png_long_side})")
    if theme.reveal.effect not in REVEAL_EFFECTS:
        raise DeckError(f"{path.name}: 'reveal.effect': '{theme.reveal.effect}' is not one of "
                        + ", ".join(REVEAL_EFFECTS))
    return dataclasses.replace(theme, name=name, folder=path.parent)


REVEAL_EFFECTS = ("fade", "appear")


def theme_folder(spec: str, base: Path | None = None) -> Path:
    """A shipped theme's NAME, or a PATH to a folder holding theme.yaml (relative to base, e.g. the
    content folder for deck.yaml's `theme:`). A value with a slash is always a path."""
    shipped = resources.themes_dir()
    if not any(sep in spec for sep in "/\\") and (shipped / spec / "theme.yaml").is_file():
        return shipped / spec
    folder = Path(spec).expanduser()
    if base is not None and not folder.is_absolute():
        folder = base / folder
    if (folder / "theme.yaml").is_file():
        return folder
    known = ", ".join(sorted(p.name for p in shipped.iterdir() if (p / "theme.yaml").is_file()))
    raise DeckError(f"theme '{spec}' not found: not a shipped theme ({known}) nor a folder with theme.yaml")


@functools.cache
def load_theme(spec: str = "default", base: Path | None = None) -> Theme:
    folder = theme_folder(spec, base)
    return read_theme(folder / "theme.yaml", spec)


def bank_theme(bank: Bank, spec: str | None) -> Theme:
    """The theme a build of this bank uses: --theme when given, else deck.yaml's theme:
    (a path there is relative to the bank), else the default."""
    return load_theme(spec) if spec else load_theme(bank.theme or "default", bank.root)
