"""What ops do on an application besides deciding: tick the checklist and keep private notes.
Both land in the append-only trail."""



from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from experts.applications.models import DecisionKind, ExpertApplication
from experts.applications.services.audit import decision_record
from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.errors import Conflict, DomainError, PermissionDenied

CHECKLIST_ITEMS: dict[str, str] = {
    "identity_verified": "Identity verified",
    "writing_quality_checked": "Writing quality",
    "language_checked": "Language check",
}


CHECKLIST_OPEN_STATUSES = (ExpertStatus.APPLIED, ExpertStatus.IN_REVIEW, ExpertStatus.NEEDS_INFO)


def _require_ops(user: User) -> None:
    if not user.is_staff:
        raise PermissionDenied("Only Shiftline ops staff can vet applications.")


def application_checklist_set(
    *, expert: ExpertProfile, item: str, checked: bool, by: User, now: datetime
) -> ExpertApplication:
    """Ticks or unticks one checklist item while the application is open; a change is
    recorded in the trail, a repeat of the same state records nothing."""
    _require_ops(by)
    if item not in CHECKLIST_ITEMS:
        raise DomainError("Unknown checklist item.", code="unknown_checklist_item")
    with transaction.atomic():
        application = (
            ExpertApplication.objects.select_for_update(of=("self",))
            .select_related("expert").filter(expert=expert).first()
        )
        if application is None:
            raise Conflict("This expert has no application to check.", code="no_application")
        if application.expert.status not in CHECKLIST_OPEN_STATUSES:
            raise Conflict(f"The application is {application.expert.get_status_display().lower()}"
                           "; its checklist is closed.", code="checklist_closed")
        if getattr(application, item) == checked:
            return application
        setattr(application, item, checked)
        application.save(update_fields=[item])
        decision_record(
            expert=application.expert, kind=DecisionKind.CHECKLIST, by=by, now=now,
            reason=f"{CHECKLIST_ITEMS[item]}: {'ticked' if checked else 'unticked'}",
        )
    return application


def application_note_add(*, expert: ExpertProfile, body: str, by: User, now: datetime) -> None:
    _require_ops(by)
    body = body.strip()
    if not body:
        raise DomainError("Write the note first.", code="note_empty")
    if len(body) > 5000:
        raise DomainError("Keep a note under 5000 characters.", code="note_too_long")
    decision_record(expert=expert, kind=DecisionKind.NOTE, by=by, now=now, reason=body)
