"""Applying: sign-up with a verified email, the profile, terms, the screening assessment and
submission for review. Every step saves on its own, so an applicant can stop and come back."""



from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F

from experts.applications.models import DecisionKind, ExpertApplication
from experts.applications.screening import (
    LANGUAGE_LEVELS,
    SAMPLE_REPLY_MAX_LENGTH,
    SAMPLE_REPLY_MIN_LENGTH,
    SCREENING_QUESTIONS,
    screening_score,
)
from experts.applications.services.audit import decision_record, email_on_commit
from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.accounts import existing_account_notice_on_commit
from marketplace.infra.errors import Conflict, DomainError, PermissionDenied
from marketplace.infra.timezones import validate_time_zone

VERIFICATION_SALT = "experts.email-verification"


VERIFICATION_MAX_AGE = timedelta(days=3)


EDITABLE_STATUSES = (ExpertStatus.APPLIED, ExpertStatus.NEEDS_INFO)


LANGUAGE_LEVEL_VALUES = {value for value, _ in LANGUAGE_LEVELS}


def email_verification_token(*, user: User) -> str:
    """A signed, expiring token naming the user and the address it was sent to, so a link
    sent to an old address stops working once the address changes."""
    return signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFICATION_SALT)


def _send_verification(user: User, verify_url_prefix: str) -> None:
    link = f"{verify_url_prefix}{email_verification_token(user=user)}/"
    email_on_commit(
        to=user.email, subject="Confirm your email for Shiftline",
        body=f"Welcome to Shiftline. Confirm your email to continue your application:\n\n{link}\n\n"
             "The link works for 3 days.",
    )


def applicant_sign_up(
    *, email: str, password: str, display_name: str, verify_url_prefix: str, now: datetime,
    site_url: str = "",
) -> ExpertProfile | None:
    """Creates the account, an expert profile in `applied` and an empty application, and emails
    the verification link. Nothing else can be done until the email is verified. For an email
    that already has an account nothing is created and its holder is emailed instead (None), so
    the page answers alike and nobody learns who has an account; invalid input is refused
    before the email is looked up."""
    email = email.strip().lower()
    display_name = display_name.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise DomainError("Enter a valid email address.", code="invalid_email") from error
    if not display_name:
        raise DomainError("Enter your name.", code="name_required")
    user_model = get_user_model()
    candidate = user_model(username=email, email=email, first_name=display_name[:150])
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="weak_password") from error
    try:
        with transaction.atomic():
            if user_model.objects.filter(username__iexact=email).exists():
                existing_account_notice_on_commit(email=email, site_url=site_url,
                                                  attempted="apply as an expert")
                return None
            candidate.set_password(password)
            candidate.save()
            profile = ExpertProfile.objects.create(
                user=candidate, display_name=display_name[:100], time_zone="UTC", languages=[],
            )
            application_open(expert=profile)
            _send_verification(candidate, verify_url_prefix)
    except IntegrityError:
        # The same email applied at this very moment: it is an existing account now.
        existing_account_notice_on_commit(email=email, site_url=site_url,
                                          attempted="apply as an expert")
        return None
    return profile


def application_open(*, expert: ExpertProfile) -> ExpertApplication:
    """The expert's application, opened empty if they have none yet (e.g. a profile made by
    ops or by earlier versions of Shiftline)."""
    application, _ = ExpertApplication.objects.get_or_create(expert=expert)
    return application


def applicant_resend_verification(*, expert: ExpertProfile, verify_url_prefix: str) -> None:
    if application_open(expert=expert).email_verified_at is not None:
        raise Conflict("Your email is already verified.", code="already_verified")
    with transaction.atomic():
        _send_verification(expert.user, verify_url_prefix)


