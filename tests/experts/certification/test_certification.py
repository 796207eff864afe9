"""Brand certification: the pack the brand writes, the quiz, pass/fail/cool-down, revoking."""

from datetime import datetime, timedelta

import pytest
from django.core import mail

from experts.applications.models import DecisionKind, ExpertDecision
from experts.certification import services as certification_services
from experts.certification.models import (
    Certification,
    CertificationAttempt,
    CertificationStatus,
    TrainingPack,
    TrainingQuestion,
)
from experts.profiles.models import ExpertStatus
from marketplace.infra.errors import Conflict, DomainError, NotFound, PermissionDenied
from marketplace.onboarding.models import BrandRole
from routing.models import Assignment, ExpertSeat, Offer
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def _answers(question_ids: list[int], right: int) -> dict[str, str]:
    return {str(pk): "0" if index < right else "1" for index, pk in enumerate(question_ids)}


def test_owner_and_admin_write_the_pack_and_a_viewer_cannot(now: datetime) -> None:
    brand = factories.brand()
    admin = factories.brand_member(of=brand, role=BrandRole.ADMIN)
    viewer = factories.brand_member(of=brand, role=BrandRole.VIEWER)
    outsider = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)

    certification_services.training_pack_save(brand=brand, editor=admin, guidelines="# Tone",
                                pass_mark_percent=75, now=now)
    question = certification_services.training_question_add(
        brand=brand,
        editor=admin,
        prompt="Refunds?",
        options=["Yes", "", "No"],
        correct_option=1,
        now=now,
    )
    for refused in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            certification_services.training_pack_save(
                brand=brand, editor=refused, guidelines="Hacked", pass_mark_percent=1, now=now
            )
        with pytest.raises(PermissionDenied):
            certification_services.training_question_delete(brand=brand, editor=refused,
                                              question_id=question.pk, now=now)

    pack = TrainingPack.objects.get(brand=brand)
    assert (pack.guidelines, pack.pass_mark_percent) == ("# Tone", 75)
    assert (question.position, question.options, question.correct_option) == (1, ["Yes", "No"], 1)
    assert TrainingQuestion.objects.filter(pack=pack).count() == 1


@pytest.mark.parametrize(("options", "correct", "message"), [
    (["Only one"], 0, "between 2 and 6"),
    (["A", "B"], 2, "which option is correct"),
    (["A", "B"], -1, "which option is correct"),
])
def test_bad_questions_are_refused(now: datetime, options: list[str], correct: int,
                                   message: str) -> None:
    brand = factories.brand()
    owner = factories.brand_member(of=brand, role=BrandRole.OWNER)

    with pytest.raises(DomainError, match=message):
        certification_services.training_question_add(
            brand=brand, editor=owner, prompt="Q?", options=options, correct_option=correct, now=now
        )

    assert TrainingQuestion.objects.count() == 0


def test_another_brands_question_is_not_found(now: datetime) -> None:
    mine, theirs = factories.brand(), factories.brand()
    foreign = factories.training_pack(of=theirs)[0]
    owner = factories.brand_member(of=mine, role=BrandRole.OWNER)

    with pytest.raises(NotFound):
        certification_services.training_question_update(
            brand=mine,
            editor=owner,
            question_id=foreign,
            prompt="Mine now",
            options=["a", "b"],
            correct_option=0,
            now=now,
        )

    assert TrainingQuestion.objects.get(pk=foreign).prompt == "Question 0?"


def test_passing_at_the_pass_mark_certifies(now: datetime) -> None:
    brand = factories.brand()
    questions = factories.training_pack(of=brand, pass_mark_percent=66)
    expert = factories.expert(now=now)

    attempt = certification_services.certification_attempt_submit(expert=expert, brand=brand,
                                                    answers=_answers(questions, 2), now=now)

    assert (attempt.score, attempt.total, attempt.passed) == (2, 3, True)
    certification = Certification.objects.get(expert=expert, brand=brand)
    assert (certification.status, certification.granted_at) == (CertificationStatus.GRANTED, now)


def test_failing_shows_the_score_and_allows_a_retake_only_after_the_cool_down(
    now: datetime
) -> None:
    brand = factories.brand()
    questions = factories.training_pack(of=brand, pass_mark_percent=100)
    expert = factories.expert(now=now)

    failed = certification_services.certification_attempt_submit(expert=expert, brand=brand,
                                                   answers=_answers(questions, 2), now=now)
    with pytest.raises(Conflict, match="retake this quiz from"):
        certification_services.certification_attempt_submit(expert=expert, brand=brand,
                                              answers=_answers(questions, 3),
                                              now=now + timedelta(minutes=59))
    passed = certification_services.certification_attempt_submit(expert=expert, brand=brand,
                                                   answers=_answers(questions, 3),
                                                   now=now + timedelta(hours=1))

    assert (failed.score, failed.passed, passed.passed) == (2, False, True)
    assert CertificationAttempt.objects.filter(expert=expert).count() == 2
    assert Certification.objects.get(expert=expert).status == CertificationStatus.GRANTED


