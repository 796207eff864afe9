"""A brand exports and erases one customer's data by email address; erasure leaves no trace of
the address, the name or the words in any text column, and touches no other brand."""

import io
import json
import zipfile
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from billing.models import LedgerTransaction
from experts.quality import services as quality_services
from marketplace.celery import app
from marketplace.delivery import services as delivery
from marketplace.infra.errors import FieldErrors, PermissionDenied
from marketplace.inquiries import services as inquiries_services
from marketplace.inquiries.models import Attachment, Customer, Inquiry, Message
from marketplace.intake.models import MailLogEntry, MailLogKind
from marketplace.onboarding.models import (
    BrandAuditAction,
    BrandAuditEvent,
    BrandMembership,
    BrandRole,
)
from marketplace.privacy import services as privacy
from marketplace.privacy.services import ERASED_TEXT, email_fingerprint
from marketplace.privacy.tasks import apply_retention
from marketplace.queues import services as queues_services
from marketplace.queues.models import OverflowQueue
from routing.assignments import services as assignments_services
from routing.offers import services as offers_services
from tests import factories
from tests.marketplace.intake.emails import post_email, raw_email

pytestmark = pytest.mark.django_db

EMAIL = "anastasia.silvestri@customer.example"
NAME = "Anastasia Silvestri"
BODY = "My parcel ZX-PRIVATE-9431 arrived broken"
REPLY = "Hi Anastasia, a new one is on its way."
FILE = b"%PDF-1.4 receipt of Anastasia Silvestri"
COMMENT = "Anastasia says: quick and kind"
# What must not survive an erasure anywhere in the database.
TRACES = (EMAIL, "anastasia", "silvestri", "ZX-PRIVATE-9431", "a new one is on its way",
          "quick and kind")


