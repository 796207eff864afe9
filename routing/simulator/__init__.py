"""The coverage simulator: replays an inquiry log against a shift plan with simulated experts,
driving the same pure routing engine (`routing.engine`) the Celery tasks use. Plain Python, no
Django, no database; every random draw comes from one seeded `random.Random`."""

from routing.simulator.inputs import SimulationInputError, load_inquiries, load_plan
from routing.simulator.options import (
    SimulationOptions,
    parse_channel_distributions,
    parse_channel_seconds,
    parse_distribution,
)
from routing.simulator.report import SimulationReport
from routing.simulator.run import simulate

__all__ = [
    "SimulationInputError",
    "SimulationOptions",
    "SimulationReport",
    "load_inquiries",
    "load_plan",
    "parse_channel_distributions",
    "parse_channel_seconds",
    "parse_distribution",
    "simulate",
]
