"""Benchmark payouts: a payout run (draft, approve, send every payout by the bank-file method)
for 10 experts and for 10,000 experts over a ledger of more than 1,000,000 entries; time, peak
Python memory (tracemalloc) and queries, with the queries per expert beside each other.

The ledger is seeded once in the benchmark database with SQL (34 tickets per expert, three
entries each; the expert's id doubles as the ticket's inquiry id). Each run happens inside one
transaction that is rolled back, so runs repeat on the same state; the ledger's deferred
balance check at commit is therefore not in the figures."""

import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction

from billing.ledger.models import Account
from billing.payouts.models import PayoutStatus
from billing.payouts.services import batches, execution
from billing.weeks import PayoutWeek, payout_week_starting

SEED_MARKER = "bench-payouts-v1"
TICKETS_PER_EXPERT = 34
SMALL = (1, 10)  # expert ids
LARGE = (100_001, 110_000)
SMALL_WEEK = date(2026, 10, 3)
LARGE_WEEK = date(2026, 10, 10)


@dataclass(frozen=True)
class RunFigures:
    experts: int
    payouts: int
    draft_seconds: float
    draft_queries: int
    draft_peak_mb: float
    send_seconds: float
    send_queries: int
    send_peak_mb: float

    @property
    def send_queries_per_payout(self) -> float:
        return self.send_queries / self.payouts if self.payouts else 0.0


def _seed_world(first: int, last: int, week: PayoutWeek, brand: int, revenue: int) -> None:
    seconds = int((week.period_end - week.period_start).total_seconds()) - 1
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO billing_account (kind, owner_id, currency, name) "
            "SELECT 'expert_payable', g, 'EUR', 'Bench expert ' || g || ' payable' "
            "FROM generate_series(%s, %s) g", [first, last])
        cursor.execute(
            "INSERT INTO billing_payoutdetails (expert_id, method, stripe_account_id, "
            "stripe_onboarded, account_holder, iban, bic, country, tax_id, updated_at) "
            "SELECT g, 'bank_file', '', false, 'Bench expert ' || g, 'DE89370400440532013000', "
            "'', 'DE', 'DE1', now() FROM generate_series(%s, %s) g", [first, last])
        cursor.execute(
            "INSERT INTO billing_ledgertransaction (idempotency_key, kind, currency, "
            "description, reference_inquiry_id, created_at) "
            "SELECT 'bench-ticket:' || e || ':' || t, 'ticket_resolved', 'EUR', "
            "'Bench ticket', e, %s + ((t * 7919 + e) %% %s) * interval '1 second' "
            "FROM generate_series(%s, %s) e, generate_series(1, %s) t",
            [week.period_start, seconds, first, last, TICKETS_PER_EXPERT])
        cursor.execute(
            "INSERT INTO billing_ledgerentry (transaction_id, account_id, amount_minor, "
            "description) "
            "SELECT tx.id, parts.account_id, parts.amount, parts.description "
            "FROM billing_ledgertransaction tx "
            "JOIN billing_account expert ON expert.owner_id = tx.reference_inquiry_id "
            " AND expert.kind = 'expert_payable' AND expert.currency = 'EUR' "
            "CROSS JOIN LATERAL (VALUES (%s::bigint, 450, 'Brand charged'), "
            " (expert.id, -300, 'Expert earns'), (%s::bigint, -150, 'Shiftline keeps')) "
            " AS parts(account_id, amount, description) "
            "WHERE tx.kind = 'ticket_resolved' AND tx.reference_inquiry_id BETWEEN %s AND %s",
            [brand, revenue, first, last])


