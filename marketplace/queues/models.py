"""Overflow queues: coverage hours, targets, prices, macros."""

import secrets
from datetime import time, timedelta

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from marketplace.infra.timezones import validate_time_zone
from marketplace.onboarding.models import Brand


def default_channels() -> list[str]:
    return ["email", "chat", "social"]


def new_queue_secret() -> str:
    return secrets.token_urlsafe(32)


def new_widget_public_id() -> str:
    """The queue's id in the chat widget's snippet: public, random, URL-safe."""
    return f"wq_{secrets.token_urlsafe(12)}"


WIDGET_FIELDS = ("name", "email", "language")
"""What the widget's pre-chat form may ask for besides the first message (always asked)."""


def default_widget_required_fields() -> list[str]:
    return ["email"]


class SurveyDelivery(models.TextChoices):
    """How the customer of a resolved email (or social) inquiry is asked for a rating; chats
    are asked in the widget whatever this says."""

    EMAIL = "email", "By email from Shiftline"
    WEBHOOK = "webhook", "Through the brand's helpdesk (webhook survey.requested)"
    OFF = "off", "Not asked"


class OverflowQueue(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="queues")
    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    covers_after_hours = models.BooleanField(default=True)
    covers_weekends = models.BooleanField(default=True)
    chat_first_response_seconds = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1)],
        help_text="First-response target for chats, in seconds.",
    )
    email_first_response_seconds = models.PositiveIntegerField(
        default=15 * 60, validators=[MinValueValidator(1)],
        help_text="First-response target for emails, in seconds.",
    )
    social_first_response_seconds = models.PositiveIntegerField(
        default=15 * 60, validators=[MinValueValidator(1)],
        help_text="First-response target for social messages, in seconds.",
    )
    currency = models.CharField(
        max_length=3, default="EUR",
        help_text="The currency the brand is billed in for this queue; its prices are its "
        "contract's in this currency (billing/terms).")
    webhook_secret = models.CharField(
        max_length=64, default=new_queue_secret,
        help_text="Signs webhooks both ways: the helpdesk's inquiries in, our replies out.",
    )
    inbound_email_token = models.CharField(
        max_length=64, default=new_queue_secret,
        help_text="The secret part of the queue's inbound email URL.",
    )
    outbound_webhook_url = models.URLField(
        max_length=500, blank=True,
        help_text="Where replies to inquiries that did not come by email are POSTed, signed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    channels = ArrayField(models.CharField(max_length=16), default=default_channels)
    holiday_country = models.CharField(max_length=2, blank=True,
                                       help_text="ISO 3166 country whose public holidays apply.")
    covers_holidays = models.BooleanField(default=False)
    always_on = models.BooleanField(default=False)
    covers_overflow = models.BooleanField(default=False)
    overflow_backlog_threshold = models.PositiveIntegerField(null=True, blank=True)
    overflow_wait_threshold_seconds = models.PositiveIntegerField(null=True, blank=True)
    backlog_count = models.PositiveIntegerField(null=True, blank=True)
    backlog_oldest_wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    backlog_reported_at = models.DateTimeField(null=True, blank=True)
    resolve_after_hours = models.PositiveIntegerField(
        default=48, validators=[MinValueValidator(1)],
        help_text="An answered inquiry counts as resolved after this long without a reply.",
    )
    reopen_window_hours = models.PositiveIntegerField(
        default=7 * 24, validators=[MinValueValidator(1)],
        help_text="A customer's message this long after resolution reopens the inquiry; later, "
        "it opens a new inquiry linked to it.",
    )
    webhook_events = ArrayField(
        models.CharField(max_length=40), default=list, blank=True,
        help_text="The inquiry events posted to the outbound webhook (inquiry.created, …).")
    survey_delivery = models.CharField(
        max_length=16, choices=SurveyDelivery.choices, default=SurveyDelivery.EMAIL,
        help_text="How customers of resolved email inquiries are asked for a rating.")
    survey_delay_hours = models.PositiveIntegerField(
        default=24, help_text="Hours after resolution before the survey is sent (0: at once).")
    chat_offer_timeout_seconds = models.PositiveIntegerField(default=20)
    email_offer_timeout_seconds = models.PositiveIntegerField(default=120)
    social_offer_timeout_seconds = models.PositiveIntegerField(default=120)
    chat_reply_timeout_seconds = models.PositiveIntegerField(default=180)
    languages = ArrayField(
        models.CharField(max_length=8), default=list, blank=True,
        help_text="Languages the network answers in for this queue; empty means any.",
    )
    required_skills = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    guidelines = models.TextField(blank=True)
    retention_days = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Message bodies and attachments of closed inquiries older than this many days "
        "are deleted nightly (marketplace/privacy/); empty keeps them.",
    )
    closures = models.JSONField(
        default=list, blank=True,
        help_text="Custom closures the network covers: [{starts_on, ends_on, label}], local "
        "dates, both inclusive. Checked and sorted by the queue service; read with the queue "
        "so a routing decision needs no extra query.",
    )

    widget_public_id = models.CharField(
        max_length=32, unique=True, default=new_widget_public_id,
        help_text="The queue's public id in the chat widget's snippet.")
    widget_allowed_origins = ArrayField(
        models.CharField(max_length=200), default=list, blank=True,
        help_text="Sites (scheme://host[:port]) whose pages may embed the chat widget; none "
        "refuses it everywhere. Checked and normalised by the queue service.")
    widget_required_fields = ArrayField(
        models.CharField(max_length=16), default=default_widget_required_fields, blank=True,
        help_text="What the widget's pre-chat form requires besides the first message: name, "
        "email, language.")
    widget_long_wait_seconds = models.PositiveIntegerField(
        default=120, validators=[MinValueValidator(1)],
        help_text="Above this promised wait the widget offers to answer by email instead.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="unique_queue_name_per_brand"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="queue_currency_is_iso_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} / {self.name}"

    @property
    def reopen_window(self) -> timedelta:
        return timedelta(hours=self.reopen_window_hours)

    def subscribes_to(self, event: str) -> bool:
        """Whether the outbound webhook gets `event`: the events the brand subscribed to, and
        `survey.requested` whenever the helpdesk delivers the surveys."""
        return event in self.webhook_events or (
            event == "survey.requested" and self.survey_delivery == SurveyDelivery.WEBHOOK)

    def first_response_target(self, channel: str) -> timedelta:
        seconds = {
            "chat": self.chat_first_response_seconds,
            "email": self.email_first_response_seconds,
            "social": self.social_first_response_seconds,
        }[channel]
        return timedelta(seconds=seconds)

    def offer_timeout(self, channel: str) -> timedelta:
        seconds = {
            "chat": self.chat_offer_timeout_seconds,
            "email": self.email_offer_timeout_seconds,
            "social": self.social_offer_timeout_seconds,
        }[channel]
        return timedelta(seconds=seconds)


class QueueMacro(models.Model):
    """A saved reply experts can use on this queue; placeholders are checked when saved."""

    queue = models.ForeignKey(OverflowQueue, on_delete=models.CASCADE, related_name="macros")
    name = models.CharField(max_length=100)
    body = models.TextField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "name"], name="unique_macro_name_per_queue"),
        ]

    def __str__(self) -> str:
        return self.name


class BusinessHoursSpan(models.Model):
    """Weekly opening hours in the queue's time zone; a span whose closing time is not after its
    opening time runs past midnight."""

    queue = models.ForeignKey(OverflowQueue, on_delete=models.CASCADE, related_name="spans")
    weekday = models.PositiveSmallIntegerField(
        choices=[(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"),
                 (4, "Friday"), (5, "Saturday"), (6, "Sunday")]
    )
    opens_at = models.TimeField()
    closes_at = models.TimeField(default=time(0, 0))

    class Meta:
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="span_weekday_in_week"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"
