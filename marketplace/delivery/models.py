"""The delivery log of each reply sent to a customer."""


from django.db import models

from marketplace.inquiries.models import Message, WebhookEvent


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


class WebhookEventAttempt(models.Model):
    """One try at posting an inquiry event to the queue's outbound webhook: its delivery log.
    Append-only."""

    webhook_event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE,
                                      related_name="delivery_log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    succeeded = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["webhook_event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["webhook_event", "number"],
                                    name="unique_webhook_event_attempt_number"),
        ]

    def __str__(self) -> str:
        outcome = "delivered" if self.succeeded else "failed"
        return f"attempt {self.number} of webhook event {self.webhook_event_id}: {outcome}"
