"""Escalation to the brand. An expert hands an assigned inquiry back to the brand with a reason
and a summary: their seat is freed, the brand is told (its live console through the timeline,
an email to its owners and admins, the outbound webhook's `inquiry.escalated`) and billing's
escalation rule applies (not billed, not paid). Routing never picks an escalated inquiry up
again (it routes only queued and offered ones) until a brand member or the brand's API key
sends it back with a note, which queues it; or the brand confirms the escalation, which bills
the contract's confirmed-escalation fee, if it has one. Every step is on the timeline."""

from datetime import datetime
from functools import partial

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction

from billing.pricing import services as pricing_services
from experts.profiles.models import ExpertProfile
from marketplace.infra.errors import Conflict, DomainError, FieldErrors, NotFound, PermissionDenied
from marketplace.infra.tasking import enqueue_on_commit
from marketplace.inquiries import services as inquiries_services
from marketplace.inquiries.models import EscalationReason, Inquiry, InquiryStatus
from marketplace.onboarding.models import Brand, BrandMembership, BrandRole
from marketplace.onboarding.policy import require_brand_can_configure
from routing.models import Assignment, AssignmentStatus
from routing.seats import services as seats

SUMMARY_MAX_LENGTH = 4000
NOTE_MAX_LENGTH = 1000
CLOSED = (InquiryStatus.RESOLVED, InquiryStatus.HANDED_BACK, InquiryStatus.ESCALATED,
          InquiryStatus.WITH_BRAND)


def _escalation_errors(*, reason: str, note: str, summary: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if reason not in EscalationReason.values:
        errors["reason"] = ["Choose a reason from the list: "
                            f"{', '.join(EscalationReason.values)}."]
    if reason == EscalationReason.OTHER and not note:
        errors["note"] = ["Say why in a note when the reason is “other”."]
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [f"Keep the note under {NOTE_MAX_LENGTH} characters."]
    if not summary:
        errors["summary"] = ["Write a summary for the brand: what the customer needs."]
    if len(summary) > SUMMARY_MAX_LENGTH:
        errors["summary"] = [f"Keep the summary under {SUMMARY_MAX_LENGTH} characters."]
    return errors


def assignment_escalate(*, inquiry_id: int, expert: ExpertProfile, reason: str, note: str,
                        summary: str, now: datetime) -> Inquiry:
    """Escalates the expert's own active inquiry. Refused: an inquiry never assigned to them
    (404, as if it did not exist), one no longer theirs (403), one already closed (409), a
    reason not on the list, `other` without a note or no summary (400, field by field)."""
    note, summary = note.strip(), summary.strip()
    with transaction.atomic():
        inquiry = inquiries_services.inquiry_lock(inquiry_id=inquiry_id)
        assignment = (Assignment.objects.select_for_update()
                      .filter(inquiry=inquiry, expert=expert).order_by("-created_at").first())
        if assignment is None:
            raise NotFound("Inquiry not found.")
        if inquiry.status in CLOSED:
            raise Conflict(f"This inquiry is {inquiry.get_status_display().lower()}; it "
                           "cannot be escalated.", code="not_escalatable")
        if assignment.status != AssignmentStatus.ACTIVE:
            raise PermissionDenied("This inquiry is no longer assigned to you.")
        errors = _escalation_errors(reason=reason, note=note, summary=summary)
        if errors:
            raise FieldErrors(errors)
        assignment.status = AssignmentStatus.ESCALATED
        assignment.ended_at = now
        assignment.save(update_fields=["status", "ended_at"])
        inquiry.escalation_reason, inquiry.escalation_note = reason, note
        inquiry.escalation_summary, inquiry.escalated_at = summary, now
        inquiry.escalated_by, inquiry.escalation_confirmed_at = expert, None
        inquiry.save(update_fields=["escalation_reason", "escalation_note",
                                    "escalation_summary", "escalated_at", "escalated_by",
                                    "escalation_confirmed_at"])
        label = EscalationReason(reason).label
        inquiries_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.ESCALATED, kind="escalated", now=now,
            actor=expert.user,
            description=f"Escalated to the brand by {expert.display_name}: {label}."
            + (f" Note: {note}" if note else ""),
            data={"reason": reason, "note": note, "summary": summary, "expert_id": expert.pk},
        )
        reversal = pricing_services.ticket_escalated(
            inquiry_id=inquiry.pk, now=now, reopen_window=inquiry.queue.reopen_window)
        if reversal is not None:
            inquiries_services.inquiry_record_event(
                inquiry=inquiry, kind="escalation_unbilled", now=now,
                description="The earlier resolution's bill was reversed: an escalated ticket "
                "is neither billed nor paid.", data={"transaction_id": reversal.pk})
        seats.seat_release(expert_id=expert.pk, channel=inquiry.channel, now=now)
        enqueue_on_commit("routing.expert_capacity_freed", expert.pk)
        _email_brand_contacts(inquiry=inquiry, expert=expert, label=label, note=note,
                              summary=summary)
    return inquiry


