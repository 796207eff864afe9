"""Applicants and experts double-clicking from several tabs: the row locks and the unique
username keep exactly one result.

For the cool-down, every attempt pauses after reading the last attempt until all have read (or
a short timeout passes): without the expert row lock all of them would see no cool-down and
record an attempt each; with it, the others wait for the lock and then see the cool-down."""

import threading
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from experts.applications.services import applying as applications_services
from experts.certification import services as certification
from experts.certification import services as certification_services
from experts.certification.models import CertificationAttempt
from experts.profiles.models import ExpertProfile
from marketplace.infra.errors import Conflict
from tests import factories
from tests.races import pause_after, run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

TABS = 4


@pytest.fixture
def forced_interleaving(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    pause_after(monkeypatch, certification, "retake_available_at",
                threading.Barrier(TABS, timeout=1.5))
    yield


@pytest.mark.usefixtures("forced_interleaving")
def test_simultaneous_failed_attempts_cannot_slip_past_the_cool_down() -> None:
    now = timezone.now()
    brand = factories.brand()
    questions = factories.training_pack(of=brand, pass_mark_percent=100)
    expert = factories.expert(now=now)
    wrong = {str(pk): "1" for pk in questions}

    errors = run_in_threads(
        [
            lambda: certification_services.certification_attempt_submit(
                expert=expert, brand=brand, answers=wrong, now=now
            )
            for _ in range(TABS)
        ]
    )

    assert CertificationAttempt.objects.filter(expert=expert).count() == 1
    assert len(errors) == TABS - 1
    assert all(isinstance(error, Conflict) and error.code == "retake_cooldown"
               for error in errors)


def test_simultaneous_sign_ups_with_one_email_make_one_account() -> None:
    now = timezone.now()

    errors = run_in_threads(
        [
            lambda: applications_services.applicant_sign_up(
                email="twin@example.test",
                password=factories.PASSWORD,
                display_name="Twin",
                verify_url_prefix="x/",
                now=now,
            )
            for _ in range(TABS)
        ]
    )

    assert get_user_model().objects.filter(username="twin@example.test").count() == 1
    assert ExpertProfile.objects.filter(user__username="twin@example.test").count() == 1
    assert errors == []
