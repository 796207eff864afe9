"""Reads for surveys: the invitation behind a link, which inquiries are due one, and the
perception gap (what was promised, what happened, what customers said about speed)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import TruncWeek

from marketplace.infra.errors import NotFound
from marketplace.inquiries.models import Inquiry, InquiryChannel, InquiryStatus
from marketplace.queues.models import SurveyDelivery
from marketplace.surveys.models import SurveyChannel, SurveyInvitation
from routing.models import Assignment, AssignmentStatus

SWEEP_CATCH_UP = timedelta(days=7)
"""How late an invitation may still go out (beat or the workers down for days): older due
surveys are not sent, so switching surveys on does not ask last month's customers."""


def survey_invitation_get(*, invitation_id: int, key: str) -> SurveyInvitation:
    invitation = (SurveyInvitation.objects.filter(pk=invitation_id, key=key)
                  .select_related("inquiry__brand", "inquiry__queue").first())
    if invitation is None:
        raise NotFound("This survey link is not valid.", code="survey_not_found")
    return invitation


def survey_invitation_ids_unsent(*, before: datetime, after: datetime, limit: int
                                 ) -> list[int]:
    """Email invitations made between `after` and `before` and not sent yet (the index
    survey_email_unsent)."""
    return list(SurveyInvitation.objects.filter(
        channel=SurveyChannel.EMAIL, sent_at__isnull=True, created_at__lt=before,
        created_at__gt=after).order_by("created_at").values_list("id", flat=True)[:limit])


def inquiry_ids_due_a_survey(*, now: datetime, limit: int) -> list[int]:
    """Resolved email and social inquiries an expert resolved, on queues that survey, without
    an invitation or a review yet, whose queue's delay after resolution has passed (within
    SWEEP_CATCH_UP). Chats are asked in the widget instead."""
    due_at = ExpressionWrapper(
        F("resolved_at") + F("queue__survey_delay_hours") * Value(timedelta(hours=1)),
        output_field=DateTimeField())
    resolved_by_expert = Assignment.objects.filter(inquiry=OuterRef("pk"),
                                                   status=AssignmentStatus.RESOLVED)
    return list(
        Inquiry.objects.filter(
            status=InquiryStatus.RESOLVED, resolved_at__isnull=False,
            queue__survey_delivery__in=[SurveyDelivery.EMAIL, SurveyDelivery.WEBHOOK],
            survey_invitation__isnull=True, review__isnull=True,
        ).exclude(channel=InquiryChannel.CHAT)
        .annotate(due_at=due_at).filter(due_at__lte=now, due_at__gt=now - SWEEP_CATCH_UP)
        .filter(Exists(resolved_by_expert))
        .order_by("resolved_at", "id").values_list("id", flat=True)[:limit]
    )


class Median(Aggregate):
    """PostgreSQL's `percentile_cont(0.5)`: the median of durations (an interval)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


PERCEPTION_WEEKS = 12


@dataclass(frozen=True)
class PerceptionWeek:
    """One queue's week (Monday, in the viewer's zone) of first replies: the median promised
    and actual reply times (from receipt), the share of first replies on or before the
    promise, and the share of surveyed customers who said the reply was as fast as promised."""

    queue_id: int
    queue_name: str
    week: date
    replies: int
    median_promised: timedelta | None
    median_first_reply: timedelta | None
    kept: int
    promise_kept_share: float | None
    speed_answers: int
    said_fast_share: float | None

    @property
    def gap(self) -> float | None:
        """Points between the promise kept (measured) and the promise felt (said)."""
        if self.promise_kept_share is None or self.said_fast_share is None:
            return None
        return self.promise_kept_share - self.said_fast_share


def perception_gap_for_brand(*, brand_id: int, now: datetime, zone: tzinfo,
                             weeks: int = PERCEPTION_WEEKS) -> list[PerceptionWeek]:
    """Per queue and week of receipt, over the last `weeks` weeks (this one included), the
    brand's inquiries that had a promise and a first reply: one grouped query."""
    this_monday = (now.astimezone(zone).date() - timedelta(days=now.astimezone(zone).weekday()))
    first_monday = this_monday - timedelta(weeks=weeks - 1)
    since = datetime.combine(first_monday, datetime.min.time(), tzinfo=zone)
    promised = ExpressionWrapper(F("promised_reply_by") - F("received_at"),
                                 output_field=DurationField())
    first_reply = ExpressionWrapper(F("first_replied_at") - F("received_at"),
                                    output_field=DurationField())
    rows = (
        Inquiry.objects.filter(brand_id=brand_id, received_at__gte=since,
                               promised_reply_by__isnull=False, first_replied_at__isnull=False)
        .annotate(week=TruncWeek("received_at", tzinfo=zone))
        .values("queue_id", "queue__name", "week")
        .annotate(replies=Count("id"), median_promised=Median(promised),
                  median_first_reply=Median(first_reply),
                  kept=Count("id", filter=Q(promise_kept=True)),
                  speed_answers=Count("id", filter=Q(review__speed_as_promised__isnull=False)),
                  said_fast=Count("id", filter=Q(review__speed_as_promised=True)))
        .order_by("queue__name", "queue_id", "week")
    )
    return [
        PerceptionWeek(
            queue_id=row["queue_id"], queue_name=row["queue__name"],
            week=row["week"].astimezone(zone).date(), replies=row["replies"],
            median_promised=row["median_promised"],
            median_first_reply=row["median_first_reply"], kept=row["kept"],
            promise_kept_share=row["kept"] / row["replies"],
            speed_answers=row["speed_answers"],
            said_fast_share=(row["said_fast"] / row["speed_answers"]
                             if row["speed_answers"] else None))
        for row in rows
    ]
