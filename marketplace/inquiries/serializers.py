"""How inquiries, messages and promises look in the API."""


from typing import Any

from rest_framework import serializers

from marketplace.inquiries.models import Inquiry


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    stored = serializers.BooleanField(help_text="False when the file was over the size limit.")


class DeliveryAttemptOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    route = serializers.CharField(help_text="email or webhook")
    attempted_at = serializers.DateTimeField()
    succeeded = serializers.BooleanField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivery_status = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    delivery_attempts = serializers.IntegerField()
    attachments = AttachmentOutputSerializer(many=True)
    delivery_log = DeliveryAttemptOutputSerializer(many=True)


class EventOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()


class PromiseOutputSerializer(serializers.Serializer):
    reply_by = serializers.DateTimeField(source="promised_reply_by", allow_null=True,
                                         help_text="Null only with nobody on shift and no "
                                         "business hours to name.")
    text = serializers.CharField(source="promise_text")
    kept = serializers.BooleanField(source="promise_kept", allow_null=True,
                                    help_text="Null until the first reply.")
    basis = serializers.JSONField(source="promise_basis")


_DATETIME = serializers.DateTimeField()


class InquiryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    queue = serializers.IntegerField(source="queue_id")
    channel = serializers.CharField()
    subject = serializers.CharField()
    language = serializers.CharField()
    status = serializers.CharField()
    coverage_reason = serializers.CharField()
    customer_email = serializers.CharField(
        source="customer.email", help_text="The address as the customer's mail gave it: not "
        "always a valid address (inbound email keeps whatever arrived).")
    received_at = serializers.DateTimeField()
    first_response_due_at = serializers.DateTimeField()
    first_replied_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    received_via = serializers.CharField(source="source", help_text="api, webhook or email")
    promise = PromiseOutputSerializer(source="*")

    def to_representation(self, instance: Inquiry) -> dict[str, Any]:
        """The fields above, read by hand: every inquiry response (the intake's above all) goes
        through here, and DRF copies each declared field per serializer. The declared fields
        stay the schema; tests/marketplace/test_api_representation.py holds the two equal."""
        moment = _DATETIME.to_representation
        return {
            "id": instance.pk, "external_id": instance.external_id,
            "queue": instance.queue_id, "channel": instance.channel,
            "subject": instance.subject, "language": instance.language,
            "status": instance.status, "coverage_reason": instance.coverage_reason,
            "customer_email": instance.customer.email,
            "received_at": moment(instance.received_at),
            "first_response_due_at": moment(instance.first_response_due_at),
            "first_replied_at": (None if instance.first_replied_at is None
                                 else moment(instance.first_replied_at)),
            "resolved_at": None if instance.resolved_at is None else moment(instance.resolved_at),
            "received_via": instance.source,
            "promise": {
                "reply_by": (None if instance.promised_reply_by is None
                             else moment(instance.promised_reply_by)),
                "text": instance.promise_text, "kept": instance.promise_kept,
                "basis": instance.promise_basis,
            },
        }


class InquiryDetailOutputSerializer(InquiryOutputSerializer):
    messages = MessageOutputSerializer(many=True)
    timeline = EventOutputSerializer(many=True)

    to_representation = serializers.Serializer.to_representation  # type: ignore[assignment]


class InquiryPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InquiryOutputSerializer(many=True)
