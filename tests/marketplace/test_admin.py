"""Ops read a queue's whole configuration in the admin, macros included; macros are written
only in the brand's console, where their placeholders are checked. Ops' changes to a queue
are in the brand's audit log, which the admin only reads."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from marketplace.models import OverflowQueue
from marketplace.onboarding.models import BrandAuditAction, BrandAuditEvent
from marketplace.queues import services as queues_services
from tests import factories

pytestmark = pytest.mark.django_db


def test_ops_see_the_queues_macros_and_cannot_add_one_there(now: datetime) -> None:
    queue = factories.queue()
    queues_services.macro_save(queue=queue, name="Where is my order", now=now,
                        body="Hi {customer_first_name}, your parcel is on its way.")
    admin_user = factories.user(is_staff=True)
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(admin_user)

    page = client.get(f"/admin/marketplace/overflowqueue/{queue.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Where is my order" in html
    assert 'name="macros-MAX_NUM_FORMS" value="0"' in html  # no form to add one


def test_ops_changing_a_queue_in_the_admin_shows_in_the_brands_audit_log() -> None:
    queue = factories.queue()
    ops = factories.user(is_staff=True, email="ops@shiftline.example")
    request = RequestFactory().post("/admin/")
    request.user = ops
    queue.resolve_after_hours = 24
    form = SimpleNamespace(initial={"resolve_after_hours": 48},
                           changed_data=["resolve_after_hours"],
                           cleaned_data={"resolve_after_hours": 24})

    admin.site._registry[OverflowQueue].save_model(request, queue, form, True)  # type: ignore[arg-type]

    event = BrandAuditEvent.objects.get()
    assert (event.brand_id, event.action, event.actor_label) == (
        queue.brand_id, BrandAuditAction.QUEUE_SETTINGS_CHANGED, "ops@shiftline.example")
    assert event.changes == {"resolve_after_hours": {"before": 48, "after": 24}}


def test_the_audit_log_is_read_only_in_the_admin() -> None:
    admin_user = factories.user(is_staff=True)
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(admin_user)

    listing = client.get("/admin/marketplace/brandauditevent/")
    adding = client.get("/admin/marketplace/brandauditevent/add/")

    assert (listing.status_code, adding.status_code) == (200, 403)
