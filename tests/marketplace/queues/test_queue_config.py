"""Queue configuration through the REST API and the services behind it: every bad field is a
400 with that field's message and changes nothing; coverage and routing read the settings."""

from datetime import date, datetime, time, timedelta

import pytest
from django.forms.models import model_to_dict
from rest_framework.test import APIClient

from marketplace.access import services as access_services
from marketplace.infra.errors import FieldErrors
from marketplace.queues import selectors as queues_guidelines
from marketplace.queues import selectors as queues_selectors
from marketplace.queues import services as queues_services
from marketplace.queues.fields import PRICES_ARE_SHIFTLINES
from marketplace.queues.models import OverflowQueue
from routing.engine import decide_coverage
from routing.engine.coverage import CoverageReason
from routing.models import ExpertSeat, Offer
from routing.offers import services as offers_services
from routing.sweeps import services as sweeps_services
from tests import factories
from tests.conftest import TUESDAY_MORNING

pytestmark = pytest.mark.django_db

NINE_TO_FIVE = tuple((day, "09:00", "17:00") for day in range(5))


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def snapshot(queue: OverflowQueue) -> tuple[dict, list, list]:
    queue.refresh_from_db()
    return (model_to_dict(queue), list(queue.spans.values_list("weekday", "opens_at", "closes_at")),
            list(queue.closures))


def test_queue_detail_shows_the_contracts_prices_as_decimal_strings() -> None:
    queue = factories.queue(spans=((0, "22:00", "02:00"),), price_minor=450, rate_minor=300)
    key = factories.api_key(of=queue.brand)

    response = client_with(key).get(f"/api/v1/queues/{queue.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["prices"] == {"currency": "EUR", "email": "4.50", "chat": "4.50",
                              "social": "4.50", "rises_with_tier": False,
                              "escalation_fee": None}
    assert "expert_rate" not in body
    assert body["business_hours"] == [{"weekday": 0, "opens": "22:00", "closes": "02:00"}]
    assert (body["chat_first_response_seconds"], body["email_first_response_seconds"]) == (
        30, 900)
    assert (body["chat_offer_timeout_seconds"], body["email_offer_timeout_seconds"],
            body["chat_reply_timeout_seconds"], body["resolve_after_hours"]) == (20, 120, 180, 48)


def test_another_brands_queue_answers_404() -> None:
    queue = factories.queue()
    stranger_key = factories.api_key(of=factories.brand())

    assert client_with(stranger_key).get(f"/api/v1/queues/{queue.pk}").status_code == 404
    assert client_with(stranger_key).patch(f"/api/v1/queues/{queue.pk}", {"name": "x"},
                                           format="json").status_code == 404
    assert client_with(stranger_key).post(f"/api/v1/queues/{queue.pk}/backlog",
                                          {"backlog": 1, "oldest_wait_seconds": 1},
                                          format="json").status_code == 404
    queue.refresh_from_db()
    assert queue.backlog_reported_at is None


def test_patch_changes_every_kind_of_setting() -> None:
    queue = factories.queue()
    key = factories.api_key(of=queue.brand)

    response = client_with(key).patch(f"/api/v1/queues/{queue.pk}", {
        "channels": ["chat", "email", "social"],
        "time_zone": "Australia/Lord_Howe",
        "business_hours": [{"weekday": 4, "opens": "22:00", "closes": "02:00"},
                           {"weekday": 0, "opens": "09:00", "closes": "12:00"},
                           {"weekday": 0, "opens": "13:00", "closes": "17:00"}],
        "holiday_country": "AU", "covers_holidays": True,
        "closures": [{"starts_on": "2026-12-24", "ends_on": "2026-12-26", "label": "Xmas"}],
        "covers_overflow": True, "overflow_backlog_threshold": 20,
        "chat_offer_timeout_seconds": 45, "chat_reply_timeout_seconds": 300,
        "resolve_after_hours": 24, "languages": ["en", "de"], "required_skills": ["returns"],
        "currency": "GBP", "guidelines": "# Be kind",
    }, format="json")

    assert response.status_code == 200, response.json()
    queue.refresh_from_db()
    assert (queue.time_zone, queue.holiday_country, queue.covers_holidays) == (
        "Australia/Lord_Howe", "AU", True)
    assert queue.channels == ["email", "chat", "social"]
    assert list(queue.spans.values_list("weekday", "opens_at", "closes_at")) == [
        (0, time(9), time(12)), (0, time(13), time(17)), (4, time(22), time(2))]
    assert queue.closures == [
        {"starts_on": "2026-12-24", "ends_on": "2026-12-26", "label": "Xmas"}]
    assert queue.currency == "GBP"
    assert (queue.languages, queue.required_skills) == (["en", "de"], ["returns"])
    assert (queue.chat_offer_timeout_seconds, queue.chat_reply_timeout_seconds,
            queue.resolve_after_hours, queue.overflow_backlog_threshold) == (45, 300, 24, 20)


