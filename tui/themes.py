"""Terminal colours drawn from the theme, readable on it.

Pillar colours, health dots and the like are named as terminal colours ("yellow",
"bright_cyan") because a taxonomy is written without knowing the theme. Textual turns those
names into real colours through an ANSI palette; the stock palettes put yellow and cyan on a
light background. This module makes the palette from the current theme's own variables
(warning for yellow, secondary for cyan...) and moves each colour towards black or white until
it reads on the theme's background and surface. Themes that use the terminal's own ANSI colours
("textual-ansi") are left to the terminal.
"""

from __future__ import annotations

import colorsys
from collections.abc import Mapping

from rich.style import Style
from rich.terminal_theme import TerminalTheme
from textual.color import Color

from feeds import Pillar

# The eight terminal colours in their order, and the theme variable each takes its hue from.
TERMINAL_ORDER = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
THEME_VARIABLE = {
    "black": "foreground-muted",
    "red": "error",
    "green": "success",
    "yellow": "warning",
    "blue": "primary",
    "magenta": "accent",
    "cyan": "secondary",
    "white": "foreground",
}
CHROMATIC = ("red", "green", "yellow", "blue", "magenta", "cyan")
READABLE = 4.5  # contrast ratio for text (WCAG AA)
APART = 80.0  # distance in RGB below which two pillar colours would be taken for one
BRIGHTER = 0.15  # how far a bright_ colour moves from its plain one


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: Color) -> float:
    """Relative luminance (WCAG 2), 0 for black to 1 for white."""
    r, g, b = (_linear(c) for c in colour.rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Color, b: Color) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(colour: Color, backgrounds: tuple[Color, ...], minimum: float = READABLE) -> Color:
    """`colour`, moved towards black on light backgrounds (white on dark) until it reads on each."""
    towards = Color(0, 0, 0) if luminance(backgrounds[0]) > 0.4 else Color(255, 255, 255)
    for step in range(21):
        tried = colour.blend(towards, step / 20)
        if all(contrast(tried, back) >= minimum for back in backgrounds):
            return tried
    return towards


def _distance(a: Color, b: Color) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a.rgb, b.rgb, strict=True)) ** 0.5)


def _turned(colour: Color, turn: float) -> Color:
    """`colour` with its hue turned by `turn` (a fraction of the circle)."""
    h, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in colour.rgb))
    r, g, b = colorsys.hls_to_rgb((h + turn) % 1, lightness, max(saturation, 0.5))
    return Color(round(r * 255), round(g * 255), round(b * 255))


def _apart(colour: Color, taken: list[Color], backgrounds: tuple[Color, ...]) -> Color:
    """`colour`, its hue turned until it differs from each colour `taken` (some themes give
    two roles one colour: textual-dark's accent is its warning)."""
    tried = colour
    for step in range(12):
        if all(_distance(tried, other) >= APART for other in taken):
            return tried
        tried = readable(_turned(colour, (step + 1) / 12), backgrounds)
    return tried


def _solid(value: str, under: Color) -> Color:
    colour = Color.parse(value)
    return under + colour if colour.a < 1 else colour  # variables may be translucent


def terminal_palette(variables: Mapping[str, str]) -> dict[str, Color]:
    """Each terminal colour name (and its bright_ twin) as a colour of the theme, readable."""
    background = Color.parse(variables["background"])
    backgrounds = (
        background,
        _solid(variables.get("surface", variables["background"]), background),
    )
    dark = luminance(background) <= 0.4
    palette: dict[str, Color] = {}
    for name in TERMINAL_ORDER:
        base = _solid(variables.get(THEME_VARIABLE[name], variables["foreground"]), background)
        plain = readable(base, backgrounds)
        if name in CHROMATIC:
            plain = _apart(plain, [palette[n] for n in CHROMATIC if n in palette], backgrounds)
        twin = plain.lighten(BRIGHTER) if dark else plain.darken(BRIGHTER)
        palette[name] = plain
        palette[f"bright_{name}"] = readable(twin, backgrounds)
    return palette


def terminal_theme(variables: Mapping[str, str]) -> TerminalTheme:
    """The ANSI palette Textual maps terminal colour names through, from a theme's variables."""
    palette = terminal_palette(variables)
    return TerminalTheme(
        Color.parse(variables["background"]).rgb,
        Color.parse(variables["foreground"]).rgb,
        [palette[name].rgb for name in TERMINAL_ORDER],
        [palette[f"bright_{name}"].rgb for name in TERMINAL_ORDER],
    )


def pillar_style(pillar: Pillar) -> Style:
    """How `pillar` is drawn, wherever it is (navigator, list, reader): its terminal colour as
    a style object, which every widget maps through the palette `terminal_theme` made from the
    theme. Not as a string: a Text whose own style is "red" reaches Textual's option lists as
    the CSS colour red (#ff0000), whatever the theme."""
    return Style(color=pillar.colour)
