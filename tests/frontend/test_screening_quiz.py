"""The screening quiz shows the applicant no score, before or after they submit, and allows
`SCREENING_QUIZ_MAX_ATTEMPTS` attempts; ops see the score and the attempts in vetting."""

from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from experts.applications.models import ExpertApplication
from experts.applications.screening import SCREENING_QUESTIONS
from experts.applications.services import applying as applications_services
from experts.profiles.models import ExpertProfile
from marketplace.infra.errors import Conflict
from tests import factories

pytestmark = pytest.mark.django_db

RIGHT = {question.key: str(question.correct_option) for question in SCREENING_QUESTIONS}
WRONG = {question.key: str((question.correct_option + 1) % len(question.options))
         for question in SCREENING_QUESTIONS}


def verified_applicant(now: datetime) -> ExpertProfile:
    expert = applications_services.applicant_sign_up(
        email="quiz@example.test", password=factories.PASSWORD, display_name="Quinn",
        verify_url_prefix="x/", now=now)
    assert expert is not None
    applications_services.applicant_verify_email(
        token=applications_services.email_verification_token(user=expert.user), now=now)
    return expert


def logged_in(expert: ExpertProfile) -> Client:
    client = Client()
    client.force_login(expert.user)
    return client


def test_answering_shows_no_score(now: datetime) -> None:
    client = logged_in(verified_applicant(now))

    answered = client.post("/apply/quiz/", RIGHT, follow=True)
    quiz_page = client.get("/apply/quiz/")

    page = answered.content.decode()
    assert "Answers saved. 2 attempts left." in page
    assert "✓ Answered" in page
    for shown in (page, quiz_page.content.decode()):
        assert f"{len(SCREENING_QUESTIONS)} of {len(SCREENING_QUESTIONS)}" not in shown
        assert " right" not in shown
    assert ExpertApplication.objects.get().quiz_score == len(SCREENING_QUESTIONS)


def test_the_pages_say_how_many_attempts_are_left(now: datetime) -> None:
    client = logged_in(verified_applicant(now))

    before = client.get("/apply/quiz/").content.decode()
    client.post("/apply/quiz/", WRONG)
    after = client.get("/apply/quiz/").content.decode()
    status = client.get("/apply/status/").content.decode()

    assert "Attempts left: <strong>3</strong>" in before
    assert "Attempts left: <strong>2</strong>" in after
    assert "(2 attempts left)" in status


def test_attempts_are_limited_by_the_setting(now: datetime, settings: Any) -> None:
    settings.SCREENING_QUIZ_MAX_ATTEMPTS = 2
    client = logged_in(verified_applicant(now))
    client.post("/apply/quiz/", WRONG)
    last = client.post("/apply/quiz/", WRONG, follow=True)

    refused = client.post("/apply/quiz/", RIGHT)

    assert "Answers saved. That was your last attempt." in last.content.decode()
    assert refused.status_code == 409
    assert "You have used all 2 attempts at the screening quiz; your last answers stand." \
        in refused.content.decode()
    application = ExpertApplication.objects.get()
    assert (application.quiz_attempts, application.quiz_score, application.quiz_answers) == (
        2, 0, WRONG)
    page = client.get("/apply/quiz/").content.decode()
    assert "You have used every attempt at the quiz" in page
    assert 'type="submit">Submit answers' not in page
    assert "no attempts left" in client.get("/apply/status/").content.decode()


def test_incomplete_answers_cost_no_attempt(now: datetime) -> None:
    client = logged_in(verified_applicant(now))

    refused = client.post("/apply/quiz/", {SCREENING_QUESTIONS[0].key: "1"})

    assert refused.status_code == 400
    assert "Answer every question." in refused.content.decode()
    assert ExpertApplication.objects.get().quiz_attempts == 0


def test_the_service_refuses_an_attempt_beyond_the_limit(
    now: datetime, settings: Any
) -> None:
    settings.SCREENING_QUIZ_MAX_ATTEMPTS = 1
    expert = verified_applicant(now)
    applications_services.application_submit_quiz(expert=expert, answers=WRONG, now=now)

    with pytest.raises(Conflict, match="You have used all 1 attempts"):
        applications_services.application_submit_quiz(expert=expert, answers=RIGHT, now=now)

    assert ExpertApplication.objects.get().quiz_score == 0


def test_after_submission_only_ops_see_the_score(now: datetime) -> None:
    expert = factories.applicant(now=now, quiz_right=3)
    ops = Client()
    ops.force_login(factories.user(is_staff=True))

    status = logged_in(expert).get("/apply/status/").content.decode()
    vetting = ops.get(f"/ops/vetting/{expert.pk}/").content.decode()

    assert "In review" in status
    assert f"3 of {len(SCREENING_QUESTIONS)}" not in status
    assert f'<span id="quiz-score">3 of {len(SCREENING_QUESTIONS)}</span>' in vetting
    assert "After 1 attempt;" in vetting
