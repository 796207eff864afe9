"""Brand console: a queue's channels (inbound webhook and email, outbound webhook), its mail log,
and the retry of a failed reply delivery. Reads through selectors, writes through services;
owners and admins change things, viewers only look."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from frontend.access import brand_member_required
from frontend.views.attachments import download_response
from marketplace.delivery import services as delivery
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.intake import selectors as intake_selectors
from marketplace.models import BrandMembership, OverflowQueue
from marketplace.onboarding import policy
from marketplace.queues import selectors as queues_selectors
from marketplace.queues import services as queues_services
from marketplace.queues.models import WIDGET_FIELDS

MAIL_LOG_PAGE_SIZE = 20
WIDGET_SCRIPT_PATH = "/widget/v1.js"
"""The widget's versioned script (built from frontend/widget/)."""


def _queue(membership: BrandMembership, queue_id: int) -> OverflowQueue:
    return queues_selectors.queue_get_for_brand(brand=membership.brand, queue_id=queue_id)


@require_GET
@brand_member_required
def queue_channels_page(request: HttpRequest, queue_id: int,
                        membership: BrandMembership) -> HttpResponse:
    queue = _queue(membership, queue_id)
    mail_log = Paginator(intake_selectors.mail_log_list_for_queue(queue=queue),
                         MAIL_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/brand/queue_channels.html", {
        "membership": membership, "queue": queue,
        "can_manage": policy.brand_can_configure(membership, membership.brand),
        "mail_log": mail_log,
        "webhook_url": request.build_absolute_uri(
            reverse("api:queue_webhook", kwargs={"queue_id": queue.pk})),
        "inbound_email_url": intake_selectors.inbound_email_url(
            queue=queue, endpoint_url=request.build_absolute_uri(
                reverse("api:queue_inbound_email", kwargs={"queue_id": queue.pk}))),
        "widget_snippet": widget_snippet(request, queue),
        "widget_fields": WIDGET_FIELDS,
    })


def widget_snippet(request: HttpRequest, queue: OverflowQueue) -> str:
    """The tag a brand pastes on its pages: the widget's script with the queue's public id."""
    script = request.build_absolute_uri(WIDGET_SCRIPT_PATH)
    return (f'<script src="{script}" data-shiftline-queue="{queue.widget_public_id}" '
            'async></script>')


@require_GET
@brand_member_required
def mail_log_original(request: HttpRequest, mail_log_entry_id: int,
                      membership: BrandMembership) -> HttpResponse:
    entry = intake_selectors.mail_log_entry_get_for_brand(brand=membership.brand,
                                                          entry_id=mail_log_entry_id)
    extension = entry.original.name.rsplit(".", 1)[-1]
    return download_response(entry.original, filename=f"mail-{entry.pk}.{extension}",
                             content_type="application/json" if extension == "json"
                             else "message/rfc822")


@require_POST
@brand_member_required
def queue_channels_update(request: HttpRequest, queue_id: int,
                          membership: BrandMembership) -> HttpResponse:
    queue = _queue(membership, queue_id)
    action = request.POST.get("action", "")
    if action == "rotate_webhook_secret":
        queues_services.queue_rotate_webhook_secret(queue=queue, membership=membership)
        messages.success(request, "New webhook secret. Update your helpdesk now: the old "
                         "one no longer works.")
    elif action == "rotate_inbound_email_token":
        queues_services.queue_rotate_inbound_email_token(queue=queue, membership=membership)
        messages.success(request, "New inbound email URL. Update your mail route now.")
    elif action == "set_widget":
        queues_services.queue_set_widget(
            queue=queue, membership=membership,
            allowed_origins=request.POST.get("allowed_origins", "").split(),
            required_fields=request.POST.getlist("required_fields"),
            long_wait_seconds=request.POST.get("long_wait_seconds", ""))
        messages.success(request, "Chat widget settings saved.")
    elif action == "set_outbound_webhook":
        queues_services.queue_set_outbound_webhook(
            queue=queue, membership=membership, url=request.POST.get("url", ""))
        messages.success(request, "Outbound webhook saved.")
    else:
        messages.error(request, "Unknown action.")
    return redirect("brand:queue_channels", queue_id=queue.pk)


@require_POST
@brand_member_required
def message_retry(request: HttpRequest, message_id: int,
                  membership: BrandMembership) -> HttpResponse:
    found = inquiries_selectors.message_get_for_brand(brand=membership.brand, message_id=message_id)
    policy.require_brand_can_configure(membership, membership.brand,
                                       action="can retry deliveries")
    delivery.message_retry_delivery(brand=membership.brand, message_id=found.pk,
                                    now=timezone.now())
    messages.success(request, "Delivery scheduled again.")
    return redirect("brand:inquiry", inquiry_id=found.inquiry_id)
