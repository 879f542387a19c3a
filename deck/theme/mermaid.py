"""Mermaid's own layout options and theme variables a theme may set (the `diagrams:` block of
theme.yaml, under Mermaid's names): plain data, left out where not given."""

from __future__ import annotations

from dataclasses import dataclass


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
