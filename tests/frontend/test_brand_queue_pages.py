"""The queue pages of the brand console: settings form, coverage preview, macros; every
page refused to the wrong role or the wrong brand."""

import html
import re
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from billing.models import BrandContract
from marketplace.onboarding.models import BrandRole
from marketplace.queues import services as queues_services
from marketplace.queues.models import OverflowQueue, QueueMacro
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db

NINE_TO_FIVE = tuple((day, "09:00", "17:00") for day in range(5))


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def settings_form(queue: OverflowQueue, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "name": queue.name, "time_zone": queue.time_zone, "channels": ["email", "chat"],
        "business_hours": "Mon 09:00-17:00\nFri 22:00-02:00", "holiday_country": "IE",
        "covers_after_hours": "on", "covers_weekends": "on", "covers_holidays": "on",
        "overflow_backlog_threshold": "", "overflow_wait_threshold_seconds": "",
        "closures": "2026-12-24..2026-12-26 Christmas", "chat_first_response_seconds": "30",
        "email_first_response_seconds": "900", "social_first_response_seconds": "900",
        "resolve_after_hours": "48", "chat_offer_timeout_seconds": "20",
        "email_offer_timeout_seconds": "120", "social_offer_timeout_seconds": "120",
        "chat_reply_timeout_seconds": "180", "languages": "en, de", "required_skills": "",
        "currency": "EUR", "guidelines": "Be **kind**.", "reopen_window_hours": "168",
        "webhook_events": "", "survey_delivery": "email", "survey_delay_hours": "24",
    }
    form.update(changes)
    return form


def test_admin_saves_the_settings_form() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    response = client.post(f"/brand/queues/{queue.pk}/settings/", settings_form(queue))

    assert response.status_code == 302
    queue.refresh_from_db()
    assert (queue.holiday_country, queue.covers_holidays, queue.always_on) == ("IE", True, False)
    assert queue.languages == ["en", "de"]
    assert queue.spans.count() == 2
    assert [closure["label"] for closure in queue.closures] == ["Christmas"]
    page = client.get(f"/brand/queues/{queue.pk}/").content.decode()
    assert "Be <strong>kind</strong>." in page


def test_bad_field_on_the_form_shows_its_message_and_saves_nothing() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.OWNER))

    response = client.post(f"/brand/queues/{queue.pk}/settings/", settings_form(
        queue, business_hours="Mon 9-5", name="Renamed"))

    assert response.status_code == 400
    assert "Line 1: write spans like &#x27;Mon 09:00-17:00&#x27;." in response.content.decode()
    queue.refresh_from_db()
    assert (queue.name.startswith("Queue"), queue.holiday_country) == (True, "")


def test_viewer_sees_the_queue_but_cannot_change_it(now: datetime) -> None:
    queue = factories.queue()
    queues_services.macro_save(queue=queue, name="Hello", body="Hi {customer_first_name}", now=now)
    macro = QueueMacro.objects.get()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.VIEWER))

    page = client.get(f"/brand/queues/{queue.pk}/")
    writes = [
        client.post(f"/brand/queues/{queue.pk}/settings/", settings_form(queue)),
        client.post(f"/brand/queues/{queue.pk}/macros/", {"name": "x", "body": "y"}),
        client.post(f"/brand/queues/{queue.pk}/macros/{macro.pk}/delete/"),
        client.post("/brand/queues/create/", {"name": "New", "time_zone": "UTC"}),
    ]

    assert page.status_code == 200
    assert "read only for your role" in page.content.decode()
    assert [response.status_code for response in writes] == [403, 403, 403, 403]
    queue.refresh_from_db()
    assert (queue.holiday_country, OverflowQueue.objects.count()) == ("", 1)
    assert list(QueueMacro.objects.values_list("name", flat=True)) == ["Hello"]


def test_preview_shows_a_week_grid_with_reasons_in_the_queues_zone() -> None:
    queue = factories.queue(time_zone="Australia/Lord_Howe", spans=NINE_TO_FIVE)
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.VIEWER))

    page = client.get(f"/brand/queues/{queue.pk}/?week=2026-10-01").content.decode()

    assert "Week of Mon 28 Sep 2026" in page
    assert page.count('<td class="cov ') == 7 * 24
    assert "Covered: weekend (clocks change: starts at 02:30)" in page
    assert "With the brand: business hours" in page
    assert "Covered: after hours" in page


def test_macro_form_refuses_unknown_placeholders_and_saves_good_ones() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    refused = client.post(f"/brand/queues/{queue.pk}/macros/",
                          {"name": "Hi", "body": "Hello {first_name}"})
    saved = client.post(f"/brand/queues/{queue.pk}/macros/",
                        {"name": "Hi", "body": "Hello {customer_first_name}"})

    assert refused.status_code == 400
    assert "Unknown placeholder {first_name}" in refused.content.decode()
    assert saved.status_code == 302
    page = client.get(f"/brand/queues/{queue.pk}/").content.decode()
    assert "Hello Sam" in page


def test_admin_creates_a_queue_from_the_console() -> None:
    brand = factories.brand()
    client = logged_in(factories.brand_member(of=brand, role=BrandRole.ADMIN))

    refused = client.post("/brand/queues/create/", {"name": "Nights", "time_zone": "Nowhere",
                                                    "currency": "EUR"})
    created = client.post("/brand/queues/create/", {"name": "Nights", "time_zone": "UTC",
                                                    "currency": "EUR"})

    assert refused.status_code == 400
    assert "is not an IANA time zone" in refused.content.decode()
    assert created.status_code == 302
    assert OverflowQueue.objects.get(brand=brand).currency == "EUR"


