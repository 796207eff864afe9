"""A published shift slot is edited (seats, hot, premium tier) and cancelled from the shifts
page: cancelling asks first, cancels its bookings (never no-shows), and tells each booked
expert by email."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from experts.attendance import services as attendance
from experts.certification import services as certification_services
from experts.shifts.models import BookingStatus, ShiftBooking, ShiftSlot
from experts.shifts.notifications import shift_email_send
from experts.shifts.services import booking as shifts_booking
from experts.shifts.services import publishing as shifts_publishing
from marketplace.onboarding.models import BrandRole
from tests import factories

pytestmark = pytest.mark.django_db


def future_slot(headcount: int = 3) -> ShiftSlot:
    now = timezone.now()
    return shifts_publishing.shift_slot_create(
        queue=factories.queue(), starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=4), headcount=headcount)


def admin_of(slot: ShiftSlot, role: BrandRole = BrandRole.ADMIN) -> Client:
    client = Client()
    client.force_login(factories.brand_member(of=slot.queue.brand, role=role))
    return client


def test_a_brand_edits_a_published_slot() -> None:
    slot = future_slot()

    response = admin_of(slot).post(f"/brand/shifts/{slot.pk}/", {
        "headcount": "5", "is_hot": "on", "premium_tier": "surge"}, follow=True)

    slot.refresh_from_db()
    assert (slot.headcount, slot.is_hot, slot.premium_tier) == (5, True, "surge")
    assert "Saved the shift: 5 seats" in response.content.decode()


def test_seats_never_go_below_the_experts_booked() -> None:
    slot = future_slot()
    now = timezone.now()
    for _ in range(2):
        expert = factories.expert(now=now)
        certification_services.certification_grant(expert=expert, brand=slot.queue.brand, now=now)
        shifts_booking.shift_booking_create(slot=slot, expert=expert, now=now)

    response = admin_of(slot).post(f"/brand/shifts/{slot.pk}/", {
        "headcount": "1", "premium_tier": "standard"}, follow=True)

    slot.refresh_from_db()
    assert slot.headcount == 3
    assert "2 experts are booked on this shift" in response.content.decode()


def test_another_brands_slot_and_a_viewer_are_refused() -> None:
    slot = future_slot()
    stranger = Client()
    stranger.force_login(factories.brand_member(of=factories.brand()))

    assert stranger.post(f"/brand/shifts/{slot.pk}/cancel/").status_code == 404
    assert admin_of(slot, BrandRole.VIEWER).post(f"/brand/shifts/{slot.pk}/cancel/"
                                                 ).status_code == 403
    slot.refresh_from_db()
    assert slot.cancelled_at is None


def test_cancelling_a_slot_cancels_its_bookings_without_a_no_show_and_emails_the_expert(
        captured_tasks: list, mailoutbox: list,
        django_capture_on_commit_callbacks: object) -> None:
    slot = future_slot()
    now = timezone.now()
    expert = factories.expert(now=now)
    certification_services.certification_grant(expert=expert, brand=slot.queue.brand, now=now)
    booking = shifts_booking.shift_booking_create(slot=slot, expert=expert, now=now)
    client = admin_of(slot)

    page = client.get("/brand/shifts/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(f"/brand/shifts/{slot.pk}/cancel/", follow=True)

    assert 'data-confirm="Cancel this shift? The 1 booked expert will be told' in page
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert ("experts.send_shift_email", [booking.pk, "slot_cancelled"]) in captured_tasks
    assert shift_email_send(booking_id=booking.pk, kind="slot_cancelled")
    assert mailoutbox[-1].to == [expert.user.email]
    assert "does not count against you" in mailoutbox[-1].body
    assert "The 1 booked expert is told by email" in response.content.decode()
    # the no-show sweep after the start leaves it alone, and the slot is gone from the lists
    assert attendance.shift_booking_mark_no_show(
        booking_id=booking.pk, now=slot.starts_at + timedelta(hours=1)) is False
    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert f"/brand/shifts/{slot.pk}/cancel/" not in client.get("/brand/shifts/").content.decode()
