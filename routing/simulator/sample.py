"""Sample INQUIRIES.csv and SHIFTS.csv for trying the simulator (`simulate --example DIR`):
a Dublin brand covered by the network on weekday nights (18:00-09:00) and all weekend, about
one inquiry a minute, a shift plan in four-hour blocks and a deliberate gap on Sunday nights
from 03:00 to 05:00 so the report shows inquiries nobody covered."""

import csv
import math
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Dublin")
START = datetime(2026, 11, 23, tzinfo=ZONE)  # a Monday
PER_WEEK = 7_000
CHANNELS = (("chat", 0.5), ("email", 0.35), ("social", 0.15))
LANGUAGES = (("en", 0.7), ("de", 0.15), ("fr", 0.1), ("es", 0.05))
TEAMS = ((3, "en"), (1, "en;de"), (1, "en;fr;es"))
BLOCK_HOURS = 4


def _covered(hour: datetime) -> bool:
    if hour.weekday() == 6 and 3 <= hour.hour < 5:
        return False
    return hour.weekday() >= 5 or hour.hour < 9 or hour.hour >= 18


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in weighted], [share for _, share in weighted])[0]


def write_examples(directory: Path, *, inquiries: int = 2_000, seed: int = 1
                   ) -> tuple[Path, Path]:
    rng = random.Random(seed)  # noqa: S311 - seeded sample data
    weeks = max(1, math.ceil(inquiries / PER_WEEK))
    hours = [START + timedelta(hours=number) for number in range(weeks * 7 * 24)]
    open_hours = [hour for hour in hours
                  if _covered(hour) or (hour.weekday() == 6 and 3 <= hour.hour < 5)]
    directory.mkdir(parents=True, exist_ok=True)
    log_path, plan_path = directory / "inquiries.csv", directory / "shifts.csv"
    moments = sorted(rng.choice(open_hours) + timedelta(seconds=rng.uniform(0, 3600))
                     for _ in range(inquiries))
    with log_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["received_at", "channel", "language", "skill"])
        for received_at in moments:
            writer.writerow([received_at.astimezone(ZONE).isoformat(timespec="seconds"),
                             _pick(rng, CHANNELS), _pick(rng, LANGUAGES),
                             "returns" if rng.random() < 0.1 else ""])
    with plan_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["starts_at", "ends_at", "experts", "languages"])
        block: list[datetime] = []
        for hour in [*hours, None]:
            if hour is not None and _covered(hour) and len(block) < BLOCK_HOURS:
                block.append(hour)
                continue
            if block:
                ends_at = block[-1] + timedelta(hours=1)
                for experts, languages in TEAMS:
                    writer.writerow([block[0].isoformat(timespec="seconds"),
                                     ends_at.isoformat(timespec="seconds"), experts, languages])
            block = [hour] if hour is not None and _covered(hour) else []
    return log_path, plan_path
