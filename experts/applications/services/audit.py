"""Writing the append-only vetting trail and telling the applicant by email after commit."""



from datetime import datetime
from functools import partial

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction

from experts.applications.models import DecisionKind, ExpertDecision
from experts.profiles.models import ExpertProfile


def decision_record(
    *,
    expert: ExpertProfile,
    kind: DecisionKind,
    by: User,
    reason: str,
    now: datetime,
    from_status: str | None = None,
    to_status: str | None = None,
) -> ExpertDecision:
    """Appends one row to the trail. Without statuses the row records the current one twice
    (a note or a checklist tick changes no status)."""
    return ExpertDecision.objects.create(
        expert=expert, kind=kind, decided_by=by,
        from_status=from_status or expert.status, to_status=to_status or expert.status,
        reason=reason, decided_at=now,
    )


def email_on_commit(*, to: str, subject: str, body: str) -> None:
    """Sends the email once the surrounding transaction commits, never for rolled-back work."""
    if not to:
        return
    transaction.on_commit(partial(send_mail, subject=subject, message=body, from_email=None,
                                  recipient_list=[to], fail_silently=False))
