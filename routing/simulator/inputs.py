"""Reading INQUIRIES.csv and SHIFTS.csv. Every problem is a `SimulationInputError` naming the
file and line, never a traceback."""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

CHANNELS = ("chat", "email", "social")
LANGUAGE = re.compile(r"^[a-z]{2}$")
INQUIRY_COLUMNS = ("received_at", "channel", "language")
SHIFT_COLUMNS = ("starts_at", "ends_at", "experts")
MAX_HEADCOUNT = 10_000


class SimulationInputError(ValueError):
    """A bad input file; the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class LoggedInquiry:
    received_at: float
    channel: str
    language: str
    skill: str


@dataclass(frozen=True, slots=True)
class PlannedShift:
    starts_at: float
    ends_at: float
    experts: int
    languages: frozenset[str] | None
    skills: frozenset[str] | None


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    name = path.name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise SimulationInputError(f"{name}: cannot be read ({error.strerror}).") from error
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [column.strip().lower() for column in reader.fieldnames or []]
            if not header:
                raise SimulationInputError(f"{name}: the file is empty; it needs a header line "
                                           f"with {', '.join(required)}.")
            missing = [column for column in required if column not in header]
            if missing:
                raise SimulationInputError(
                    f"{name} line 1: missing column {', '.join(missing)} "
                    f"(the header must name {', '.join(required)})."
                )
            reader.fieldnames = header
            for row in reader:
                if not any((value or "").strip() for value in row.values()
                           if isinstance(value, str)):
                    continue
                if None in row:
                    raise SimulationInputError(
                        f"{name} line {reader.line_num}: more fields than the header has columns."
                    )
                yield reader.line_num, {key: (value or "").strip() for key, value in row.items()}
        except UnicodeDecodeError as error:
            raise SimulationInputError(f"{name}: not a UTF-8 text file ({error.reason}).") \
                from error
        except csv.Error as error:
            raise SimulationInputError(f"{name}: not a readable CSV file ({error}).") from error


def _instant(value: str, where: str, column: str) -> float:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise SimulationInputError(
            f"{where}: {column} {value!r} is not an ISO 8601 time with an offset "
            f"(like 2026-11-22T18:05:00+00:00)."
        )
    return moment.timestamp()


def _codes(value: str, where: str, column: str, pattern: re.Pattern[str] | None
           ) -> frozenset[str] | None:
    if not value:
        return None
    codes = frozenset(code.strip().lower() for code in value.split(";") if code.strip())
    for code in sorted(codes):
        if pattern is not None and not pattern.match(code):
            raise SimulationInputError(
                f"{where}: {column} {code!r} is not an ISO 639-1 language code (like en)."
            )
    return codes


def load_inquiries(path: Path) -> list[LoggedInquiry]:
    """The log, ordered by received_at (ties keep file order)."""
    inquiries: list[LoggedInquiry] = []
    for line, row in _rows(path, INQUIRY_COLUMNS):
        where = f"{path.name} line {line}"
        received_at = _instant(row["received_at"], where, "received_at")
        channel = row["channel"].lower()
        if channel not in CHANNELS:
            raise SimulationInputError(
                f"{where}: channel {row['channel']!r} is not one of {', '.join(CHANNELS)}."
            )
        language = row["language"].lower()
        if not LANGUAGE.match(language):
            raise SimulationInputError(
                f"{where}: language {row['language']!r} is not an ISO 639-1 code (like en)."
            )
        inquiries.append(LoggedInquiry(received_at, channel, language,
                                       row.get("skill", "").lower()))
    if not inquiries:
        raise SimulationInputError(f"{path.name}: no inquiries after the header line.")
    inquiries.sort(key=lambda inquiry: inquiry.received_at)
    return inquiries


def load_plan(path: Path) -> list[PlannedShift]:
    shifts: list[PlannedShift] = []
    for line, row in _rows(path, SHIFT_COLUMNS):
        where = f"{path.name} line {line}"
        starts_at = _instant(row["starts_at"], where, "starts_at")
        ends_at = _instant(row["ends_at"], where, "ends_at")
        if ends_at <= starts_at:
            raise SimulationInputError(
                f"{where}: ends_at {row['ends_at']!r} is not after starts_at "
                f"{row['starts_at']!r}."
            )
        try:
            experts = int(row["experts"])
        except ValueError:
            experts = -1
        if not 0 < experts <= MAX_HEADCOUNT:
            raise SimulationInputError(
                f"{where}: experts {row['experts']!r} is not a whole number from 1 to "
                f"{MAX_HEADCOUNT:,}."
            )
        shifts.append(PlannedShift(
            starts_at, ends_at, experts,
            _codes(row.get("languages", ""), where, "languages", LANGUAGE),
            _codes(row.get("skills", ""), where, "skills", None),
        ))
    if not shifts:
        raise SimulationInputError(f"{path.name}: no shifts after the header line.")
    return shifts
