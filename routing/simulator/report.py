"""What a simulation found, as text for a terminal and as one JSON object."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

HOUR = 3600.0


def percentile(ordered: list[float], share: float) -> float | None:
    """Nearest-rank percentile of an ordered list."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class ChannelTally:
    inquiries: int = 0
    within_target: int = 0
    first_responses: list[float] = field(default_factory=list)
    offers: list[int] = field(default_factory=list)
    handed_back: dict[str, int] = field(default_factory=lambda: {
        "no_coverage_in_time": 0, "never_covered": 0})

    def summary(self, target: float) -> dict[str, Any]:
        ordered = sorted(self.first_responses)

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return {
            "inquiries": self.inquiries,
            "answered": len(ordered),
            "target_seconds": target,
            "first_response_seconds": {"p50": rounded(percentile(ordered, 0.5)),
                                       "p90": rounded(percentile(ordered, 0.9)),
                                       "p99": rounded(percentile(ordered, 0.99))},
            "within_target": round(self.within_target / self.inquiries, 4)
            if self.inquiries else None,
            "handed_back": {**self.handed_back, "total": sum(self.handed_back.values())},
            "offers_per_inquiry": round(sum(self.offers) / len(self.offers), 3)
            if self.offers else None,
            "offers_per_inquiry_max": max(self.offers, default=0),
        }


class Utilization:
    """Expert-seconds on shift and busy (at least one conversation open) per clock hour."""

    def __init__(self, time_zone: str) -> None:
        self.zone = ZoneInfo(time_zone)
        self.on_shift: defaultdict[int, float] = defaultdict(float)
        self.busy: defaultdict[int, float] = defaultdict(float)

    @staticmethod
    def _add(bins: defaultdict[int, float], start: float, end: float) -> None:
        hour = int(start // HOUR)
        while start < end:
            boundary = (hour + 1) * HOUR
            bins[hour] += min(end, boundary) - start
            start, hour = boundary, hour + 1

    def add_on_shift(self, start: float, end: float) -> None:
        self._add(self.on_shift, start, end)

    def add_busy(self, start: float, end: float) -> None:
        self._add(self.busy, start, end)

    def by_hour(self) -> list[dict[str, Any]]:
        return [
            {"hour": datetime.fromtimestamp(hour * HOUR, UTC).astimezone(self.zone)
             .isoformat(timespec="minutes"),
             "experts_on_shift": round(self.on_shift[hour] / HOUR, 2),
             "utilization": round(self.busy[hour] / self.on_shift[hour], 4)}
            for hour in sorted(self.on_shift) if self.on_shift[hour] > 0
        ]

    def by_hour_of_day(self) -> list[dict[str, Any]]:
        on_shift: defaultdict[int, float] = defaultdict(float)
        busy: defaultdict[int, float] = defaultdict(float)
        for hour, seconds in self.on_shift.items():
            local = datetime.fromtimestamp(hour * HOUR, UTC).astimezone(self.zone).hour
            on_shift[local] += seconds
            busy[local] += self.busy[hour]
        return [{"hour_of_day": hour, "utilization": round(busy[hour] / on_shift[hour], 4)
                 if on_shift[hour] else None} for hour in range(24)]


@dataclass
class SimulationReport:
    seed: int
    time_zone: str
    targets: dict[str, float]
    channels: dict[str, ChannelTally]
    utilization: Utilization

    def as_dict(self) -> dict[str, Any]:
        channels = {channel: tally.summary(self.targets[channel])
                    for channel, tally in self.channels.items() if tally.inquiries}
        return {
            "seed": self.seed,
            "time_zone": self.time_zone,
            "inquiries": sum(tally.inquiries for tally in self.channels.values()),
            "channels": channels,
            "utilization_by_hour_of_day": self.utilization.by_hour_of_day(),
            "utilization_by_hour": self.utilization.by_hour(),
        }

    def as_text(self) -> str:
        data = self.as_dict()
        lines = [f"{data['inquiries']:,} inquiries simulated (seed {self.seed}, times in "
                 f"{self.time_zone}).", "",
                 f"{'channel':<8}{'count':>9}{'p50 s':>9}{'p90 s':>9}{'p99 s':>9}"
                 f"{'target':>8}{'in target':>11}{'late':>8}{'uncovered':>10}{'offers':>8}"]
        for channel, figures in data["channels"].items():
            response = figures["first_response_seconds"]

            def cell(value: float | None) -> str:
                return "-" if value is None else f"{value:,.1f}"

            lines.append(
                f"{channel:<8}{figures['inquiries']:>9,}{cell(response['p50']):>9}"
                f"{cell(response['p90']):>9}{cell(response['p99']):>9}"
                f"{figures['target_seconds']:>7g}s{figures['within_target']:>11.1%}"
                f"{figures['handed_back']['no_coverage_in_time']:>8,}"
                f"{figures['handed_back']['never_covered']:>10,}"
                f"{figures['offers_per_inquiry'] or 0:>8.2f}"
            )
        lines += ["", "late: handed back, no expert free before the target; uncovered: "
                  "handed back, nobody on shift could take it; offers: per inquiry.", "",
                  f"Expert utilization by hour of day ({self.time_zone}; busy = at least one "
                  "conversation open; every hour in --json):"]
        for row in data["utilization_by_hour_of_day"]:
            share = row["utilization"]
            bar = "" if share is None else "#" * round(share * 40)
            shown = "  off" if share is None else f"{share:>5.0%}"
            lines.append(f"  {row['hour_of_day']:02d}:00 {shown} {bar}")
        return "\n".join(lines)
