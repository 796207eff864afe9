"""`seed_demo`: a training pack with a quiz and an applicant waiting in review, idempotently."""

import pytest
from django.utils import timezone

from experts.models import ExpertProfile, ExpertStatus, TrainingPack
from marketplace.demo import seed_demo

pytestmark = pytest.mark.django_db


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
