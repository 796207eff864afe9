"""A small server-rendered SVG bar chart of a brand's last days (no chart library)."""

from dataclasses import dataclass

from marketplace.inquiries.selectors import DailyFigures

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