def brand_contact_emails(*, brand: Brand) -> list[str]:
    """Who hears of an escalation by email: the brand's owners and admins."""
    return sorted(set(
        BrandMembership.objects.filter(brand=brand, role__in=[BrandRole.OWNER, BrandRole.ADMIN])
        .exclude(user__email="").values_list("user__email", flat=True)))


def _email_brand_contacts(*, inquiry: Inquiry, expert: ExpertProfile, label: str, note: str,
                          summary: str) -> None:
    recipients = brand_contact_emails(brand=inquiry.brand)
    if not recipients:
        return
    subject = f"Escalated to you: inquiry #{inquiry.pk} {inquiry.subject}"[:200]
    body = (f"{expert.display_name} escalated inquiry #{inquiry.pk} ({inquiry.subject}) from "
            f"{inquiry.customer.email} to {inquiry.brand.name}.\n\nReason: {label}\n"
            + (f"Note: {note}\n" if note else "")
            + f"\nSummary:\n{summary}\n\nIt will not be routed to an expert again unless you "
            "send it back with a note from its page in the brand console.\n")
    transaction.on_commit(partial(send_mail, subject=subject, message=body, from_email=None,
                                  recipient_list=recipients, fail_silently=True))


def _lock_escalated(*, brand: Brand, inquiry_id: int) -> Inquiry:
    inquiry = inquiries_services.inquiry_lock(inquiry_id=inquiry_id)
    if inquiry.brand_id != brand.pk:
        raise NotFound(f"Inquiry {inquiry_id} does not exist.")
    if inquiry.status != InquiryStatus.ESCALATED:
        raise Conflict(f"This inquiry is {inquiry.get_status_display().lower()}, not "
                       "escalated.", code="not_escalated")
    return inquiry


def _actor_label(actor: User | None, api_key_label: str) -> str:
    return actor.email if actor is not None else api_key_label


def escalation_send_back(*, brand: Brand, inquiry_id: int, note: str, now: datetime,
                         actor: User | None = None, api_key_label: str = "") -> Inquiry:
    """The brand sends an escalated inquiry back to the network with a note for the next
    expert: it is queued and routed again. A person must be an owner or admin of the brand;
    an API key (`actor` None) with the inquiries scope speaks for it. Another brand's inquiry
    is 404."""
    if actor is not None:
        require_brand_can_configure(actor, brand, action="can send an escalation back")
    note = note.strip()
    with transaction.atomic():
        inquiry = _lock_escalated(brand=brand, inquiry_id=inquiry_id)
        if not note:
            raise FieldErrors({"note": ["Write a note for the expert: what should they do "
                                        "now?"]})
        if len(note) > NOTE_MAX_LENGTH:
            raise FieldErrors({"note": [f"Keep the note under {NOTE_MAX_LENGTH} characters."]})
        if inquiry.escalation_confirmed_at is not None:
            raise Conflict("This escalation was confirmed; it stays with the brand.",
                           code="escalation_confirmed")
        who = _actor_label(actor, api_key_label)
        inquiries_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.QUEUED, kind="escalation_sent_back", now=now,
            actor=actor, description=f"Sent back to the network by {who}. Note: {note}",
            data={"note": note, "by": who},
        )
        enqueue_on_commit("routing.route_inquiry", inquiry.pk)
    return inquiry


def escalation_confirm(*, brand: Brand, inquiry_id: int, now: datetime,
                       actor: User | None = None, api_key_label: str = "") -> Inquiry:
    """The brand confirms the escalation was right: it stays with the brand for good, and
    billing charges the contract's confirmed-escalation fee (the expert earns its share), once;
    without a fee on the contract nothing is billed. Confirming twice changes nothing."""
    if actor is not None:
        require_brand_can_configure(actor, brand, action="can confirm an escalation")
    with transaction.atomic():
        inquiry = _lock_escalated(brand=brand, inquiry_id=inquiry_id)
        if inquiry.escalation_confirmed_at is not None:
            return inquiry
        expert = inquiry.escalated_by
        if expert is None:
            raise DomainError("This escalation has no expert to credit.", code="no_expert")
        inquiry.escalation_confirmed_at = now
        inquiry.save(update_fields=["escalation_confirmed_at"])
        bill = pricing_services.ticket_escalation_confirm_bill(
            inquiry_id=inquiry.pk, brand_id=brand.pk, brand_name=brand.name,
            expert_id=expert.pk, expert_name=expert.display_name,
            currency=inquiry.queue.currency, now=now)
        who = _actor_label(actor, api_key_label)
        inquiries_services.inquiry_record_event(
            inquiry=inquiry, kind="escalation_confirmed", now=now, actor=actor,
            description=f"Escalation confirmed by {who}"
            + ("; the confirmed-escalation fee is billed." if bill else "; no fee is billed."),
            data={"by": who, "transaction_id": bill.pk if bill else None},
        )
    return inquiry