@pytest.mark.parametrize("status", [ExpertStatus.IN_REVIEW, ExpertStatus.SUSPENDED])
def test_unapproved_expert_cannot_take_a_brand_quiz(now: datetime, status: ExpertStatus) -> None:
    brand = factories.brand()
    questions = factories.training_pack(of=brand)
    expert = factories.expert(now=now, status=status)

    with pytest.raises(PermissionDenied, match="approved"):
        certification_services.certification_attempt_submit(expert=expert, brand=brand,
                                              answers=_answers(questions, 3), now=now)

    assert CertificationAttempt.objects.count() == 0
    assert Certification.objects.count() == 0


def test_unanswered_quiz_and_brand_without_quiz_are_refused(now: datetime) -> None:
    brand = factories.brand()
    questions = factories.training_pack(of=brand)
    expert = factories.expert(now=now)

    with pytest.raises(DomainError, match="every question"):
        certification_services.certification_attempt_submit(expert=expert, brand=brand,
                                              answers=_answers(questions[:2], 2), now=now)
    with pytest.raises(NotFound):
        certification_services.certification_attempt_submit(expert=expert, brand=factories.brand(),
                                              answers={}, now=now)

    assert CertificationAttempt.objects.count() == 0


def test_revoking_removes_the_routing_seat_and_reassigns_work(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks: object
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    colleague = factories.on_shift_expert(on=queue, now=now, idle_since=now + timedelta(hours=1))
    inquiry = factories.inquiry(on=queue, now=now)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    offer = Offer.objects.get(inquiry=inquiry)
    assert offer.expert_id == expert.pk
    offers_services.offer_accept(offer_id=offer.pk, expert=expert, now=now)
    owner = factories.brand_member(of=queue.brand, role=BrandRole.OWNER)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        revoked = certification_services.certification_revoke(
            expert=expert,
            brand=queue.brand,
            by=owner,
            reason="Shared a customer's address",
            now=now + timedelta(minutes=1),
        )

    assert (revoked.status, revoked.revoked_by, revoked.revoke_reason) == (
        CertificationStatus.REVOKED, owner, "Shared a customer's address")
    assert not ExpertSeat.objects.filter(expert=expert).exists()
    assert ExpertSeat.objects.filter(expert=colleague).exists()
    assert Assignment.objects.get(inquiry=inquiry, expert=expert).status == "released"
    assert ExpertDecision.objects.get(kind=DecisionKind.CERTIFICATION).reason == (
        f"Certification for {queue.brand.name} revoked: Shared a customer's address")
    assert mail.outbox[-1].subject == f"Your certification for {queue.brand.name} was revoked"


def test_revoking_is_for_ops_or_the_brands_owner_or_admin(now: datetime) -> None:
    brand = factories.brand()
    expert = factories.expert(now=now)
    certification_services.certification_grant(expert=expert, brand=brand, now=now)
    viewer = factories.brand_member(of=brand, role=BrandRole.VIEWER)
    other_brand_owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)

    for refused in (viewer, other_brand_owner, expert.user):
        with pytest.raises(PermissionDenied):
            certification_services.certification_revoke(
                expert=expert, brand=brand, by=refused, reason="No", now=now
            )
    with pytest.raises(DomainError, match="reason"):
        certification_services.certification_revoke(expert=expert, brand=brand,
                                      by=factories.user(is_staff=True), reason=" ", now=now)

    assert Certification.objects.get(expert=expert).status == CertificationStatus.GRANTED
    certification_services.certification_revoke(
        expert=expert, brand=brand, by=factories.user(is_staff=True), reason="Audit", now=now
    )
    assert Certification.objects.get(expert=expert).status == CertificationStatus.REVOKED


def test_a_revoked_expert_cannot_recertify_by_quiz(now: datetime) -> None:
    brand = factories.brand()
    questions = factories.training_pack(of=brand)
    expert = factories.expert(now=now)
    certification_services.certification_attempt_submit(
        expert=expert, brand=brand, answers=_answers(questions, 3), now=now
    )
    certification_services.certification_revoke(
        expert=expert, brand=brand, by=factories.user(is_staff=True), reason="Audit", now=now
    )

    with pytest.raises(PermissionDenied, match="revoked"):
        certification_services.certification_attempt_submit(expert=expert, brand=brand,
                                              answers=_answers(questions, 3),
                                              now=now + timedelta(days=1))

    assert Certification.objects.get(expert=expert).status == CertificationStatus.REVOKED
