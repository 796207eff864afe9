"""Every write on the supply side: profiles, vetting decisions, certifications. Shifts are in
`experts.shift_services` and `experts.attendance`."""

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from experts.models import (
    Certification,
    CertificationStatus,
    DecisionKind,
    ExpertApplication,
    ExpertProfile,
    ExpertStatus,
)
from experts.services.applications import (
    applicant_resend_verification,
    applicant_sign_up,
    applicant_verify_email,
    application_accept_terms,
    application_missing_steps,
    application_open,
    application_save_profile,
    application_save_sample,
    application_submit,
    application_submit_quiz,
    email_verification_token,
)
from experts.services.audit import decision_record, email_on_commit
from experts.services.certification import (
    certification_attempt_submit,
    certification_revoke,
    training_pack_save,
    training_question_add,
    training_question_delete,
    training_question_update,
)
from experts.services.vetting import (
    CHECKLIST_ITEMS,
    application_checklist_set,
    application_note_add,
)
from marketplace.errors import Conflict, DomainError
from marketplace.models import Brand
from routing import seats
from routing import services as routing_services
from routing.push import push_to_expert_on_commit

# Re-exported: callers use `from experts import services` for every expert write.
__all__ = [
    "CHECKLIST_ITEMS",
    "applicant_resend_verification",
    "applicant_sign_up",
    "applicant_verify_email",
    "application_accept_terms",
    "application_checklist_set",
    "application_missing_steps",
    "application_note_add",
    "application_open",
    "application_save_profile",
    "application_save_sample",
    "application_submit",
    "application_submit_quiz",
    "certification_attempt_submit",
    "certification_revoke",
    "email_verification_token",
    "training_pack_save",
    "training_question_add",
    "training_question_delete",
    "training_question_update",
]

ALLOWED_DECISIONS: dict[str, set[str]] = {
    ExpertStatus.APPLIED: {ExpertStatus.REJECTED},
    ExpertStatus.IN_REVIEW: {ExpertStatus.APPROVED, ExpertStatus.REJECTED,
                             ExpertStatus.NEEDS_INFO},
    ExpertStatus.NEEDS_INFO: {ExpertStatus.REJECTED},
    ExpertStatus.APPROVED: {ExpertStatus.SUSPENDED},
    ExpertStatus.SUSPENDED: {ExpertStatus.APPROVED},
    ExpertStatus.REJECTED: set(),
}
"""Ops decisions. An applicant moves themselves to in review by submitting (applications.py)."""

DECISION_EMAIL_SUBJECTS: dict[str, str] = {
    ExpertStatus.APPROVED: "You are approved as a Shiftline expert",
    ExpertStatus.REJECTED: "About your Shiftline application",
    ExpertStatus.NEEDS_INFO: "We need a little more for your Shiftline application",
    ExpertStatus.SUSPENDED: "Your Shiftline account is suspended",
}


def expert_profile_create(
    *,
    user: User,
    display_name: str,
    time_zone: str,
    languages: Sequence[str],
    skills: Sequence[str] = (),
    now: datetime,
) -> ExpertProfile:
    profile = ExpertProfile(
        user=user, display_name=display_name, time_zone=time_zone,
        languages=list(languages), skills=list(skills),
    )
    profile.full_clean()
    profile.save()
    return profile


def expert_decide(
    *,
    expert: ExpertProfile,
    to_status: ExpertStatus,
    decided_by: User,
    reason: str,
    now: datetime,
) -> ExpertProfile:
    """Moves an expert through vetting and records the decision, with its reason, for good."""
    if not reason.strip():
        raise DomainError("Give a reason for the decision.", code="reason_required")
    with transaction.atomic():
        locked = ExpertProfile.objects.select_for_update().get(pk=expert.pk)
        if to_status not in ALLOWED_DECISIONS.get(locked.status, set()):
            raise Conflict(
                f"An expert who is {locked.get_status_display().lower()} cannot be moved to "
                f"{ExpertStatus(to_status).label.lower()}."
            )
        reinstating = locked.status == ExpertStatus.SUSPENDED
        if to_status == ExpertStatus.APPROVED and not reinstating:
            application = ExpertApplication.objects.filter(expert=locked).first()
            if application is None or not application.checklist_complete:
                raise Conflict("Complete the checklist (identity verified, writing quality, "
                               "language check) before approving.", code="checklist_incomplete")
        decision_record(expert=locked, kind=DecisionKind.STATUS, by=decided_by,
                        reason=reason.strip(), now=now, from_status=locked.status,
                        to_status=to_status)
        locked.status = to_status
        locked.save(update_fields=["status"])
        subject = ("Your Shiftline account is reinstated" if reinstating
                   else DECISION_EMAIL_SUBJECTS.get(to_status, "Your Shiftline application"))
        email_on_commit(
            to=locked.user.email, subject=subject,
            body=f"Hello {locked.display_name},\n\nYour status is now: "
                 f"{ExpertStatus(to_status).label}.\n\nReason: {reason.strip()}\n",
        )
        if to_status != ExpertStatus.APPROVED:
            seats.seat_close(expert_id=locked.pk)
            push_to_expert_on_commit(locked.pk, "connection.revoke", reason=to_status)
    if to_status != ExpertStatus.APPROVED:
        routing_services.expert_leave_routing(
            expert_id=locked.pk, now=now, release_assignments=True,
            reason=f"Expert #{locked.pk} is {ExpertStatus(to_status).label.lower()}; "
            "reassigning.",
        )
    return locked


def expert_disconnect_live_sessions(*, user: User) -> None:
    """Closes the expert's open websockets, e.g. when they log out."""
    expert = ExpertProfile.objects.filter(user=user).only("pk").first()
    if expert is not None:
        push_to_expert_on_commit(expert.pk, "connection.revoke", reason="logged_out")


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
