"""Demo data: idempotent, and the demo queue shows a realistic configuration yet is covered
at any hour, so the README loop works whenever it is run."""

from datetime import UTC, datetime

import pytest

from marketplace import selectors
from marketplace.demo import seed_demo
from marketplace.models import OverflowQueue, QueueMacro
from routing.engine import decide_coverage
from routing.engine.coverage import CoverageReason

pytestmark = pytest.mark.django_db

TUESDAY_ELEVEN_DUBLIN = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


def test_seed_demo_twice_gives_one_configured_queue_covered_in_office_hours() -> None:
    seed_demo(now=TUESDAY_ELEVEN_DUBLIN)
    seed_demo(now=TUESDAY_ELEVEN_DUBLIN)

    queue = OverflowQueue.objects.get()
    calendar = selectors.queue_coverage_calendar(queue=queue, now=TUESDAY_ELEVEN_DUBLIN)
    assert decide_coverage(calendar, TUESDAY_ELEVEN_DUBLIN).reason == CoverageReason.ALWAYS_ON
    assert (queue.spans.count(), queue.holiday_country, len(queue.closures)) == (5, "IE", 1)
    assert sorted(QueueMacro.objects.values_list("name", flat=True)) == [
        "Return started", "Where is my order"]
    assert "<strong>2 working days</strong>" in selectors.guidelines_html(text=queue.guidelines)
