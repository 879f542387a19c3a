"""Our theme restyled for a user's template: its page and content area, its accent colours on our
blocks and labels, text colours checked against each layout's real background (WCAG contrast:
theme.template.body_contrast for text, title_contrast for titles), a dark code panel and
highlighting on a dark background, and the template's fonts to measure with where installed."""

from __future__ import annotations

import colorsys
from dataclasses import replace

from deck.render.template import DARK, Template, installed, is_dark, luminance
from deck.theme.settings import PT_PER_IN, Fonts, Palette, Theme


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


def _colours(base: Theme, t: Template, grounds: list[str], bg: str) -> Palette:
    """Our palette in the template's colours: text from its scheme and block accents from its
    accents, each readable on every ground; tints of the accents over bg."""
    style, p = base.template, base.palette
    text = pick(_scheme(t), grounds, style.body_contrast)
    muted = readable(mix(text, bg, style.muted), grounds, style.body_contrast)
    accents = _accents(t)
    # Block labels sit on their tint: the tint comes from the template's accent, the label is made readable.
    tints = [mix(a, bg, style.tint) for a in accents[:3]]
    primary, secondary, warning = (readable(a, [tint, *grounds], style.body_contrast)
                                   for a, tint in zip(accents[:3], tints, strict=True))
    # Inline code's tint follows the ground (our light tint under light text on a dark template hid it).
    return replace(p, background=bg, text=text, muted=muted, rule=mix(text, bg, style.rule), primary=primary,
                   code_span=mix(text, bg, style.code_span),
                   secondary=secondary, warning=warning, answer_tint=tints[0], follow_up_tint=tints[1],
                   pitfall_tint=tints[2])


def _scheme(t: Template) -> list[str]:
    c = t.colors
    return [c["dk1"], c["lt1"], c["dk2"], c["lt2"]]


def _accents(t: Template) -> list[str]:
    return [t.colors.get(f"accent{i}", t.colors["dk2"]) for i in range(1, 7)]


def paper_theme(base: Theme, slides: Theme, t: Template) -> Theme:
    """The A4 handout and scorecard (our own page) in the template's colours and faces: its content
    background when light (paper stays light), its text and accent colours made readable there, section
    bands in its first accent, and its theme fonts named outright (measured as on its slides)."""
    style = base.template
    content = t.layouts["answer"].background
    bg = base.palette.background if is_dark(content) else content
    palette = _colours(base, t, [bg], bg)
    band = readable(_accents(t)[0], [t.colors["lt1"]], style.body_contrast)
    palette = replace(palette, divider_bg=band,
                      divider_text=pick([t.colors["lt1"], *_scheme(t)], [band], style.body_contrast),
                      divider_accent=readable(_accents(t)[1], [band], style.title_contrast))
    latin, ea = t.fonts.get("minorFont", ""), t.fonts.get("minorFont_ea", "")
    fonts = replace(base.fonts, latin=latin or base.fonts.latin, east_asian=ea or base.fonts.east_asian,
                    measure=slides.fonts.measure)
    return replace(base, palette=palette, fonts=fonts)


def styled_theme(base: Theme, t: Template, warnings: list[str] | None = None) -> Theme:
    """Our theme on the template's page, in its colours and theme fonts; what a person should
    know (a template font this machine lacks) goes to warnings."""
    style, p = base.template, base.palette
    content = [t.layouts[r].background for r in ("answer", "code", "question", "references", "diagram")]
    dividers = [t.layouts[r].background for r in ("title", "section", "closing")]
    bg = content[0]
    dark = is_dark(bg)
    palette = replace(
        _colours(base, t, content, bg), divider_bg=dividers[0],
        divider_text=pick(_scheme(t), dividers, style.body_contrast),
        divider_accent=readable(_accents(t)[0], dividers, style.title_contrast),
        code_bg=style.dark_code_bg if dark else p.code_bg,
        code_border=style.dark_code_border if dark else p.code_border)
    code = replace(base.code, pygments_style=style.dark_code_style) if dark else base.code
    page = replace(base.slide, width=t.width / PT_PER_IN, height=t.height / PT_PER_IN)
    if t.area is None:  # our margins, scaled to the template's page
        page = replace(page, margin_x=base.slide.margin_x * page.width / base.slide.width,
                       margin_top=base.slide.margin_top * page.height / base.slide.height,
                       margin_bottom=base.slide.margin_bottom * page.height / base.slide.height)
    return replace(base, palette=palette, code=code, slide=page, area=t.area, roles=tuple(t.boxes.items()),
                   fonts=_fonts(base, t, warnings if warnings is not None else []))


def _fonts(base: Theme, t: Template, warnings: list[str]) -> Fonts:
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
        warnings.append(f"template '{t.path.name}': its font '{latin}' is not installed; text is measured with "
                        f"'{got}', which this machine draws instead (PowerPoint with '{latin}' may set lines "
                        "differently)")
    got_ea = installed(ea)
    if ea and got_ea and got_ea.replace(" ", "").lower() == ea.replace(" ", "").lower():
        measure = replace(measure, east_asian=got_ea, east_asian_bold=f"{got_ea}:bold")
    elif ea:
        warnings.append(f"template '{t.path.name}': its East Asian font '{ea}' is not installed; Chinese text is "
                        f"measured with '{m.east_asian}' (the theme's face, within its safety margin)")
    return replace(base.fonts, latin="+mn-lt", east_asian="+mn-ea", measure=measure)
