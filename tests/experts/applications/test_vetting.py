"""Ops vetting: the checklist gate on approval, notes, emailed decisions, the append-only trail."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.db import DatabaseError, transaction

from experts.applications.models import DecisionKind, ExpertApplication, ExpertDecision
from experts.applications.services import decisions as applications_decisions
from experts.applications.services import vetting as applications_vetting
from experts.profiles.models import ExpertStatus
from marketplace.infra.errors import Conflict, DomainError, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db


def test_approval_needs_the_whole_checklist_and_changes_nothing_without_it(now: datetime) -> None:
    ops = factories.user(is_staff=True)
    expert = factories.applicant(now=now)
    applications_vetting.application_checklist_set(
        expert=expert, item="identity_verified", checked=True, by=ops, now=now
    )

    with pytest.raises(Conflict, match="Complete the checklist"):
        applications_decisions.expert_decide(
            expert=expert,
            to_status=ExpertStatus.APPROVED,
            decided_by=ops,
            reason="Looks good",
            now=now,
        )

    expert.refresh_from_db()
    assert expert.status == ExpertStatus.IN_REVIEW
    assert not ExpertDecision.objects.filter(to_status=ExpertStatus.APPROVED).exists()


def test_approval_with_the_checklist_is_emailed_with_its_reason(
    now: datetime, django_capture_on_commit_callbacks: object
) -> None:
    ops = factories.user(is_staff=True)
    expert = factories.applicant(now=now, checklist_by=ops)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        approved = applications_decisions.expert_decide(
            expert=expert,
            to_status=ExpertStatus.APPROVED,
            decided_by=ops,
            reason="Clear, kind writing",
            now=now,
        )

    assert approved.status == ExpertStatus.APPROVED
    assert [message.to for message in mail.outbox] == [[expert.user.email]]
    assert mail.outbox[0].subject == "You are approved as a Shiftline expert"
    assert "Reason: Clear, kind writing" in mail.outbox[0].body


@pytest.mark.parametrize(("start", "to_status"), [
    (ExpertStatus.APPLIED, ExpertStatus.APPROVED),
    (ExpertStatus.NEEDS_INFO, ExpertStatus.APPROVED),
    (ExpertStatus.REJECTED, ExpertStatus.APPROVED),
    (ExpertStatus.APPROVED, ExpertStatus.NEEDS_INFO),
    (ExpertStatus.IN_REVIEW, ExpertStatus.SUSPENDED),
])
def test_invalid_transitions_are_refused_with_nothing_changed(
    now: datetime, start: ExpertStatus, to_status: ExpertStatus
) -> None:
    ops = factories.user(is_staff=True)
    expert = factories.applicant(now=now, checklist_by=ops)
    expert.__class__.objects.filter(pk=expert.pk).update(status=start)
    before = ExpertDecision.objects.count()

    with pytest.raises(Conflict, match="cannot be moved"):
        applications_decisions.expert_decide(expert=expert, to_status=to_status, decided_by=ops,
                               reason="Because", now=now)

    expert.refresh_from_db()
    assert expert.status == start
    assert ExpertDecision.objects.count() == before


def test_reinstating_a_suspended_expert_needs_no_checklist(now: datetime) -> None:
    ops = factories.user(is_staff=True)
    expert = factories.expert(now=now)
    applications_decisions.expert_decide(
        expert=expert, to_status=ExpertStatus.SUSPENDED, decided_by=ops, reason="Complaint", now=now
    )

    reinstated = applications_decisions.expert_decide(
        expert=expert, to_status=ExpertStatus.APPROVED, decided_by=ops, reason="Cleared", now=now
    )

    assert reinstated.status == ExpertStatus.APPROVED


def test_checklist_changes_and_notes_are_in_the_trail(now: datetime) -> None:
    ops = factories.user(is_staff=True)
    expert = factories.applicant(now=now)

    applications_vetting.application_checklist_set(
        expert=expert, item="language_checked", checked=True, by=ops, now=now
    )
    applications_vetting.application_checklist_set(
        expert=expert, item="language_checked", checked=True, by=ops, now=now
    )
    applications_vetting.application_checklist_set(
        expert=expert,
        item="language_checked",
        checked=False,
        by=ops,
        now=now + timedelta(minutes=1),
    )
    applications_vetting.application_note_add(
        expert=expert, body="Called them; ID matches.", by=ops, now=now + timedelta(minutes=2)
    )

    rows = list(ExpertDecision.objects.exclude(kind=DecisionKind.STATUS)
                .order_by("decided_at", "id").values_list("kind", "decided_by", "reason"))
    assert rows == [
        ("checklist", ops.pk, "Language check: ticked"),
        ("checklist", ops.pk, "Language check: unticked"),
        ("note", ops.pk, "Called them; ID matches."),
    ]
    assert ExpertApplication.objects.get(expert=expert).language_checked is False


def test_only_ops_tick_the_checklist_or_write_notes(now: datetime) -> None:
    expert = factories.applicant(now=now)

    with pytest.raises(PermissionDenied):
        applications_vetting.application_checklist_set(expert=expert, item="identity_verified",
                                           checked=True, by=expert.user, now=now)
    with pytest.raises(PermissionDenied):
        applications_vetting.application_note_add(expert=expert, body="Me", by=expert.user, now=now)
    with pytest.raises(DomainError, match="Unknown"):
        applications_vetting.application_checklist_set(expert=expert, item="status", checked=True,
                                           by=factories.user(is_staff=True), now=now)

    assert ExpertApplication.objects.get(expert=expert).identity_verified is False
    assert ExpertDecision.objects.filter(expert=expert).count() == 1


def test_the_trail_cannot_be_updated_or_deleted_in_the_database(now: datetime) -> None:
    ops = factories.user(is_staff=True)
    expert = factories.applicant(now=now)
    applications_vetting.application_note_add(expert=expert, body="Original", by=ops, now=now)
    note = ExpertDecision.objects.get(kind=DecisionKind.NOTE)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ExpertDecision.objects.filter(pk=note.pk).update(reason="Rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ExpertDecision.objects.filter(pk=note.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        expert.user.delete()

    assert ExpertDecision.objects.get(pk=note.pk).reason == "Original"
    assert ExpertDecision.objects.filter(expert=expert).count() == 2