def seed() -> int:
    """Seeds both worlds once; returns the count of ledger entries."""
    if not Account.objects.filter(name=SEED_MARKER).exists():
        with transaction.atomic(), connection.cursor() as cursor:
            # A bulk load of entries balanced by construction: the ledger's per-row balance
            # trigger (a million deferred checks at commit) is skipped for this transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
            brand = Account.objects.create(kind="brand_receivable", owner_id=1, currency="EUR",
                                           name=SEED_MARKER)
            revenue, _ = Account.objects.get_or_create(
                kind="platform_revenue", owner_id=None, currency="EUR",
                defaults={"name": "Shiftline revenue"})
            for (first, last), week in ((SMALL, SMALL_WEEK), (LARGE, LARGE_WEEK)):
                _seed_world(first, last, payout_week_starting(week), brand.pk, revenue.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM billing_ledgerentry")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@contextmanager
def _counted() -> Iterator[Callable[[], int]]:
    count = 0

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield lambda: count


def _measure(action: Callable[[], object]) -> tuple[float, int, float]:
    tracemalloc.start()
    started = time.perf_counter()
    with _counted() as count:
        action()
        queries = count()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, queries, peak / 1_000_000


def _run_week(start: date, experts: int) -> RunFigures:
    week = payout_week_starting(start)
    now = week.period_end + timedelta(hours=9)
    with transaction.atomic():
        drafted: list[Any] = []
        draft_seconds, draft_queries, draft_peak = _measure(lambda: drafted.append(
            batches.payout_batch_draft(now=now, holds={}, disputed_expert_ids=frozenset(),
                                       week=week)[0]))
        batch = drafted[0]
        batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=1, now=now)
        execution.payout_batch_execute(batch_id=batch.pk, now=now)
        pending = list(batch.payouts.filter(status=PayoutStatus.PENDING)
                       .values_list("pk", flat=True))

        def send_all() -> None:
            for payout_id in pending:
                execution.payout_send(payout_id=payout_id, now=now)

        send_seconds, send_queries, send_peak = _measure(send_all)
        transaction.set_rollback(True)
    return RunFigures(experts=experts, payouts=len(pending), draft_seconds=round(draft_seconds, 2),
                      draft_queries=draft_queries, draft_peak_mb=round(draft_peak, 1),
                      send_seconds=round(send_seconds, 2), send_queries=send_queries,
                      send_peak_mb=round(send_peak, 1))


def run() -> dict[str, Any]:
    seeding = time.perf_counter()
    entries = seed()
    seeded_in = time.perf_counter() - seeding
    small = _run_week(SMALL_WEEK, SMALL[1] - SMALL[0] + 1)
    large = _run_week(LARGE_WEEK, LARGE[1] - LARGE[0] + 1)
    return {
        "ledger_entries": entries, "seed_seconds": round(seeded_in, 1),
        "runs": [dict(figures.__dict__, send_queries_per_payout=round(
            figures.send_queries_per_payout, 2)) for figures in (small, large)],
        "draft_queries_ratio_large_to_small": round(large.draft_queries / small.draft_queries,
                                                    2),
        "send_queries_per_payout_ratio": round(large.send_queries_per_payout
                                               / small.send_queries_per_payout, 2),
    }


def print_report(report: dict[str, Any]) -> None:
    print(f"payouts. A payout run over {report['ledger_entries']:,} ledger entries "
          f"(bank-file method, in process; seeded in {report['seed_seconds']} s)")
    print(f"{'experts':>8} {'payouts':>8} {'draft s':>8} {'draft q':>8} {'draft MB':>9} "
          f"{'send s':>8} {'q/payout':>9} {'send MB':>8}")
    for run in report["runs"]:
        print(f"{run['experts']:>8,} {run['payouts']:>8,} {run['draft_seconds']:>8.2f} "
              f"{run['draft_queries']:>8} {run['draft_peak_mb']:>9.1f} "
              f"{run['send_seconds']:>8.2f} {run['send_queries_per_payout']:>9.2f} "
              f"{run['send_peak_mb']:>8.1f}")
    print(f"draft queries 10,000 to 10 experts: {report['draft_queries_ratio_large_to_small']}x "
          f"; queries per payout sent: "
          f"{report['send_queries_per_payout_ratio']}x")
