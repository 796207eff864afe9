"""Ops read a queue's whole configuration in the admin, macros included; macros are written
only in the brand's console, where their placeholders are checked."""

from datetime import datetime

import pytest
from django.test import Client

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
