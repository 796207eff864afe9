"""Inbound deliveries, processed once per delivery id."""


from django.db import models

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
        constraints = [
            models.UniqueConstraint(fields=["queue", "delivery_id"],
                                    name="unique_inbound_delivery_per_queue"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} on queue {self.queue_id}"
