"""Small server-rendered SVG bar charts (no chart library): a brand's last days, and the
perception gap of a queue's weeks."""

from dataclasses import dataclass
from datetime import date

from marketplace.inquiries.selectors import DailyFigures
from marketplace.surveys.selectors import PerceptionWeek

PLOT_HEIGHT = 100
PLOT_TOP = 16
GROUP_WIDTH = 64
BAR_WIDTH = 22


@dataclass(frozen=True)
class DayColumn:
    figures: DailyFigures
    x: int
    received_y: int
    received_height: int
    resolved_y: int
    resolved_height: int

    @property
    def label_x(self) -> int:
        return self.x + BAR_WIDTH


def week_chart(figures: list[DailyFigures]) -> dict[str, object]:
    """Bar geometry for received vs resolved per day, scaled to the busiest day."""
    scale = max([1, *(day.received for day in figures), *(day.resolved for day in figures)])
    columns = []
    for index, day in enumerate(figures):
        received = round(day.received * PLOT_HEIGHT / scale)
        resolved = round(day.resolved * PLOT_HEIGHT / scale)
        columns.append(DayColumn(
            figures=day, x=12 + index * GROUP_WIDTH,
            received_y=PLOT_TOP + PLOT_HEIGHT - received, received_height=received,
            resolved_y=PLOT_TOP + PLOT_HEIGHT - resolved, resolved_height=resolved,
        ))
    due = sum(day.due for day in figures)
    on_time = sum(day.on_time for day in figures)
    return {
        "columns": columns,
        "width": 24 + GROUP_WIDTH * len(figures),
        "baseline": PLOT_TOP + PLOT_HEIGHT,
        "bar_width": BAR_WIDTH,
        "received": sum(day.received for day in figures),
        "resolved": sum(day.resolved for day in figures),
        "on_time_share": on_time / due if due else None,
    }


PERCEPTION_GROUP_WIDTH = 34
PERCEPTION_BAR_WIDTH = 13
PERCEPTION_LEFT = 40


@dataclass(frozen=True)
class PerceptionColumn:
    """One week of a queue: the measured bar (first replies on or before the promise) beside
    the said bar (customers who found the reply as fast as promised); a missing figure has no
    bar (height 0) and says so in its title."""

    week: date
    figures: PerceptionWeek | None
    x: int
    kept_y: int
    kept_height: int
    said_y: int
    said_height: int

    @property
    def label_x(self) -> int:
        return self.x + PERCEPTION_BAR_WIDTH


def _bar(share: float | None) -> tuple[int, int]:
    height = 0 if share is None else round(share * PLOT_HEIGHT)
    return PLOT_TOP + PLOT_HEIGHT - height, height


def perception_chart(*, weeks: list[PerceptionWeek], mondays: list[date]) -> dict[str, object]:
    """Bar geometry for one queue's weeks (`mondays`, oldest first; a week without replies
    keeps its place, empty): promise kept vs customers who said it was fast enough, 0 to 100 %."""
    by_week = {week.week: week for week in weeks}
    columns = []
    for index, monday in enumerate(mondays):
        figures = by_week.get(monday)
        kept_y, kept_height = _bar(figures.promise_kept_share if figures else None)
        said_y, said_height = _bar(figures.said_fast_share if figures else None)
        columns.append(PerceptionColumn(
            week=monday, figures=figures,
            x=PERCEPTION_LEFT + 4 + index * PERCEPTION_GROUP_WIDTH,
            kept_y=kept_y, kept_height=kept_height, said_y=said_y, said_height=said_height))
    return {
        "columns": columns,
        "width": PERCEPTION_LEFT + 8 + PERCEPTION_GROUP_WIDTH * len(mondays),
        "baseline": PLOT_TOP + PLOT_HEIGHT,
        "top": PLOT_TOP,
        "middle": PLOT_TOP + PLOT_HEIGHT // 2,
        "left": PERCEPTION_LEFT,
        "bar_width": PERCEPTION_BAR_WIDTH,
    }
