"""Our theme restyled for a user's template: its page and content area, its accent colours on our
blocks and labels, text colours checked against each layout's real background (WCAG contrast:
theme.template.body_contrast for text, title_contrast for titles), a dark code panel and
highlighting on a dark background, and the template's fonts to measure with where installed."""

from __future__ import annotations

import colorsys
import sys
from dataclasses import replace

from deck.render.template import DARK, Template, installed, is_dark, luminance
from deck.theme.settings import PT_PER_IN, Fonts, Theme


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def mix(color: str, ground: str, share: float) -> str:
    """`share` of color over ground."""
    return "".join(f"{round(int(color[i:i + 2], 16) * share + int(ground[i:i + 2], 16) * (1 - share)):02X}"
                   for i in (0, 2, 4))


def readable(color: str, grounds: list[str], ratio: float) -> str:
    """The colour, darkened or lightened (hue kept) until it meets the ratio on every ground."""
    if all(contrast(color, g) >= ratio for g in grounds):
        return color
    h, lum, s = colorsys.rgb_to_hls(*(int(color[i:i + 2], 16) / 255 for i in (0, 2, 4)))
    darker = sum(luminance(g) for g in grounds) / len(grounds) > DARK
    for step in range(1, 101):
        target = lum * (1 - step / 100) if darker else lum + (1 - lum) * step / 100
        out = "".join(f"{round(c * 255):02X}" for c in colorsys.hls_to_rgb(h, target, s))
        if all(contrast(out, g) >= ratio for g in grounds):
            return out
    return "000000" if darker else "FFFFFF"


def pick(candidates: list[str], grounds: list[str], ratio: float) -> str:
    """The first candidate readable on every ground, else the most readable one made readable."""
    for c in candidates:
        if all(contrast(c, g) >= ratio for g in grounds):
            return c
    best = max(candidates, key=lambda c: min(contrast(c, g) for g in grounds))
    return readable(best, grounds, ratio)


def styled_theme(base: Theme, t: Template) -> Theme:
    style, p, c = base.template, base.palette, t.colors
    content = [t.layouts[r].background for r in ("answer", "code", "question", "references", "diagram")]
    dividers = [t.layouts[r].background for r in ("title", "section", "closing")]
    bg = content[0]
    dark = is_dark(bg)
    scheme = [c["dk1"], c["lt1"], c["dk2"], c["lt2"]]
    text = pick(scheme, content, style.body_contrast)
    muted = readable(mix(text, bg, style.muted), content, style.body_contrast)
    accents = [c.get(f"accent{i}", c["dk2"]) for i in range(1, 7)]
    # Block labels sit on their tint: the tint comes from the template's accent, the label is made readable.
    tints = [mix(a, bg, style.tint) for a in accents[:3]]
    primary, secondary, warning = (readable(a, [tint, *content], style.body_contrast)
                                   for a, tint in zip(accents[:3], tints, strict=True))
    divider_text = pick(scheme, dividers, style.body_contrast)
    palette = replace(
        p, background=bg, text=text, muted=muted, rule=mix(text, bg, style.rule), primary=primary,
        secondary=secondary, warning=warning, divider_bg=dividers[0], divider_text=divider_text,
        divider_accent=readable(accents[0], dividers, style.title_contrast),
        answer_tint=tints[0], follow_up_tint=tints[1], pitfall_tint=tints[2],
        code_bg=style.dark_code_bg if dark else p.code_bg,
        code_border=style.dark_code_border if dark else p.code_border)
    code = replace(base.code, pygments_style=style.dark_code_style) if dark else base.code
    page = replace(base.slide, width=t.width / PT_PER_IN, height=t.height / PT_PER_IN)
    if t.area is None:  # our margins, scaled to the template's page
        page = replace(page, margin_x=base.slide.margin_x * page.width / base.slide.width,
                       margin_top=base.slide.margin_top * page.height / base.slide.height,
                       margin_bottom=base.slide.margin_bottom * page.height / base.slide.height)
    return replace(base, palette=palette, code=code, slide=page, area=t.area, roles=tuple(t.boxes.items()),
                   fonts=_fonts(base, t))


def _fonts(base: Theme, t: Template) -> Fonts:
    """Runs name the theme fonts (+mn/+mj); we measure with the template's faces where installed,
    else with what fontconfig substitutes for its Latin face (what LibreOffice draws here) and our
    East Asian face, and say so."""
    m = base.fonts.measure
    latin, ea = t.fonts.get("minorFont", ""), t.fonts.get("minorFont_ea", "")
    measure = m
    got = installed(latin)
    if latin and got and got.replace(" ", "").lower() == latin.replace(" ", "").lower():
        measure = replace(measure, latin=got, latin_bold=f"{got}:bold")
    elif latin and got:
        measure = replace(measure, latin=got, latin_bold=f"{got}:bold")
        print(f"warning: template '{t.path.name}': its font '{latin}' is not installed; text is measured with "
              f"'{got}', which this machine draws instead (PowerPoint with '{latin}' may set lines differently)",
              file=sys.stderr)
    got_ea = installed(ea)
    if ea and got_ea and got_ea.replace(" ", "").lower() == ea.replace(" ", "").lower():
        measure = replace(measure, east_asian=got_ea, east_asian_bold=f"{got_ea}:bold")
    elif ea:
        print(f"warning: template '{t.path.name}': its East Asian font '{ea}' is not installed; Chinese text is "
              f"measured with '{m.east_asian}' (the theme's face, within its safety margin)", file=sys.stderr)
    return replace(base.fonts, latin="+mn-lt", east_asian="+mn-ea", measure=measure)
