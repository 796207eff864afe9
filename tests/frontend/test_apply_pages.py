"""The apply pages over HTTP: sign-up, verification, each step, the status page, who may open
them."""

import re
from datetime import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from experts.applications.models import ExpertApplication
from experts.applications.screening import SCREENING_QUESTIONS
from experts.applications.services import applying as applications_services
from experts.applications.services import decisions as applications_decisions
from experts.applications.services import vetting as applications_vetting
from experts.profiles.models import ExpertProfile, ExpertStatus
from tests import factories

pytestmark = pytest.mark.django_db


def without_csrf(response: Any) -> str:
    """The page without its CSRF tokens (64 random characters, new on every answer)."""
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_anonymous_visitor_is_sent_to_sign_up() -> None:
    assert Client().get("/apply/")["Location"] == "/apply/signup/"
    assert Client().get("/apply/signup/").status_code == 200
    assert Client().get("/apply/status/")["Location"].startswith("/accounts/login/")


def test_sign_up_emails_the_link_verifying_asks_to_log_in_and_then_opens_the_steps(
    django_capture_on_commit_callbacks: object,
) -> None:
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post("/apply/signup/", {"name": "Nia", "email": "nia@example.test",
                                                  "password": factories.PASSWORD})
    signed_out = client.get("/apply/status/")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/apply/verify/" in line)
    verified = client.get(link.removeprefix("http://testserver"))
    logged_in_page = client.post("/accounts/login/?next=/apply/status/", {
        "username": "nia@example.test", "password": factories.PASSWORD, "next": "/apply/status/"})
    after = client.get("/apply/status/")

    assert response.status_code == 200
    assert b"Check your email" in response.content
    assert signed_out["Location"].startswith("/accounts/login/")
    assert verified["Location"] == "/accounts/login/?next=/apply/status/"
    assert logged_in_page["Location"] == "/apply/status/"
    assert b'href="/apply/profile/"' in after.content
    assert ExpertApplication.objects.get().email_verified_at is not None


def test_the_verification_link_works_once_and_logs_nobody_in(now: datetime) -> None:
    expert = applications_services.applicant_sign_up(
        email="once@example.test", password=factories.PASSWORD, display_name="Once",
        verify_url_prefix="x/", now=now)
    assert expert is not None
    path = f"/apply/verify/{applications_services.email_verification_token(user=expert.user)}/"
    first_client, second_client = Client(), Client()

    first = first_client.get(path)
    verified_at = ExpertApplication.objects.get().email_verified_at
    second = second_client.get(path)

    assert first["Location"] == "/accounts/login/?next=/apply/status/"
    assert second.status_code == 409
    assert b"This link was already used: your email is confirmed." in second.content
    assert "_auth_user_id" not in first_client.session
    assert "_auth_user_id" not in second_client.session
    assert ExpertApplication.objects.get().email_verified_at == verified_at


def test_sign_up_answers_alike_for_an_existing_account_and_emails_its_holder(
    django_capture_on_commit_callbacks: object,
) -> None:
    factories.user(email="taken@example.test")

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        taken = Client().post("/apply/signup/", {"name": "Nia", "email": "taken@example.test",
                                                 "password": factories.PASSWORD})
        new = Client().post("/apply/signup/", {"name": "Nia", "email": "fresh@example.test",
                                               "password": factories.PASSWORD})

    assert (taken.status_code, new.status_code) == (200, 200)
    assert without_csrf(taken).replace("taken@", "fresh@") == without_csrf(new)
    assert b"exists" not in taken.content
    assert ExpertProfile.objects.filter(user__username="taken@example.test").count() == 0
    notice = next(message for message in mail.outbox if message.to == ["taken@example.test"])
    assert notice.subject == "You already have a Shiftline account"
    assert "http://testserver/accounts/password/reset/" in notice.body


def test_bad_sign_up_shows_the_error_and_creates_nothing() -> None:
    response = Client().post("/apply/signup/", {"name": "Nia", "email": "not-an-email",
                                                "password": factories.PASSWORD})

    assert response.status_code == 400
    assert b"Enter a valid email address." in response.content
    assert ExpertProfile.objects.count() == 0


def test_bad_verification_link_is_a_clear_400() -> None:
    response = Client().get("/apply/verify/forged-token/")

    assert response.status_code == 400
    assert b"This link is not valid." in response.content


def test_unverified_applicant_cannot_open_the_steps(now: datetime) -> None:
    expert = applications_services.applicant_sign_up(
        email="u@example.test",
        password=factories.PASSWORD,
        display_name="U",
        verify_url_prefix="x/",
        now=now,
    )
    assert expert is not None
    client = logged_in(expert.user)

    for path in ("/apply/profile/", "/apply/quiz/", "/apply/sample/"):
        assert client.get(path)["Location"] == "/apply/status/"
    refused = client.post("/apply/terms/", {"accept": "yes"})

    assert refused.status_code == 403
    assert b"Verify your email first: follow the link we sent you." in refused.content
    assert ExpertApplication.objects.get(expert=expert).terms_accepted_at is None


