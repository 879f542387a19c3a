"""The theme's diagram settings: how Mermaid renders (the `diagrams:` block, handed to Mermaid as
its configuration and hashed into the render cache key) and how a flowchart is drawn as native
shapes (`diagram_shapes:`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from deck.theme.typed_yaml import Range, Signed


@dataclass(frozen=True)
class Baseline:
    sub: Signed  # a:rPr baseline, thousandths of a percent of the size: below the line is negative
    sup: Signed


@dataclass(frozen=True)
class DiagramColors:
    """Palette names for the parts of a native diagram."""

    node_fill: str
    node_line: str
    cluster_fill: str
    cluster_line: str
    cluster_text: str
    edge: str
    text: str
    label_bg: str


@dataclass(frozen=True)
class DiagramShapes:
    """Flowcharts drawn as native shapes: what does not scale with Mermaid's layout (pt)."""

    label_size: Range  # slides: [max, floor]
    handout_label_size: Range
    label_min: float  # below the floor only for a diagram too big for it
    legible_min: float  # slides: labels below it get a warning (re-flow or split the diagram)
    line_spacing: float
    label_pad: float
    border_width: float
    cluster_border_width: float
    edge_width: float
    thick_width: float
    cross_size: float
    connector_tolerance: float  # farthest a glued connector may stray from Mermaid's route
    frame_slack: float  # share of a custom shape's size a glued site may lie off the middle of a side of its box
    large_ends_scale: float  # a diagram drawn this many times Mermaid's size or more takes large arrowheads
    dash: str  # a:prstDash of dotted edges
    end_size: str  # a:headEnd/a:tailEnd w and len
    script_scale: float  # <sub>/<sup> size relative to the label
    baseline: Baseline
    colors: DiagramColors


@dataclass(frozen=True)
class TitleMargin:
    top: float | None = None
    bottom: float | None = None


@dataclass(frozen=True)
class FlowchartConfig:
    """Mermaid's flowchart layout options a theme may set, under Mermaid's own names."""

    rankSpacing: float | None = None
    nodeSpacing: float | None = None
    padding: float | None = None
    diagramPadding: float | None = None
    wrappingWidth: float | None = None
    titleTopMargin: float | None = None
    subGraphTitleMargin: TitleMargin | None = None


@dataclass(frozen=True)
class SequenceConfig:
    """Mermaid's sequence diagram layout options a theme may set (sizes in px)."""

    diagramMarginX: float | None = None
    diagramMarginY: float | None = None
    actorMargin: float | None = None
    width: float | None = None
    height: float | None = None
    boxMargin: float | None = None
    boxTextMargin: float | None = None
    noteMargin: float | None = None
    messageMargin: float | None = None
    activationWidth: float | None = None
    wrapPadding: float | None = None


@dataclass(frozen=True)
class ThemeVariables:
    """Mermaid's `base` theme variables a theme may set (colours as CSS strings)."""

    background: str | None = None
    primaryColor: str | None = None
    primaryTextColor: str | None = None
    primaryBorderColor: str | None = None
    secondaryColor: str | None = None
    secondaryTextColor: str | None = None
    secondaryBorderColor: str | None = None
    tertiaryColor: str | None = None
    tertiaryTextColor: str | None = None
    tertiaryBorderColor: str | None = None
    lineColor: str | None = None
    textColor: str | None = None
    mainBkg: str | None = None
    nodeBorder: str | None = None
    nodeTextColor: str | None = None
    clusterBkg: str | None = None
    clusterBorder: str | None = None
    titleColor: str | None = None
    edgeLabelBackground: str | None = None
    defaultLinkColor: str | None = None
    noteBkgColor: str | None = None
    noteTextColor: str | None = None
    noteBorderColor: str | None = None
    actorBkg: str | None = None
    actorBorder: str | None = None
    actorTextColor: str | None = None
    actorLineColor: str | None = None
    signalColor: str | None = None
    signalTextColor: str | None = None
    labelBoxBkgColor: str | None = None
    labelBoxBorderColor: str | None = None
    labelTextColor: str | None = None
    loopTextColor: str | None = None
    activationBkgColor: str | None = None
    activationBorderColor: str | None = None
    sequenceNumberColor: str | None = None


@dataclass(frozen=True)
class DiagramSettings:
    """How Mermaid renders (the `diagrams:` block). Keys left out take the renderer's defaults and
    stay out of the cache key, so adding an optional key here invalidates no committed render."""

    scale: float  # PNG pixels per CSS pixel
    min_png_long_side: int
    max_png_long_side: int  # a huge diagram is drawn smaller in its PNG
    font_family: str
    font_size: int  # px
    flowchart: FlowchartConfig = FlowchartConfig()
    sequence: SequenceConfig = SequenceConfig()
    theme_variables: ThemeVariables = ThemeVariables()

    def data(self) -> dict[str, Any]:
        """The settings as given (keys left out stay out, whole numbers as ints): what the cache
        key hashes and what Mermaid's configuration is built from."""
        return _given(self)


def _given(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _given(v) for f in dataclasses.fields(obj)
                if (v := getattr(obj, f.name)) is not None and _given(v) != {}}
    if isinstance(obj, float) and obj.is_integer():
        return int(obj)  # `scale: 3` read as 3.0 must hash as the 3 it was
    return obj
