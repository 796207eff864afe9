"""Routing tasks: take ids, call one service. Delivered at least once; the services are
idempotent. They run on the dedicated `routing` queue (settings.CELERY_TASK_ROUTES)."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from routing.offers import services as offers_services
from routing.sweeps import resolution
from routing.sweeps import services as sweeps_services


@shared_task(name="routing.route_inquiry", autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def route_inquiry(inquiry_id: int) -> str:
    return offers_services.inquiry_route(inquiry_id=inquiry_id, now=timezone.now()).status


@shared_task(name="routing.expert_capacity_freed", autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def expert_capacity_freed(expert_id: int) -> int:
    return offers_services.expert_pull_waiting_work(expert_id=expert_id, now=timezone.now())


@shared_task(name="routing.sweep_expired_offers")
def sweep_expired_offers() -> int:
    """Offer timeouts and chats accepted but left without a first reply."""
    now = timezone.now()
    return sweeps_services.offers_expire_due(
        now=now) + sweeps_services.assignments_release_silent(now=now)


@shared_task(name="routing.reconcile_waiting_inquiries")
def reconcile_waiting_inquiries() -> int:
    return sweeps_services.inquiries_reconcile(now=timezone.now())


@shared_task(name="routing.sweep_deadlines")
def sweep_deadlines() -> dict[str, int]:
    return sweeps_services.deadlines_sweep(now=timezone.now())


@shared_task(name="routing.resolve_quiet_inquiries")
def resolve_quiet_inquiries() -> int:
    """Answered inquiries with no customer reply for the queue's resolve-after time."""
    return resolution.inquiries_resolve_quiet(now=timezone.now())
