"""Colours, fonts and sizes of the canvas, for the light and the dark theme."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette, QPen

from journeydesk.domain.model import LANE_TYPE_LABELS, LaneType  # noqa: F401 - re-exported

# Geometry in scene units (1 unit = 1 pixel at 100 %).
LANE_HEADER_W = 168.0
STAGE_HEADER_H = 58.0
STEP_HEADER_H = 30.0
COLUMN_W = 228.0
CELL_PAD = 10.0
CARD_GAP = 8.0
CARD_PAD = 10.0
CARD_MIN_H = 40.0
LANE_MIN_H = 76.0
EMOTION_LANE_H = 220.0
ADD_BUTTON = 28.0


@dataclass(frozen=True)
class LaneLook:
    """How cards of one lane type look."""

    fill: QColor
    accent: QColor
    band: QColor


@dataclass(frozen=True)
class Theme:
    """Every colour the canvas paints with."""

    name: str
    background: QColor
    grid: QColor
    header_fill: QColor
    header_text: QColor
    step_fill: QColor
    lane_header_fill: QColor
    text: QColor
    muted_text: QColor
    card_border: QColor
    selection: QColor
    find_highlight: QColor
    drop_indicator: QColor
    lanes: dict[LaneType, LaneLook] = field(default_factory=dict)

    def look(self, lane_type: LaneType) -> LaneLook:
        """The look of a lane type."""
        return self.lanes[LaneType(lane_type)]


def _c(hex_colour: str) -> QColor:
    return QColor(hex_colour)


def _lanes(pairs: dict[LaneType, tuple[str, str, str]]) -> dict[LaneType, LaneLook]:
    return {t: LaneLook(_c(f), _c(a), _c(b)) for t, (f, a, b) in pairs.items()}


LIGHT = Theme(
    name="light",
    background=_c("#f6f7f9"), grid=_c("#dfe3e8"), header_fill=_c("#2f3b52"),
    header_text=_c("#ffffff"), step_fill=_c("#e4e8ef"), lane_header_fill=_c("#eceff3"),
    text=_c("#1f2430"), muted_text=_c("#5b6577"), card_border=_c("#c9ced6"),
    selection=_c("#2f80ed"), find_highlight=_c("#ffb020"), drop_indicator=_c("#2f80ed"),
    lanes=_lanes({
        LaneType.ACTIONS: ("#ffffff", "#3d6fd1", "#f6f7f9"),
        LaneType.TOUCHPOINTS: ("#e9f6f4", "#23907f", "#f3f8f8"),
        LaneType.THOUGHTS: ("#fff7db", "#c99a00", "#fbfaf4"),
        LaneType.EMOTIONS: ("#ffffff", "#8a6fd1", "#f8f7fc"),
        LaneType.PAIN_POINTS: ("#fdeceb", "#cf3b35", "#fcf5f5"),
        LaneType.OPPORTUNITIES: ("#e9f6ea", "#2e8540", "#f4f9f4"),
        LaneType.BACKSTAGE: ("#eeeff1", "#6b7280", "#eef0f3"),
        LaneType.NOTES: ("#fffbe0", "#b59a16", "#faf9f2"),
        LaneType.METRICS: ("#f3ecfa", "#7b3fb5", "#f8f5fb"),
    }),
)

DARK = Theme(
    name="dark",
    background=_c("#1b1e24"), grid=_c("#323843"), header_fill=_c("#3b4a66"),
    header_text=_c("#f2f4f8"), step_fill=_c("#2a303a"), lane_header_fill=_c("#242932"),
    text=_c("#e8ebf1"), muted_text=_c("#a3acbb"), card_border=_c("#454d5a"),
    selection=_c("#5aa2ff"), find_highlight=_c("#ffb020"), drop_indicator=_c("#5aa2ff"),
    lanes=_lanes({
        LaneType.ACTIONS: ("#2a303a", "#6f9bff", "#1f2329"),
        LaneType.TOUCHPOINTS: ("#1f3533", "#3fc2ad", "#1c2527"),
        LaneType.THOUGHTS: ("#3a3420", "#e2b93b", "#23231f"),
        LaneType.EMOTIONS: ("#2a303a", "#a48cf0", "#211f29"),
        LaneType.PAIN_POINTS: ("#3e2426", "#ff6b62", "#282022"),
        LaneType.OPPORTUNITIES: ("#213523", "#5cc46f", "#1e2620"),
        LaneType.BACKSTAGE: ("#2b2e33", "#9aa3b2", "#22252a"),
        LaneType.NOTES: ("#39361f", "#d8c14a", "#24241f"),
        LaneType.METRICS: ("#2f2540", "#b98af0", "#241f2b"),
    }),
)

THEMES = {"light": LIGHT, "dark": DARK}

# The colours offered for a card (the inspector's swatches): the lane colours, as the light
# theme's accents, named for people.  A card stores the hex; both themes tint with it.
_SWATCH_NAMES = {
    LaneType.ACTIONS: "Blue", LaneType.TOUCHPOINTS: "Teal", LaneType.THOUGHTS: "Amber",
    LaneType.EMOTIONS: "Lavender", LaneType.PAIN_POINTS: "Red",
    LaneType.OPPORTUNITIES: "Green", LaneType.BACKSTAGE: "Grey", LaneType.NOTES: "Mustard",
    LaneType.METRICS: "Purple",
}
SWATCHES: tuple[tuple[str, str], ...] = tuple(
    (name, LIGHT.lanes[lane_type].accent.name()) for lane_type, name in _SWATCH_NAMES.items())

MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text: card text and tags on a tinted card
_TINT_STRENGTH = {"light": 0.24, "dark": 0.32}  # how much of the colour a tint starts with


def relative_luminance(colour: QColor) -> float:
    """The WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
            + 0.0722 * linear(colour.blueF()))


