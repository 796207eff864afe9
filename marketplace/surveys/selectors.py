"""Reads for surveys: the invitation behind a link, and which inquiries are due one."""

from datetime import datetime, timedelta

from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Value

from marketplace.infra.errors import NotFound
from marketplace.inquiries.models import Inquiry, InquiryChannel, InquiryStatus
from marketplace.queues.models import SurveyDelivery
from marketplace.surveys.models import SurveyInvitation
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