def test_open_24_7_replaces_business_hours_with_whole_days() -> None:
    queue = factories.queue(spans=NINE_TO_FIVE)

    queues_services.queue_configure(queue=queue, changes={"open_24_7": True})

    assert list(queue.spans.values_list("weekday", "opens_at", "closes_at")) == [
        (day, time(0), time(0)) for day in range(7)]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "'Mars/Olympus' is not an IANA time zone such as "
         "Europe/Dublin."),
        ("channels", ["email", "fax"], "Unknown channel 'fax'; choose from email, chat, social."),
        ("channels", [], "Serve at least one channel."),
        ("business_hours", [{"weekday": 0, "opens": "9am", "closes": "17:00"}],
         "Span 1: Times look like 09:00 or 17:30 (24-hour clock)."),
        ("business_hours", [{"weekday": 9, "opens": "09:00", "closes": "17:00"}],
         "Span 1: Weekdays are 0 (Monday) to 6 (Sunday) or names such as Mon."),
        ("holiday_country", "XX", "'XX' is not a country with known public holidays; use an ISO "
         "3166 code such as IE, or leave it empty."),
        ("closures", [{"starts_on": "tomorrow", "ends_on": "2026-12-24", "label": "x"}],
         "Closure 1: dates look like 2026-12-24."),
        ("chat_first_response_seconds", 0, "Enter a whole number from 5 to 604,800."),
        ("email_offer_timeout_seconds", "soon", "Enter a whole number from 5 to 3,600."),
        ("chat_reply_timeout_seconds", True, "Enter a whole number from 30 to 86,400."),
        ("resolve_after_hours", 10_000, "Enter a whole number from 1 to 720."),
        ("languages", ["english"], "'english' is not a two-letter ISO 639-1 code such as 'en'."),
        ("required_skills", ["Returns & refunds"], "'returns & refunds' is not a skill name; use "
         "up to 40 lowercase letters, digits and hyphens, such as 'returns'."),
        ("currency", "euro", "Use a three-letter ISO 4217 currency code such as EUR."),
        ("price_per_ticket", "4.50", PRICES_ARE_SHIFTLINES),
        ("expert_rate", "3.00", PRICES_ARE_SHIFTLINES),
        ("prices", {"email": "0.01"}, PRICES_ARE_SHIFTLINES),
        ("always_on", "maybe", "Send true or false."),
        ("name", "", "This field is required."),
        ("guidelines", "x" * 20_001, "Keep it to 20,000 characters."),
        ("colour", "blue", "Unknown field."),
    ],
)
def test_each_bad_field_is_a_400_with_its_message_and_changes_nothing(
    field: str, value: object, message: str
) -> None:
    queue = factories.queue(spans=NINE_TO_FIVE)
    key = factories.api_key(of=queue.brand)
    before = snapshot(queue)
    expected_field = "holiday_country" if field == "covers_holidays" else field

    response = client_with(key).patch(f"/api/v1/queues/{queue.pk}",
                                      {"name": "Renamed", field: value}, format="json")

    assert response.status_code == 400
    assert response.json()[expected_field] == [message]
    assert snapshot(queue) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("closures", [{"starts_on": "2026-12-26", "ends_on": "2026-12-24", "label": "x"}],
         "Closure 1: it ends before it starts."),
        ("covers_overflow", True, "Overflow coverage needs a backlog or an oldest-wait "
         "threshold."),
        ("covers_holidays", True, "Choose the country whose public holidays are covered."),
    ],
)
def test_a_rule_the_schema_cannot_state_is_a_422_naming_the_field_and_changes_nothing(
    field: str, value: object, message: str
) -> None:
    queue = factories.queue(spans=NINE_TO_FIVE)
    key = factories.api_key(of=queue.brand)
    before = snapshot(queue)
    expected_field = "holiday_country" if field == "covers_holidays" else field

    response = client_with(key).patch(f"/api/v1/queues/{queue.pk}",
                                      {"name": "Renamed", field: value}, format="json")

    assert response.status_code == 422
    assert response.json()[expected_field] == [message]
    assert snapshot(queue) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("required_skills", "returns"), ("languages", ["EN"]), ("currency", "eur"),
     ("covers_weekends", 0), ("covers_weekends", "yes"), ("chat_offer_timeout_seconds", "30"),
     ("business_hours", [{"weekday": "Mon", "opens": "09:00", "closes": "17:00"}]),
     ("time_zone", " Europe/Dublin"), ("holiday_country", "ie")],
)
def test_input_the_console_reads_but_the_schema_forbids_is_a_400(field: str,
                                                                  value: object) -> None:
    queue = factories.queue(spans=NINE_TO_FIVE)
    key = factories.api_key(of=queue.brand)
    before = snapshot(queue)

    response = client_with(key).patch(f"/api/v1/queues/{queue.pk}", {field: value},
                                      format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot(queue) == before


def test_patch_with_a_json_list_is_a_400() -> None:
    queue = factories.queue()
    key = factories.api_key(of=queue.brand)

    response = client_with(key).patch(f"/api/v1/queues/{queue.pk}", [1, 2], format="json")

    assert response.status_code == 400


def test_create_queue_needs_name_and_zone_and_shows_the_list_price() -> None:
    brand = factories.brand()
    factories.pricing(brand_=factories.brand(), price_minor=450)  # the EUR rate card
    key = factories.api_key(of=brand)

    refused = client_with(key).post("/api/v1/queues", {"name": "Nights"}, format="json")
    created = client_with(key).post("/api/v1/queues", {
        "name": "Nights", "time_zone": "Asia/Kathmandu",
        "business_hours": [{"weekday": 0, "opens": "09:00", "closes": "17:00"}]},
        format="json")
    duplicate = client_with(key).post("/api/v1/queues", {
        "name": "Nights", "time_zone": "Asia/Kathmandu"}, format="json")

    assert refused.status_code == 400
    assert set(refused.json()) == {"time_zone"}
    assert created.status_code == 201
    assert (created.json()["name"], created.json()["prices"]["chat"]) == ("Nights", "4.50")
    assert duplicate.status_code == 409
    assert duplicate.json() == {"name": ["The brand already has a queue with this name."]}
    assert list(OverflowQueue.objects.filter(brand=brand).values_list("name", flat=True)) == [
        "Nights"]
    listed = client_with(key).get("/api/v1/queues").json()
    assert [item["name"] for item in listed] == ["Nights"]


def test_backlog_report_is_stored_and_turns_on_overflow_until_it_goes_stale() -> None:
    queue = factories.queue(spans=NINE_TO_FIVE)
    queues_services.queue_configure(queue=queue, changes={"covers_overflow": True,
                                                   "overflow_backlog_threshold": 10})
    key = factories.api_key(of=queue.brand)

    response = client_with(key).post(f"/api/v1/queues/{queue.pk}/backlog",
                                     {"backlog": 12, "oldest_wait_seconds": 600}, format="json")

    assert response.status_code == 200
    queue.refresh_from_db()
    assert (queue.backlog_count, queue.backlog_oldest_wait_seconds) == (12, 600)
    reported = queue.backlog_reported_at
    assert reported is not None
    calendar = queues_selectors.queue_coverage_calendar(queue=queue, now=reported)
    tuesday_ten = datetime(2026, 11, 24, 10, 0, tzinfo=reported.tzinfo)
    queues_services.queue_report_backlog(queue=queue, backlog=12, oldest_wait_seconds=600,
                                  now=tuesday_ten)
    fresh = queues_selectors.queue_coverage_calendar(queue=queue, now=tuesday_ten)
    assert calendar.backlog is not None
    assert decide_coverage(fresh, tuesday_ten + timedelta(minutes=5)).reason == \
        CoverageReason.OVERFLOW
    assert decide_coverage(fresh, tuesday_ten + timedelta(minutes=11)).reason == \
        CoverageReason.BUSINESS_HOURS


@pytest.mark.parametrize(
    ("body", "field"),
    [({"backlog": -1, "oldest_wait_seconds": 0}, "backlog"),
     ({"backlog": 1}, "oldest_wait_seconds"),
     ({"backlog": "many", "oldest_wait_seconds": 0}, "backlog")],
)
def test_bad_backlog_report_is_refused(body: dict, field: str) -> None:
    queue = factories.queue()
    key = factories.api_key(of=queue.brand)

    response = client_with(key).post(f"/api/v1/queues/{queue.pk}/backlog", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    queue.refresh_from_db()
    assert queue.backlog_reported_at is None


def test_calendar_carries_the_countrys_public_holidays_and_closures() -> None:
    queue = factories.queue(spans=NINE_TO_FIVE)
    queues_services.queue_configure(queue=queue, changes={
        "holiday_country": "IE", "covers_holidays": True,
        "closures": "2026-12-24..2026-12-28 Christmas break"})

    calendar = queues_selectors.queue_coverage_calendar(queue=queue, now=TUESDAY_MORNING)

    assert {date(2026, 3, 17), date(2025, 12, 25), date(2027, 1, 1)} <= calendar.holidays
    assert [(closure.starts_on, closure.ends_on, closure.label) for closure in
            calendar.closures] == [(date(2026, 12, 24), date(2026, 12, 28), "Christmas break")]


def test_always_on_queue_is_covered_in_business_hours_and_offers_use_its_timeout(
    captured_tasks: list
) -> None:
    queue = factories.queue(spans=NINE_TO_FIVE)
    queues_services.queue_configure(queue=queue, changes={"always_on": True,
                                                   "email_offer_timeout_seconds": 300})
    factories.on_shift_expert(on=queue, now=TUESDAY_MORNING)
    inquiry = factories.inquiry(on=queue, now=TUESDAY_MORNING)

    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=TUESDAY_MORNING)

    inquiry.refresh_from_db()
    assert inquiry.coverage_reason == "always_on"
    assert Offer.objects.get(inquiry=inquiry).expires_at == TUESDAY_MORNING + timedelta(
        seconds=300)


def test_deadline_sweep_does_not_hand_back_work_of_an_always_on_queue(
    captured_tasks: list
) -> None:
    queue = factories.queue(spans=NINE_TO_FIVE)
    queues_services.queue_configure(queue=queue, changes={"always_on": True})
    inquiry = factories.inquiry(on=queue, now=TUESDAY_MORNING)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=TUESDAY_MORNING)

    result = sweeps_services.deadlines_sweep(now=TUESDAY_MORNING + timedelta(seconds=5))

    inquiry.refresh_from_db()
    assert result["handed_back"] == 0
    assert inquiry.status == "queued"


