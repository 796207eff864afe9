"""The ops console's payouts: the weekly batches, one batch's review (totals, per-expert
payouts, holds), approve, execute with a live progress bar (htmx polling the progress
fragment while the batch runs), the bank files and marking them paid."""

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from billing.payouts import selectors as payouts_selectors
from billing.payouts.services import batches as batch_services
from billing.payouts.services import execution as execution_services
from frontend.access import ops_required, signed_in_user
from frontend.responses import navigate
from marketplace.infra.errors import RuleViolation

PROGRESS_POLL_SECONDS = 2


def _require_confirmed(request: HttpRequest, what: str) -> None:
    if request.POST.get("confirm") != "yes":
        raise RuleViolation(f"Tick the box to confirm {what}.")


@require_GET
@ops_required
def batches(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/ops/payouts.html", {
        "batches": payouts_selectors.payout_batch_list(),
    })


@require_POST
@ops_required
def batch_draft(request: HttpRequest) -> HttpResponse:
    """Drafts the latest closed week's batch now (beat does it hourly anyway)."""
    batch, created = batch_services.payout_batch_draft_last_week(now=timezone.now())
    if created:
        messages.success(request, f"Drafted the batch of the week of {batch.week_start}.")
    else:
        messages.info(request, f"The week of {batch.week_start} was drafted already.")
    return navigate(request, "ops:payout_batch", batch_id=batch.pk)


def payout_progress_context(batch_id: int) -> dict[str, object]:
    return {"progress": payouts_selectors.payout_batch_progress(batch_id=batch_id),
            "batch_id": batch_id, "poll_seconds": PROGRESS_POLL_SECONDS}


@require_GET
@ops_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = payouts_selectors.payout_batch_get(batch_id=batch_id)
    return render(request, "frontend/ops/payout_batch.html", {
        "batch": batch,
        "totals": payouts_selectors.payout_batch_totals(batch=batch),
        "payouts": payouts_selectors.payout_list_for_batch(batch=batch),
        **payout_progress_context(batch.pk),
    })


@require_GET
@ops_required
def batch_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The progress fragment, for htmx's polling; a browser that opens it is sent to the
    batch's page."""
    if request.headers.get("HX-Request") != "true":
        return navigate(request, "ops:payout_batch", batch_id=batch_id)
    return render(request, "frontend/ops/_payout_progress.html", payout_progress_context(batch_id))


@require_POST
@ops_required
def batch_approve(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batch_services.payout_batch_approve(
        batch_id=batch_id, approved_by_id=signed_in_user(request).pk, now=timezone.now())
    messages.success(request, f"Approved the batch of the week of {batch.week_start}.")
    return navigate(request, "ops:payout_batch", batch_id=batch_id)


@require_POST
@ops_required
def batch_execute(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Starts or resumes the batch; a second press queues only what is still pending."""
    _require_confirmed(request, "sending the money")
    queued = execution_services.payout_batch_execute(batch_id=batch_id, now=timezone.now())
    messages.success(request, f"Sending {queued} payouts.")
    return navigate(request, "ops:payout_batch", batch_id=batch_id)


@require_POST
@ops_required
def batch_mark_bank_paid(request: HttpRequest, batch_id: int) -> HttpResponse:
    _require_confirmed(request, "that the bank ran the file")
    paid = execution_services.payout_batch_mark_bank_paid(batch_id=batch_id,
                                                          now=timezone.now())
    messages.success(request, f"Marked {paid} bank transfers paid.")
    return navigate(request, "ops:payout_batch", batch_id=batch_id)


@require_GET
@ops_required
def batch_bank_csv(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = payouts_selectors.payout_batch_get(batch_id=batch_id)
    return HttpResponse(payouts_selectors.bank_file_csv(batch=batch),
                        content_type="text/csv; charset=utf-8", headers={
                            "Content-Disposition":
                                f'attachment; filename="payouts-{batch.week_start}.csv"'})


@require_GET
@ops_required
def batch_sepa_xml(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = payouts_selectors.payout_batch_get(batch_id=batch_id)
    raw = request.GET.get("execution_date", "")
    try:
        execution_date = date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError as error:
        raise RuleViolation("Give the execution date as YYYY-MM-DD.") from error
    return HttpResponse(
        payouts_selectors.bank_file_sepa_xml(batch=batch, execution_date=execution_date),
        content_type="application/xml", headers={
            "Content-Disposition": f'attachment; filename="payouts-{batch.week_start}.xml"'})


@require_GET
@ops_required
def payout_detail(request: HttpRequest, batch_id: int, payout_id: int) -> HttpResponse:
    """One expert's payout with every ledger line of the week behind it."""
    payout = payouts_selectors.payout_get(payout_id=payout_id, batch_id=batch_id)
    statements = payouts_selectors.expert_statements(expert_id=payout.expert_id,
                                                     week_start=payout.batch.week_start)
    return render(request, "frontend/ops/payout.html", {
        "payout": payout, "batch": payout.batch,
        "statements": [s for s in statements if s.currency == payout.currency],
    })


@require_POST
@ops_required
def payout_fail(request: HttpRequest, batch_id: int, payout_id: int) -> HttpResponse:
    """The bank returned a transfer: the money is owed to the expert again."""
    payout = payouts_selectors.payout_get(payout_id=payout_id, batch_id=batch_id)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        raise RuleViolation("Say why the payout failed.")
    execution_services.payout_mark_failed(payout_id=payout.pk, reason=reason, now=timezone.now())
    messages.success(request, f"Payout {payout.pk} failed; {payout.expert_name} is owed it again.")
    return navigate(request, "ops:payout", batch_id=batch_id, payout_id=payout.pk)
