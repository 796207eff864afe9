"""The demo `make run` loads shows the perception gap and the reviews with real figures."""

from datetime import UTC

import pytest
from django.utils import timezone

from experts.quality import selectors as quality_selectors
from marketplace.devstack.demo import seed_demo
from marketplace.onboarding.models import Brand
from marketplace.surveys import selectors

pytestmark = pytest.mark.django_db


def test_the_demo_has_weeks_of_promises_replies_and_answers(captured_tasks: list) -> None:
    now = timezone.now()
    seed_demo(now=now)
    brand = Brand.objects.get(slug="northwind")

    weeks = selectors.perception_gap_for_brand(brand_id=brand.pk, now=now, zone=UTC)
    summary = quality_selectors.review_summary_for_brand(brand_id=brand.pk)

    assert len([week for week in weeks if week.said_fast_share is not None]) >= 8
    assert summary.ratings > summary.counted > 0
    assert summary.brand_reasons
    assert summary.speed_answers > 0
