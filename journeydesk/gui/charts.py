"""Chart helpers of the analytics dock: colours, texts, day and duration axes, and the
inputs a chart is computed from (no widget here; pyqtgraph is imported lazily)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from journeydesk.app.metrics import Histogram
from journeydesk.app.significance import REAL, TOO_FEW
from journeydesk.gui.background import Job
from journeydesk.gui.canvas.theme import LaneType, Theme, make_pen

DAY = 86400.0
MONDAY = 4  # 5 January 1970, the first Monday after the epoch, in days since the epoch
BLUE = QColor("#3b6fd8")
ORANGE = QColor("#e08a2c")
TEAL = QColor("#2a9d8f")
VOLUME = QColor("#9aa5b8")
SERIES = ["#3b6fd8", "#e08a2c", "#2a9d8f", "#c2417a", "#7b61c9", "#8a9a2b", "#d1495b"]
REGION = QColor(59, 111, 216, 40)
PLOT_MIN_W, PLOT_MIN_H = 200, 120  # small: the grid scrolls rather than the window growing
EMPTY_TEXT = "Charts show the numbers of the data overlay."
COMPUTING_TEXT = "Computing the numbers of the data overlay…"
DAY_STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364)  # days between date ticks, smallest first
DAY_LABEL_PX = 52  # room for one date label ("30 Sep") and the gap after it
KINDS = ("volume", "weekly", "histogram", "compare")  # the charts computed off the GUI thread
LOG_DECADES = 1.5  # bins spanning more than this many powers of ten are drawn on a log axis
DURATION_LABEL_PX = 56  # room for one duration label ("30 min") and the gap after it
# durations a log axis may put a tick on, in seconds: readable round numbers of each unit
DURATION_TICKS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600,
                  6 * 3600, 12 * 3600, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY,
                  60 * DAY, 90 * DAY, 182 * DAY, 365 * DAY, 730 * DAY)
INCOMPLETE_TEXT = ("Hollow points: the last week may be incomplete (its users may still "
                   "convert)")
OPEN_WEEKS_TEXT = ("Hollow points: the last {} weeks are open (their users have not all had "
                   "the whole conversion window yet)")
ERROR_TEXT = {"light": "#b42318", "dark": "#ff9b91"}  # a chart's "could not compute" line
COMPARE_LABELS_PX = 36  # above a 100 % bar: its label and the verdict, in pixels
VERDICT_SHORT = {REAL: "real difference", TOO_FEW: "too few users"}  # else "could be chance"


def _day_seconds(day: date) -> float:
    """``day``'s midnight (UTC) in seconds since the epoch: the x of the date axes."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _day_of(seconds: float) -> date:
    return date(1970, 1, 1) + timedelta(days=int(round(seconds / DAY)))


def _day_label(day: date) -> str:
    """How both date axes write a day: "1 Sep"."""
    return f"{day.day} {day:%b}"


