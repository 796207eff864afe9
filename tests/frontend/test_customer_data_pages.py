"""The brand console's customer data page: export as a ZIP, erase after a confirmation that says
what will change; owners and admins only."""

import io
import zipfile
from datetime import datetime

import pytest
from django.test import Client

from marketplace.inquiries.models import Customer, Message
from marketplace.onboarding.models import BrandAuditAction, BrandAuditEvent, BrandRole
from marketplace.privacy.services import ERASED_TEXT
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(role: BrandRole, brand: object) -> Client:
    client = Client()
    client.force_login(factories.brand_member(of=brand, role=role))  # type: ignore[arg-type]
    return client


def test_an_admin_exports_a_customer_as_a_zip(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    factories.inquiry(on=queue, now=now, customer_email="sam@example.com", body="Lost parcel")
    client = logged_in(BrandRole.ADMIN, queue.brand)

    page = client.get("/brand/customer-data/")
    response = client.post("/brand/customer-data/export/", {"email": "Sam@Example.com"})

    assert page.status_code == 200
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="customer-data-')
    assert "no-store" in response["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "Lost parcel" in archive.read("customer.json").decode()


def test_a_bad_address_is_a_400_and_an_unknown_one_says_nothing_is_stored(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    client = logged_in(BrandRole.OWNER, queue.brand)

    bad = client.post("/brand/customer-data/export/", {"email": "not an address"})
    unknown = client.post("/brand/customer-data/erase/", {"email": "nobody@example.com"})

    assert bad.status_code == 400
    assert "Enter the customer&#x27;s email address." in bad.content.decode()
    assert unknown.status_code == 200
    assert "Nothing is stored for this address" in unknown.content.decode()
    assert not BrandAuditEvent.objects.exists()


def test_erasure_asks_first_with_the_counts_then_erases(now: datetime,
                                                        captured_tasks: list) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=now, customer_email="sam@example.com",
                                customer_name="Sam Rivera", body="Lost parcel")
    client = logged_in(BrandRole.OWNER, queue.brand)

    confirm = client.post("/brand/customer-data/erase/", {"email": "sam@example.com"})

    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "1 inquiry" in page and "1 message" in page and "0 attachments" in page
    assert 'name="confirm" value="erase"' in page
    assert Customer.objects.get().name == "Sam Rivera"

    done = client.post("/brand/customer-data/erase/", {"email": "sam@example.com",
                                                       "confirm": "erase"}, follow=True)

    assert done.redirect_chain == [("/brand/customer-data/", 302)]
    assert ("The customer&#x27;s data is erased: 1 inquiry, 1 message, 0 attachments."
            in done.content.decode())
    assert Customer.objects.get().name == ""
    assert Message.objects.get(inquiry=inquiry).body == ERASED_TEXT
    assert BrandAuditEvent.objects.filter(
        action=BrandAuditAction.CUSTOMER_DATA_ERASED).count() == 1


def test_a_viewer_gets_a_403_and_nothing_changes(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    factories.inquiry(on=queue, now=now, customer_email="sam@example.com", customer_name="Sam")
    client = logged_in(BrandRole.VIEWER, queue.brand)

    responses = [client.get("/brand/customer-data/"),
                 client.post("/brand/customer-data/export/", {"email": "sam@example.com"}),
                 client.post("/brand/customer-data/erase/", {"email": "sam@example.com",
                                                            "confirm": "erase"})]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert Customer.objects.get().name == "Sam"


def test_another_brands_customer_is_not_found(now: datetime, captured_tasks: list) -> None:
    theirs = factories.queue()
    factories.inquiry(on=theirs, now=now, customer_email="sam@example.com", customer_name="Sam")
    client = logged_in(BrandRole.OWNER, factories.brand())

    export = client.post("/brand/customer-data/export/", {"email": "sam@example.com"})
    erase = client.post("/brand/customer-data/erase/", {"email": "sam@example.com",
                                                       "confirm": "erase"})

    assert "Nothing is stored for this address" in export.content.decode()
    assert "Nothing is stored for this address" in erase.content.decode()
    assert Customer.objects.get().name == "Sam"
