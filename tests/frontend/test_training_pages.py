"""Training packs in the brand console and brand quizzes in the expert workspace, over HTTP."""

from datetime import datetime, timedelta

import pytest
from django.test import Client

from experts.certification import services as certification_services
from experts.certification.models import Certification, CertificationAttempt, TrainingQuestion
from experts.profiles.models import ExpertStatus
from marketplace.onboarding.models import BrandRole
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_owner_writes_guidelines_rendered_safely_and_a_quiz(now: datetime) -> None:
    brand = factories.brand()
    client = logged_in(factories.brand_member(of=brand, role=BrandRole.OWNER))

    client.post("/brand/training/save/", {
        "guidelines": "## Tone\n\n**Be warm** <script>alert(1)</script>",
        "pass_mark_percent": "70"})
    client.post("/brand/training/questions/", {"prompt": "Refund window?", "option_0": "30 days",
                                              "option_1": "", "option_2": "60 days",
                                              "correct_option": "2"})
    page = client.get("/brand/training/")

    assert b"<h2>Tone</h2>" in page.content
    assert b"<strong>Be warm</strong>" in page.content
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content
    question = TrainingQuestion.objects.get()
    assert (question.options, question.correct_option) == (["30 days", "60 days"], 1)


def test_admin_edits_and_deletes_questions_and_sees_errors(now: datetime) -> None:
    brand = factories.brand()
    question_id = factories.training_pack(of=brand, questions=1)[0]
    client = logged_in(factories.brand_member(of=brand, role=BrandRole.ADMIN))

    client.post(f"/brand/training/questions/{question_id}/", {
        "prompt": "Edited?", "option_0": "No", "option_1": "Yes", "correct_option": "2"})
    bad = client.post("/brand/training/questions/", {"prompt": "Q", "option_0": "Only",
                                                     "correct_option": "1"}, follow=True)
    bad_pass_mark = client.post("/brand/training/save/", {"guidelines": "x",
                                                          "pass_mark_percent": "abc"},
                                follow=True)
    edited = TrainingQuestion.objects.get()
    client.post(f"/brand/training/questions/{question_id}/delete/")

    assert (edited.prompt, edited.options, edited.correct_option) == ("Edited?", ["No", "Yes"], 1)
    assert b"Give between 2 and 6 options." in bad.content
    assert b"The pass mark is a percentage from 1 to 100." in bad_pass_mark.content
    assert TrainingQuestion.objects.count() == 0


def test_viewer_reads_the_pack_but_every_change_is_refused(now: datetime) -> None:
    brand = factories.brand()
    question_id = factories.training_pack(of=brand, questions=1, guidelines="Read me")[0]
    expert = factories.expert(now=now)
    certification_services.certification_grant(expert=expert, brand=brand, now=now)
    client = logged_in(factories.brand_member(of=brand, role=BrandRole.VIEWER))

    page = client.get("/brand/training/")
    posts = [
        client.post("/brand/training/save/", {"guidelines": "Hacked", "pass_mark_percent": "1"}),
        client.post("/brand/training/questions/", {"prompt": "Q", "option_0": "a",
                                                  "option_1": "b", "correct_option": "1"}),
        client.post(f"/brand/training/questions/{question_id}/", {
            "prompt": "Hacked", "option_0": "a", "option_1": "b", "correct_option": "1"}),
        client.post(f"/brand/training/questions/{question_id}/delete/"),
        client.post(f"/brand/certifications/{expert.pk}/revoke/", {"reason": "x"}),
    ]

    assert page.status_code == 200
    assert b"Read me" in page.content and b"You are a viewer" in page.content
    assert b"Save guidelines" not in page.content
    assert [response.status_code for response in posts] == [403] * 5
    assert TrainingQuestion.objects.get().prompt == "Question 0?"
    assert Certification.objects.get().status == "granted"


def test_a_brand_cannot_touch_another_brands_questions(now: datetime) -> None:
    theirs = factories.training_pack(of=factories.brand(), questions=1)[0]
    client = logged_in(factories.brand_member(of=factories.brand(), role=BrandRole.OWNER))

    update = client.post(f"/brand/training/questions/{theirs}/", {
        "prompt": "Mine", "option_0": "a", "option_1": "b", "correct_option": "1"})
    delete = client.post(f"/brand/training/questions/{theirs}/delete/")

    assert (update.status_code, delete.status_code) == (404, 404)
    assert TrainingQuestion.objects.get(pk=theirs).prompt == "Question 0?"


