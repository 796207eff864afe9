"""Survey background work: inviting customers after resolution (beat, CELERY_BEAT_SCHEDULE)
and emailing each invitation."""

import smtplib

from celery import Task, shared_task
from django.utils import timezone

from marketplace.surveys import services as surveys


@shared_task(name="marketplace.send_surveys")
def send_surveys() -> int:
    """Invites the customers now due a survey, and sends again the emails whose task was
    lost."""
    now = timezone.now()
    return (surveys.survey_invitations_create_due(now=now)
            + surveys.survey_invitations_resume_unsent(now=now))


@shared_task(name="marketplace.send_survey_invitation", bind=True, max_retries=5)
def send_survey_invitation(task: Task, invitation_id: int) -> None:
    try:
        surveys.survey_invitation_send(invitation_id=invitation_id, now=timezone.now())
    except (smtplib.SMTPException, OSError) as error:
        raise task.retry(exc=error, countdown=30 * 2**task.request.retries) from error
