"""Reads of assignments."""


from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    QuerySet,
    Value,
)

from experts.profiles.models import ExpertProfile
from routing.models import (
    Assignment,
    AssignmentStatus,
)


def assignment_ids_chat_silent_past_queue_timeout(*, now: datetime, limit: int) -> list[int]:
    """Active chat assignments still without a first reply once their queue's chat reply
    timeout has passed since acceptance."""
    reply_due = ExpressionWrapper(
        F("created_at") + ExpressionWrapper(
            F("inquiry__queue__chat_reply_timeout_seconds") * Value(timedelta(seconds=1)),
            output_field=DurationField()),
        output_field=DateTimeField())
    return list(
        Assignment.objects.filter(
            status=AssignmentStatus.ACTIVE, inquiry__channel="chat",
            inquiry__first_replied_at__isnull=True,
        ).annotate(reply_due=reply_due).filter(reply_due__lte=now)
        .order_by("created_at").values_list("id", flat=True)[:limit]
    )


def assignment_list_active_for_expert(*, expert: ExpertProfile) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(expert=expert, status=AssignmentStatus.ACTIVE)
        .select_related("inquiry__customer", "inquiry__brand")
        .order_by("inquiry__first_response_due_at")
    )


def assignment_for_expert(*, inquiry_id: int, expert: ExpertProfile) -> Assignment | None:
    """The expert's assignment on this inquiry, active or finished (latest first)."""
    return (
        Assignment.objects.filter(inquiry_id=inquiry_id, expert=expert)
        .select_related("inquiry__customer", "inquiry__brand", "inquiry__queue")
        .order_by("-created_at")
        .first()
    )


def assignment_ids_active_for_expert(*, expert_id: int) -> list[int]:
    return list(Assignment.objects.filter(expert_id=expert_id, status=AssignmentStatus.ACTIVE)
                .values_list("id", flat=True))


def resolving_expert_id(*, inquiry_id: int) -> int | None:
    """The expert who resolved the inquiry, if it was resolved by one."""
    return (Assignment.objects.filter(inquiry_id=inquiry_id, status=AssignmentStatus.RESOLVED)
            .values_list("expert_id", flat=True).first())


def expert_id_assigned_to_inquiry(*, inquiry_id: int) -> int | None:
    return (Assignment.objects.filter(inquiry_id=inquiry_id, status=AssignmentStatus.ACTIVE)
            .values_list("expert_id", flat=True).first())


@dataclass(frozen=True)
class AssignmentTimers:
    """The clocks an expert works against on one inquiry, both None once they no longer run:
    `first_response_due_at`, the brand's first-response target, until the first reply; and, on
    a chat, `chat_reply_due_at`, when a silent acceptance is taken back and reassigned (the
    queue's chat reply timeout after accepting, 3 minutes by default)."""

    first_response_due_at: datetime | None
    chat_reply_due_at: datetime | None


def assignment_timers(*, assignment: Assignment) -> AssignmentTimers:
    inquiry = assignment.inquiry
    if assignment.status != AssignmentStatus.ACTIVE or inquiry.first_replied_at is not None:
        return AssignmentTimers(first_response_due_at=None, chat_reply_due_at=None)
    chat_due = None
    if inquiry.channel == "chat":
        chat_due = assignment.created_at + timedelta(
            seconds=inquiry.queue.chat_reply_timeout_seconds)
    return AssignmentTimers(first_response_due_at=inquiry.first_response_due_at,
                            chat_reply_due_at=chat_due)
def assignment_active_for_inquiry(*, inquiry_id: int) -> tuple[int, int] | None:
    """(assignment id, expert id) of the inquiry's active assignment, if it has one."""
    return (Assignment.objects.filter(inquiry_id=inquiry_id, status=AssignmentStatus.ACTIVE)
            .values_list("id", "expert_id").first())
