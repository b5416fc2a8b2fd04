"""The colours of a journey map as plain hex strings: one table that the canvas (Qt) and the
exports (PowerPoint) both read, so a map looks alike on screen and on a slide.

Also the rules that turn a colour into another: a card's soft tint and its legible accent
(WCAG 2 contrast), a pain point's fill by severity, a persona's avatar and curve colour.  The
arithmetic repeats Qt's own (QColor keeps 16 bits a channel and computes in single
precision), so :mod:`journeydesk.gui.canvas.theme` can hand its colours over unchanged.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Mapping
from functools import cache
from typing import NamedTuple

from journeydesk.domain.model import LaneType


class LaneColours(NamedTuple):
    """How cards of one lane type look: card fill, accent (stripe, badges), lane band."""

    fill: str
    accent: str
    band: str


# Every colour of a canvas theme but the lanes', by the name the Theme dataclass gives it.
THEME_COLOURS: dict[str, dict[str, str]] = {
    "light": {
        "background": "#f6f7f9", "grid": "#dfe3e8", "header_fill": "#2f3b52",
        "header_text": "#ffffff", "step_fill": "#e4e8ef", "lane_header_fill": "#eceff3",
        "text": "#1f2430", "muted_text": "#5b6577", "card_border": "#c9ced6",
        "selection": "#2f80ed", "find_highlight": "#ffb020", "drop_indicator": "#2f80ed",
    },
    "dark": {
        "background": "#1b1e24", "grid": "#323843", "header_fill": "#3b4a66",
        "header_text": "#f2f4f8", "step_fill": "#2a303a", "lane_header_fill": "#242932",
        "text": "#e8ebf1", "muted_text": "#a3acbb", "card_border": "#454d5a",
        "selection": "#5aa2ff", "find_highlight": "#ffb020", "drop_indicator": "#5aa2ff",
    },
}

LANE_COLOURS: dict[str, dict[LaneType, LaneColours]] = {
    "light": {
        LaneType.ACTIONS: LaneColours("#ffffff", "#3d6fd1", "#f6f7f9"),
        LaneType.TOUCHPOINTS: LaneColours("#e9f6f4", "#23907f", "#f3f8f8"),
        LaneType.THOUGHTS: LaneColours("#fff7db", "#c99a00", "#fbfaf4"),
        LaneType.EMOTIONS: LaneColours("#ffffff", "#8a6fd1", "#f8f7fc"),
        LaneType.PAIN_POINTS: LaneColours("#fdeceb", "#cf3b35", "#fcf5f5"),
        LaneType.OPPORTUNITIES: LaneColours("#e9f6ea", "#2e8540", "#f4f9f4"),
        LaneType.BACKSTAGE: LaneColours("#eeeff1", "#6b7280", "#eef0f3"),
        LaneType.NOTES: LaneColours("#fffbe0", "#b59a16", "#faf9f2"),
        LaneType.METRICS: LaneColours("#f3ecfa", "#7b3fb5", "#f8f5fb"),
        LaneType.STORYBOARD: LaneColours("#ffffff", "#c8581f", "#f9f5f2"),
    },
    "dark": {
        LaneType.ACTIONS: LaneColours("#2a303a", "#6f9bff", "#1f2329"),
        LaneType.TOUCHPOINTS: LaneColours("#1f3533", "#3fc2ad", "#1c2527"),
        LaneType.THOUGHTS: LaneColours("#3a3420", "#e2b93b", "#23231f"),
        LaneType.EMOTIONS: LaneColours("#2a303a", "#a48cf0", "#211f29"),
        LaneType.PAIN_POINTS: LaneColours("#3e2426", "#ff6b62", "#282022"),
        LaneType.OPPORTUNITIES: LaneColours("#213523", "#5cc46f", "#1e2620"),
        LaneType.BACKSTAGE: LaneColours("#2b2e33", "#9aa3b2", "#22252a"),
        LaneType.NOTES: LaneColours("#39361f", "#d8c14a", "#24241f"),
        LaneType.METRICS: LaneColours("#2f2540", "#b98af0", "#241f2b"),
        LaneType.STORYBOARD: LaneColours("#2c2a29", "#f0934f", "#221f1d"),
    },
}

# A persona's avatar and emotion curve: one of these, chosen by its name.
AVATAR_COLOURS = ("#7b5cd6", "#e07a1f", "#1f9bb4", "#c2417d", "#4f8a2b", "#3d6fd1", "#b0413e")

# The headings of a persona's one-pager (the sheet and the PowerPoint slide).
PERSONA_SECTION_COLOURS = {"Goals": "#2e8540", "Frustrations": "#cf3b35", "Needs": "#3d6fd1",
                           "Motivations": "#b7791f"}

MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text: card text and tags on a tinted card
_TINT_STRENGTH = {"light": 0.24, "dark": 0.32}  # how much of the colour a tint starts with


# -- channels as QColor keeps them -----------------------------------------------------------
def _f32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


def _channels(hex_colour: str) -> tuple[float, float, float]:
    """The colour's channels as QColor's ``redF()`` ... give them (single precision)."""
    value = int(hex_colour.lstrip("#")[:6], 16)
    return tuple(_f32((value >> shift & 0xFF) * 257 / 65535)  # type: ignore[return-value]
                 for shift in (16, 8, 0))


def _hex_from_floats(red: float, green: float, blue: float) -> str:
    """``QColor.fromRgbF(red, green, blue).name()``: 16 bits a channel, then rounded to 8."""
    def channel(value: float) -> int:
        wide = int(_f32(_f32(value) * 65535.0) + 0.5)
        return (wide - (wide >> 8) + 0x80) >> 8

    return f"#{channel(red):02x}{channel(green):02x}{channel(blue):02x}"


def hex_rgb(hex_colour: str) -> tuple[int, int, int]:
    """The 8-bit channels of ``#rrggbb``."""
    value = int(hex_colour.lstrip("#")[:6], 16)
    return value >> 16 & 0xFF, value >> 8 & 0xFF, value & 0xFF