def _day_ticks(lo: float, hi: float, pixels: float, *,
               weeks: bool = False) -> tuple[float, list[float]]:
    """Midnights between ``lo`` and ``hi`` (seconds) far enough apart for their labels to fit
    in ``pixels``: every day, every other day, or Mondays every week or more (always Mondays
    with ``weeks``).  Returns the spacing and the ticks, in seconds."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        return DAY, []
    first, last = math.ceil(lo / DAY), math.floor(hi / DAY)
    if last < first:
        return DAY, []
    fits = max(1, int(pixels // DAY_LABEL_PX))
    span = last - first + 1
    steps = [s for s in DAY_STEPS if s >= 7] if weeks else list(DAY_STEPS)
    step = next((s for s in steps if span / s <= fits), math.ceil(span / fits / 364) * 364)
    if step >= 7:
        first += (MONDAY - first) % 7
    return step * DAY, [d * DAY for d in range(first, last + 1, step)]


def _day_labels(ticks: list[float]) -> list[str]:
    """``_day_label`` of each tick, with the year where it changes ("28 Dec", "4 Jan 2027")."""
    labels: list[str] = []
    year = None
    for x in ticks:
        day = _day_of(x)
        labels.append(_day_label(day) + (f" {day.year}" if year not in (None, day.year) else ""))
        year = day.year
    return labels


# --------------------------------------------------------------------------- durations
def _duration_unit(median: float | None) -> tuple[float, str]:
    """The unit durations around ``median`` (seconds) read best in: the largest unit the
    median has at least one of (seconds, minutes, hours or days)."""
    for size, name in ((DAY, "days"), (3600.0, "hours"), (60.0, "minutes")):
        if median is not None and median >= size:
            return size, name
    return 1.0, "seconds"


def _log_spaced(edges: Sequence[float]) -> bool:
    """Whether histogram ``edges`` grow by a constant factor (a first edge of 0 allowed: the
    bin of the durations below the smallest positive one)."""
    positive = list(edges[1:]) if edges and edges[0] == 0 else list(edges)
    if len(positive) < 3 or positive[0] <= 0:
        return False
    ratios = [b / a for a, b in zip(positive[:-1], positive[1:], strict=True)]
    return ratios[0] > 1.0001 and all(abs(r / ratios[0] - 1) < 1e-3 for r in ratios)


def _log_positions(edges: Sequence[float]) -> list[float]:
    """The x of log-spaced ``edges`` on a log axis (log10 of seconds); an edge of 0 sits one
    bin to the left of the next edge."""
    xs = [math.log10(e) if e > 0 else math.nan for e in edges]
    if edges and edges[0] <= 0 and len(xs) > 2:
        xs[0] = 2 * xs[1] - xs[2]
    return xs


def _grouped_median(histogram: Histogram) -> float | None:
    """The median read off the bins (interpolated inside the bin holding it; geometrically
    in log-spaced bins): enough to choose a unit when the exact one is not known."""
    if not histogram.counts or histogram.total == 0:
        return None
    log = _log_spaced(histogram.edges)
    half, seen = histogram.total / 2, 0
    for i, count in enumerate(histogram.counts):
        if count and seen + count >= half:
            lo, hi = histogram.edges[i], histogram.edges[i + 1]
            share = (half - seen) / count
            if log and lo > 0:
                return lo * (hi / lo) ** share
            return lo + (hi - lo) * share
        seen += count
    return histogram.edges[-1]


def _duration_tick(seconds: float) -> str:
    """A round duration as a tick label: "30 s", "5 min", "2 h", "3 d"."""
    for size, unit in ((DAY, "d"), (3600.0, "h"), (60.0, "min")):
        if seconds >= size:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


def _duration_ticks(lo: float, hi: float, pixels: float) -> list[float]:
    """Round durations (log10 of seconds) between ``lo`` and ``hi`` whose labels fit in
    ``pixels``: every other one, every third... of :data:`DURATION_TICKS` as needed."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    inside = [math.log10(t) for t in DURATION_TICKS if lo <= math.log10(t) <= hi]
    fits = max(1, int(pixels // DURATION_LABEL_PX))
    step = 1
    while len(inside[::step]) > fits:
        step += 1
    return inside[::step]


@cache
def _day_axis_class() -> type:
    """The date axis of both date charts (built on first use: pyqtgraph loads with the dock)."""
    import pyqtgraph as pg

    class DayAxis(pg.AxisItem):
        """A bottom axis of days written "1 Sep"; ``centre`` puts each tick in the middle of
        its day (under a daily bar), ``weeks`` keeps ticks on Mondays (weekly points)."""

        def __init__(self, *, centre: bool = False, weeks: bool = False):
            super().__init__("bottom")
            self.enableAutoSIPrefix(False)  # seconds since 1970 are not "x1e9"
            self.shift = DAY / 2 if centre else 0.0
            self.weeks = weeks

        def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803
            spacing, ticks = _day_ticks(minVal - self.shift, maxVal - self.shift, size,
                                        weeks=self.weeks)
            return [(spacing, [t + self.shift for t in ticks])]

        def tickStrings(self, values: list[float], scale: float,  # noqa: N802
                        spacing: float) -> list[str]:
            return _day_labels([v - self.shift for v in values])

    return DayAxis


@cache
def _duration_axis_class() -> type:
    """The histogram's bottom axis: plain numbers in one unit, or round durations on a log
    scale ("1 min", "1 h", "1 d")."""
    import pyqtgraph as pg

    class DurationAxis(pg.AxisItem):
        """Linear: numbers in the unit the title names.  ``log``: x is log10(seconds) and
        the ticks are round durations with their own units."""

        def __init__(self) -> None:
            super().__init__("bottom")
            self.enableAutoSIPrefix(False)
            self.log = False
            # on a log axis, the bin of 0 s: (its middle, its right edge), or None
            self.zero: tuple[float, float] | None = None

        def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803
            if not self.log:
                return super().tickValues(minVal, maxVal, size)
            if self.zero is None:
                return [(1.0, _duration_ticks(minVal, maxVal, size))]
            middle, right = self.zero
            rest = _duration_ticks(right, maxVal, size - DURATION_LABEL_PX)
            return [(1.0, [middle, *rest])]

        def tickStrings(self, values: list[float], scale: float,  # noqa: N802
                        spacing: float) -> list[str]:
            if not self.log:
                return super().tickStrings(values, scale, spacing)
            zero = self.zero[0] if self.zero is not None else None
            # each tick is one of DURATION_TICKS: name that one (10 ** log10(86400) < 86400)
            return ["0 s" if v == zero else
                    _duration_tick(min(DURATION_TICKS, key=lambda t, v=v: abs(math.log10(t) - v)))
                    for v in values]

    return DurationAxis


def _pen(colour: QColor, width: float, style: Qt.PenStyle | None = None) -> QPen:
    """A pen whose width is in pixels whatever the plot's scale (built without keywords)."""
    pen = make_pen(colour, width)
    pen.setCosmetic(True)
    if style is not None:
        pen.setStyle(style)
    return pen


def _surface(theme: Theme) -> QColor:
    """The fill of the chart cards and plots: the fill of a plain card on the canvas."""
    return QColor(theme.look(LaneType.ACTIONS).fill)


def _count_axis(plot: Any, top: float) -> None:
    """Whole-number ticks on a small count axis (no "2.5 users")."""
    axis = plot.getAxis("left")
    if top <= 8:
        axis.setTickSpacing(1, 1)
    else:
        axis.setTickSpacing()


def _weekly_point(point: Sequence[Any]) -> tuple[date, float | None, int | None]:
    """A point of the weekly conversion: (Monday, conversion, n); n (the users entering that
    week) is None when the series does not give it."""
    n = point[2] if len(point) > 2 else getattr(point, "n", None)
    return point[0], point[1], None if n is None else int(n)


@dataclass
class _Slot:
    """One chart's background work: the key of what it shows or is computing, the token of
    the latest request, the job running (one at a time) and the newest request waiting."""

    key: Any = None
    token: int = 0
    job: Job | None = None
    job_token: int | None = None
    pending: Callable[[], None] | None = None


@dataclass(frozen=True)
class _Inputs:
    """What the charts are computed from, read on the GUI thread."""

    data: Any  # a Parquet path, or a database source's view
    ident: tuple[str, str]  # the data's identity in a key (a file, or a source's name)
    stages: tuple[tuple[str, tuple[str, ...]], ...]
    segment: tuple[tuple[str, str], ...]
    dates: tuple[date | None, date | None]
    window: float | None = None  # the overlay's conversion window, seconds (None: unlimited)

    @property
    def stage_list(self) -> list[tuple[str, list[str]]]:
        return [(name, list(events)) for name, events in self.stages]

    @property
    def where(self) -> dict[str, str] | None:
        return dict(self.segment) or None

    @property
    def filters(self) -> dict[str, Any]:
        return {"date_from": self.dates[0], "date_to": self.dates[1],
                "window_seconds": self.window}
