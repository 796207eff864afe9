"""The brand side: brands, their people and keys, overflow queues, customers and inquiries."""

import secrets
from datetime import time, timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone such as Europe/Dublin.")


class Brand(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class BrandRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    VIEWER = "viewer", "Viewer"


class BrandMembership(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships"
    )
    role = models.CharField(max_length=16, choices=BrandRole.choices, default=BrandRole.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "user"], name="unique_brand_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) at {self.brand}"


class ApiKey(models.Model):
    """A brand's API key. Only a SHA-256 digest is stored; the prefix stays visible so people can
    tell keys apart."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    hashed_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def new_queue_secret() -> str:
    return secrets.token_urlsafe(32)


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
    currency = models.CharField(max_length=3, default="EUR")
    price_per_ticket_minor = models.PositiveIntegerField(
        help_text="What the brand pays per resolved ticket, in minor units (cents)."
    )
    expert_rate_minor = models.PositiveIntegerField(
        help_text="What the expert earns per resolved ticket, in minor units (cents)."
    )
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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="unique_queue_name_per_brand"),
            models.CheckConstraint(
                condition=Q(expert_rate_minor__lte=models.F("price_per_ticket_minor")),
                name="expert_rate_not_above_price",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="queue_currency_is_iso_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} / {self.name}"

    def first_response_target(self, channel: str) -> timedelta:
        seconds = {
            "chat": self.chat_first_response_seconds,
            "email": self.email_first_response_seconds,
            "social": self.social_first_response_seconds,
        }[channel]
        return timedelta(seconds=seconds)


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


class Customer(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="customers")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "email"], name="unique_customer_email"),
        ]

    def __str__(self) -> str:
        return self.name or self.email


class InquiryChannel(models.TextChoices):
    CHAT = "chat", "Chat"
    EMAIL = "email", "Email"
    SOCIAL = "social", "Social"


class InquiryStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    WITH_BRAND = "with_brand", "With the brand"
    QUEUED = "queued", "Queued"
    OFFERED = "offered", "Offered"
    ASSIGNED = "assigned", "Assigned"
    ANSWERED = "answered", "Answered"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    ESCALATED = "escalated", "Escalated"
    HANDED_BACK = "handed_back", "Handed back"


class InquirySource(models.TextChoices):
    API = "api", "REST API"
    WEBHOOK = "webhook", "Signed webhook"
    EMAIL = "email", "Inbound email"


class Inquiry(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="inquiries")
    queue = models.ForeignKey(OverflowQueue, on_delete=models.PROTECT, related_name="inquiries")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="inquiries")
    external_id = models.CharField(max_length=200)
    channel = models.CharField(max_length=16, choices=InquiryChannel.choices)
    subject = models.CharField(max_length=300)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(
        max_length=32, choices=InquiryStatus.choices, default=InquiryStatus.RECEIVED
    )
    coverage_reason = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField()
    first_response_due_at = models.DateTimeField()
    first_replied_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    at_risk_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When half the first-response target passed with nobody accepting.",
    )
    handed_back_reason = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=16, choices=InquirySource.choices,
                              default=InquirySource.API)
    promised_reply_by = models.DateTimeField(
        null=True, blank=True, help_text="The reply time promised to the customer on receipt.")
    promise_text = models.CharField(max_length=500, blank=True)
    promise_basis = models.JSONField(
        default=dict, blank=True, help_text="The queue as the promise saw it: the evidence.")
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the promise was emailed to the customer.")
    promise_kept = models.BooleanField(
        null=True, blank=True, help_text="Set at the first reply: was it on or before the promise?")

    class Meta:
        verbose_name_plural = "inquiries"
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "external_id"], name="unique_inquiry_external_id_per_brand"
            ),
        ]
        indexes = [
            models.Index(
                fields=["queue", "first_response_due_at"],
                condition=Q(status="queued"),
                name="inquiry_waiting_by_deadline",
            ),
            models.Index(fields=["brand", "-received_at"], name="inquiry_brand_recent"),
            models.Index(
                fields=["queue", "channel", "first_response_due_at"],
                condition=Q(status__in=["received", "queued", "offered"]),
                name="inquiry_unassigned_by_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class MessageDirection(models.TextChoices):
    INBOUND = "inbound", "From the customer"
    OUTBOUND = "outbound", "To the customer"


class DeliveryStatus(models.TextChoices):
    NOT_APPLICABLE = "n/a", "Not applicable"
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Message(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=16, choices=MessageDirection.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField()
    created_at = models.DateTimeField()
    email_message_id = models.CharField(max_length=255, unique=True)
    delivery_status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_APPLICABLE
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(delivery_status="pending"),
                         name="message_pending_delivery"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction="inbound", delivery_status="n/a")
                | Q(direction="outbound", author__isnull=False),
                name="outbound_message_has_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} message on inquiry {self.inquiry_id}"


class InquiryEvent(models.Model):
    """The inquiry's timeline: every change with who, when and why. Append-only."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on inquiry {self.inquiry_id}"


class Attachment(models.Model):
    """A file that came with an inbound message. Files above the size limit are listed but
    their content is not kept (`stored` False), so the brand knows they existed."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    stored = models.BooleanField(default=True)
    file = models.FileField(upload_to="attachments/%Y/%m/", max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.filename} ({self.size} bytes)"


class InboundDelivery(models.Model):
    """A signed webhook delivery the queue has processed. The unique constraint makes a repeated
    delivery id answer with the stored result instead of being processed twice."""

    queue = models.ForeignKey(OverflowQueue, on_delete=models.CASCADE,
                              related_name="inbound_deliveries")
    delivery_id = models.CharField(max_length=100)
    inquiry = models.ForeignKey(Inquiry, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(default=dict)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["queue", "delivery_id"],
                                    name="unique_inbound_delivery_per_queue"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} on queue {self.queue_id}"


class DeliveryAttempt(models.Model):
    """One try at getting an outbound message to the customer: the delivery log. Append-only."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE,
                                related_name="delivery_log")
    number = models.PositiveIntegerField()
    route = models.CharField(max_length=16)
    attempted_at = models.DateTimeField()
    succeeded = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"],
                                    name="unique_delivery_attempt_number"),
        ]

    def __str__(self) -> str:
        outcome = "delivered" if self.succeeded else "failed"
        return f"attempt {self.number} of message {self.message_id}: {outcome}"
