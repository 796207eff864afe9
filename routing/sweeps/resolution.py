"""Resolution by silence: an answered inquiry whose customer has not written back within the
queue's resolve-after time (default 48 h) counts as resolved, credited to the expert who holds
it, through the same `assignment_resolve` that books the money exactly once."""


from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)

from experts.profiles.models import ExpertProfile
from marketplace.infra.errors import DomainError
from marketplace.inquiries import services as inquiries_services
from marketplace.inquiries.models import InquiryStatus, Message, MessageDirection
from routing.assignments.services import assignment_resolve
from routing.models import Assignment, AssignmentStatus
from routing.offers.services import SWEEP_BATCH

ANSWERED_STATUSES = (InquiryStatus.ANSWERED, InquiryStatus.WAITING_ON_CUSTOMER)


def _latest_message(field: str) -> Subquery:
    return Subquery(
        Message.objects.filter(inquiry=OuterRef("inquiry_id"))
        .order_by("-created_at", "-id").values(field)[:1]
    )


def assignments_quiet_since_answer(*, now: datetime) -> QuerySet[Assignment]:
    """Active assignments whose latest message is the expert's and older than the queue's
    resolve-after hours."""
    quiet_until = ExpressionWrapper(
        F("last_outbound_at") + ExpressionWrapper(
            F("inquiry__queue__resolve_after_hours") * Value(timedelta(hours=1)),
            output_field=DurationField()),
        output_field=DateTimeField())
    return (
        Assignment.objects.filter(status=AssignmentStatus.ACTIVE,
                                  inquiry__status__in=ANSWERED_STATUSES)
        .annotate(last_direction=_latest_message("direction"),
                  last_outbound_at=_latest_message("created_at"))
        .filter(last_direction=MessageDirection.OUTBOUND)
        .annotate(quiet_until=quiet_until).filter(quiet_until__lte=now)
        .order_by("quiet_until")
    )


def inquiries_resolve_quiet(*, now: datetime) -> int:
    """Resolves every inquiry gone quiet since its answer. Locks the inquiry first (the
    routing lock order) and re-checks its status, so a concurrent resolution or a customer
    reply in between wins; the ledger refuses a second entry anyway."""
    resolved = 0
    due = list(assignments_quiet_since_answer(now=now)
               .values_list("inquiry_id", "expert_id", "inquiry__queue__resolve_after_hours")
               [:SWEEP_BATCH])
    for inquiry_id, expert_id, hours in due:
        expert = ExpertProfile.objects.select_related("user").get(pk=expert_id)
        try:
            with transaction.atomic():
                inquiry = inquiries_services.inquiry_lock(inquiry_id=inquiry_id)
                if inquiry.status not in ANSWERED_STATUSES:
                    continue
                assignment_resolve(inquiry_id=inquiry_id, expert=expert, now=now)
                inquiries_services.inquiry_record_event(
                    inquiry=inquiry, kind="resolved_quietly", now=now,
                    description=f"No customer reply for {hours} h since the last answer: "
                    "counted as resolved.", data={"resolve_after_hours": hours},
                )
        except DomainError:
            continue
        resolved += 1
    return resolved
