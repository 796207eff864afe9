"""`make bench`: performance figures as ratios measured in the same run (never timed asserts)."""

import argparse
import json
import sys

from tests.bench import database


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", choices=["decision", "intake"], default=None)
    parser.add_argument("--intake-seconds", type=float, default=4.0)
    parser.add_argument("--intake-rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None,
                        help="uvicorn workers for the intake bench (default: half the CPUs)")
    arguments = parser.parse_args()

    database.configure()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    report: dict[str, object] = {}
    if arguments.only != "intake":
        report.update(_decision(arguments.iterations, quiet=arguments.json))
    if arguments.only != "decision":
        report.update(_intake(arguments.intake_seconds, arguments.intake_rounds,
                              arguments.workers, quiet=arguments.json))
    if arguments.json:
        print(json.dumps(report, indent=2))
    return 0


def _intake(seconds: float, rounds: int, workers: int | None, *,
            quiet: bool) -> dict[str, object]:
    from tests.bench import intake

    figures = intake.run(seconds=seconds, rounds=rounds, workers=workers)
    if not quiet:
        print()
        print(f"b. Intake: POST /api/v1/inquiries vs a bare DRF endpoint, same uvicorn "
              f"({figures.workers} workers), {figures.client_processes} client processes, "
              f"{figures.connections} keep-alive connections, {figures.rounds} alternating "
              f"rounds of {figures.seconds:g} s (medians); DATABASE_POOL_SIZE="
              f"{figures.database_pool_size}")
        print(f"   bare DRF endpoint: {figures.bare_rps:>8.1f} req/s")
        print(f"   intake:            {figures.intake_rps:>8.1f} req/s")
        print(f"   ratio intake/bare: {figures.ratio:.3f} (target >= 0.5; rounds: "
              f"{', '.join(f'{ratio:.3f}' for ratio in figures.ratios)})")
        print(f"   at 70 % of the intake maximum ({figures.offered_rps:.1f} req/s offered, "
              f"{figures.achieved_rps:.1f} achieved): p50 {figures.p50_ms:.1f} ms, "
              f"p99 {figures.p99_ms:.1f} ms")
        print(f"   non-2xx answers: {figures.errors}")
    return {"intake": figures.__dict__, "intake_ratio_target": ">= 0.5"}


def _decision(iterations: int, *, quiet: bool) -> dict[str, object]:
    from tests.bench import decision

    figures = decision.run(iterations=iterations)
    smallest, largest = figures[0], figures[-1]
    ratio = largest.median_ms / smallest.median_ms
    report: dict[str, object] = {
        "decision": [figure.__dict__ for figure in figures],
        "decision_ratio_10000_to_10": round(ratio, 2),
        "decision_ratio_target": "<= 2",
        "queries_per_decision_max": max(figure.queries for figure in figures),
        "queries_target": "<= 5",
    }
    if quiet:
        return report
    print("a. One routing decision (median / p90 ms; naive scan of every expert beside it)")
    print(f"{'experts':>8} {'median':>8} {'p90':>8} {'SELECTs':>8} {'naive':>9} {'naive/ours':>11}")
    for figure in figures:
        print(f"{figure.experts:>8} {figure.median_ms:>8.2f} {figure.p90_ms:>8.2f} "
              f"{figure.queries:>8} {figure.naive_median_ms:>9.2f} "
              f"{figure.naive_median_ms / figure.median_ms:>10.1f}x")
    print(f"ratio 10,000 to 10 experts: {ratio:.2f} (target <= 2); "
          f"SELECTs per decision: {report['queries_per_decision_max']} (target <= 5)")
    return report


if __name__ == "__main__":
    sys.exit(main())
