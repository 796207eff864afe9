"""Brand certification: the brand writes a training pack (guidelines and a quiz), an approved
expert passes the quiz and is certified for the brand's queues; ops or the brand can revoke."""


from collections.abc import Mapping, Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max

from experts.applications.models import DecisionKind
from experts.applications.services.audit import decision_record, email_on_commit
from experts.certification.models import (
    RETAKE_COOLDOWN,
    Certification,
    CertificationAttempt,
    CertificationStatus,
    TrainingPack,
    TrainingQuestion,
)
from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.errors import Conflict, DomainError, NotFound, PermissionDenied
from marketplace.infra.timezones import time_in_zone_text
from marketplace.onboarding.models import Brand
from marketplace.onboarding.policy import require_brand_can_configure
from routing.assignments import services as assignments_services
from routing.seats import selectors as seats_selectors

MAX_OPTIONS = 6


TRAINING_PACK = "can change its training pack"


def _pack_for_update(brand: Brand, now: datetime) -> TrainingPack:
    TrainingPack.objects.get_or_create(brand=brand, defaults={"updated_at": now})
    return TrainingPack.objects.select_for_update().get(brand=brand)


def training_pack_save(
    *, brand: Brand, editor: User, guidelines: str, pass_mark_percent: int, now: datetime
) -> TrainingPack:
    require_brand_can_configure(editor, brand, action=TRAINING_PACK)
    if not 1 <= pass_mark_percent <= 100:
        raise DomainError("The pass mark is a percentage from 1 to 100.", code="invalid_pass_mark")
    if len(guidelines) > 50_000:
        raise DomainError("Keep the guidelines under 50,000 characters.",
                          code="guidelines_too_long")
    with transaction.atomic():
        pack = _pack_for_update(brand, now)
        pack.guidelines = guidelines.strip()
        pack.pass_mark_percent = pass_mark_percent
        pack.updated_at = now
        pack.save(update_fields=["guidelines", "pass_mark_percent", "updated_at"])
    return pack


def _clean_question(prompt: str, options: Sequence[str],
                    correct_option: int) -> tuple[str, list[str]]:
    prompt = prompt.strip()
    cleaned = [option.strip()[:300] for option in options if option.strip()]
    if not prompt:
        raise DomainError("Write the question.", code="prompt_required")
    if not 2 <= len(cleaned) <= MAX_OPTIONS:
        raise DomainError(f"Give between 2 and {MAX_OPTIONS} options.", code="invalid_options")
    if not 0 <= correct_option < len(cleaned):
        raise DomainError("Choose which option is correct.", code="invalid_correct_option")
    return prompt, cleaned


def training_question_add(
    *, brand: Brand, editor: User, prompt: str, options: Sequence[str], correct_option: int,
    now: datetime,
) -> TrainingQuestion:
    """`correct_option` is the 0-based index among the non-empty options."""
    require_brand_can_configure(editor, brand, action=TRAINING_PACK)
    prompt, cleaned = _clean_question(prompt, options, correct_option)
    with transaction.atomic():
        pack = _pack_for_update(brand, now)
        last = pack.questions.aggregate(last=Max("position"))["last"] or 0
        question = TrainingQuestion.objects.create(
            pack=pack, position=last + 1, prompt=prompt, options=cleaned,
            correct_option=correct_option,
        )
        pack.updated_at = now
        pack.save(update_fields=["updated_at"])
    return question


def _question_of_brand(brand: Brand, question_id: int) -> TrainingQuestion:
    question = (TrainingQuestion.objects.select_for_update()
                .filter(pk=question_id, pack__brand=brand).first())
    if question is None:
        raise NotFound("Question not found.")
    return question


def training_question_update(
    *, brand: Brand, editor: User, question_id: int, prompt: str, options: Sequence[str],
    correct_option: int, now: datetime,
) -> TrainingQuestion:
    """Another brand's question is NotFound before the input is judged, so the answer never
    tells whether a foreign id exists."""
    require_brand_can_configure(editor, brand, action=TRAINING_PACK)
    with transaction.atomic():
        question = _question_of_brand(brand, question_id)
        prompt, cleaned = _clean_question(prompt, options, correct_option)
        question.prompt, question.options, question.correct_option = prompt, cleaned, \
            correct_option
        question.save(update_fields=["prompt", "options", "correct_option"])
        TrainingPack.objects.filter(brand=brand).update(updated_at=now)
    return question


def training_question_delete(*, brand: Brand, editor: User, question_id: int,
                             now: datetime) -> None:
    require_brand_can_configure(editor, brand, action=TRAINING_PACK)
    with transaction.atomic():
        _question_of_brand(brand, question_id).delete()
        TrainingPack.objects.filter(brand=brand).update(updated_at=now)