def normal_hex(colour: str) -> str:
    """``colour`` (``#rgb``, ``#rrggbb`` or ``#aarrggbb`` as Qt writes them) as ``#rrggbb``."""
    digits = colour.strip().lstrip("#").lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    elif len(digits) == 8:
        digits = digits[2:]
    int(digits, 16)  # ValueError for anything else
    if len(digits) != 6:
        raise ValueError(f"not a colour: {colour!r}")
    return f"#{digits}"


# -- contrast --------------------------------------------------------------------------------
def relative_luminance(hex_colour: str) -> float:
    """The WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = _channels(hex_colour)
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(one: str, other: str) -> float:
    """The WCAG 2 contrast ratio of two colours (1 .. 21)."""
    light, dark = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# -- derived colours -------------------------------------------------------------------------
@cache
def card_tint(theme_name: str, hex_colour: str) -> str:
    """The soft fill of a card coloured ``hex_colour``: the colour mixed into the plain card
    fill (white in the light theme, a dark grey in the dark one), as strongly as keeps the
    card's text and its muted text (tags) at :data:`MIN_CONTRAST` or more."""
    theme = THEME_COLOURS[theme_name]
    base = _channels(LANE_COLOURS[theme_name][LaneType.ACTIONS].fill)
    colour = _channels(normal_hex(hex_colour))
    strength = _TINT_STRENGTH.get(theme_name, 0.24)
    while strength > 0:
        fill = _hex_from_floats(*(b + (c - b) * strength for b, c in zip(base, colour,
                                                                          strict=True)))
        if min(contrast_ratio(fill, theme["text"]),
               contrast_ratio(fill, theme["muted_text"])) >= MIN_CONTRAST:
            return fill
        strength -= 0.01
    return LANE_COLOURS[theme_name][LaneType.ACTIONS].fill


@cache
def card_accent(theme_name: str, hex_colour: str) -> str:
    """The stripe and badge colour of a card coloured ``hex_colour``: the colour itself, made
    darker (light theme) or lighter (dark theme) as far as its badge text needs to keep
    :data:`MIN_CONTRAST` on the card's tint (a yellow card's "Severity 5" stays legible)."""
    hex_colour = normal_hex(hex_colour)
    fill, colour = card_tint(theme_name, hex_colour), _channels(hex_colour)
    towards = (0.0, 0.0, 0.0) if theme_name == "light" else (1.0, 1.0, 1.0)
    for step in range(21):
        t = step / 20
        accent = _hex_from_floats(*(c + (w - c) * t for c, w in zip(colour, towards,
                                                                     strict=True)))
        if contrast_ratio(accent, fill) >= MIN_CONTRAST:
            return accent
    return THEME_COLOURS[theme_name]["text"]


def severity_fill(fill: str, accent: str, severity: int) -> str:
    """A pain point's fill: redder with severity (1 = the lane's pale fill, 5 = clearly red)."""
    t = (severity - 1) / 4 * 0.28
    return "#{:02x}{:02x}{:02x}".format(*(round(b + (a - b) * t) for b, a in zip(
        hex_rgb(fill), hex_rgb(accent), strict=True)))


def avatar_colour(name: str) -> str:
    """A stable colour per name (the same persona always gets the same one)."""
    return AVATAR_COLOURS[zlib.crc32(name.encode("utf-8")) % len(AVATAR_COLOURS)]


def curve_colours(owners: Iterable[str | None], persona_names: Mapping[str, str],
                  unowned: str) -> dict[str | None, str]:
    """Each emotion curve's colour: a persona's curve in its avatar colour (as in the
    gallery), never two alike; the map's own curve (owner None) and a curve of a persona not
    in ``persona_names`` (id -> name) in ``unowned``."""
    colours: dict[str | None, str] = {}
    used: set[str] = set()
    for owner in owners:
        if owner is None or owner not in persona_names:
            colour = unowned
        else:
            colour = avatar_colour(persona_names[owner])
            if colour in used:
                colour = next((c for c in AVATAR_COLOURS if c not in used), colour)
        used.add(colour)
        colours[owner] = colour
    return colours
