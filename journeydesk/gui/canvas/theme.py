"""Colours, fonts and sizes of the canvas, for the light and the dark theme."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette, QPen

from journeydesk.domain import colours
from journeydesk.domain.colours import (  # noqa: F401 - MIN_CONTRAST re-exported
    LANE_COLOURS,
    MIN_CONTRAST,
    THEME_COLOURS,
)
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


def _theme(name: str) -> Theme:
    """A theme from the plain colour table (journeydesk.domain.colours, which the exports
    read too)."""
    return Theme(name=name, **{k: _c(v) for k, v in THEME_COLOURS[name].items()},
                 lanes={t: LaneLook(_c(f), _c(a), _c(b))
                        for t, (f, a, b) in LANE_COLOURS[name].items()})


LIGHT = _theme("light")
DARK = _theme("dark")

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


def relative_luminance(colour: QColor) -> float:
    """The WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    return colours.relative_luminance(colour.name())


def contrast_ratio(one: QColor, other: QColor) -> float:
    """The WCAG 2 contrast ratio of two colours (1 .. 21)."""
    return colours.contrast_ratio(one.name(), other.name())


def card_tint(theme: Theme, colour: QColor | str) -> QColor:
    """The soft fill of a card coloured ``colour``: the colour mixed into the plain card
    fill (white in the light theme, a dark grey in the dark one), as strongly as keeps the
    card's text and its muted text (tags) at :data:`MIN_CONTRAST` or more."""
    return QColor(colours.card_tint(theme.name, QColor(colour).name()))


def card_accent(theme: Theme, colour: QColor | str) -> QColor:
    """The stripe and badge colour of a card coloured ``colour``: the colour itself, made
    darker (light theme) or lighter (dark theme) as far as its badge text needs to keep
    :data:`MIN_CONTRAST` on the card's tint (a yellow card's "Severity 5" stays legible)."""
    return QColor(colours.card_accent(theme.name, QColor(colour).name()))


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
