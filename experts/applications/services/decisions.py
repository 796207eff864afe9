"""Ops decide on experts: approve, reject, ask for more, suspend and reinstate, each with a
reason emailed to the expert. Suspension takes the expert out of routing at once."""



from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from experts.applications.models import DecisionKind, ExpertApplication
from experts.applications.services.audit import decision_record, email_on_commit
from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.errors import Conflict, DomainError
from marketplace.infra.push import push_to_expert_on_commit
from routing.assignments import services as assignments_services
from routing.seats import services as seats

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
        assignments_services.expert_leave_routing(
            expert_id=locked.pk, now=now, release_assignments=True,
            reason=f"Expert #{locked.pk} is {ExpertStatus(to_status).label.lower()}; "
            "reassigning.",
        )
    return locked
