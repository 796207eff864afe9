"""`seed_demo`: a training pack with a quiz, an applicant waiting in review and a week of
published slots for the demo queue, idempotently."""

from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from experts.models import (
    BookingStatus,
    ExpertProfile,
    ExpertStatus,
    ShiftBooking,
    ShiftSlot,
    TrainingPack,
)
from marketplace.demo import seed_demo
from marketplace.models import OverflowQueue

pytestmark = pytest.mark.django_db


def test_seed_demo_publishes_a_week_of_slots_and_running_it_again_adds_nothing(
    now: datetime, captured_tasks: list
) -> None:
    seed_demo(now=now)
    slots, bookings = ShiftSlot.objects.count(), ShiftBooking.objects.count()

    seed_demo(now=now + timedelta(minutes=5))

    assert (ShiftSlot.objects.count(), ShiftBooking.objects.count()) == (slots, bookings)
    upcoming = ShiftSlot.objects.filter(starts_at__gt=now)
    assert upcoming.count() >= 12
    assert upcoming.filter(is_hot=True).exists()
    assert upcoming.filter(premium_multiplier=Decimal("1.25")).exists()
    assert max(upcoming.values_list("starts_at", flat=True)) < now + timedelta(days=7)
    ada = ExpertProfile.objects.get(user__username="ada@shiftline.demo")
    assert ShiftBooking.objects.filter(expert=ada, status=BookingStatus.BOOKED,
                                       starts_at__gte=now + timedelta(days=2)).count() == 1


def test_demo_expert_sees_the_marketplace_with_content(captured_tasks: list) -> None:
    seed_demo(now=timezone.now())
    client = Client()
    client.force_login(ExpertProfile.objects.get(user__username="grace@shiftline.demo").user)

    page = client.get("/expert/shifts/").content.decode()

    assert "Always covered (demo)" in page
    assert ">hot<" in page
    assert "Book" in page
def test_seed_demo_fills_the_pipeline_and_the_training_pack_once(captured_tasks: list) -> None:
    now = timezone.now()

    first = seed_demo(now=now)
    second = seed_demo(now=now)

    assert first == second
    pack = TrainingPack.objects.get(brand__slug="northwind")
    assert pack.questions.count() == 3
    assert "## Returns" in pack.guidelines
    statuses = dict(ExpertProfile.objects.values_list("user__username", "status"))
    assert statuses == {
        "ada@shiftline.demo": ExpertStatus.APPROVED,
        "grace@shiftline.demo": ExpertStatus.APPROVED,
        "katherine@shiftline.demo": ExpertStatus.IN_REVIEW,
    }
    applicant = ExpertProfile.objects.get(user__username=first.applicant)
    assert (applicant.application.quiz_score, applicant.application.checklist_complete) == (
        5, False)


def test_seed_demo_command_prints_the_queue_channels_page(captured_tasks: list) -> None:
    output = StringIO()

    call_command("seed_demo", "--base-url", "http://demo.test", stdout=output)

    queue = OverflowQueue.objects.get(brand__slug="northwind")
    assert f"http://demo.test/brand/queues/{queue.pk}/channels/" in output.getvalue()
