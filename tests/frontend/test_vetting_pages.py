"""The ops vetting console over HTTP: the board, the detail, checklist, notes, decisions."""

from datetime import datetime

import pytest
from django.core import mail
from django.test import Client

from experts.applications.models import DecisionKind, ExpertDecision
from experts.applications.services import vetting as applications_vetting
from experts.certification import services as certification_services
from experts.profiles.models import ExpertStatus
from marketplace.onboarding.models import BrandRole
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_board_counts_every_status_filters_and_searches(now: datetime) -> None:
    factories.applicant(now=now, name="Rita Review")
    factories.applicant(now=now, name="Ravi Review")
    factories.expert(now=now, name="Ada Approved")
    factories.expert(now=now, status=ExpertStatus.SUSPENDED, name="Sam Suspended")
    client = logged_in(factories.user(is_staff=True))

    board = client.get("/ops/vetting/")
    in_review = client.get("/ops/vetting/?status=in_review")
    searched = client.get("/ops/vetting/?status=in_review&q=rita")
    bad_filter = client.get("/ops/vetting/?status=bogus&page=999")

    text = board.content.decode()
    for status, count in (("applied", 0), ("in_review", 2), ("needs_info", 0), ("approved", 1),
                          ("rejected", 0), ("suspended", 1)):
        assert f'data-status="{status}">' in text
        assert f'<strong class="count">{count}</strong>' in text.split(
            f'data-status="{status}">')[1].split("</a>")[0]
    assert b"Ada Approved" in board.content
    assert b"Rita Review" in in_review.content and b"Ada Approved" not in in_review.content
    assert b"Rita Review" in searched.content and b"Ravi Review" not in searched.content
    assert bad_filter.status_code == 200


def test_board_paginates_and_explains_empty_results(now: datetime) -> None:
    for index in range(26):
        factories.expert(now=now, status=ExpertStatus.APPLIED, name=f"Expert {index:02d}")
    client = logged_in(factories.user(is_staff=True))

    first = client.get("/ops/vetting/")
    second = client.get("/ops/vetting/?page=2")
    empty = client.get("/ops/vetting/?q=nobody-like-this")

    assert b"Page 1 of 2" in first.content
    assert second.content.count(b"/ops/vetting/") >= 1 and b"Page 2 of 2" in second.content
    assert b"No experts match these filters." in empty.content


def test_detail_shows_score_sample_checklist_and_trail(now: datetime) -> None:
    expert = factories.applicant(now=now, quiz_right=3, name="Dina Detail")
    client = logged_in(factories.user(is_staff=True))

    page = client.get(f"/ops/vetting/{expert.pk}/")

    assert page.status_code == 200
    assert b'<span id="quiz-score">3 of 5</span>' in page.content
    assert b"Hello Sam, Hello Sam," in page.content
    assert b"Identity verified" in page.content
    assert b"Submitted for review" in page.content
    assert client.get("/ops/vetting/999999/").status_code == 404


def test_ops_tick_the_checklist_note_and_approve_with_an_email(
    now: datetime, django_capture_on_commit_callbacks: object
) -> None:
    ops_user = factories.user(is_staff=True)
    expert = factories.applicant(now=now)
    client = logged_in(ops_user)

    refused = client.post(f"/ops/vetting/{expert.pk}/decide/",
                          {"status": "approved", "reason": "Great"}, follow=True)
    for item in applications_vetting.CHECKLIST_ITEMS:
        client.post(f"/ops/vetting/{expert.pk}/checklist/", {"item": item, "checked": "yes"})
    client.post(f"/ops/vetting/{expert.pk}/notes/", {"body": "ID checked on a call"})
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        approved = client.post(f"/ops/vetting/{expert.pk}/decide/",
                               {"status": "approved", "reason": "Great writing"})

    assert b"Complete the checklist" in refused.content
    assert approved["Location"] == f"/ops/vetting/{expert.pk}/"
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.APPROVED
    assert list(ExpertDecision.objects.filter(expert=expert).order_by("id")
                .values_list("kind", "decided_by", "reason"))[1:] == [
        ("checklist", ops_user.pk, "Identity verified: ticked"),
        ("checklist", ops_user.pk, "Writing quality: ticked"),
        ("checklist", ops_user.pk, "Language check: ticked"),
        ("note", ops_user.pk, "ID checked on a call"),
        ("status", ops_user.pk, "Great writing"),
    ]
    assert mail.outbox[-1].to == [expert.user.email]


