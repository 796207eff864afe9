"""Demo data, idempotent: a training pack with a quiz, an applicant waiting in review, a week
of published slots, and a demo queue that shows a realistic configuration yet is covered at
any hour, so the README loop works whenever it is run."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from billing.invoices.models import Invoice
from experts.certification.models import TrainingPack
from experts.profiles.models import ExpertProfile, ExpertStatus
from experts.shifts.models import BookingStatus, ShiftBooking, ShiftSlot
from marketplace.devstack.demo import seed_demo
from marketplace.queues import selectors as queues_guidelines
from marketplace.queues import selectors as queues_selectors
from marketplace.queues.models import OverflowQueue, QueueMacro
from routing.engine import decide_coverage
from routing.engine.coverage import CoverageReason

pytestmark = pytest.mark.django_db

TUESDAY_ELEVEN_DUBLIN = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


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
    assert upcoming.filter(premium_tier="after_hours").exists()
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


def test_seed_demo_twice_gives_one_configured_queue_covered_in_office_hours(
    captured_tasks: list
) -> None:
    seed_demo(now=TUESDAY_ELEVEN_DUBLIN)
    seed_demo(now=TUESDAY_ELEVEN_DUBLIN)

    queue = OverflowQueue.objects.get()
    calendar = queues_selectors.queue_coverage_calendar(queue=queue, now=TUESDAY_ELEVEN_DUBLIN)
    assert decide_coverage(calendar, TUESDAY_ELEVEN_DUBLIN).reason == CoverageReason.ALWAYS_ON
    assert (queue.spans.count(), queue.holiday_country, len(queue.closures)) == (5, "IE", 1)
    assert sorted(QueueMacro.objects.values_list("name", flat=True)) == [
        "Return started", "Where is my order"]
    assert "<strong>2 working days</strong>" in queues_guidelines.guidelines_html(
        text=queue.guidelines)


def test_seed_demo_command_prints_the_queue_channels_page(captured_tasks: list) -> None:
    output = StringIO()

    call_command("seed_demo", "--base-url", "http://demo.test", stdout=output)

    queue = OverflowQueue.objects.get(brand__slug="northwind")
    assert f"http://demo.test/brand/queues/{queue.pk}/channels/" in output.getvalue()


def test_the_demo_has_last_months_issued_invoice_once() -> None:
    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    seed_demo(now=now)
    seed_demo(now=now)

    # November's tickets: the five of the invoice demo and the eleven of the payout week of
    # 21 to 27 November, all email but two chats, at Northwind's EUR 4.50 (its price does not
    # rise with the weekend tier).
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.period_start.isoformat(), invoice.net_minor,
            invoice.vat_treatment) == ("issued", "2026-11-01", 16 * 450, "domestic")
    assert [(line.channel, line.quantity) for line in invoice.lines.all()] == [
        ("chat", 2), ("email", 14)]


def test_the_demo_content_agrees_with_itself() -> None:
    """The training pack, the queue's guidelines, the quiz's answer and the macros give the
    same return window, and no macro promises what the guidelines forbid (a delivery date)."""
    from marketplace.devstack import demo

    windows = {
        "training pack": re.findall(r"(\d+) days for unworn", demo.DEMO_GUIDELINES),
        "queue guidelines": re.findall(r"returned within (\d+) days", demo.DEMO_QUEUE_GUIDELINES),
        "quiz": [next(options[correct].split()[0] for prompt, options, correct in demo.DEMO_QUIZ
                      if "return" in prompt)],
    }
    assert windows == {"training pack": ["30"], "queue guidelines": ["30"], "quiz": ["30"]}
    assert "Never promise a delivery date" in demo.DEMO_GUIDELINES
    for body in [*demo.DEMO_MACROS.values(), demo.DEMO_SAMPLE_REPLY]:
        assert not re.search(r"\b(ships|arrives?|delivered) (with)?in\b", body), body
        assert not re.search(r"\breaches you (before|by|on)\b", body), body
