"""Drawing the analytics dock's charts from computed results (a mixin of
:class:`journeydesk.gui.analytics_dock.AnalyticsDock`: it uses the dock's plots and
state)."""

from __future__ import annotations

import html
import math
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from journeydesk.app.significance import StageTest, compare_stages
from journeydesk.app.text import format_duration
from journeydesk.gui.charts import (
    COMPARE_LABELS_PX,
    DAY,
    INCOMPLETE_TEXT,
    LOG_DECADES,
    OPEN_WEEKS_TEXT,
    SERIES,
    VERDICT_SHORT,
    _count_axis,
    _day_label,
    _day_seconds,
    _duration_unit,
    _grouped_median,
    _log_positions,
    _log_spaced,
    _pen,
    _surface,
    _weekly_point,
)


class ChartDrawing:
    """The drawing half of the dock: one method per chart."""

    # ------------------------------------------------------------------ drawing
    def _on_ready(self, _overlay: object, metrics: dict[str, Any]) -> None:
        self._show_state()
        self._fill_segments()  # the dock may have opened before the overlay had a map
        self._fill_stages()
        self._draw_funnel(metrics)
        self._compute_charts()

    def _stage_ticks(self, plot: Any, names: list[str]) -> None:
        plot.getAxis("bottom").setTicks([[(i, name) for i, name in enumerate(names)]])
        plot.setXRange(-0.6, len(names) - 0.4, padding=0)

    def _draw_funnel(self, metrics: dict[str, Any]) -> None:
        pg = self._pg
        stages = [s for s in metrics["stages"] if s["users"] is not None]
        heights = [s["users"] for s in stages]
        self.funnel_bars.setOpts(x=list(range(len(stages))), height=heights)
        for label in self._funnel_labels:
            self.funnel_plot.removeItem(label)
        self._funnel_labels = []
        top = max(heights, default=0) or 1
        for i, s in enumerate(stages):
            share = s["conversion_from_first"]
            text = f"{s['users']:,}" + (f"  ({share:.0%})" if share is not None and i else "")
            label = pg.TextItem(text, color=self.theme.text, anchor=(0.5, 1.0))
            label.setPos(i, s["users"] + top * 0.02)
            self.funnel_plot.addItem(label)
            self._funnel_labels.append(label)
        self._stage_ticks(self.funnel_plot, [s["stage"] for s in stages])
        self.funnel_plot.setYRange(0, top * 1.25, padding=0)  # room for the top label
        _count_axis(self.funnel_plot, top)
        segment = ", ".join(f"{k} = {v}" for k, v in self.controller.segment.items())
        caption = f"{metrics.get('dataset', '')} · {segment or 'all users'} · " \
                  f"{metrics.get('users_total', 0):,} users"
        if self.controller.date_from or self.controller.date_to:
            caption += " · " + " to ".join(
                d.isoformat() if d else "…"
                for d in (self.controller.date_from, self.controller.date_to))
        self._set_status(caption)
        self.updated.emit("funnel")

    def _draw_volume(self, volume: list[tuple[date, int]]) -> None:
        self._volume_days = [d for d, _ in volume]
        xs = [_day_seconds(d) + DAY / 2 for d, _ in volume]
        heights = [n for _, n in volume]
        self.volume_bars.setOpts(x=xs, height=heights)
        if xs:
            self.volume_plot.setXRange(xs[0] - DAY, xs[-1] + DAY, padding=0.01)
            self.volume_plot.setYRange(0, max(heights) * 1.1, padding=0)
            _count_axis(self.volume_plot, max(heights))
        self._show_dates()

    def _draw_weekly(self, weekly: Any) -> None:
        """One line per stage; each point's tooltip gives its week, conversion and n (the
        users entering that week).  ``weekly`` is a WeeklySeries (or a plain dict of points,
        the last week open): the weeks from its ``open_from`` on may still rise (their users
        have not all had the whole conversion window): hollow points on a dashed line."""
        import numpy as np

        pg = self._pg
        self._weekly_result = weekly
        series = getattr(weekly, "points", weekly)
        for item in self._weekly_items:
            self.weekly_plot.removeItem(item)
        self._weekly_items = []
        self.weekly_lines = {}
        self.weekly_points = {}
        legend = []
        surface = _surface(self.theme)
        opened = 0
        for i, (stage, raw) in enumerate(series.items()):
            colour = QColor(SERIES[i % len(SERIES)])
            points = [_weekly_point(p) for p in raw]
            x = np.array([_day_seconds(w) for w, _, _ in points], dtype=float)
            y = np.array([np.nan if v is None else v * 100 for _, v, _ in points], dtype=float)
            done = getattr(weekly, "open_from", len(points) - 1)
            done = len(points) if done is None else max(0, min(done, len(points)))
            opened = len(points) - done
            line = self.weekly_plot.plot(x[:done] if done > 1 else x[:0],
                                         y[:done] if done > 1 else y[:0],
                                         pen=_pen(colour, 2), connect="finite")
            self._weekly_items.append(line)
            known = [j for j in range(done) if not math.isnan(y[j])]
            tail = [j for j in range(done, len(points)) if not math.isnan(y[j])]
            if tail:  # from the last complete week with a value through the open ones
                at = known[-1:] + tail
                dashed = self.weekly_plot.plot(x[at], y[at],
                                               pen=_pen(colour, 2, Qt.PenStyle.DashLine))
                self._weekly_items.append(dashed)
            tips = [self._weekly_tip(stage, w, v, n, last=k >= done)
                    for k, (w, v, n) in enumerate(points)]
            keep = ~np.isnan(y)
            brushes = [pg.mkBrush(surface if k >= done else colour)
                       for k in range(len(points)) if keep[k]]
            pens = [_pen(colour, 2) if k >= done else _pen(surface, 1)
                    for k in range(len(points)) if keep[k]]
            scatter = pg.ScatterPlotItem(
                x=x[keep], y=y[keep], size=7, brush=brushes, pen=pens,
                data=[t for t, k in zip(tips, keep, strict=True) if k], hoverable=True,
                tip=lambda x, y, data: data, name=stage)
            scatter.setZValue(5)
            self.weekly_plot.addItem(scatter)
            self._weekly_items.append(scatter)
            self.weekly_lines[stage] = line
            self.weekly_points[stage] = scatter
            legend.append(f'<span style="color:{colour.name()}; font-size:16px">&#9679;</span>'
                          f'&nbsp;{html.escape(stage)}')
        self.weekly_legend.setText("&nbsp;&nbsp;&nbsp;".join(legend) or "Bind two stages to "
                                   "see their conversion by week")
        weeks = [_weekly_point(p)[0] for points in series.values() for p in points]
        self.weekly_note.setText((INCOMPLETE_TEXT if opened == 1 else
                                  OPEN_WEEKS_TEXT.format(opened)) if weeks and opened else "")
        self.weekly_note.setToolTip(
            "A user counts in the week they entered the funnel; those who entered in the open "
            "weeks have not all had the whole conversion window yet, so their conversion may "
            "still rise." if weeks and opened else "")
        if weeks:  # the axis puts its ticks on Mondays, the weeks' first days
            lo, hi = _day_seconds(min(weeks)), _day_seconds(max(weeks))
            self.weekly_plot.setXRange(lo - 3 * DAY, hi + 3 * DAY, padding=0)
        self.weekly_plot.setYRange(0, 100, padding=0.04)

    @staticmethod
    def _weekly_tip(stage: str, week: date, value: float | None, n: int | None, *,
                    last: bool) -> str:
        text = f"{stage}, week of {_day_label(week)} {week.year}: "
        if value is None:
            text += "nobody reached the previous stage"
        else:
            text += f"{value:.0%}"
            if n is not None:
                text += f" of {n:,} user{'s' if n != 1 else ''} entering that week"
        if last:
            text += "\n(an open week: its conversion may still rise)"
        return text

    def _draw_histogram(self, result: Any) -> None:
        """Bins as the series gives them: a log axis when they are log-spaced and span
        more than 1.5 decades, else a linear one in the unit the median reads best in."""
        name, histogram, median = result
        self.histogram = histogram
        if median is None:
            median = getattr(histogram, "median", None)
        if median is None:
            median = _grouped_median(histogram)
        self.histogram_median = median
        size, unit = _duration_unit(median)
        edges = list(histogram.edges)
        positive = [e for e in edges if e > 0]
        log = (_log_spaced(edges) and len(positive) >= 2
               and math.log10(positive[-1] / positive[0]) > LOG_DECADES)
        axis = self.histogram_plot.getAxis("bottom")
        axis.log = log
        title = f"Time to reach {name}" if log else f"{unit.capitalize()} to reach {name}"
        self.histogram_plot.setLabel("bottom", title)
        self.histogram_plot.setToolTip(
            f"{histogram.total:,} users reached {name}; median "
            f"{format_duration(self.histogram_median)}" if histogram.counts else "")
        if not histogram.counts:
            self.histogram_bars.setOpts(x=[], height=[], width=1)
            self.median_line.setVisible(False)
            return
        xs = _log_positions(edges) if log else [e / size for e in edges]
        axis.zero = ((xs[0] + xs[1]) / 2, xs[1]) if log and edges[0] <= 0 else None
        lefts, rights = xs[:-1], xs[1:]
        widths = [(b - a) or 1.0 for a, b in zip(lefts, rights, strict=True)]
        middles = [a + w / 2 for a, w in zip(lefts, widths, strict=True)]
        self.histogram_bars.setOpts(x=middles, height=list(histogram.counts), width=widths)
        self.histogram_plot.setXRange(min(lefts), max(a + w for a, w in zip(lefts, widths,
                                                                            strict=True)),
                                      padding=0.03)
        top = max(*histogram.counts, 1)
        self.histogram_plot.setYRange(0, top * 1.15, padding=0)
        _count_axis(self.histogram_plot, top)
        if median is not None and (median > 0 or not log):
            self.median_line.setPos(math.log10(median) if log else median / size)
            self.median_line.setVisible(True)  # first: a hidden label does not take text
            self.median_line.label.setFormat(f"median {format_duration(median)}")
        else:
            self.median_line.setVisible(False)

    def _draw_comparison(self, result: list[tuple[str, Any]]) -> None:
        """Per stage after the first bound one: each segment's conversion from the previous
        stage (a bar and its %), the n of each under the stage's name, and whether the
        difference is real (a two-proportion z-test) above the pair."""
        if result:
            (label_a, first), (label_b, second) = result
            self.comparison = [t for t in compare_stages(first, second) if t is not None]
            self._compare_names = (label_a, label_b)
        else:  # nothing to show (the comparison could not be computed)
            self.comparison, label_a, label_b = [], "", ""
        for offset, item, rates, label in (
                (-0.19, self.compare_bars[0], [t.rate1 for t in self.comparison], label_a),
                (0.19, self.compare_bars[1], [t.rate2 for t in self.comparison], label_b)):
            item.setOpts(x=[i + offset for i in range(len(rates))],
                         height=[100 * (r or 0.0) for r in rates])
            item.setToolTip(label)
        axis = self.compare_plot.getAxis("bottom")
        axis.setTicks([[(i, f"{t.stage}\nn {t.n1:,} vs {t.n2:,}")
                        for i, t in enumerate(self.comparison)]])
        self.compare_plot.setXRange(-0.6, len(self.comparison) - 0.4, padding=0)
        self.compare_plot.getAxis("left").setTicks([[(v, str(v)) for v in (0, 50, 100)],
                                                    [(v, "") for v in (25, 75)]])
        self._label_comparison()
        real = [t.stage for t in self.comparison if t.real]
        self.compare_note.setText(
            (f"Real difference (p < 0.05) at {', '.join(real)}" if real else
             "No difference shown to be real (p < 0.05)") if self.comparison else "")
        self.compare_note.setToolTip("\n".join(self._comparison_line(t)
                                               for t in self.comparison))

    def _comparison_line(self, t: StageTest) -> str:
        a, b = self._compare_names

        def rate(x: int, n: int) -> str:
            return f"{x / n:.0%} of {n:,}" if n else "no users"

        p = "" if t.p_value is None else f", p = {t.p_value:.3g}"
        return f"{t.stage}: {a} {rate(t.x1, t.n1)} vs {b} {rate(t.x2, t.n2)}: {t.verdict}{p}"

    def _comparison_top(self) -> float:
        """The top of the comparison's y range: above 100 % room for a bar's label and the
        verdict, in pixels whatever the plot's height."""
        height = self.compare_plot.getPlotItem().getViewBox().height()
        room = 100 * COMPARE_LABELS_PX / max(height - COMPARE_LABELS_PX, 40.0)
        return 100 + room

    def _fit_comparison(self, *_: object) -> None:
        top = self._comparison_top()
        self.compare_plot.setYRange(0, top, padding=0)
        for flag in self._compare_labels[2::3]:
            flag.setPos(flag.pos().x(), top)

    def _label_comparison(self) -> None:
        """Each bar's conversion, and each stage's verdict above its pair."""
        pg = self._pg
        for item in self._compare_labels:
            self.compare_plot.removeItem(item)
        self._compare_labels = []
        text, muted = self.theme.text.name(), self.theme.muted_text.name()
        top = self._comparison_top()
        for i, t in enumerate(self.comparison):
            for offset, x, n in ((-0.19, t.x1, t.n1), (0.19, t.x2, t.n2)):
                label = pg.TextItem(f"{x / n:.0%}" if n else "–", color=text,
                                    anchor=(0.5, 1.0))
                label.setPos(i + offset, 100 * (x / n if n else 0.0))
                label.setToolTip(self._comparison_line(t))
                self.compare_plot.addItem(label)
                self._compare_labels.append(label)
            verdict = VERDICT_SHORT.get(t.verdict, "could be chance")
            style = f"color:{text}; font-weight:600" if t.real else f"color:{muted}"
            mark = "✔ " if t.real else ""
            flag = pg.TextItem(html=f'<span style="{style}; font-size:11px">{mark}'
                               f'{html.escape(verdict)}</span>', anchor=(0.5, 0.0))
            flag.setPos(i, top)
            flag.setToolTip(self._comparison_line(t))
            self.compare_plot.addItem(flag)
            self._compare_labels.append(flag)
        self.compare_plot.setYRange(0, top, padding=0)
