"""Customers, their inquiries, messages, attachments and the timeline of every change."""


from django.conf import settings
from django.db import models
from django.db.models import Q

from marketplace.onboarding.models import Brand
from marketplace.queues.models import OverflowQueue


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


class EscalationReason(models.TextChoices):
    """Why an expert hands an inquiry back to the brand; `other` needs a note."""

    REFUND_OR_EXCEPTION = "refund_or_exception", "Refund or exception needed"
    TECHNICAL_FAULT = "technical_fault", "Technical fault"
    ANGRY_OR_LEGAL = "angry_or_legal", "Angry customer or legal threat"
    OUT_OF_GUIDELINES = "out_of_guidelines", "Out of the guidelines"
    OTHER = "other", "Other"


class InquirySource(models.TextChoices):
    API = "api", "REST API"
    WEBHOOK = "webhook", "Signed webhook"
    EMAIL = "email", "Inbound email"
    WIDGET = "widget", "Chat widget"


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
    acknowledgement_message_id = models.CharField(
        max_length=255, null=True, blank=True, unique=True,
        help_text="The random Message-ID of the acknowledgement emailed to the customer: a "
        "reply quoting it threads here (from the customer's address only).")
    quoted_inquiry = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The brand's other inquiry that this email quoted although its sender was "
        "not that conversation's customer: kept apart, and shown to the brand.")
    escalation_reason = models.CharField(max_length=32, choices=EscalationReason.choices,
                                         blank=True)
    escalation_note = models.CharField(max_length=1000, blank=True)
    escalation_summary = models.TextField(
        blank=True, help_text="What the expert tells the brand when escalating.")
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        "experts.ExpertProfile", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="The expert who escalated it (credited a confirmed fee).")
    escalation_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the brand confirmed the escalation.")
    reopened_at = models.DateTimeField(
        null=True, blank=True, help_text="When the customer last reopened it after resolution.")
    reopened_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups",
        help_text="The resolved inquiry the customer wrote to after its reopen window.")

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
    SENT = "sent", "Sent to the chat"
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
    delivery_error = models.CharField(
        max_length=500, blank=True,
        help_text="Why the reply did not reach the customer: its last failed attempt, or the "
        "bounce that came back after it was sent.")
    unreadable_reason = models.CharField(
        max_length=500, blank=True,
        help_text="Set when (part of) the customer's email could not be read; the original is "
        "kept as an attachment.")

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
    their content is not kept (`stored` False, with the reason), so the brand knows they
    existed."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    stored = models.BooleanField(default=True)
    not_stored_reason = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to="attachments/%Y/%m/", max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(stored=True, not_stored_reason="")
                | (Q(stored=False) & ~Q(not_stored_reason="")),
                name="attachment_not_stored_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.size} bytes)"


class WebhookEvent(models.Model):
    """An inquiry event for the queue's outbound webhook (`inquiry.created`, `.assigned`, …),
    written in the same transaction as the change it reports (an outbox), so none is lost;
    marketplace/delivery posts it, signed, with retries, and logs each attempt. At most one per
    timeline event (`source_event`), and one creation per inquiry."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="webhook_events")
    source_event = models.OneToOneField(InquiryEvent, null=True, blank=True,
                                        on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField()
    delivery_status = models.CharField(max_length=16, choices=DeliveryStatus.choices,
                                       default=DeliveryStatus.PENDING)
    delivery_attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry"], condition=Q(event="inquiry.created"),
                                    name="one_created_webhook_event_per_inquiry"),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(delivery_status="pending"),
                         name="webhook_event_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.event} of inquiry {self.inquiry_id}"