def retake_available_at(*, expert: ExpertProfile, brand: Brand) -> datetime | None:
    """When the expert may try the brand's quiz again after a failed attempt (None: now)."""
    last = CertificationAttempt.objects.filter(expert=expert, brand=brand).first()
    if last is None or last.passed:
        return None
    return last.attempted_at + RETAKE_COOLDOWN


def certification_attempt_submit(
    *, expert: ExpertProfile, brand: Brand, answers: Mapping[str, str], now: datetime
) -> CertificationAttempt:
    """Scores the brand's quiz on the server; a pass (score at or above the pass mark)
    certifies the expert, a fail starts a cool-down before the next try. The expert row lock
    serialises attempts, so a double submit cannot slip past the cool-down."""
    with transaction.atomic():
        locked = ExpertProfile.objects.select_for_update().get(pk=expert.pk)
        if locked.status != ExpertStatus.APPROVED:
            raise PermissionDenied("Only approved experts can take brand quizzes.",
                                   code="expert_not_approved")
        pack = TrainingPack.objects.filter(brand=brand).first()
        questions = list(pack.questions.all()) if pack is not None else []
        if pack is None or not questions:
            raise NotFound("This brand has no quiz yet.")
        certification = Certification.objects.filter(expert=locked, brand=brand).first()
        if certification is not None and certification.status == CertificationStatus.GRANTED:
            raise Conflict(f"You are already certified for {brand.name}.",
                           code="already_certified")
        if certification is not None and certification.status == CertificationStatus.REVOKED:
            raise PermissionDenied(f"Your certification for {brand.name} was revoked; "
                                   "talk to Shiftline ops.", code="certification_revoked")
        available_at = retake_available_at(expert=locked, brand=brand)
        if available_at is not None and now < available_at:
            raise Conflict("You can retake this quiz from "
                           f"{time_in_zone_text(available_at, locked.time_zone)}.",
                           code="retake_cooldown")
        chosen = {str(question.pk): str(answers.get(str(question.pk), ""))
                  for question in questions}
        if any(value == "" for value in chosen.values()):
            raise DomainError("Answer every question.", code="quiz_incomplete")
        score = sum(1 for question in questions
                    if chosen[str(question.pk)] == str(question.correct_option))
        passed = score * 100 >= pack.pass_mark_percent * len(questions)
        attempt = CertificationAttempt.objects.create(
            expert=locked, brand=brand, answers=chosen, score=score, total=len(questions),
            passed=passed, attempted_at=now,
        )
        if passed:
            certification_grant(expert=locked, brand=brand, now=now)
    return attempt


def certification_revoke(
    *, expert: ExpertProfile, brand: Brand, by: User, reason: str, now: datetime
) -> Certification:
    """Ops or the brand's owner/admin withdraw an expert's certification. If the expert holds
    a routing seat on one of the brand's queues, they leave routing at once (offers withdrawn,
    open inquiries reassigned), as on suspension."""
    if not by.is_staff:
        require_brand_can_configure(by, brand, action=TRAINING_PACK)
    if not reason.strip():
        raise DomainError("Give a reason for revoking.", code="reason_required")
    with transaction.atomic():
        certification = (Certification.objects.select_for_update()
                         .filter(expert=expert, brand=brand).first())
        if certification is None or certification.status != CertificationStatus.GRANTED:
            raise Conflict(f"{expert.display_name} is not certified for {brand.name}.",
                           code="not_certified")
        certification.status = CertificationStatus.REVOKED
        certification.revoked_at = now
        certification.revoked_by = by
        certification.revoke_reason = reason.strip()
        certification.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        decision_record(expert=expert, kind=DecisionKind.CERTIFICATION, by=by, now=now,
                        reason=f"Certification for {brand.name} revoked: {reason.strip()}")
        email_on_commit(
            to=expert.user.email, subject=f"Your certification for {brand.name} was revoked",
            body=f"Hello {expert.display_name},\n\nYour certification for {brand.name} was "
                 f"revoked.\n\nReason: {reason.strip()}\n",
        )
    seat = seats_selectors.seat_for_expert(expert_id=expert.pk)
    if seat is not None and brand.queues.filter(pk=seat.queue_id).exists():
        assignments_services.expert_leave_routing(
            expert_id=expert.pk, now=now, release_assignments=True,
            reason=f"Expert #{expert.pk} is no longer certified for {brand.name}; reassigning.",
        )
    return certification


def certification_grant(*, expert: ExpertProfile, brand: Brand, now: datetime) -> Certification:
    certification, created = Certification.objects.get_or_create(
        expert=expert, brand=brand,
        defaults={"status": CertificationStatus.GRANTED, "granted_at": now},
    )
    if not created and certification.status != CertificationStatus.GRANTED:
        certification.status = CertificationStatus.GRANTED
        certification.granted_at = now
        certification.revoked_at = None
        certification.save(update_fields=["status", "granted_at", "revoked_at"])
    return certification
