"""Survey invitations: one per inquiry, asked by email, through the brand's helpdesk or in the
chat widget, answered once through a signed link before it expires."""

from datetime import timedelta

from django.db import models
from django.db.models import Q

from marketplace.inquiries.models import Inquiry

SURVEY_LIFETIME = timedelta(days=28)


class SurveyChannel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "The brand's helpdesk"
    CHAT = "chat", "Chat widget"


class SurveyInvitation(models.Model):
    """The customer of one resolved inquiry asked for a rating. At most one per inquiry (the
    database says so), so a sweep that runs twice never asks twice. The link's token is the
    invitation signed with the secret key (marketplace/surveys/services.py); `key` is random so
    nobody can derive a link from an inquiry number."""

    inquiry = models.OneToOneField(Inquiry, on_delete=models.CASCADE,
                                   related_name="survey_invitation")
    channel = models.CharField(max_length=16, choices=SurveyChannel.choices)
    key = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True,
                                   help_text="When the email or the webhook event went out.")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                   name="survey_expires_after_creation"),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(channel="email", sent_at__isnull=True),
                         name="survey_email_unsent"),
        ]

    def __str__(self) -> str:
        return f"survey of inquiry {self.inquiry_id}"
