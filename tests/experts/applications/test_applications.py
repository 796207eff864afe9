"""Applying: sign-up and email verification, the steps, submission and resubmission."""

from datetime import datetime, timedelta

import pytest
from django.core import mail

from experts.applications.models import ExpertApplication, ExpertDecision
from experts.applications.screening import SCREENING_QUESTIONS
from experts.applications.services import applying as applications_services
from experts.applications.services import decisions as applications_decisions
from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.errors import Conflict, DomainError, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db


def _sign_up(now: datetime, email: str = "new@example.test") -> ExpertProfile:
    expert = applications_services.applicant_sign_up(
        email=email, password=factories.PASSWORD, display_name="Nia Applicant",
        verify_url_prefix="http://testserver/apply/verify/", now=now,
    )
    assert expert is not None
    return expert


def _profile(expert: ExpertProfile, now: datetime, **overrides: object) -> ExpertApplication:
    fields: dict = {"display_name": "Nia", "time_zone": "Europe/Lisbon",
                    "language_levels": {"en": "fluent", "PT": "native"},
                    "skills": ["Returns", " billing ", ""], "experience": "Three years.",
                    "availability": "Weeknights", **overrides}
    return applications_services.application_save_profile(expert=expert, now=now, **fields)


def test_sign_up_emails_a_verification_link_that_verifies(
    now: datetime, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        expert = _sign_up(now, email="Nia@Example.test")

    assert (expert.status, expert.user.email, expert.user.username) == (
        ExpertStatus.APPLIED, "nia@example.test", "nia@example.test")
    assert expert.application.email_verified_at is None
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/apply/verify/" in line)
    token = link.removeprefix("http://testserver/apply/verify/").rstrip("/")

    applications_services.applicant_verify_email(token=token, now=now + timedelta(minutes=5))

    expert.application.refresh_from_db()
    assert expert.application.email_verified_at == now + timedelta(minutes=5)


def test_duplicate_email_creates_nothing_and_emails_the_holder_and_weak_password_is_refused(
    now: datetime, django_capture_on_commit_callbacks: object
) -> None:
    _sign_up(now)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        again = applications_services.applicant_sign_up(
            email="NEW@example.test", password=factories.PASSWORD, display_name="Again",
            verify_url_prefix="x/", now=now, site_url="https://shiftline.example")

    assert again is None
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["new@example.test"], "You already have a Shiftline account")]
    assert "https://shiftline.example/accounts/password/reset/" in mail.outbox[0].body
    with pytest.raises(DomainError, match="too short"):
        applications_services.applicant_sign_up(
            email="b@example.test",
            password="abc",
            display_name="B",
            verify_url_prefix="x/",
            now=now,
        )
    assert ExpertProfile.objects.count() == 1


@pytest.mark.parametrize("token", ["nonsense", "expired"])
def test_bad_or_expired_link_is_refused(now: datetime, token: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    expert = _sign_up(now)
    if token == "expired":
        token = applications_services.email_verification_token(user=expert.user)
        monkeypatch.setattr("experts.applications.services.applying.VERIFICATION_MAX_AGE",
                            timedelta(seconds=-1))

    with pytest.raises(DomainError, match="expired" if token != "nonsense" else "not valid"):
        applications_services.applicant_verify_email(token=token, now=now)

    expert.application.refresh_from_db()
    assert expert.application.email_verified_at is None


def test_unverified_applicant_cannot_proceed(now: datetime) -> None:
    expert = _sign_up(now)

    with pytest.raises(PermissionDenied, match="Verify your email"):
        _profile(expert, now)

    expert.refresh_from_db()
    assert (expert.display_name, expert.languages) == ("Nia Applicant", [])


def test_profile_saves_languages_with_levels_and_clean_skills(now: datetime) -> None:
    expert = factories.applicant(now=now, submitted=False)

    application = _profile(expert, now)

    expert.refresh_from_db()
    assert application.language_levels == {"en": "fluent", "pt": "native"}
    assert (expert.languages, expert.skills, expert.time_zone) == (
        ["en", "pt"], ["billing", "returns"], "Europe/Lisbon")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"time_zone": "Mars/Olympus"}, "IANA"),
    ({"language_levels": {}}, "at least one language"),
    ({"language_levels": {"en": "godlike"}}, "level"),
    ({"experience": " "}, "experience"),
])
def test_bad_profile_is_refused_and_nothing_changes(
    now: datetime, overrides: dict, message: str
) -> None:
    expert = factories.applicant(now=now, submitted=False)

    with pytest.raises(DomainError, match=message):
        _profile(expert, now, **overrides)

    expert.refresh_from_db()
    assert (expert.time_zone, expert.languages) == ("Europe/Lisbon", ["en"])


