"""The widget's settings on the queue's channels page: the snippet to copy, the allowed sites
(checked and normalised), the required fields and the long-wait threshold, audit-logged, for
owners and admins only."""

import pytest
from django.test import Client

from marketplace.onboarding.models import BrandAuditAction, BrandAuditEvent, BrandRole
from marketplace.queues.models import OverflowQueue
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_every_queue_has_its_own_public_widget_id() -> None:
    first, second = factories.queue(), factories.queue()

    assert first.widget_public_id.startswith("wq_")
    assert first.widget_public_id != second.widget_public_id


def test_admin_copies_the_snippet_and_sets_the_widget() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    page = client.get(f"/brand/queues/{queue.pk}/channels/").content.decode()
    response = client.post(f"/brand/queues/{queue.pk}/channels/update/", {
        "action": "set_widget",
        "allowed_origins": "https://Shop.Example:443/\nhttp://localhost:8001 https://shop.example",
        "required_fields": ["name", "email"], "long_wait_seconds": "300"})

    assert ('&lt;script src=&quot;http://testserver/widget/v1.js&quot; '
            f'data-shiftline-queue=&quot;{queue.widget_public_id}&quot; async&gt;') in page
    assert 'data-copy="widget-snippet"' in page
    assert response.status_code == 302
    queue.refresh_from_db()
    assert queue.widget_allowed_origins == ["https://shop.example", "http://localhost:8001"]
    assert queue.widget_required_fields == ["name", "email"]
    assert queue.widget_long_wait_seconds == 300
    event = BrandAuditEvent.objects.get(action=BrandAuditAction.WIDGET_CHANGED)
    assert event.changes["widget_long_wait_seconds"] == {"before": 120, "after": 300}


@pytest.mark.parametrize("origin", ["shop.example", "https://shop.example/chat",
                                    "ftp://shop.example", "https://user@shop.example"])
def test_an_origin_with_a_path_or_without_a_scheme_is_refused(origin: str) -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    client.post(f"/brand/queues/{queue.pk}/channels/update/", {
        "action": "set_widget", "allowed_origins": origin, "long_wait_seconds": "120"})

    assert OverflowQueue.objects.get(pk=queue.pk).widget_allowed_origins == []
    assert not BrandAuditEvent.objects.filter(action=BrandAuditAction.WIDGET_CHANGED).exists()


def test_viewer_cannot_change_the_widget() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.VIEWER))

    response = client.post(f"/brand/queues/{queue.pk}/channels/update/", {
        "action": "set_widget", "allowed_origins": "https://evil.example",
        "long_wait_seconds": "120"})

    assert response.status_code == 403
    assert OverflowQueue.objects.get(pk=queue.pk).widget_allowed_origins == []


def test_the_demo_queue_allows_the_local_test_page_and_prints_the_snippet(
        captured_tasks: list) -> None:
    from io import StringIO

    from django.core.management import call_command

    output = StringIO()
    call_command("seed_demo", stdout=output)

    queue = OverflowQueue.objects.get(brand__slug="northwind")
    assert queue.widget_allowed_origins == ["http://127.0.0.1:8001", "http://localhost:8001"]
    assert (f'<script src="http://127.0.0.1:8000/widget/v1.js" '
            f'data-shiftline-queue="{queue.widget_public_id}" async></script>') \
        in output.getvalue()
