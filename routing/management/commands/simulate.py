"""`python manage.py simulate --log INQUIRIES.csv --plan SHIFTS.csv`: the coverage simulator
(routing/simulator) from the command line. Thin: options in, report out."""

import json
import time
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.simulator import (
    SimulationInputError,
    SimulationOptions,
    load_inquiries,
    load_plan,
    parse_channel_distributions,
    parse_channel_seconds,
    simulate,
)
from routing.simulator.options import __doc__ as DISTRIBUTIONS
from routing.simulator.sample import write_examples

BAR_WIDTH = 30


class Command(BaseCommand):
    help = ("Replay an inquiry log against a shift plan with simulated experts through the "
            "routing engine: first-response times, share within target, hand-backs, offers "
            "per inquiry and expert utilization.")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        parser.epilog = (
            "INQUIRIES.csv: received_at (ISO 8601 with offset), channel (chat, email, social), "
            "language (ISO 639-1), optional skill.\nSHIFTS.csv: starts_at, ends_at (ISO 8601 "
            "with offset), experts (headcount), optional languages and skills "
            "(semicolon-separated; every language and skill of the log when left out).\n\n"
            + (DISTRIBUTIONS or "").split("\n", 1)[1]
        )
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--log", type=Path, metavar="INQUIRIES.csv")
        parser.add_argument("--plan", type=Path, metavar="SHIFTS.csv")
        parser.add_argument("--timezone", default="UTC",
                            help="IANA zone for the hours of the report (default UTC)")
        parser.add_argument("--seed", type=int, default=1,
                            help="same seed, same result (default 1)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--accept", type=float, default=0.9,
                            help="probability an offered expert accepts (default 0.9)")
        parser.add_argument("--ignore", type=float, default=0.05,
                            help="probability an offer goes unanswered until it expires "
                                 "(default 0.05); the rest are declined")
        parser.add_argument("--handle", action="append", default=[], metavar="CHANNEL=DIST",
                            help="handling time from acceptance to resolution (default "
                                 "chat=lognormal:300:0.5 email=lognormal:600:0.6 "
                                 "social=lognormal:240:0.5)")
        parser.add_argument("--respond", action="append", default=[], metavar="CHANNEL=DIST",
                            help="time to answer an offer (default chat=uniform:2:8, "
                                 "email and social uniform:5:60)")
        parser.add_argument("--reply", action="append", default=[], metavar="CHANNEL=DIST",
                            help="from acceptance to the first reply (default chat=uniform:3:10 "
                                 "email=uniform:60:240 social=uniform:30:180)")
        parser.add_argument("--target", action="append", default=[], metavar="CHANNEL=SECONDS",
                            help="first-response target (default chat=30 email=900 social=900, "
                                 "as a queue's defaults)")
        parser.add_argument("--offer-timeout", action="append", default=[],
                            metavar="CHANNEL=SECONDS",
                            help="offer expiry (default chat=20 email=120 social=120)")
        parser.add_argument("--example", type=Path, metavar="DIR",
                            help="write sample inquiries.csv and shifts.csv into DIR and stop")
        parser.add_argument("--example-size", type=int, default=2_000, metavar="N",
                            help="inquiries in the sample log (default 2,000)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["example"] is not None:
            self._write_example(options["example"], options["example_size"], options["seed"])
            return
        if options["log"] is None or options["plan"] is None:
            raise CommandError("Give both --log INQUIRIES.csv and --plan SHIFTS.csv "
                               "(or --example DIR to write sample files).")
        settings = self._options(options)
        try:
            inquiries = load_inquiries(options["log"])
            plan = load_plan(options["plan"])
        except SimulationInputError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        report = simulate(inquiries, plan, settings, progress=self._progress_bar())
        elapsed = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
        else:
            self.stdout.write(report.as_text())
            self.stdout.write(f"\nSimulated {len(inquiries):,} inquiries in {elapsed:.1f} s.")

    def _options(self, options: dict[str, Any]) -> SimulationOptions:
        try:
            ZoneInfo(options["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"--timezone {options['timezone']!r} is not an IANA time zone "
                               "(like Europe/Dublin).") from None
        defaults = SimulationOptions()
        try:
            return SimulationOptions(
                seed=options["seed"], time_zone=options["timezone"],
                accept_probability=options["accept"], ignore_probability=options["ignore"],
                targets={**defaults.targets, **parse_channel_seconds(options["target"])},
                offer_timeouts={**defaults.offer_timeouts,
                                **parse_channel_seconds(options["offer_timeout"])},
                handle={**defaults.handle, **parse_channel_distributions(options["handle"])},
                respond={**defaults.respond, **parse_channel_distributions(options["respond"])},
                reply={**defaults.reply, **parse_channel_distributions(options["reply"])},
            )
        except ValueError as error:
            raise CommandError(str(error)) from error

    def _write_example(self, directory: Path, size: int, seed: int) -> None:
        if not 0 < size <= 10_000_000:
            raise CommandError("--example-size must be from 1 to 10,000,000.")
        try:
            log, plan = write_examples(directory, inquiries=size, seed=seed)
        except OSError as error:
            raise CommandError(f"Cannot write the examples into {directory}: "
                               f"{error.strerror}.") from error
        self.stdout.write(f"Wrote {log} and {plan}. Try:\n  python manage.py simulate "
                          f"--log {log} --plan {plan} --timezone Europe/Dublin")

    def _progress_bar(self) -> Any:
        """A bar on stderr, only when stderr is a terminal."""
        if not self.stderr.isatty():
            return None

        def show(done: int, total: int) -> None:
            filled = BAR_WIDTH * done // total
            self.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
                              f"{done:,}/{total:,} inquiries", style_func=str, ending="")
            if done == total:
                self.stderr.write("\r" + " " * (BAR_WIDTH + 40) + "\r", style_func=str,
                                  ending="")
            self.stderr.flush()

        return show
