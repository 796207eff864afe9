"""`make bench`: performance figures as ratios measured in the same run (never timed asserts).

  a    one routing decision, 10 to 10,000 experts on shift, beside a naive scan
  b    inquiry POST to offer frame on the websocket at 20/s, beside a bare push pipeline
  c    routing decisions per second per worker process, beside a no-op task
  sim  the coverage simulator on 100,000 inquiries
  intake  the intake API's throughput (tests/bench/intake.py; uvicorn workers: --workers)
  payouts  a payout run for 10 and 10,000 experts over 1,000,000 ledger entries
  inv  an invoice run for a brand with 100,000 tickets in a month, beside 1,000 (queries)
  widget  a chat widget message POST to the expert's websocket frame, beside a bare push
          (BENCH_WIDGET_MESSAGES, default 200)

BENCH_SECONDS shortens b (default 60 s, as the issue asks)."""

import argparse
import json
import sys
from typing import Any

from tests.bench import database

SECTIONS = ("a", "b", "c", "sim", "intake", "payouts", "inv", "widget")


def print_a(report: dict[str, Any]) -> None:
    print("a. One routing decision (median / p90 ms; naive scan of every expert beside it)")
    print(f"{'experts':>8} {'median':>8} {'p90':>8} {'SELECTs':>8} {'naive':>9} {'naive/ours':>11}")
    for figure in report["decision"]:
        print(f"{figure['experts']:>8} {figure['median_ms']:>8.2f} {figure['p90_ms']:>8.2f} "
              f"{figure['queries']:>8} {figure['naive_median_ms']:>9.2f} "
              f"{figure['naive_median_ms'] / figure['median_ms']:>10.1f}x")
    print(f"ratio 10,000 to 10 experts: {report['decision_ratio_10000_to_10']:.2f} (target <= 2);"
          f" SELECTs per decision: {report['queries_per_decision_max']} (target <= 5)")