def test_applicant_completes_every_step_and_submits_over_http(now: datetime) -> None:
    expert = applications_services.applicant_sign_up(
        email="a@example.test",
        password=factories.PASSWORD,
        display_name="A",
        verify_url_prefix="x/",
        now=now,
    )
    assert expert is not None
    applications_services.applicant_verify_email(token=applications_services.email_verification_token(user=expert.user),
                                    now=now)
    client = logged_in(expert.user)

    pages = [client.get(path).status_code
             for path in ("/apply/profile/", "/apply/quiz/", "/apply/sample/")]
    profile = client.post("/apply/profile/", {
        "display_name": "Ana Silva", "time_zone": "Europe/Lisbon", "language_0": "pt",
        "level_0": "native", "language_1": "en", "level_1": "fluent", "skills": "returns, billing",
        "experience": "Five years.", "availability": "Evenings"})
    terms = client.post("/apply/terms/", {"accept": "yes"})
    quiz = client.post("/apply/quiz/", {question.key: str(question.correct_option)
                                        for question in SCREENING_QUESTIONS})
    sample = client.post("/apply/sample/", {"reply": "Dear Sam, " * 12})
    submitted = client.post("/apply/submit/")
    status_page = client.get("/apply/status/")

    assert pages == [200, 200, 200]
    assert [r.status_code for r in (profile, terms, quiz, sample, submitted)] == [302] * 5
    expert.refresh_from_db()
    assert (expert.status, expert.display_name, expert.languages) == (
        ExpertStatus.IN_REVIEW, "Ana Silva", ["pt", "en"])
    assert expert.application.quiz_score == 5
    assert b"Status: <strong>In review</strong>" in status_page.content
    assert b"ops are reviewing your application" in status_page.content


def test_step_errors_are_shown_with_a_400(now: datetime) -> None:
    expert = factories.applicant(now=now, submitted=False)
    client = logged_in(expert.user)

    quiz = client.post("/apply/quiz/", {"unsure": "1"})
    sample = client.post("/apply/sample/", {"reply": "Too short"})
    profile = client.post("/apply/profile/", {"display_name": "X", "time_zone": "Nowhere/City",
                                              "language_0": "en", "level_0": "fluent",
                                              "experience": "x", "availability": "y"})

    assert (quiz.status_code, sample.status_code, profile.status_code) == (400, 400, 400)
    assert b"Answer every question." in quiz.content
    assert b"Write at least 80 characters" in sample.content
    assert b"is not an IANA time zone" in profile.content
    expert.refresh_from_db()
    assert expert.time_zone == "Europe/Lisbon"


def test_needs_info_shows_the_reason_and_offers_resubmission(now: datetime) -> None:
    expert = factories.applicant(now=now)
    applications_decisions.expert_decide(expert=expert, to_status=ExpertStatus.NEEDS_INFO,
                           decided_by=factories.user(is_staff=True),
                           reason="Please add your availability", now=now)
    client = logged_in(expert.user)

    page = client.get("/apply/status/")
    resubmitted = client.post("/apply/submit/")

    assert b"Ops need more from you: Please add your availability" in page.content
    assert b"Resubmit application" in page.content
    assert resubmitted.status_code == 302
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.IN_REVIEW


def test_submitted_application_steps_are_closed(now: datetime) -> None:
    client = logged_in(factories.applicant(now=now).user)

    assert client.get("/apply/sample/")["Location"] == "/apply/status/"
    assert b"Submit application" not in client.get("/apply/status/").content


def test_applicant_lands_on_the_status_page_and_other_roles_are_refused(now: datetime) -> None:
    applicant = logged_in(factories.applicant(now=now).user)
    brand = logged_in(factories.brand_member(of=factories.brand()))
    ops = logged_in(factories.user(is_staff=True))

    assert applicant.get("/")["Location"] == "/apply/status/"
    for client in (brand, ops):
        assert client.get("/apply/status/").status_code == 403
        assert client.get("/apply/profile/").status_code == 403
        assert client.post("/apply/submit/").status_code == 403
    assert applicant.get("/apply/submit/").status_code == 405


def test_private_notes_and_checklist_never_reach_the_applicant(now: datetime) -> None:
    ops = factories.user(is_staff=True)
    expert = factories.applicant(now=now, checklist_by=ops)
    applications_vetting.application_note_add(
        expert=expert, body="Secret: typo-prone", by=ops, now=now
    )

    page = logged_in(expert.user).get("/apply/status/")

    assert b"Secret: typo-prone" not in page.content
    assert b"Identity verified" not in page.content
    assert b"Submitted for review" in page.content
