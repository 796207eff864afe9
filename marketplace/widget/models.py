"""A widget conversation: one chat inquiry and the browser that started it, which proves itself
with a token (only its hash is kept), and the ids the widget gave its messages (a retry after a
network drop finds the message it already sent)."""

from django.db import models
from django.db.models import Q

from marketplace.inquiries.models import Inquiry, Message


class WidgetConversation(models.Model):
    public_id = models.CharField(max_length=32, unique=True)
    inquiry = models.OneToOneField(Inquiry, on_delete=models.CASCADE,
                                   related_name="widget_conversation")
    token_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the customer's token: the token itself is never "
        "stored.")
    origin = models.CharField(max_length=200, help_text="The site the chat was started on.")
    email_given = models.BooleanField(
        default=True, help_text="False when the customer gave no email address (the "
        "customer's address is then a placeholder nobody is written to).")
    customer_read_up_to = models.BigIntegerField(
        null=True, blank=True, help_text="The expert's messages up to this id were read.")
    expert_read_up_to = models.BigIntegerField(
        null=True, blank=True, help_text="The customer's messages up to this id were read by "
        "the expert.")
    transcript_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(public_id__startswith="wc_"),
                                   name="widget_conversation_public_id_prefix"),
        ]

    def __str__(self) -> str:
        return f"widget conversation {self.public_id} (inquiry {self.inquiry_id})"


class WidgetClientMessage(models.Model):
    """The widget's own id for a message it posted. Unique per conversation: the same id twice
    is the same message."""

    conversation = models.ForeignKey(WidgetConversation, on_delete=models.CASCADE,
                                     related_name="client_messages")
    message = models.OneToOneField(Message, on_delete=models.CASCADE,
                                   related_name="widget_client_message")
    client_id = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "client_id"],
                                    name="unique_widget_client_id_per_conversation"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} → message {self.message_id}"