def applicant_verify_email(*, token: str, now: datetime) -> ExpertProfile:
    """Marks the applicant's email verified. The link works once and signs nobody in (the
    applicant signed in when they signed up, or logs in)."""
    try:
        payload = signing.loads(token, salt=VERIFICATION_SALT,
                                max_age=VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise DomainError("This link has expired. Log in and ask for a new one.",
                          code="link_expired") from error
    except signing.BadSignature as error:
        raise DomainError("This link is not valid.", code="link_invalid") from error
    with transaction.atomic():
        application = (
            ExpertApplication.objects.select_for_update(of=("self",))
            .select_related("expert__user")
            .filter(expert__user_id=payload.get("user"))
            .first()
        )
        if application is None or application.expert.user.email != payload.get("email"):
            raise DomainError("This link is not valid.", code="link_invalid")
        if application.email_verified_at is not None:
            raise Conflict("This link was already used: your email is confirmed. Log in to "
                           "continue your application.", code="link_used")
        application.email_verified_at = now
        application.save(update_fields=["email_verified_at"])
    return application.expert


def _editable_application(expert: ExpertProfile) -> ExpertApplication:
    """Locks the application of an applicant who may still change it. Caller is in a
    transaction."""
    application = (
        ExpertApplication.objects.select_for_update(of=("self",))
        .select_related("expert")
        .filter(expert=expert)
        .first()
    )
    if application is None:
        raise PermissionDenied("You have no application.")
    if application.email_verified_at is None:
        raise PermissionDenied("Verify your email first: follow the link we sent you.",
                               code="email_unverified")
    if application.expert.status not in EDITABLE_STATUSES:
        raise Conflict(f"Your application is {application.expert.get_status_display().lower()} "
                       "and cannot be changed now.", code="application_locked")
    return application


def _clean_language_levels(language_levels: Mapping[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for code, level in language_levels.items():
        code = code.strip().lower()
        if not code:
            continue
        if not (2 <= len(code) <= 8 and code.replace("-", "").isalpha()):
            raise DomainError(f"{code!r} is not a language code such as en or pt-BR.",
                              code="invalid_language")
        if level not in LANGUAGE_LEVEL_VALUES:
            raise DomainError(f"Choose a level for {code}.", code="invalid_language_level")
        cleaned[code] = level
    if not cleaned:
        raise DomainError("Add at least one language you can support customers in.",
                          code="languages_required")
    return cleaned


def application_save_profile(
    *,
    expert: ExpertProfile,
    display_name: str,
    time_zone: str,
    language_levels: Mapping[str, str],
    skills: Sequence[str],
    experience: str,
    availability: str,
    now: datetime,
) -> ExpertApplication:
    display_name = display_name.strip()
    if not display_name:
        raise DomainError("Enter your name.", code="name_required")
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise DomainError(error.messages[0], code="invalid_time_zone") from error
    levels = _clean_language_levels(language_levels)
    cleaned_skills = sorted({skill.strip().lower()[:40] for skill in skills if skill.strip()})
    if not experience.strip():
        raise DomainError("Tell us about your support experience.", code="experience_required")
    if not availability.strip():
        raise DomainError("Tell us when you are typically available.",
                          code="availability_required")
    with transaction.atomic():
        application = _editable_application(expert)
        profile = application.expert
        profile.display_name = display_name[:100]
        profile.time_zone = time_zone
        profile.languages = list(levels)
        profile.skills = cleaned_skills
        profile.save(update_fields=["display_name", "time_zone", "languages", "skills"])
        application.language_levels = levels
        application.experience = experience.strip()
        application.availability = availability.strip()
        application.profile_saved_at = now
        application.save(update_fields=["language_levels", "experience", "availability",
                                        "profile_saved_at"])
    return application


def application_accept_terms(*, expert: ExpertProfile, now: datetime) -> ExpertApplication:
    with transaction.atomic():
        application = _editable_application(expert)
        if application.terms_accepted_at is None:
            application.terms_accepted_at = now
            application.save(update_fields=["terms_accepted_at"])
    return application


def quiz_attempts_left(application: ExpertApplication) -> int:
    return max(0, settings.SCREENING_QUIZ_MAX_ATTEMPTS - application.quiz_attempts)


def application_submit_quiz(
    *, expert: ExpertProfile, answers: Mapping[str, str], now: datetime
) -> ExpertApplication:
    """Scores the screening quiz on the server, for ops' eyes only: the applicant never sees
    the score, so retaking cannot find the right answers, and has
    `SCREENING_QUIZ_MAX_ATTEMPTS` attempts. Every question needs an answer; answers refused as
    incomplete cost no attempt."""
    chosen = {question.key: str(answers.get(question.key, "")) for question in SCREENING_QUESTIONS}
    for question in SCREENING_QUESTIONS:
        if chosen[question.key] not in {str(index) for index in range(len(question.options))}:
            raise DomainError("Answer every question.", code="quiz_incomplete")
    with transaction.atomic():
        application = _editable_application(expert)
        if not quiz_attempts_left(application):
            raise Conflict(f"You have used all {settings.SCREENING_QUIZ_MAX_ATTEMPTS} attempts "
                           "at the screening quiz; your last answers stand.",
                           code="quiz_attempts_used")
        application.quiz_answers = chosen
        application.quiz_score = screening_score(chosen)
        application.quiz_total = len(SCREENING_QUESTIONS)
        application.quiz_taken_at = now
        application.quiz_attempts = F("quiz_attempts") + 1
        application.save(update_fields=["quiz_answers", "quiz_score", "quiz_total",
                                        "quiz_taken_at", "quiz_attempts"])
        application.refresh_from_db(fields=["quiz_attempts"])
    return application


def application_save_sample(*, expert: ExpertProfile, reply: str,
                            now: datetime) -> ExpertApplication:
    reply = reply.strip()
    if len(reply) < SAMPLE_REPLY_MIN_LENGTH:
        raise DomainError(f"Write at least {SAMPLE_REPLY_MIN_LENGTH} characters, as you would "
                          "to a real customer.", code="sample_too_short")
    if len(reply) > SAMPLE_REPLY_MAX_LENGTH:
        raise DomainError(f"Keep the reply under {SAMPLE_REPLY_MAX_LENGTH} characters.",
                          code="sample_too_long")
    with transaction.atomic():
        application = _editable_application(expert)
        application.sample_reply = reply
        application.sample_saved_at = now
        application.save(update_fields=["sample_reply", "sample_saved_at"])
    return application


def application_missing_steps(application: ExpertApplication) -> list[str]:
    """What is still missing before the application can be submitted, in step order."""
    missing = []
    if application.email_verified_at is None:
        missing.append("Verify your email")
    if application.profile_saved_at is None:
        missing.append("Complete your profile")
    if application.terms_accepted_at is None:
        missing.append("Accept the terms")
    if application.quiz_taken_at is None:
        missing.append("Take the screening quiz")
    if application.sample_saved_at is None:
        missing.append("Write the sample reply")
    return missing


def application_submit(*, expert: ExpertProfile, now: datetime) -> ExpertProfile:
    """Sends a complete application (or an updated one after needs-info) to ops: in review."""
    with transaction.atomic():
        application = _editable_application(expert)
        missing = application_missing_steps(application)
        if missing:
            raise DomainError("Still missing: " + ", ".join(missing).lower() + ".",
                              code="application_incomplete")
        profile = ExpertProfile.objects.select_for_update().get(pk=expert.pk)
        reason = ("Resubmitted with the information asked for"
                  if profile.status == ExpertStatus.NEEDS_INFO else "Submitted for review")
        decision_record(expert=profile, kind=DecisionKind.STATUS, by=profile.user, reason=reason,
                        now=now, from_status=profile.status, to_status=ExpertStatus.IN_REVIEW)
        profile.status = ExpertStatus.IN_REVIEW
        profile.save(update_fields=["status"])
        application.submitted_at = now
        application.save(update_fields=["submitted_at"])
    return profile