def test_the_brand_sees_its_contracts_prices_read_only_and_cannot_post_them() -> None:
    queue = factories.queue(price_minor=525)
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    saved = client.post(f"/brand/queues/{queue.pk}/settings/",
                        settings_form(queue, price_per_ticket="0.01", prices="0.01"))
    page = client.get(f"/brand/queues/{queue.pk}/").content.decode()

    assert saved.status_code == 302
    assert "<td>Chat</td><td>5.25</td>" in page
    assert 'name="price_per_ticket"' not in page
    assert BrandContract.objects.get(brand_id=queue.brand_id).chat_price_minor == 525


BRAND_PAGES = ["/brand/queues/", "/brand/queues/{queue}/", "/brand/keys/", "/brand/members/",
               "/brand/billing/"]


@pytest.mark.parametrize("path", BRAND_PAGES)
def test_brand_pages_refuse_anonymous_and_experts(path: str, now: datetime) -> None:
    queue = factories.queue()
    url = path.format(queue=queue.pk)

    anonymous = Client().get(url)
    expert = logged_in(factories.expert(now=now).user).get(url)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert expert.status_code == 403


@pytest.mark.parametrize("path", ["/brand/queues/{queue}/", "/brand/queues/{queue}/settings/",
                                  "/brand/queues/{queue}/macros/"])
def test_another_brands_queue_is_404(path: str) -> None:
    queue = factories.queue()
    stranger = logged_in(factories.brand_member(of=factories.brand(), role=BrandRole.OWNER))
    url = path.format(queue=queue.pk)

    response = stranger.get(url) if url.endswith(f"{queue.pk}/") else stranger.post(
        url, settings_form(queue, name="Hijacked"))

    assert response.status_code == 404
    queue.refresh_from_db()
    assert queue.name != "Hijacked"


def test_expert_sees_guidelines_and_macros_filled_for_the_conversation(
    now: datetime, captured_tasks: list
) -> None:
    pass

    queue = factories.queue()
    queues_services.queue_configure(queue=queue, changes={
        "guidelines": "Offer a **refund** <script>alert(1)</script>"})
    queues_services.macro_save(queue=queue, name="Greeting",
                        body="Hi {customer_first_name}, {expert_first_name} here.", now=now)
    expert = factories.on_shift_expert(on=queue, now=now, name="Ada Lovelace")
    inquiry = factories.inquiry(on=queue, now=now, customer_name="Sam Rivera")
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)

    page = logged_in(expert.user).get(f"/expert/inquiries/{inquiry.pk}/").content.decode()

    assert "Offer a <strong>refund</strong>" in page
    assert "<script>alert" not in page
    assert 'data-insert-macro="Hi Sam, Ada here."' in page


def test_macro_with_a_nul_byte_is_refused() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    response = client.post(f"/brand/queues/{queue.pk}/macros/", {"name": "Hi",
                                                                 "body": "Hello\x00"})

    assert response.status_code == 400
    assert QueueMacro.objects.count() == 0


def marked_field(page: str, name: str) -> tuple[str, bool, list[str]]:
    """The value an input shows, whether it is marked invalid, and the messages beside it (up
    to the end of its label), whatever the template's line breaks."""
    match = re.search(rf'<input\b[^>]*\bname="{name}"[^>]*>(.*?)</label>', page, re.S)
    assert match is not None, f"no input named {name}"
    tag = match.group(0)[:match.group(0).index(">") + 1]
    value = re.search(r'value="([^"]*)"', tag)
    messages = [html.unescape(message.strip()) for message in
                re.findall(r'<small class="error">(.*?)</small>', match.group(1), re.S)]
    return (html.unescape(value.group(1)) if value else "", 'aria-invalid="true"' in tag,
            messages)


def test_every_bad_field_on_the_form_is_marked_beside_its_input_and_nothing_is_saved() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))
    before = (queue.name, queue.chat_first_response_seconds, queue.currency)

    response = client.post(f"/brand/queues/{queue.pk}/settings/", settings_form(
        queue, name="Renamed", time_zone="Mars/Olympus", chat_first_response_seconds="0",
        languages="english", currency="euro", open_24_7="on"))

    page = response.content.decode()
    assert response.status_code == 400
    assert marked_field(page, "time_zone") == (
        "Mars/Olympus", True, ["'Mars/Olympus' is not an IANA time zone such as Europe/Dublin."])
    assert marked_field(page, "chat_first_response_seconds") == (
        "0", True, ["Enter a whole number from 5 to 604,800."])
    value, invalid, messages = marked_field(page, "languages")
    assert (value, invalid) == ("english", True)
    assert messages[0].startswith("'english' is not a two-letter ISO 639-1 code")
    assert marked_field(page, "currency") == (
        "euro", True, ["Use a three-letter ISO 4217 currency code such as EUR."])
    assert marked_field(page, "name") == ("Renamed", False, [])
    assert re.search(r'<input type="checkbox" name="open_24_7"\s+checked>', page)
    queue.refresh_from_db()
    assert (queue.name, queue.chat_first_response_seconds, queue.currency) == before
    assert queue.spans.count() == 0


def test_the_retention_period_is_set_and_cleared_on_the_settings_form() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    page = client.get(f"/brand/queues/{queue.pk}/").content.decode()
    client.post(f"/brand/queues/{queue.pk}/settings/", settings_form(queue, retention_days="90"))
    queue.refresh_from_db()
    kept_for = queue.retention_days
    refused = client.post(f"/brand/queues/{queue.pk}/settings/",
                          settings_form(queue, retention_days="0"))
    client.post(f"/brand/queues/{queue.pk}/settings/", settings_form(queue, retention_days=""))
    queue.refresh_from_db()

    assert 'name="retention_days"' in page
    assert kept_for == 90
    assert refused.status_code == 400
    assert "Enter a whole number from 1 to 3,650." in refused.content.decode()
    assert queue.retention_days is None
