"""Inbound deliveries, processed once per delivery id, and the mail log of each queue."""


from django.db import models
from django.db.models import Q

from marketplace.inquiries.models import Inquiry
from marketplace.queues.models import OverflowQueue


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
        verbose_name_plural = "inbound deliveries"
        constraints = [
            models.UniqueConstraint(fields=["queue", "delivery_id"],
                                    name="unique_inbound_delivery_per_queue"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} on queue {self.queue_id}"


class MailLogKind(models.TextChoices):
    BOUNCE = "bounce", "Bounce"
    AUTO_REPLY = "auto_reply", "Automatic reply"
    MAILING_LIST = "mailing_list", "Mailing list or bulk mail"
    UNREADABLE = "unreadable", "Could not be read"


class MailLogEntry(models.Model):
    """An email that reached the queue's inbound address but is no customer message: a bounce, an
    automatic reply, mailing-list mail, or mail that could not be read (no sender to answer).
    Kept with the reason and the original, shown to the brand, never acknowledged (RFC 3834).
    A bounce of a reply Shiftline sent links its inquiry, where it is a delivery failure."""

    queue = models.ForeignKey(OverflowQueue, on_delete=models.CASCADE, related_name="mail_log")
    received_at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=MailLogKind.choices)
    reason = models.CharField(max_length=500)
    sender = models.CharField(max_length=300, blank=True, help_text="The From header as written.")
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    email_message_id = models.CharField(max_length=255, blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="The files in the email: filename, content_type, size.")
    original = models.FileField(upload_to="mail-log/%Y/%m/", max_length=500, blank=True)
    original_size = models.PositiveBigIntegerField()
    inquiry = models.ForeignKey(Inquiry, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        verbose_name_plural = "mail log entries"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "email_message_id"],
                                    condition=~Q(email_message_id=""),
                                    name="unique_mail_log_message_id_per_queue"),
        ]
        indexes = [models.Index(fields=["queue", "-received_at"], name="mail_log_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on queue {self.queue_id}: {self.subject}"
