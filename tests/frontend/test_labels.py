"""Words, not codes: every stored code a page shows reads through one place (frontend/labels.py,
the `label` filter), and a code nobody labelled still reads as words."""

from datetime import datetime

import pytest
from django.template import Context, Template
from django.test import Client

from frontend.labels import LABELS, label
from routing.engine.coverage import CoverageReason
from routing.engine.eligibility import ExclusionReason
from tests import factories


@pytest.mark.parametrize(("code", "kind", "words"), [
    ("always_on", "coverage_reason", "Covered: always on"),
    ("business_hours", "coverage_reason", "With the brand: business hours"),
    ("declined_before", "exclusion_reason", "had this inquiry before (declined or let it expire)"),
    ("waiting_on_customer", "inquiry_status", "Waiting on customer"),
    ("email", "channel", "Email"),
    ("expert_payable", "account_kind", "Expert payable"),
    ("email_price", "pricing_term", "Price per resolved email"),
    ("covers_weekends", "audit_field", "Weekends"),
    ("starts_on", "audit_field", "Starts on"),
    ("offer_expired", "event", "Offer expired"),
    ("something_new", "coverage_reason", "Something new"),
    ("some_code", "no_such_kind", "Some code"),
    ("", "channel", "—"),
    (None, "channel", "—"),
])
def test_a_code_reads_as_its_label(code: str | None, kind: str, words: str) -> None:
    assert label(code, kind) == words
    assert Template('{{ code|label:"' + kind + '" }}').render(Context({"code": code})) == words


def test_every_routing_reason_has_a_label() -> None:
    assert set(LABELS["coverage_reason"]) == {reason.value for reason in CoverageReason}
    assert set(LABELS["exclusion_reason"]) == {reason.value for reason in ExclusionReason}


def test_no_label_is_a_code() -> None:
    codes = [f"{kind}: {text}" for kind, labels in LABELS.items() for text in labels.values()
             if "_" in text]

    assert codes == []


@pytest.mark.django_db
def test_the_brand_inquiry_page_names_the_coverage_in_words(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=now)
    inquiry.coverage_reason = CoverageReason.WEEKEND.value
    inquiry.save(update_fields=["coverage_reason"])
    client = Client()
    client.force_login(factories.brand_member(of=queue.brand))

    html = client.get(f"/brand/inquiries/{inquiry.pk}/").content.decode()

    assert "<dd>Covered: weekend</dd>" in html
    assert "weekend_" not in html