def test_decision_without_reason_is_refused_and_changes_nothing(now: datetime) -> None:
    expert = factories.applicant(now=now)
    client = logged_in(factories.user(is_staff=True))

    page = client.post(f"/ops/vetting/{expert.pk}/decide/", {"status": "rejected", "reason": ""},
                       follow=True)
    bogus = client.post(f"/ops/vetting/{expert.pk}/decide/", {"status": "boss", "reason": "x"},
                        follow=True)

    assert b"Give a reason for the decision." in page.content
    assert b"Choose a decision." in bogus.content
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.IN_REVIEW


def test_ops_suspend_and_reinstate_from_the_detail_page(now: datetime) -> None:
    expert = factories.expert(now=now)
    client = logged_in(factories.user(is_staff=True))

    detail = client.get(f"/ops/vetting/{expert.pk}/")
    client.post(f"/ops/vetting/{expert.pk}/decide/", {"status": "suspended", "reason": "Audit"})
    suspended_detail = client.get(f"/ops/vetting/{expert.pk}/")
    client.post(f"/ops/vetting/{expert.pk}/decide/", {"status": "approved", "reason": "Clear"})

    assert b'<option value="suspended">Suspend</option>' in detail.content
    assert b'<option value="approved">Reinstate</option>' in suspended_detail.content
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.APPROVED
    assert list(ExpertDecision.objects.filter(expert=expert, kind=DecisionKind.STATUS)
                .order_by("id").values_list("to_status", flat=True)) == ["suspended", "approved"]


def test_ops_revoke_a_certification(now: datetime) -> None:
    expert = factories.expert(now=now)
    brand = factories.brand()
    certification_services.certification_grant(expert=expert, brand=brand, now=now)
    client = logged_in(factories.user(is_staff=True))

    response = client.post(f"/ops/vetting/{expert.pk}/certifications/{brand.pk}/revoke/",
                           {"reason": "Complaint"})
    missing_brand = client.post(f"/ops/vetting/{expert.pk}/certifications/999999/revoke/",
                                {"reason": "x"})

    assert response.status_code == 302
    assert expert.certifications.get().status == "revoked"
    assert missing_brand.status_code == 404


@pytest.mark.parametrize("path", ["/ops/vetting/", "/ops/vetting/{id}/"])
def test_vetting_pages_are_refused_to_other_roles(now: datetime, path: str) -> None:
    expert = factories.applicant(now=now)
    brand_owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    url = path.format(id=expert.pk)

    assert Client().get(url)["Location"].startswith("/accounts/login/")
    assert logged_in(expert.user).get(url).status_code == 403
    assert logged_in(brand_owner).get(url).status_code == 403


def test_vetting_actions_are_refused_to_other_roles_and_change_nothing(now: datetime) -> None:
    expert = factories.applicant(now=now)
    brand = factories.brand()
    certification_services.certification_grant(expert=expert, brand=brand, now=now)
    clients = [logged_in(expert.user),
               logged_in(factories.brand_member(of=brand, role=BrandRole.OWNER))]

    for client in clients:
        for action, data in (("checklist/", {"item": "identity_verified", "checked": "yes"}),
                             ("notes/", {"body": "hi"}),
                             ("decide/", {"status": "rejected", "reason": "x"}),
                             (f"certifications/{brand.pk}/revoke/", {"reason": "x"})):
            assert client.post(f"/ops/vetting/{expert.pk}/{action}", data).status_code == 403

    expert.refresh_from_db()
    assert expert.status == ExpertStatus.IN_REVIEW
    assert expert.application.identity_verified is False
    assert ExpertDecision.objects.filter(expert=expert).count() == 1
    assert expert.certifications.get().status == "granted"
