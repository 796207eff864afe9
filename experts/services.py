"""Every write on the supply side: profiles, vetting decisions, certifications. Shifts are in
`experts.shift_services`."""

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from experts.models import (
    Certification,
    CertificationStatus,
    ExpertDecision,
    ExpertProfile,
    ExpertStatus,
)
from marketplace.errors import Conflict, DomainError
from marketplace.models import Brand
from routing import seats
from routing import services as routing_services
from routing.push import push_to_expert_on_commit

ALLOWED_DECISIONS: dict[str, set[str]] = {
    ExpertStatus.APPLIED: {ExpertStatus.IN_REVIEW, ExpertStatus.APPROVED, ExpertStatus.REJECTED,
                           ExpertStatus.NEEDS_INFO},
    ExpertStatus.IN_REVIEW: {ExpertStatus.APPROVED, ExpertStatus.REJECTED,
                             ExpertStatus.NEEDS_INFO},
    ExpertStatus.NEEDS_INFO: {ExpertStatus.IN_REVIEW, ExpertStatus.APPROVED,
                              ExpertStatus.REJECTED},
    ExpertStatus.APPROVED: {ExpertStatus.SUSPENDED},
    ExpertStatus.SUSPENDED: {ExpertStatus.APPROVED},
    ExpertStatus.REJECTED: set(),
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
        ExpertDecision.objects.create(
            expert=locked, decided_by=decided_by, from_status=locked.status,
            to_status=to_status, reason=reason.strip(), decided_at=now,
        )
        locked.status = to_status
        locked.save(update_fields=["status"])
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