def test_macro_with_unknown_placeholder_is_refused_with_the_known_ones(now: datetime) -> None:
    queue = factories.queue()

    with pytest.raises(FieldErrors) as refused:
        queues_services.macro_save(queue=queue, name="Hi", body="Hi {customer_nickname}", now=now)

    assert refused.value.errors == {"body": [
        "Unknown placeholder {customer_nickname}; use {customer_first_name}, {customer_name}, "
        "{brand_name}, {expert_first_name}, {queue_name}."]}
    assert queue.macros.count() == 0


def test_macro_renders_placeholders_for_a_conversation(now: datetime) -> None:
    queue = factories.queue()
    macro = queues_services.macro_save(
        queue=queue,
        name="Where is my order",
        body="Hi {customer_first_name}, {expert_first_name} from {brand_name} here.",
        now=now,
    )

    rendered = queues_services.macro_render(body=macro.body, context=queues_services.MacroContext(
        customer_name="Sam Rivera", brand_name="Acme", expert_name="Alex Kim"))
    nameless = queues_services.macro_render(body=macro.body, context=queues_services.MacroContext(
        customer_name="", brand_name="Acme", expert_name="Alex Kim"))

    assert rendered == "Hi Sam, Alex from Acme here."
    assert nameless == "Hi there, Alex from Acme here."