def test_brand_owner_revokes_its_certified_expert(now: datetime) -> None:
    brand = factories.brand()
    expert = factories.expert(now=now, name="Cora Certified")
    certification_services.certification_grant(expert=expert, brand=brand, now=now)
    client = logged_in(factories.brand_member(of=brand, role=BrandRole.OWNER))

    before = client.get("/brand/training/")
    client.post(f"/brand/certifications/{expert.pk}/revoke/", {"reason": "Rude to a customer"})
    after = client.get("/brand/training/")

    assert b"Cora Certified" in before.content
    assert b"Revoked: Rude to a customer" in after.content
    assert client.post("/brand/certifications/999999/revoke/",
                       {"reason": "x"}).status_code == 404


def test_approved_expert_passes_a_brand_quiz_and_is_certified(now: datetime) -> None:
    brand = factories.brand(name="Northwind")
    questions = factories.training_pack(of=brand, guidelines="**Be kind**")
    expert = factories.expert(now=now)
    client = logged_in(expert.user)

    listing = client.get("/expert/certifications/")
    quiz = client.get(f"/expert/certifications/{brand.slug}/")
    passed = client.post(f"/expert/certifications/{brand.slug}/",
                         {f"question_{pk}": "0" for pk in questions}, follow=True)

    assert b"Northwind" in listing.content and b"Not taken" in listing.content
    assert b"<strong>Be kind</strong>" in quiz.content
    assert b"Passed: 3 of 3. You are certified for Northwind." in passed.content
    assert b"<strong>Certified</strong>" in passed.content
    assert Certification.objects.get(expert=expert).status == "granted"


def test_failed_quiz_shows_the_score_and_the_cool_down(now: datetime) -> None:
    brand = factories.brand()
    questions = factories.training_pack(of=brand, pass_mark_percent=100)
    expert = factories.expert(now=now)
    client = logged_in(expert.user)

    failed = client.post(f"/expert/certifications/{brand.slug}/",
                         {f"question_{pk}": "1" for pk in questions}, follow=True)
    again = client.post(f"/expert/certifications/{brand.slug}/",
                        {f"question_{pk}": "0" for pk in questions})

    assert b"Not passed: 0 of 3 (pass mark 100 %)" in failed.content
    assert b"Not passed (0/3); retake from" in failed.content
    assert again.status_code == 400
    assert b"You can retake the quiz from" in again.content
    assert CertificationAttempt.objects.count() == 1


def test_unanswered_brand_quiz_is_a_400(now: datetime) -> None:
    brand = factories.brand()
    factories.training_pack(of=brand)
    client = logged_in(factories.expert(now=now).user)

    response = client.post(f"/expert/certifications/{brand.slug}/", {})

    assert response.status_code == 400
    assert b"Answer every question." in response.content


def test_unapproved_experts_and_other_roles_cannot_take_brand_quizzes(now: datetime) -> None:
    brand = factories.brand()
    questions = factories.training_pack(of=brand)
    answers = {f"question_{pk}": "0" for pk in questions}
    refused = [logged_in(factories.applicant(now=now).user),
               logged_in(factories.expert(now=now, status=ExpertStatus.SUSPENDED).user),
               logged_in(factories.brand_member(of=brand, role=BrandRole.OWNER)),
               logged_in(factories.user(is_staff=True))]

    for client in refused:
        assert client.get("/expert/certifications/").status_code == 403
        assert client.get(f"/expert/certifications/{brand.slug}/").status_code == 403
        assert client.post(f"/expert/certifications/{brand.slug}/", answers).status_code == 403

    assert CertificationAttempt.objects.count() == 0
    assert Certification.objects.count() == 0


def test_brand_without_a_quiz_is_404_and_the_empty_list_is_explained(now: datetime) -> None:
    brand = factories.brand()
    client = logged_in(factories.expert(now=now).user)

    assert client.get(f"/expert/certifications/{brand.slug}/").status_code == 404
    assert b"No brand has published a training pack yet." in client.get(
        "/expert/certifications/").content


def test_expert_can_retake_once_the_cool_down_is_over(now: datetime) -> None:
    brand = factories.brand()
    questions = factories.training_pack(of=brand, pass_mark_percent=100)
    expert = factories.expert(now=now)
    certification_services.certification_attempt_submit(expert=expert, brand=brand,
                                          answers={str(pk): "1" for pk in questions},
                                          now=now - timedelta(hours=2))

    page = logged_in(expert.user).get(f"/expert/certifications/{brand.slug}/")

    assert b"Submit quiz" in page.content
