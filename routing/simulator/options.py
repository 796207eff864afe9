"""Simulation options and the distribution format of the command line.

A distribution is written KIND:PARAMETERS, in seconds:
  fixed:S              always S
  uniform:LOW:HIGH     evenly between LOW and HIGH
  exponential:MEAN     memoryless, mean MEAN
  lognormal:MEDIAN:SIGMA  median MEDIAN, SIGMA the spread of its logarithm (0.5 is typical)
Per channel: CHANNEL=DISTRIBUTION, e.g. `chat=lognormal:300:0.5`."""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from routing.engine.policy import DEFAULT_POLICIES, Channel

CHANNELS = tuple(channel.value for channel in Channel)
KINDS = {"fixed": 1, "uniform": 2, "exponential": 1, "lognormal": 2}


@dataclass(frozen=True, slots=True)
class Distribution:
    kind: str
    first: float
    second: float = 0.0

    def sample(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            return self.first
        if self.kind == "uniform":
            return rng.uniform(self.first, self.second)
        if self.kind == "exponential":
            return rng.expovariate(1.0 / self.first)
        return rng.lognormvariate(math.log(self.first), self.second)

    def __str__(self) -> str:
        if KINDS[self.kind] == 1:
            return f"{self.kind}:{self.first:g}"
        return f"{self.kind}:{self.first:g}:{self.second:g}"


def parse_distribution(text: str) -> Distribution:
    kind, _, rest = text.strip().partition(":")
    if kind not in KINDS:
        raise ValueError(f"{text!r}: the kind must be one of {', '.join(KINDS)}")
    parts = rest.split(":") if rest else []
    if len(parts) != KINDS[kind]:
        raise ValueError(f"{text!r}: {kind} takes {KINDS[kind]} number(s), like "
                         f"{'lognormal:300:0.5' if kind == 'lognormal' else kind + ':30'}")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise ValueError(f"{text!r}: {rest!r} are not numbers") from None
    if any(not math.isfinite(number) or number < 0 for number in numbers):
        raise ValueError(f"{text!r}: the numbers must be zero or more")
    if kind in ("exponential", "lognormal") and numbers[0] == 0:
        raise ValueError(f"{text!r}: the {'mean' if kind == 'exponential' else 'median'} "
                         "must be more than zero")
    if kind == "uniform" and numbers[1] < numbers[0]:
        raise ValueError(f"{text!r}: HIGH must not be below LOW")
    return Distribution(kind, *numbers)


def _per_channel(values: list[str]) -> Iterator[tuple[str, str, str]]:
    for item in (part for value in values for part in value.split(",") if part.strip()):
        channel, equals, text = item.partition("=")
        channel = channel.strip().lower()
        if not equals or channel not in CHANNELS:
            raise ValueError(f"{item!r}: write CHANNEL=VALUE with CHANNEL one of "
                             f"{', '.join(CHANNELS)}")
        yield item, channel, text.strip()


def parse_channel_distributions(values: list[str]) -> dict[str, Distribution]:
    """`chat=lognormal:300:0.5` items (repeated or comma-separated) into {channel: ...}."""
    return {channel: parse_distribution(text) for _, channel, text in _per_channel(values)}


def parse_channel_seconds(values: list[str]) -> dict[str, float]:
    """`chat=30` items (repeated or comma-separated) into {channel: seconds}."""
    parsed: dict[str, float] = {}
    for item, channel, text in _per_channel(values):
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{item!r}: {text!r} is not a number of seconds") from None
        if not math.isfinite(number) or number <= 0:
            raise ValueError(f"{item!r}: the seconds must be more than zero")
        parsed[channel] = number
    return parsed


@dataclass(frozen=True)
class SimulationOptions:
    """`accept_probability`: an offered expert accepts; otherwise they decline, except that a
    share `ignore_probability` of all offers goes unanswered until it expires.
    `respond`: time to answer an offer; `reply`: from acceptance to the first reply (the first
    response the customer sees); `handle`: from acceptance to resolution."""

    seed: int = 1
    time_zone: str = "UTC"
    accept_probability: float = 0.9
    ignore_probability: float = 0.05
    targets: dict[str, float] = field(default_factory=lambda: {
        "chat": 30.0, "email": 900.0, "social": 900.0})
    offer_timeouts: dict[str, float] = field(default_factory=lambda: {
        channel.value: policy.offer_timeout.total_seconds()
        for channel, policy in DEFAULT_POLICIES.items()})
    handle: dict[str, Distribution] = field(default_factory=lambda: {
        "chat": Distribution("lognormal", 300, 0.5),
        "email": Distribution("lognormal", 600, 0.6),
        "social": Distribution("lognormal", 240, 0.5)})
    respond: dict[str, Distribution] = field(default_factory=lambda: {
        "chat": Distribution("uniform", 2, 8),
        "email": Distribution("uniform", 5, 60),
        "social": Distribution("uniform", 5, 60)})
    reply: dict[str, Distribution] = field(default_factory=lambda: {
        "chat": Distribution("uniform", 3, 10),
        "email": Distribution("uniform", 60, 240),
        "social": Distribution("uniform", 30, 180)})

    def __post_init__(self) -> None:
        for name in ("accept_probability", "ignore_probability"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name.replace('_', ' ')} must be from 0 to 1, not {value}")
        if self.accept_probability + self.ignore_probability > 1:
            raise ValueError("accept and ignore probabilities add up to more than 1")