def test_quiz_is_scored_on_the_server(now: datetime) -> None:
    expert = factories.applicant(now=now, submitted=False)
    answers = {question.key: str(question.correct_option) for question in SCREENING_QUESTIONS}
    answers[SCREENING_QUESTIONS[0].key] = "0"

    application = applications_services.application_submit_quiz(
        expert=expert, answers=answers, now=now
    )

    assert (application.quiz_score, application.quiz_total) == (4, 5)


def test_incomplete_quiz_is_refused(now: datetime) -> None:
    expert = factories.applicant(now=now, submitted=False, quiz_right=2)

    with pytest.raises(DomainError, match="every question"):
        applications_services.application_submit_quiz(
            expert=expert, answers={"unsure": "1"}, now=now
        )

    assert ExpertApplication.objects.get(expert=expert).quiz_score == 2


def test_short_sample_reply_is_refused(now: datetime) -> None:
    expert = factories.applicant(now=now, submitted=False)

    with pytest.raises(DomainError, match="at least 80"):
        applications_services.application_save_sample(expert=expert, reply="Sorry!", now=now)

    assert ExpertApplication.objects.get(expert=expert).sample_reply == "Hello Sam, " * 9 \
        + "Hello Sam,"


def test_submit_lists_what_is_missing_and_changes_nothing(now: datetime) -> None:
    expert = _sign_up(now)
    applications_services.applicant_verify_email(token=applications_services.email_verification_token(user=expert.user),
                                    now=now)

    with pytest.raises(DomainError) as refused:
        applications_services.application_submit(expert=expert, now=now)

    assert refused.value.message == ("Still missing: complete your profile, accept the terms, "
                                     "take the screening quiz, write the sample reply.")
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.APPLIED
    assert ExpertDecision.objects.count() == 0


def test_submit_moves_to_review_and_records_who(now: datetime) -> None:
    expert = factories.applicant(now=now, submitted=False)

    submitted = applications_services.application_submit(expert=expert, now=now)

    assert submitted.status == ExpertStatus.IN_REVIEW
    decision = ExpertDecision.objects.get()
    assert (decision.decided_by, decision.from_status, decision.to_status, decision.reason) == (
        expert.user, "applied", "in_review", "Submitted for review")


def test_submitted_application_is_locked(now: datetime) -> None:
    expert = factories.applicant(now=now)

    with pytest.raises(Conflict, match="in review and cannot be changed"):
        applications_services.application_save_sample(expert=expert, reply="x" * 100, now=now)
    with pytest.raises(Conflict):
        applications_services.application_submit(expert=expert, now=now)

    assert ExpertDecision.objects.filter(expert=expert).count() == 1


def test_needs_info_lets_the_applicant_update_and_resubmit(now: datetime) -> None:
    ops = factories.user(is_staff=True)
    expert = factories.applicant(now=now)
    applications_decisions.expert_decide(
        expert=expert,
        to_status=ExpertStatus.NEEDS_INFO,
        decided_by=ops,
        reason="Tell us more about your experience",
        now=now,
    )

    applications_services.application_save_sample(expert=expert, reply="A better reply. " * 8,
                                     now=now + timedelta(hours=1))
    resubmitted = applications_services.application_submit(
        expert=expert, now=now + timedelta(hours=1)
    )

    assert resubmitted.status == ExpertStatus.IN_REVIEW
    trail = list(ExpertDecision.objects.order_by("decided_at", "id").values_list(
        "from_status", "to_status", "reason"))
    assert trail == [
        ("applied", "in_review", "Submitted for review"),
        ("in_review", "needs_info", "Tell us more about your experience"),
        ("needs_info", "in_review", "Resubmitted with the information asked for"),
    ]