def test_macro_names_are_unique_per_queue(now: datetime) -> None:
    queue = factories.queue()
    queues_services.macro_save(queue=queue, name="Hi", body="Hello", now=now)

    with pytest.raises(FieldErrors) as refused:
        queues_services.macro_save(queue=queue, name="Hi", body="Hello again", now=now)

    assert refused.value.errors == {"name": ["This queue already has a macro with this name."]}


def test_guidelines_render_markdown_without_scripts() -> None:
    html = queues_guidelines.guidelines_html(
        text="# Tone\n\n**Be kind** <script>alert(1)</script> "
        "[refunds](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )

    assert "<h1>Tone</h1>" in html
    assert "<strong>Be kind</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


def test_silent_chat_is_reassigned_after_the_queues_own_reply_timeout(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    queues_services.queue_configure(queue=queue, changes={"chat_reply_timeout_seconds": 60})
    slot = factories.shift(on=queue, now=now)
    slow = factories.on_shift_expert(on=queue, now=now, slot=slot,
                                     idle_since=now - timedelta(hours=1))
    factories.on_shift_expert(on=queue, now=now, slot=slot)
    inquiry = factories.inquiry(on=queue, now=now, channel="chat")
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=slow, now=now)

    early = sweeps_services.assignments_release_silent(now=now + timedelta(seconds=59))
    late = sweeps_services.assignments_release_silent(now=now + timedelta(seconds=60))

    assert (early, late) == (0, 1)


def test_queue_required_skills_leave_out_experts_without_them(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    queues_services.queue_configure(queue=queue, changes={"required_skills": ["returns"]})
    slot = factories.shift(on=queue, now=now)
    generalist = factories.on_shift_expert(on=queue, now=now, slot=slot,
                                           idle_since=now - timedelta(hours=2))
    specialist = factories.on_shift_expert(on=queue, now=now, slot=slot)
    ExpertSeat.objects.filter(expert=specialist).update(skills=["returns", "billing"])
    inquiry = factories.inquiry(on=queue, now=now)

    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    assert Offer.objects.get(inquiry=inquiry).expert_id == specialist.pk
    assert generalist.pk != specialist.pk


def test_coverage_preview_over_the_api_names_each_hours_reason() -> None:
    queue = factories.queue(time_zone="America/Sao_Paulo", spans=NINE_TO_FIVE)
    key = factories.api_key(of=queue.brand)

    response = client_with(key).get(f"/api/v1/queues/{queue.pk}/coverage?week=2018-11-01")
    bad = client_with(key).get(f"/api/v1/queues/{queue.pk}/coverage?week=first-of-november")

    assert response.status_code == 200
    body = response.json()
    assert (body["time_zone"], body["week_start"], len(body["days"])) == (
        "America/Sao_Paulo", "2018-10-29", 7)
    monday, sunday = body["days"][0], body["days"][6]
    assert monday["hours"][9] == {"hour": 9, "skipped": False, "covered": False,
                                  "reason": "business_hours",
                                  "label": "With the brand: business hours"}
    assert sunday["hours"][0] == {"hour": 0, "skipped": True, "covered": None, "reason": None,
                                  "label": "clocks jump over this hour"}
    assert bad.status_code == 400
    assert bad.json() == {"week": ["Give a date such as 2026-11-23."]}


def test_inquiry_in_a_language_the_queue_does_not_take_stays_with_the_brand(
    captured_tasks: list
) -> None:
    queue = factories.queue()
    queues_services.queue_configure(queue=queue, changes={"always_on": True, "languages": ["en"]})
    factories.on_shift_expert(on=queue, now=TUESDAY_MORNING, languages=("en", "pt"))
    inquiry = factories.inquiry(on=queue, now=TUESDAY_MORNING, language="pt")

    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=TUESDAY_MORNING)

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.coverage_reason) == ("with_brand", "language_not_served")
    assert Offer.objects.filter(inquiry=inquiry).count() == 0


