"""Small charts drawn on the server: the geometry of a bar chart and of sparklines.

Numbers in, coordinates out; the templates write them as inline SVG. Nothing is fetched from
another host and nothing runs in the browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from .participation import Bins


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    day: date


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    # Where each due time falls, as an x coordinate.
    due_marks: list[float]
    max_count: int
    first_day: date
    last_day: date
    days_per_bar: int
    total: int
    busiest: Bar | None


PLOT_TOP = 8
PLOT_BOTTOM = 22  # room for the dates under the bars


def bar_chart(
    counts: Sequence[int],
    bins: Bins,
    due_times: Sequence[datetime],
    zone: tzinfo,
    *,
    width: int = 600,
    height: int = 160,
) -> BarChart:
    """Bars of ``counts`` across the chart's width, scaled to the busiest bin, with a mark at each
    due time that falls inside the days shown."""
    slot = width / max(len(counts), 1)
    plot_height = height - PLOT_TOP - PLOT_BOTTOM
    top = max(counts, default=0) or 1
    bars = []
    for index, count in enumerate(counts):
        bar_height = plot_height * count / top
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.1, 2),
                y=round(PLOT_TOP + plot_height - bar_height, 2),
                width=round(max(slot * 0.8, 1), 2),
                height=round(bar_height, 2),
                count=count,
                day=bins.label(index),
            )
        )
    due_marks = []
    for due in due_times:
        local = due.astimezone(zone)
        index = bins.index(local.date())
        if index is not None:
            day_fraction = (local.hour * 60 + local.minute) / 1440
            offset = ((local.date() - bins.start).days + day_fraction) / bins.width
            due_marks.append(round(offset * slot, 2))
    busiest = max(bars, key=lambda bar: bar.count, default=None)
    return BarChart(
        width=width,
        height=height,
        bars=bars,
        due_marks=due_marks,
        max_count=max(counts, default=0),
        first_day=bins.start,
        last_day=bins.start + timedelta(days=bins.days - 1),
        days_per_bar=bins.width,
        total=sum(counts),
        busiest=busiest if busiest and busiest.count else None,
    )


# A sparkline 72 pixels wide shows no more than this many points; more is only drawing time
# (220 rows of 70 points each was half the report's rendering).
SPARK_POINTS = 32


def sparkline(counts: Sequence[int], *, width: int = 96, height: int = 18) -> str:
    """An SVG polyline's points for ``counts``, neighbouring bins added up to at most
    ``SPARK_POINTS`` (empty when there is nothing to draw)."""
    if len(counts) < 2 or not any(counts):
        return ""
    group = -(-len(counts) // SPARK_POINTS)
    if group > 1:
        counts = [sum(counts[start : start + group]) for start in range(0, len(counts), group)]
    top = max(counts)
    step = width / max(len(counts) - 1, 1)
    return " ".join(
        f"{index * step:.1f},{height - 1 - (height - 2) * count / top:.1f}"
        for index, count in enumerate(counts)
    )
