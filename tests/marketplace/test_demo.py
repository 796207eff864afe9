"""Demo data, idempotent: a training pack with a quiz and an applicant waiting in review; the
demo queue shows a realistic configuration yet is covered at any hour, so the README loop works
whenever it is run."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from experts.models import ExpertProfile, ExpertStatus, TrainingPack
from marketplace import selectors
from marketplace.demo import seed_demo
from marketplace.models import OverflowQueue, QueueMacro
from routing.engine import decide_coverage
from routing.engine.coverage import CoverageReason

pytestmark = pytest.mark.django_db

TUESDAY_ELEVEN_DUBLIN = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


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
    calendar = selectors.queue_coverage_calendar(queue=queue, now=TUESDAY_ELEVEN_DUBLIN)
    assert decide_coverage(calendar, TUESDAY_ELEVEN_DUBLIN).reason == CoverageReason.ALWAYS_ON
    assert (queue.spans.count(), queue.holiday_country, len(queue.closures)) == (5, "IE", 1)
    assert sorted(QueueMacro.objects.values_list("name", flat=True)) == [
        "Return started", "Where is my order"]
    assert "<strong>2 working days</strong>" in selectors.guidelines_html(text=queue.guidelines)


def test_seed_demo_command_prints_the_queue_channels_page(captured_tasks: list) -> None:
    output = StringIO()

    call_command("seed_demo", "--base-url", "http://demo.test", stdout=output)

    queue = OverflowQueue.objects.get(brand__slug="northwind")
    assert f"http://demo.test/brand/queues/{queue.pk}/channels/" in output.getvalue()
