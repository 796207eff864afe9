"""InquiryOutputSerializer reads an inquiry by hand for speed
(marketplace/inquiries/serializers.py); its declared fields are the API's schema. These hold the
two to the same output, so a field added to one and not the other fails here."""

from datetime import datetime, timedelta

import pytest
from rest_framework import serializers

from marketplace.inquiries.models import Inquiry, InquiryStatus
from marketplace.inquiries.serializers import InquiryOutputSerializer
from tests import factories

pytestmark = pytest.mark.django_db


def _by_the_fields(inquiry: Inquiry) -> dict[str, object]:
    return dict(serializers.Serializer.to_representation(InquiryOutputSerializer(), inquiry))


def test_a_new_inquiry_reads_the_same_as_through_its_fields(now: datetime) -> None:
    inquiry = factories.inquiry(on=factories.queue(), now=now)

    assert InquiryOutputSerializer(inquiry).data == _by_the_fields(inquiry)
    assert InquiryOutputSerializer(inquiry).data["promise"]["text"]


def test_a_resolved_inquiry_with_a_kept_promise_reads_the_same(now: datetime) -> None:
    inquiry = factories.inquiry(on=factories.queue(), now=now)
    Inquiry.objects.filter(pk=inquiry.pk).update(
        status=InquiryStatus.RESOLVED, first_replied_at=now + timedelta(minutes=3),
        resolved_at=now + timedelta(hours=2), promise_kept=True, coverage_reason="after_hours")
    inquiry.refresh_from_db()

    fast = InquiryOutputSerializer(inquiry).data

    assert fast == _by_the_fields(inquiry)
    assert fast["resolved_at"] is not None and fast["promise"]["kept"] is True


def test_a_promise_without_a_time_reads_the_same(now: datetime) -> None:
    inquiry = factories.inquiry(on=factories.queue(), now=now)
    Inquiry.objects.filter(pk=inquiry.pk).update(promised_reply_by=None, promise_kept=False)
    inquiry.refresh_from_db()

    assert InquiryOutputSerializer(inquiry).data == _by_the_fields(inquiry)


def test_every_declared_field_is_in_the_fast_output(now: datetime) -> None:
    inquiry = factories.inquiry(on=factories.queue(), now=now)

    assert set(InquiryOutputSerializer(inquiry).data) == set(InquiryOutputSerializer().fields)