QUEUE_OPERATIONS = [
    ("get", "/api/v1/queues"), ("post", "/api/v1/queues"), ("get", "/api/v1/queues/{queue}"),
    ("patch", "/api/v1/queues/{queue}"), ("post", "/api/v1/queues/{queue}/backlog"),
    ("get", "/api/v1/queues/{queue}/coverage"),
]


@pytest.mark.parametrize(("method", "path"), QUEUE_OPERATIONS)
def test_queue_api_refuses_anyone_without_a_brand_key(method: str, path: str,
                                                      now: datetime) -> None:
    queue = factories.queue()
    url = path.format(queue=queue.pk)
    member_session = APIClient()
    member_session.force_login(factories.brand_member(of=queue.brand))
    expert_session = APIClient()
    expert_session.force_login(factories.expert(now=now).user)
    revoked_key, revoked_raw = access_services.api_key_create(
        brand=queue.brand, actor=factories.brand_owner(of=queue.brand), name="old")
    access_services.api_key_revoke(api_key=revoked_key,
                                   actor=factories.brand_owner(of=queue.brand), now=now)
    before = snapshot(queue)

    statuses = [getattr(client, method)(url, {"name": "Taken over"}, format="json").status_code
                for client in (APIClient(), member_session, expert_session,
                               client_with(revoked_raw))]
    foreign = getattr(client_with(factories.api_key(of=factories.brand())), method)(
        url, {"name": "Taken over"}, format="json").status_code

    assert statuses == [401, 401, 401, 401]
    assert foreign in ((404,) if "{queue}" in path else (200, 201, 400))
    assert snapshot(queue) == before
