"""Shift pages over HTTP: experts browse and book in their own time zone, brands and ops
publish, and every page and API refuses the wrong role."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from experts.shifts.models import BookingStatus, QueueShiftPolicy, ShiftBooking, ShiftSlot
from experts.shifts.services import publishing as shifts_publishing
from marketplace.onboarding.models import BrandRole
from tests import factories
from tests.experts.shifting import book, certified_expert, slot

pytestmark = pytest.mark.django_db


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


EXPERT_PAGES = ["/expert/shifts/", "/expert/shifts/mine/"]
EXPERT_POSTS = ["/expert/shifts/1/book/", "/expert/shifts/1/waitlist/",
                "/expert/shifts/1/waitlist/leave/", "/expert/bookings/1/cancel/",
                "/expert/bookings/1/release/", "/expert/bookings/1/check-out/",
                "/expert/shifts/1/check-in/", "/expert/presence/"]
BRAND_PAGES = ["/brand/shifts/"]
OPS_PAGES = ["/ops/shifts/", "/ops/quality/"]
OPS_POSTS = ["/ops/shifts/publish/", "/ops/quality/alerts/1/acknowledge/"]


def test_every_shift_page_refuses_the_wrong_role(now: datetime) -> None:
    queue = factories.queue()
    expert = logged_in(factories.expert(now=now).user)
    brand = logged_in(factories.brand_member(of=queue.brand))
    ops = logged_in(factories.user(is_staff=True))

    refused = (
        [(brand, "get", path) for path in EXPERT_PAGES]
        + [(ops, "get", path) for path in EXPERT_PAGES]
        + [(brand, "post", path) for path in EXPERT_POSTS]
        + [(expert, "get", path) for path in BRAND_PAGES + OPS_PAGES]
        + [(brand, "get", path) for path in OPS_PAGES]
        + [(expert, "post", "/brand/shifts/publish/")]
        + [(expert, "post", path) for path in OPS_POSTS]
        + [(brand, "post", path) for path in OPS_POSTS]
    )

    statuses = {(method, path): getattr(client, method)(path).status_code
                for client, method, path in refused}
    assert set(statuses.values()) == {403}
    assert ShiftSlot.objects.count() == 0


@pytest.mark.parametrize("path", EXPERT_PAGES + BRAND_PAGES + OPS_PAGES)
def test_anonymous_is_sent_to_login_from_shift_pages(path: str) -> None:
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_brand_viewer_sees_slots_but_cannot_publish(now: datetime) -> None:
    queue = factories.queue()
    viewer = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.VIEWER))

    page = viewer.get("/brand/shifts/")
    publish = viewer.post("/brand/shifts/publish/", {"kind": "slot"})

    assert page.status_code == 200
    assert b"Only the brand's owners and admins publish shifts" in page.content
    assert publish.status_code == 403
    assert ShiftSlot.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/v1/shift-slots", "/api/v1/inquiries/1/review",
                                  "/api/v1/shift-slots/pattern"])
def test_the_shift_api_answers_only_an_api_key(now: datetime, path: str) -> None:
    expert = logged_in(factories.expert(now=now).user)

    assert expert.post(path, {}, content_type="application/json").status_code == 401
    assert Client().post(path, {}, content_type="application/json").status_code == 401


@pytest.mark.parametrize(("slot_start", "expert_zone", "shown"), [
    (datetime(2027, 3, 26, 18, tzinfo=UTC), "Europe/Lisbon", "Fri 26 Mar 18:00–23:00 WET"),
    (datetime(2027, 3, 29, 17, tzinfo=UTC), "Europe/Lisbon", "Mon 29 Mar 18:00–23:00 WEST"),
    (datetime(2027, 3, 12, 22, tzinfo=UTC), "America/New_York", "Fri 12 Mar 17:00–22:00 EST"),
    (datetime(2027, 3, 15, 22, tzinfo=UTC), "America/New_York", "Mon 15 Mar 18:00–23:00 EDT"),
    (datetime(2027, 10, 29, 17, tzinfo=UTC), "Asia/Kolkata", "Fri 29 Oct 22:30–03:30 IST"),
])
def test_the_marketplace_shows_slots_in_the_experts_own_time_zone_across_dst(
    now: datetime, slot_start: datetime, expert_zone: str, shown: str
) -> None:
    queue = factories.queue()
    slot(on=queue, starts_at=slot_start, headcount=3, tier="after_hours", is_hot=True)
    expert = certified_expert(on=queue, now=now, time_zone=expert_zone)

    page = logged_in(expert.user).get("/expert/shifts/").content.decode()

    assert shown in page
    assert "3 of 3" in page
    assert "After hours" in page
    assert ">hot<" in page


def test_shift_listings_show_the_pay_per_ticket_and_the_premium_pricing_pays(
        captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue(rate_minor=300)
    weekend = slot(on=queue, starts_at=now + timedelta(days=1), tier="weekend")
    standard = slot(on=queue, starts_at=now + timedelta(days=2))
    expert = certified_expert(on=queue, now=now)
    book(weekend, expert, now)
    client = logged_in(expert.user)

    listing = client.get("/expert/shifts/").content.decode()
    mine = client.get("/expert/shifts/mine/").content.decode()

    weekend_row = listing.split(f'id="slot-{weekend.pk}"')[1].split("</tr>")[0]
    standard_row = listing.split(f'id="slot-{standard.pk}"')[1].split("</tr>")[0]
    assert "€4.50</strong> a ticket: €3.00 + " in weekend_row
    assert "€1.50 premium (Weekend)" in weekend_row
    assert "€3.00</strong> a ticket" in standard_row and "premium" not in standard_row
    assert "€1.50 premium (Weekend)" in mine.split('id="upcoming"')[1]


def test_the_booking_table_forms_carry_the_csrf_token(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now)
    booking = book(slot(on=queue, starts_at=now + timedelta(days=1)), expert, now)
    client = logged_in(expert.user)

    for path in ("/expert/shifts/mine/", "/expert/"):
        page = client.get(path).content.decode()
        row = page.split(f'id="booking-{booking.pk}"')[1].split("</tr>")[0]
        assert row.count('name="csrfmiddlewaretoken" value="') == 2, path  # check in, cancel


def test_the_marketplace_lists_only_brands_the_expert_is_certified_for() -> None:
    now = timezone.now()
    mine, other = factories.queue(), factories.queue()
    slot(on=mine, starts_at=now + timedelta(days=1))
    slot(on=other, starts_at=now + timedelta(days=1))
    expert = certified_expert(on=mine, now=now)

    page = logged_in(expert.user).get("/expert/shifts/").content.decode()

    assert str(mine) in page
    assert str(other) not in page


def test_the_day_filter_uses_the_experts_local_day(now: datetime) -> None:
    queue = factories.queue()
    late = slot(on=queue, starts_at=datetime(2027, 1, 5, 23, 30, tzinfo=UTC), hours=1)
    expert = certified_expert(on=queue, now=now, time_zone="Asia/Tokyo")
    client = logged_in(expert.user)

    on_sixth = client.get("/expert/shifts/?day=2027-01-06").content.decode()
    on_fifth = client.get("/expert/shifts/?day=2027-01-05").content.decode()
    bad = client.get("/expert/shifts/?day=someday")

    assert f'id="slot-{late.pk}"' in on_sixth
    assert f'id="slot-{late.pk}"' not in on_fifth
    assert bad.status_code == 200
    assert b"Pick a date" in bad.content


def test_an_expert_books_from_the_marketplace_and_sees_the_calendar(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    target = slot(on=queue, starts_at=datetime(2027, 1, 6, 18, tzinfo=UTC), hours=3)
    expert = certified_expert(on=queue, now=now)
    client = logged_in(expert.user)

    response = client.post(f"/expert/shifts/{target.pk}/book/", {"back": "marketplace"})
    calendar = client.get("/expert/shifts/mine/?week=2027-01-06").content.decode()

    assert response.status_code == 302
    assert response["Location"] == "/expert/shifts/"
    booking = ShiftBooking.objects.get(expert=expert)
    assert booking.status == BookingStatus.BOOKED
    assert f'data-booking="{booking.pk}"' in calendar
    assert "top: 75.00%; height: 12.50%" in calendar
    assert "@media (min-width: 48rem)" in calendar
    assert "Week of Mon 04 Jan 2027" in calendar


def test_cancel_after_the_cut_off_shows_why_and_changes_nothing() -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now)
    booking = book(slot(on=queue, starts_at=now + timedelta(hours=2)), expert, now)
    client = logged_in(expert.user)

    response = client.post(f"/expert/bookings/{booking.pk}/cancel/", follow=True)

    assert "cut-off" in response.content.decode()
    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_booking_someone_elses_shift_actions_are_not_found() -> None:
    now = timezone.now()
    queue = factories.queue()
    owner, intruder = certified_expert(on=queue, now=now), certified_expert(on=queue, now=now)
    booking = book(slot(on=queue, starts_at=now + timedelta(days=2)), owner, now)

    response = logged_in(intruder.user).post(f"/expert/bookings/{booking.pk}/cancel/")

    assert response.status_code == 404
    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_a_brand_admin_publishes_a_weekly_pattern_in_the_queue_time_zone() -> None:
    queue = factories.queue(time_zone="Europe/Dublin")
    admin = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    response = admin.post("/brand/shifts/publish/", {
        "kind": "pattern", "pattern-queue": queue.pk, "pattern-date_from": "2027-03-24",
        "pattern-date_to": "2027-03-30", "pattern-weekdays": ["0", "1", "2", "3", "4"],
        "pattern-starts": "18:00", "pattern-ends": "23:00", "pattern-headcount": "4",
        "pattern-premium_tier": "after_hours", "pattern-is_hot": "on",
    }, follow=True)

    starts = list(ShiftSlot.objects.order_by("starts_at").values_list("starts_at", flat=True))
    assert [start.isoformat() for start in starts] == [
        "2027-03-24T18:00:00+00:00", "2027-03-25T18:00:00+00:00", "2027-03-26T18:00:00+00:00",
        "2027-03-29T17:00:00+00:00", "2027-03-30T17:00:00+00:00",
    ]
    assert set(ShiftSlot.objects.values_list("headcount", "premium_tier", "is_hot")) == {
        (4, "after_hours", True)}
    assert "Published 5 slots" in response.content.decode()


def test_publishing_the_same_pattern_twice_adds_nothing(now: datetime) -> None:
    queue = factories.queue()
    arguments = {"queue": queue, "date_from": date(2027, 5, 3), "date_to": date(2027, 5, 9),
                 "weekdays": frozenset({5, 6}), "starts": time(9), "ends": time(17),
                 "headcount": 2, "premium_tier": "weekend", "is_hot": False,
                 "published_by": None, "now": now}

    first = shifts_publishing.shift_pattern_publish(**arguments)  # type: ignore[arg-type]
    second = shifts_publishing.shift_pattern_publish(**arguments)  # type: ignore[arg-type]

    assert (len(first.created), len(second.created), second.already_published) == (2, 0, 2)
    assert ShiftSlot.objects.count() == 2


@pytest.mark.parametrize(("fields", "message"), [
    ({"slot-headcount": "0"}, "greater than or equal to 1"),
    ({"slot-premium_tier": "1.25"}, "Select a valid choice"),
    ({"slot-day": "2020-01-01"}, "must start in the future"),
    ({"slot-starts": "25:00"}, "Enter a valid time"),
])
def test_a_bad_slot_is_refused_with_a_clear_message(fields: dict[str, str], message: str) -> None:
    queue = factories.queue()
    admin = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.OWNER))
    data = {"kind": "slot", "slot-queue": queue.pk, "slot-day": "2030-01-01",
            "slot-starts": "18:00", "slot-ends": "23:00", "slot-headcount": "2",
            "slot-premium_tier": "standard", **fields}

    response = admin.post("/brand/shifts/publish/", data, follow=True)

    assert message in response.content.decode()
    assert ShiftSlot.objects.count() == 0


def test_a_brand_cannot_publish_on_another_brands_queue() -> None:
    mine, theirs = factories.queue(), factories.queue()
    admin = logged_in(factories.brand_member(of=mine.brand, role=BrandRole.ADMIN))

    response = admin.post("/brand/shifts/publish/", {
        "kind": "slot", "slot-queue": theirs.pk, "slot-day": "2030-01-01",
        "slot-starts": "18:00", "slot-ends": "23:00", "slot-headcount": "1",
        "slot-premium_tier": "standard"})

    assert response.status_code == 400
    assert ShiftSlot.objects.count() == 0


def test_ops_set_a_queue_policy() -> None:
    queue = factories.queue()
    ops = logged_in(factories.user(is_staff=True))

    ops.post("/ops/shifts/publish/", {
        "kind": "policy", "policy-queue": queue.pk, "policy-cancel_cutoff_hours": "24",
        "policy-min_csat_percent": "80", "policy-max_no_shows": "2",
        "policy-suspend_automatically": "on"})

    policy = QueueShiftPolicy.objects.get(queue=queue)
    assert (policy.cancel_cutoff_hours, policy.min_csat_percent, policy.min_acceptance_percent,
            policy.max_no_shows, policy.suspend_automatically) == (24, 80, None, 2, True)


def test_the_api_publishes_and_lists_slots(now: datetime) -> None:
    queue = factories.queue()
    key = factories.api_key(of=queue.brand)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    created = client.post("/api/v1/shift-slots", {
        "queue": queue.pk, "starts_at": "2030-01-01T18:00:00+00:00",
        "ends_at": "2030-01-01T23:00:00+00:00", "headcount": 3, "premium_tier": "surge",
        "is_hot": True}, content_type="application/json")
    past = client.post("/api/v1/shift-slots", {
        "queue": queue.pk, "starts_at": "2020-01-02T18:00:00",
        "ends_at": "2020-01-02T23:00:00", "headcount": 3},
        content_type="application/json")
    other_queue = client.post("/api/v1/shift-slots", {
        "queue": factories.queue().pk, "starts_at": "2030-01-02T18:00:00",
        "ends_at": "2030-01-02T23:00:00", "headcount": 3},
        content_type="application/json")
    listed = client.get("/api/v1/shift-slots")

    assert created.status_code == 201
    assert created.json()["premium_tier"] == "surge"
    assert (past.status_code, past.json()["code"]) == (422, "shift_in_past")
    assert other_queue.status_code == 404
    assert [row["id"] for row in listed.json()] == [created.json()["id"]]
    assert ShiftSlot.objects.count() == 1


def test_my_shifts_offers_cancel_before_the_cut_off_and_release_after_it() -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now, time_zone="UTC")
    early = book(slot(on=queue, starts_at=now + timedelta(days=3), hours=1), expert, now)
    late = book(slot(on=queue, starts_at=now + timedelta(hours=3), hours=1), expert, now)

    page = logged_in(expert.user).get("/expert/shifts/mine/").content.decode()

    early_row = page.split(f'id="booking-{early.pk}"')[1].split("</tr>")[0]
    late_row = page.split(f'id="booking-{late.pk}"')[1].split("</tr>")[0]
    cancel_until = early.starts_at - timedelta(hours=12)
    assert f"free until {cancel_until:%a %H:%M}" in early_row
    assert "Release to waitlist" not in early_row
    assert "Release to waitlist" in late_row
    assert ">Cancel<" not in late_row


def test_the_marketplace_marks_slots_that_clash_with_the_experts_shifts() -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now)
    mine = slot(on=queue, starts_at=now + timedelta(days=1), hours=4)
    clashing = slot(on=queue, starts_at=now + timedelta(days=1, hours=2), hours=4)
    free = slot(on=queue, starts_at=now + timedelta(days=2), hours=4)
    book(mine, expert, now)

    page = logged_in(expert.user).get("/expert/shifts/").content.decode()

    def row(target: ShiftSlot) -> str:
        return page.split(f'id="slot-{target.pk}"')[1].split("</tr>")[0]

    assert "Booked" in row(mine)
    assert "Clashes with one of your shifts" in row(clashing)
    assert ">Book<" in row(free)


def test_shift_pages_cost_the_same_queries_for_few_or_many_slots(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now)
    client = logged_in(expert.user)
    for day in range(1, 4):
        book(slot(on=queue, starts_at=now + timedelta(days=day), hours=2), expert, now)

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured.captured_queries)

    few = (queries("/expert/shifts/"), queries("/expert/shifts/mine/"))
    for hour in range(30):
        slot(on=queue, starts_at=now + timedelta(days=5, hours=hour), hours=1)
    other = factories.queue(of=queue.brand)
    book(slot(on=other, starts_at=now + timedelta(days=4), hours=2), expert, now)
    many = (queries("/expert/shifts/"), queries("/expert/shifts/mine/"))

    assert many == few


def test_publishing_one_slot_confirms_it_in_the_queue_time_zone() -> None:
    queue = factories.queue(time_zone="America/New_York")
    owner = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.OWNER))

    response = owner.post("/brand/shifts/publish/", {
        "kind": "slot", "slot-queue": queue.pk, "slot-day": "2030-07-01",
        "slot-starts": "22:00", "slot-ends": "02:00", "slot-headcount": "2",
        "slot-premium_tier": "after_hours"}, follow=True)

    created = ShiftSlot.objects.get()
    assert (created.starts_at.isoformat(), created.ends_at.isoformat()) == (
        "2030-07-02T02:00:00+00:00", "2030-07-02T06:00:00+00:00")
    assert "Mon 01 Jul 22:00–02:00 (America/New_York)" in response.content.decode()