def contrast_ratio(one: QColor, other: QColor) -> float:
    """The WCAG 2 contrast ratio of two colours (1 .. 21)."""
    light, dark = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def card_tint(theme: Theme, colour: QColor | str) -> QColor:
    """The soft fill of a card coloured ``colour``: the colour mixed into the plain card
    fill (white in the light theme, a dark grey in the dark one), as strongly as keeps the
    card's text and its muted text (tags) at :data:`MIN_CONTRAST` or more."""
    return QColor(_tint(theme.name, QColor(colour).name()))


def card_accent(theme: Theme, colour: QColor | str) -> QColor:
    """The stripe and badge colour of a card coloured ``colour``: the colour itself, made
    darker (light theme) or lighter (dark theme) as far as its badge text needs to keep
    :data:`MIN_CONTRAST` on the card's tint (a yellow card's "Severity 5" stays legible)."""
    return QColor(_accent(theme.name, QColor(colour).name()))


@cache
def _accent(theme_name: str, hex_colour: str) -> str:
    theme = THEMES[theme_name]
    fill, colour = QColor(_tint(theme_name, hex_colour)), QColor(hex_colour)
    towards = QColor("#000000") if theme_name == "light" else QColor("#ffffff")
    for step in range(21):
        t = step / 20
        accent = QColor(QColor.fromRgbF(*(c + (w - c) * t for c, w in (
            (colour.redF(), towards.redF()), (colour.greenF(), towards.greenF()),
            (colour.blueF(), towards.blueF())))).name())
        if contrast_ratio(accent, fill) >= MIN_CONTRAST:
            return accent.name()
    return theme.text.name()


@cache
def _tint(theme_name: str, hex_colour: str) -> str:
    theme = THEMES[theme_name]
    base, colour = theme.look(LaneType.ACTIONS).fill, QColor(hex_colour)
    strength = _TINT_STRENGTH.get(theme_name, 0.24)
    while strength > 0:
        fill = QColor(QColor.fromRgbF(*(b + (c - b) * strength for b, c in (
            (base.redF(), colour.redF()), (base.greenF(), colour.greenF()),
            (base.blueF(), colour.blueF())))).name())  # checked as painted: 8 bits a channel
        if min(contrast_ratio(fill, theme.text),
               contrast_ratio(fill, theme.muted_text)) >= MIN_CONTRAST:
            return fill.name()
        strength -= 0.01
    return base.name()


@cache
def card_font() -> QFont:
    """The font of card text (one shared instance: painting asks for it for every card)."""
    return scene_font(10.5)


@cache
def header_font(size: float = 12.0, bold: bool = True) -> QFont:
    """The font of stage, step and lane headers."""
    return scene_font(size, bold=bold)


def scene_font(points: float, *, bold: bool = False) -> QFont:
    """A canvas font sized in scene units, so that it is the same on screen, in a PDF and on
    paper (a point size would grow with the device's DPI).  ``points`` are at 96 dpi.
    Ligatures are off so that text in a PDF searches and copies as typed."""
    font = QFont()
    font.setPixelSize(round(points * 96 / 72))
    font.setBold(bold)
    font.setFeature(QFont.Tag("liga"), 0)
    return font




def make_pen(colour: QColor, width: float, *, round_cap: bool = False,
             style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A pen built with setters: ``QPen(colour, width, cap=...)`` crashes PySide6 6.11.3."""
    pen = QPen(colour)
    pen.setWidthF(width)
    pen.setStyle(style)
    if round_cap:
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def application_palette(theme: Theme) -> QPalette:
    """A window palette that matches the canvas theme (used with the Fusion style)."""
    palette = QPalette()
    if theme.name == "dark":
        window, base, text = QColor("#23272e"), QColor("#1b1e24"), QColor("#e8ebf1")
        for role, colour in (
                (QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
                (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, window),
                (QPalette.ColorRole.Text, text), (QPalette.ColorRole.Button, window),
                (QPalette.ColorRole.ButtonText, text), (QPalette.ColorRole.ToolTipBase, window),
                (QPalette.ColorRole.ToolTipText, text),
                (QPalette.ColorRole.PlaceholderText, theme.muted_text),
                (QPalette.ColorRole.Highlight, theme.selection),
                (QPalette.ColorRole.HighlightedText, QColor("#ffffff"))):
            palette.setColor(role, colour)
        greyed = QColor("#6c7382")  # clearly dimmer than text, as disabled items are in light
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                     QPalette.ColorRole.WindowText):
            palette.setColor(QPalette.ColorGroup.Disabled, role, greyed)
    return palette
