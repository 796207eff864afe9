"""`make bench`: performance figures as ratios measured in the same run (never timed asserts)."""

import argparse
import json
import sys

from tests.bench import database


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--intake-only", action="store_true",
                        help="only the intake bench (uvicorn workers: --workers)")
    parser.add_argument("--workers", type=int, default=None)
    arguments = parser.parse_args()

    database.configure()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from tests.bench import decision, intake

    if arguments.intake_only:
        intake.print_report(intake.run(workers=arguments.workers))
        return 0

    figures = decision.run(iterations=arguments.iterations)
    smallest, largest = figures[0], figures[-1]
    ratio = largest.median_ms / smallest.median_ms
    report = {
        "decision": [figure.__dict__ for figure in figures],
        "decision_ratio_10000_to_10": round(ratio, 2),
        "decision_ratio_target": "<= 2",
        "queries_per_decision_max": max(figure.queries for figure in figures),
        "queries_target": "<= 5",
    }
    intake_figures = intake.run(workers=arguments.workers)
    report["intake"] = intake_figures.__dict__
    report["intake_ratio_target"] = ">= 0.5"
    if arguments.json:
        print(json.dumps(report, indent=2))
        return 0
    print("a. One routing decision (median / p90 ms; naive scan of every expert beside it)")
    print(f"{'experts':>8} {'median':>8} {'p90':>8} {'SELECTs':>8} {'naive':>9} {'naive/ours':>11}")
    for figure in figures:
        print(f"{figure.experts:>8} {figure.median_ms:>8.2f} {figure.p90_ms:>8.2f} "
              f"{figure.queries:>8} {figure.naive_median_ms:>9.2f} "
              f"{figure.naive_median_ms / figure.median_ms:>10.1f}x")
    print(f"ratio 10,000 to 10 experts: {ratio:.2f} (target <= 2); "
          f"SELECTs per decision: {report['queries_per_decision_max']} (target <= 5)")
    print()
    print("b. ", end="")
    intake.print_report(intake_figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