def customer_conversation(queue: OverflowQueue, now: datetime, *,
                          message_id: str = "<first@customer.example>") -> Inquiry:
    """An email from the customer with an attachment, answered by an expert (delivered),
    resolved and reviewed with a comment; a bounce naming the address in the mail log; and
    the brand's other conversation, which the customer's mail quoted."""
    expert = factories.on_shift_expert(on=queue, now=now)
    response = post_email(queue, raw_email(
        message_id=message_id, subject="Parcel for Anastasia", body=BODY,
        sender=f"{NAME} <{EMAIL}>",
        attachments=(("anastasia-receipt.pdf", "application/pdf", FILE),)))
    assert response.status_code == 201, response.content
    inquiry = Inquiry.objects.get(pk=response.json()["inquiry"]["id"])
    # The endpoint stamps the wall clock; the conversation happens at the test's `now`.
    inquiry.messages.update(created_at=now - timedelta(minutes=1))
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    reply = assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert,
                                                  author=expert.user, body=REPLY, now=now)
    delivery.message_deliver(message_id=reply.pk, now=now)
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=now)
    quality_services.review_record(brand=queue.brand, inquiry_id=inquiry.pk, rating=5,
                                   reasons=[], source="brand_review", comment=COMMENT, now=now)
    other = factories.inquiry(on=queue, now=now, customer_email="bob@other.example",
                              customer_name="Bob")
    inquiries_services.inquiry_note_quoted_conversation(inquiry=inquiry, quoted=[other],
                                                        sender=EMAIL, now=now)
    MailLogEntry.objects.create(
        queue=queue, received_at=now, kind=MailLogKind.BOUNCE, reason="Delivery failed",
        sender="MAILER-DAEMON@mx.example", subject="Undelivered mail",
        text=f"550 <{EMAIL}>: mailbox full", original_size=10)
    return inquiry


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')
            ORDER BY table_name, column_name""")
        return list(cursor.fetchall())


def traces_in_database(*needles: str) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) where a text column of any row holds the needle."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for needle in needles:
                cursor.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',  # noqa: S608
                    [f"%{needle}%"])
                if cursor.fetchone():
                    found.append((table, column, needle))
    return found


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_export_holds_every_inquiry_message_and_attachment_of_the_customer(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    inquiry = customer_conversation(queue, now)
    owner = factories.brand_owner(of=queue.brand)

    export = privacy.customer_data_export(brand=queue.brand, actor=owner, email=EMAIL.upper(),
                                          now=now)

    files = unzip(export.content)
    document = json.loads(files["customer.json"])
    attachment = Attachment.objects.get()
    assert [customer["name"] for customer in document["customers"]] == [NAME]
    assert [item["id"] for item in document["inquiries"]] == [inquiry.pk]
    messages = document["inquiries"][0]["messages"]
    assert [(message["direction"], message["body"]) for message in messages] == [
        ("inbound", BODY), ("outbound", REPLY)]
    listed = messages[0]["attachments"][0]
    assert (listed["filename"], listed["size"], listed["file_in_export"]) == (
        "anastasia-receipt.pdf", len(FILE), f"attachments/{attachment.pk}-anastasia-receipt.pdf")
    assert files[listed["file_in_export"]] == FILE
    rating = document["inquiries"][0]["rating"]
    assert (rating["rating"], rating["comment"], rating["source"]) == (5, COMMENT, "brand_review")
    assert [entry["text"] for entry in document["mail_log"]] == [f"550 <{EMAIL}>: mailbox full"]
    assert "Bob" not in files["customer.json"].decode()
    logged = BrandAuditEvent.objects.get(action=BrandAuditAction.CUSTOMER_DATA_EXPORTED)
    assert logged.changes == {"email_fingerprint": email_fingerprint(EMAIL), "inquiries": 1,
                              "messages": 2, "attachments": 1, "mail_log_entries": 1}


def test_erasure_leaves_no_trace_of_the_address_the_name_or_the_words(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks: Any
) -> None:
    queue = factories.queue()
    inquiry = customer_conversation(queue, now)
    attachment = Attachment.objects.get()
    stored_file = attachment.file.name
    assert traces_in_database(*TRACES)  # the test finds them before the erasure

    with django_capture_on_commit_callbacks(execute=True):
        summary = privacy.customer_data_erase(brand=queue.brand,
                                              actor=factories.brand_owner(of=queue.brand),
                                              email=f"  {EMAIL.title()} ", now=now)

    assert (summary.inquiries, summary.messages, summary.attachments,
            summary.mail_log_entries) == (1, 2, 1, 1)
    assert traces_in_database(*TRACES) == []
    assert not default_storage.exists(stored_file)
    customer = Customer.objects.get(pk=inquiry.customer_id)
    assert (customer.email, customer.name) == (f"erased-{customer.pk}@erased.invalid", "")
    assert set(Message.objects.filter(inquiry=inquiry).values_list("body", flat=True)) == {
        ERASED_TEXT}
    attachment.refresh_from_db()
    assert (attachment.stored, attachment.file.name, attachment.filename) == (
        False, "", f"erased-{attachment.pk}")
    erased = BrandAuditEvent.objects.get(action=BrandAuditAction.CUSTOMER_DATA_ERASED)
    assert erased.changes["email_fingerprint"] == email_fingerprint(EMAIL)
    assert erased.target == f"Customer #{customer.pk}"
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.queue_id) == ("resolved", queue.pk)


def test_the_ledger_and_the_timelines_keep_their_ids(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    inquiry = customer_conversation(queue, now)
    events_before = inquiry.events.count()

    privacy.customer_data_erase(brand=queue.brand, actor=factories.brand_owner(of=queue.brand),
                                email=EMAIL, now=now)

    assert LedgerTransaction.objects.get().reference_inquiry_id == inquiry.pk
    assert inquiry.events.count() == events_before
    replied = inquiry.events.get(kind="replied")
    assert replied.data == {"message_id": inquiry.messages.get(direction="outbound").pk}


def test_a_brand_cannot_export_or_erase_another_brands_customer(
    now: datetime, captured_tasks: list
) -> None:
    ours, theirs = factories.queue(), factories.queue()
    their_inquiry = customer_conversation(theirs, now)
    owner = factories.brand_owner(of=ours.brand)

    export = privacy.customer_data_export(brand=ours.brand, actor=owner, email=EMAIL, now=now)
    privacy.customer_data_erase(brand=ours.brand, actor=owner, email=EMAIL, now=now)

    document = json.loads(unzip(export.content)["customer.json"])
    assert (document["customers"], document["inquiries"], document["mail_log"]) == ([], [], [])
    their_inquiry.refresh_from_db()
    assert (their_inquiry.customer.email, their_inquiry.customer.name) == (EMAIL, NAME)
    assert list(their_inquiry.messages.values_list("body", flat=True)) == [BODY, REPLY]
    assert Attachment.objects.get().stored is True
    assert MailLogEntry.objects.get().text == f"550 <{EMAIL}>: mailbox full"


def test_a_viewer_can_neither_export_nor_erase(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    customer_conversation(queue, now)
    viewer = BrandMembership.objects.get(user=factories.brand_member(of=queue.brand,
                                                                   role=BrandRole.VIEWER))

    with pytest.raises(PermissionDenied):
        privacy.customer_data_export(brand=queue.brand, actor=viewer, email=EMAIL, now=now)
    with pytest.raises(PermissionDenied):
        privacy.customer_data_erase(brand=queue.brand, actor=viewer, email=EMAIL, now=now)

    assert Customer.objects.filter(email=EMAIL).count() == 1
    assert not BrandAuditEvent.objects.filter(action__startswith="privacy.").exists()


def test_retention_deletes_old_texts_and_files_of_closed_inquiries_only(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks: Any
) -> None:
    queue = factories.queue()
    closed = customer_conversation(queue, now)
    still_open = factories.inquiry(on=queue, now=now, body="Still waiting for you")
    untouched_queue = factories.queue()
    elsewhere = customer_conversation(untouched_queue, now,
                                      message_id="<elsewhere@customer.example>")
    stored_files = dict(Attachment.objects.values_list("message__inquiry_id", "file"))

    queue.retention_days = 30
    queue.save(update_fields=["retention_days"])
    with django_capture_on_commit_callbacks(execute=True):
        too_early = privacy.retention_apply(now=now + timedelta(days=29))
    with django_capture_on_commit_callbacks(execute=True):
        emptied = privacy.retention_apply(now=now + timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        again = privacy.retention_apply(now=now + timedelta(days=32))

    assert (too_early, emptied, again) == (0, 2, 0)
    assert set(closed.messages.values_list("body", flat=True)) == {privacy.RETAINED_TEXT}
    assert list(still_open.messages.values_list("body", flat=True)) == ["Still waiting for you"]
    assert list(elsewhere.messages.values_list("body", flat=True)) == [BODY, REPLY]
    retained = Attachment.objects.get(message__inquiry=closed)
    assert (retained.stored, retained.file.name) == (False, "")
    assert not default_storage.exists(stored_files[closed.pk])
    assert default_storage.exists(stored_files[elsewhere.pk])
    assert MailLogEntry.objects.get(queue=queue).text == ""
    assert MailLogEntry.objects.get(queue=untouched_queue).text != ""


def test_retention_is_off_by_default_and_a_setting_of_the_queue(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    customer_conversation(queue, now)

    assert queue.retention_days is None
    assert privacy.retention_apply(now=now + timedelta(days=3650)) == 0
    with pytest.raises(FieldErrors, match="retention_days"):
        queues_services.queue_configure(queue=queue, changes={"retention_days": 0})
    queues_services.queue_configure(queue=queue, changes={"retention_days": "7"})
    queue.refresh_from_db()
    assert queue.retention_days == 7
    queues_services.queue_configure(queue=queue, changes={"retention_days": ""})
    queue.refresh_from_db()
    assert queue.retention_days is None


def test_the_retention_task_runs_nightly_on_beat() -> None:
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values()
               if entry["task"] == "marketplace.apply_retention"]
    app.loader.import_default_modules()
    assert len(entries) == 1
    assert apply_retention.name in app.tasks