def print_b(report: dict[str, Any]) -> None:
    routed, bare = report["routed"], report["bare"]
    print(f"b. Inquiry POST to offer frame on the websocket, {report['rate_per_second']}/s for "
          f"{report['seconds']:g} s through uvicorn and a Celery worker")
    print(f"{'pipeline':>10} {'sent':>6} {'framed':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, figures in (("routed", routed), ("bare", bare)):
        print(f"{name:>10} {figures['sent']:>6} {figures['received']:>7} "
              f"{figures['p50_ms']:>8.1f} {figures['p99_ms']:>8.1f} {figures['max_ms']:>8.1f}")
    print("   where a routed inquiry's time went (wall clock; the platform stamps receipt and "
          "decision):")
    for stage, figures in report["stages"].items():
        print(f"     {stage:<36} p50 {figures['p50_ms']:>8.1f} ms  p99 {figures['p99_ms']:>8.1f} ms"
              f"  max {figures['max_ms']:>8.1f} ms")
    load = report["intake_load"]
    print(f"meanwhile a separate intake load: {load['offered_rps']:.1f} req/s offered "
          f"({load['share']:.0%} of the web process's measured maximum, "
          f"{load['maximum_rps']:.1f} req/s), {load['achieved_rps']:.1f} achieved, p50 "
          f"{load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms, {load['errors']} non-2xx "
          f"(statuses {load['statuses']})")
    _print_cpu("the routed run", report["cpu"])
    print(f"p99 {routed['p99_ms']:.1f} ms (target < 250 ms); routed to bare: p50 "
          f"{report['ratio_p50']:.2f}x, p99 {report['ratio_p99']:.2f}x "
          "(bare: a no-op task that only pushes a frame)")
    print(f"load average {report['load_average']} on {report['cpus']} CPUs at the end of the run")


def _print_cpu(title: str, account: dict[str, Any]) -> None:
    print(f"   CPU during {title}: {account['busy_cpu_seconds']:.1f} busy CPU-seconds on the "
          "machine")
    for name, seconds in account["cpu_seconds"].items():
        print(f"     {name:<42} {seconds:>7.2f} s  {account['cpu_share'][name]:>6.1%}")


def print_c(report: dict[str, Any]) -> None:
    print("c. Celery worker processes on the routing queue")
    print(f"one process (-c 1): routing decisions per second: "
          f"{report['routing_decisions_per_second']:.1f} ({report['offered']} of "
          f"{2 * report['routings']}+ offered over both runs); no-op tasks per second: "
          f"{report['noop_tasks_per_second']:.1f}; routing runs at "
          f"{report['routing_share_of_noop_pace']:.1%} of the no-op pace")
    print(f"worker CPU per task: routing {report['worker_cpu_ms_per_routing']:.2f} ms, no-op "
          f"{report['worker_cpu_ms_per_noop']:.2f} ms: ratio "
          f"{report['routing_cpu_to_noop']:.2f} (target <= 3)")
    _print_cpu("the one-process routing run", report["cpu_one_worker"])
    print(f"two processes (-c 2): {report['two_workers_decisions_per_second']:.1f} decisions "
          f"per second, {report['two_workers_cpu_ms_per_routing']:.2f} worker CPU ms each: "
          f"{report['two_to_one_workers']:.2f}x one process (target >= 1.3)")
    _print_cpu("the two-process routing run", report["cpu_two_workers"])
    print(f"load average {report['load_average']} on {report['cpus']} CPUs at the end")


def print_sim(report: dict[str, Any]) -> None:
    print(f"sim. manage.py simulate on {report['inquiries']:,} inquiries: "
          f"{report['seconds']:.1f} s ({report['inquiries_per_second']:,} inquiries/s; "
          f"target < {report['target_seconds']} s)")


def print_inv(report: dict[str, Any]) -> None:
    print("inv. Invoice run for one brand: issue (lines, VAT, number), PDF, streamed CSV")
    print(f"{'tickets':>8} {'issue s':>8} {'pdf s':>6} {'csv s':>6} {'total s':>8} "
          f"{'peak MiB':>9} {'queries':>8}")
    for run in report["runs"]:
        print(f"{run['tickets']:>8,} {run['issue_seconds']:>8} {run['pdf_seconds']:>6} "
              f"{run['csv_seconds']:>6} {run['total_seconds']:>8} {run['peak_mib']:>9} "
              f"{run['queries']:>8}")
    print(f"queries per invoice as tickets grow: {report['query_growth']} (constant)")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help="comma-separated sections to run (default: all)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--intake-only", action="store_true",
                        help="only the intake bench (uvicorn workers: --workers)")
    parser.add_argument("--workers", type=int, default=None)
    arguments = parser.parse_args()
    sections = [section.strip() for section in arguments.only.split(",") if section.strip()]
    if arguments.intake_only:
        sections = ["intake"]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")

    database.configure()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    report: dict[str, Any] = {}
    printers = {"a": print_a, "b": print_b, "c": print_c, "sim": print_sim,
                "intake": print_intake, "payouts": print_payouts, "inv": print_inv,
                "widget": print_widget}
    for section in sections:
        report[section] = run_section(section, arguments.iterations, arguments.workers)
        if not arguments.json:
            printers[section](report[section])
            print(flush=True)
    if arguments.json:
        print(json.dumps(report, indent=2))
    return 0


def print_intake(report: dict[str, Any]) -> None:
    from tests.bench import intake

    print("intake. ", end="")
    intake.print_report(intake.IntakeFigures(**report))


def print_payouts(report: dict[str, Any]) -> None:
    from tests.bench import payouts

    payouts.print_report(report)


def print_widget(report: dict[str, Any]) -> None:
    from tests.bench import widget

    widget.print_report(report)


def run_section(section: str, iterations: int, workers: int | None) -> dict[str, Any]:
    if section == "a":
        from tests.bench import decision

        figures = decision.run(iterations=iterations)
        return {
            "decision": [figure.__dict__ for figure in figures],
            "decision_ratio_10000_to_10": round(figures[-1].median_ms / figures[0].median_ms, 2),
            "decision_ratio_target": "<= 2",
            "queries_per_decision_max": max(figure.queries for figure in figures),
            "queries_target": "<= 5",
        }
    if section == "b":
        from tests.bench import pipeline

        return pipeline.run()
    if section == "c":
        from tests.bench import throughput

        return throughput.run()
    if section == "intake":
        from tests.bench import intake

        return dict(intake.run(workers=workers).__dict__)
    if section == "payouts":
        from tests.bench import payouts

        return payouts.run()
    if section == "inv":
        from tests.bench import invoices

        return invoices.run()
    if section == "widget":
        from tests.bench import widget

        return widget.run()
    from tests.bench import simulation

    return simulation.run()


if __name__ == "__main__":
    sys.exit(main())
