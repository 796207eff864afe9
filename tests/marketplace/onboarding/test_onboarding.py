"""Sign-up with email verification, ops and member invitations, roles, the last owner, billing,
and API keys (revoked at once, rotated under the same name)."""

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from marketplace.access import services as access_services
from marketplace.access.models import ApiKey
from marketplace.infra.errors import Conflict, PermissionDenied
from marketplace.onboarding import services as onboarding_services
from marketplace.onboarding.models import Brand, BrandInvitation, BrandMembership, BrandRole
from tests import factories

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "a-long-enough-passphrase-9"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(response: Any) -> str:
    """The page without its CSRF tokens (64 random characters, new on every answer)."""
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())


def link_in_last_email() -> str:
    match = re.search(r"http://testserver(/\S+)", str(mail.outbox[-1].body))
    assert match is not None
    return match[1]


def test_signup_emails_a_link_that_activates_the_owner(
    django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/signup/", {"brand_name": "Acme Outdoor",
                                              "email": "Lead@Acme.test",
                                              "password": STRONG_PASSWORD})

    assert response.status_code == 200
    owner = User.objects.get(username="lead@acme.test")
    assert owner.is_active is False
    assert BrandMembership.objects.get(user=owner).role == "owner"
    assert Brand.objects.get().name == "Acme Outdoor"
    assert mail.outbox[-1].to == ["lead@acme.test"]
    assert Client().post("/accounts/login/", {"username": "lead@acme.test",
                                              "password": STRONG_PASSWORD}).status_code == 200

    verified = Client().get(link_in_last_email())

    assert verified.status_code == 302
    owner.refresh_from_db()
    assert owner.is_active is True
    assert Brand.objects.get().signup_confirmed_at is not None


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"brand_name": "", "email": "a@b.test", "password": STRONG_PASSWORD}, "brand_name",
         "Give the brand a name of 1 to 200 characters."),
        ({"brand_name": "Acme", "email": "not-an-email", "password": STRONG_PASSWORD},
         "email", "Enter a valid email address."),
        ({"brand_name": "Acme", "email": "a@b.test", "password": "short"}, "password",
         "This password is too short. It must contain at least 8 characters."),
    ],
)
def test_bad_signup_shows_the_fields_message_and_creates_nothing(
    form: dict, field: str, message: str
) -> None:
    response = Client().post("/signup/", form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert (User.objects.count(), Brand.objects.count(), len(mail.outbox)) == (0, 0, 0)


def test_signup_answers_alike_for_a_taken_email_and_emails_its_holder(
    django_capture_on_commit_callbacks
) -> None:
    factories.user(email="taken@acme.test")

    with django_capture_on_commit_callbacks(execute=True):
        taken = Client().post("/signup/", {"brand_name": "Acme", "email": "Taken@acme.test",
                                           "password": STRONG_PASSWORD})
        new = Client().post("/signup/", {"brand_name": "Acme", "email": "Fresh@acme.test",
                                         "password": STRONG_PASSWORD})

    assert (taken.status_code, new.status_code) == (200, 200)
    assert page_text(taken).replace("taken@", "fresh@") == page_text(new)
    assert "exists" not in taken.content.decode()
    assert Brand.objects.count() == 1
    assert User.objects.filter(username="taken@acme.test").count() == 1
    notice = next(message for message in mail.outbox if message.to == ["taken@acme.test"])
    assert notice.subject == "You already have a Shiftline account"
    assert "http://testserver/accounts/login/" in notice.body
    assert "http://testserver/accounts/password/reset/" in notice.body


def test_signup_with_a_taken_email_still_refuses_a_weak_password_like_a_new_one() -> None:
    factories.user(email="taken@acme.test")

    taken = Client().post("/signup/", {"brand_name": "Acme", "email": "taken@acme.test",
                                       "password": "short"})
    new = Client().post("/signup/", {"brand_name": "Acme", "email": "fresh@acme.test",
                                     "password": "short"})

    assert (taken.status_code, new.status_code) == (400, 400)
    assert page_text(taken).replace("taken@", "fresh@") == page_text(new)


def test_tampered_verification_link_is_404() -> None:
    assert Client().get("/signup/verify/not-a-token/").status_code == 404


def test_ops_invites_a_brand_owner_who_accepts_with_a_password(
    django_capture_on_commit_callbacks
) -> None:
    staff = factories.user(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(staff).post("/ops/brands/invite/", {
            "brand_name": "Nordic Socks", "owner_email": "owner@nordic.test"})

    assert response.status_code == 302
    brand = Brand.objects.get(name="Nordic Socks")
    link = link_in_last_email()
    client = Client()
    assert client.get(link).status_code == 200

    accepted = client.post(link, {"password": STRONG_PASSWORD})

    assert accepted.status_code == 302
    membership = BrandMembership.objects.get(brand=brand)
    assert (membership.user.username, membership.role) == ("owner@nordic.test", "owner")
    assert BrandInvitation.objects.get().accepted_at is not None
    assert client.post(link, {"password": STRONG_PASSWORD}).status_code == 400


@pytest.mark.parametrize("role", [None, BrandRole.OWNER])
def test_only_ops_can_invite_a_brand(role: BrandRole | None) -> None:
    brand = factories.brand()
    user = factories.brand_member(of=brand, role=role) if role else factories.user()

    response = logged_in(user).post("/ops/brands/invite/", {"brand_name": "X",
                                                            "owner_email": "x@x.test"})

    assert response.status_code == 403
    assert Brand.objects.count() == 1


def test_owner_invites_a_member_with_a_role(django_capture_on_commit_callbacks) -> None:
    brand = factories.brand()
    owner = factories.brand_member(of=brand, role=BrandRole.OWNER)

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(owner).post("/brand/members/invite/",
                                         {"email": "viewer@acme.test", "role": "viewer"})

    assert response.status_code == 302
    client = Client()
    client.post(link_in_last_email(), {"password": STRONG_PASSWORD})
    member = BrandMembership.objects.get(user__username="viewer@acme.test")
    assert (member.brand_id, member.role) == (brand.pk, "viewer")


@pytest.mark.parametrize("role", [BrandRole.ADMIN, BrandRole.VIEWER])
def test_only_owners_invite_members(role: BrandRole) -> None:
    brand = factories.brand()
    member = factories.brand_member(of=brand, role=role)

    response = logged_in(member).post("/brand/members/invite/",
                                      {"email": "new@acme.test", "role": "admin"})

    assert response.status_code == 403
    assert (BrandInvitation.objects.count(), len(mail.outbox)) == (0, 0)


def test_invitation_for_another_email_is_refused_to_a_signed_in_user(now: datetime) -> None:
    brand = factories.brand()
    invitation = onboarding_services.brand_invitation_create(
        brand=brand,
        email="right@acme.test",
        role="admin",
        invited_by=None,
        now=now,
        base_url="http://testserver",
    )
    from marketplace.onboarding.services import invitation_token

    response = logged_in(factories.user(email="wrong@acme.test")).post(
        f"/invitations/{invitation_token(invitation)}/")

    assert response.status_code == 400
    assert "This invitation is for right@acme.test" in response.content.decode()
    assert BrandMembership.objects.count() == 0


def test_last_owner_can_be_neither_demoted_nor_removed() -> None:
    brand = factories.brand()
    owner = factories.brand_member(of=brand, role=BrandRole.OWNER)
    actor = BrandMembership.objects.get(user=owner)

    with pytest.raises(Conflict, match="last owner cannot be demoted"):
        onboarding_services.membership_change_role(
            actor=actor, membership_id=actor.pk, role=BrandRole.ADMIN
        )
    with pytest.raises(Conflict, match="last owner cannot be removed"):
        onboarding_services.membership_remove(actor=actor, membership_id=actor.pk)

    actor.refresh_from_db()
    assert actor.role == "owner"


def test_last_owner_refusal_is_shown_on_the_members_page() -> None:
    brand = factories.brand()
    owner = factories.brand_member(of=brand, role=BrandRole.OWNER)
    membership = BrandMembership.objects.get(user=owner)
    client = logged_in(owner)

    client.post(f"/brand/members/{membership.pk}/role/", {"role": "viewer"})
    page = client.get("/brand/members/")

    assert "The brand&#x27;s last owner cannot be demoted" in page.content.decode()
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_owner_changes_roles_and_removes_members_once_another_owner_exists() -> None:
    brand = factories.brand()
    first = BrandMembership.objects.get(user=factories.brand_member(of=brand, role=BrandRole.OWNER))
    second_user = factories.brand_member(of=brand, role=BrandRole.ADMIN)
    second = BrandMembership.objects.get(user=second_user)

    onboarding_services.membership_change_role(
        actor=first, membership_id=second.pk, role=BrandRole.OWNER
    )
    onboarding_services.membership_remove(actor=first, membership_id=first.pk)

    assert list(BrandMembership.objects.filter(brand=brand).values_list("role", flat=True)) == [
        "owner"]


def test_admins_cannot_manage_members() -> None:
    brand = factories.brand()
    factories.brand_member(of=brand, role=BrandRole.OWNER)
    admin = BrandMembership.objects.get(user=factories.brand_member(of=brand, role=BrandRole.ADMIN))

    with pytest.raises(PermissionDenied):
        onboarding_services.membership_change_role(
            actor=admin, membership_id=admin.pk, role=BrandRole.OWNER
        )

    admin.refresh_from_db()
    assert admin.role == "admin"


def test_owner_saves_billing_details_and_a_bad_vat_number_is_refused() -> None:
    brand = factories.brand()
    client = logged_in(factories.brand_member(of=brand, role=BrandRole.OWNER))

    saved = client.post("/brand/billing/", {"contact_name": "Ana", "billing_email":
                                            "ap@acme.test", "address": "1 Quay St",
                                            "vat_number": "ie 1234567t"})
    refused = client.post("/brand/billing/", {"contact_name": "Ana", "billing_email": "",
                                              "address": "", "vat_number": "12"})

    assert saved.status_code == 302
    assert refused.status_code == 400
    assert "Enter a VAT number starting with its country code" in refused.content.decode()
    brand.refresh_from_db()
    assert (brand.billing_contact_name, brand.billing_email, brand.vat_number) == (
        "Ana", "ap@acme.test", "IE1234567T")


@pytest.mark.parametrize("role", [BrandRole.ADMIN, BrandRole.VIEWER])
def test_billing_is_read_only_below_owner(role: BrandRole) -> None:
    brand = factories.brand()
    client = logged_in(factories.brand_member(of=brand, role=role))

    assert client.get("/brand/billing/").status_code == 200
    assert client.post("/brand/billing/", {"contact_name": "Mallory"}).status_code == 403
    brand.refresh_from_db()
    assert brand.billing_contact_name == ""


def api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_key_is_shown_once_and_refused_at_once_after_revoke() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    created = client.post("/brand/keys/create/", {"name": "Zendesk bridge",
                                                   "scopes": ["queues:read"]}, follow=True)
    raw_key = re.search(r'<code id="raw-key">(sl_\w+_[\w-]+)</code>', created.content.decode())
    assert raw_key is not None
    assert api(raw_key[1]).get("/api/v1/queues").status_code == 200
    listing = client.get("/brand/keys/").content.decode()
    assert raw_key[1] not in listing
    api_key = ApiKey.objects.get(name="Zendesk bridge")
    assert f"sl_{api_key.prefix}_…" in listing
    assert api_key.last_used_at is not None

    client.post(f"/brand/keys/{api_key.pk}/revoke/")

    assert api(raw_key[1]).get("/api/v1/queues").status_code == 401


def test_rotate_revokes_the_old_key_and_keeps_the_name(now: datetime) -> None:
    brand = factories.brand()
    owner = factories.brand_owner(of=brand)
    old, old_raw = access_services.api_key_create(brand=brand, actor=owner, name="Helpdesk",
                                                  scopes=["queues:read"])

    new, new_raw = access_services.api_key_rotate(api_key=old, actor=owner, now=now)

    old.refresh_from_db()
    assert (new.name, old.revoked_at, new.revoked_at) == ("Helpdesk", now, None)
    assert new.prefix != old.prefix
    assert api(old_raw).get("/api/v1/queues").status_code == 401
    assert api(new_raw).get("/api/v1/queues").status_code == 200
    with pytest.raises(Conflict):
        access_services.api_key_rotate(api_key=old, actor=owner, now=now)


def test_last_used_is_recorded_at_most_once_a_minute(now: datetime) -> None:
    brand = factories.brand()
    api_key, raw = access_services.api_key_create(
        brand=brand, actor=factories.brand_owner(of=brand), name="k")

    access_services.api_key_authenticate(raw_key=raw, now=now)
    access_services.api_key_authenticate(raw_key=raw, now=now + timedelta(seconds=30))
    api_key.refresh_from_db()
    first = api_key.last_used_at
    access_services.api_key_authenticate(raw_key=raw, now=now + timedelta(seconds=61))
    api_key.refresh_from_db()

    assert (first, api_key.last_used_at) == (now, now + timedelta(seconds=61))


@pytest.mark.parametrize("path", ["/brand/keys/create/", "/brand/keys/1/revoke/",
                                  "/brand/keys/1/rotate/"])
def test_viewers_cannot_touch_keys(path: str) -> None:
    brand = factories.brand()
    api_key, _ = access_services.api_key_create(
        brand=brand, actor=factories.brand_owner(of=brand), name="k")
    viewer = factories.brand_member(of=brand, role=BrandRole.VIEWER)

    response = logged_in(viewer).post(path.replace("/1/", f"/{api_key.pk}/"), {"name": "x"})

    assert response.status_code == 403
    assert "Only the brand&#x27;s owners and admins can manage API keys." in \
        response.content.decode()
    assert list(ApiKey.objects.values_list("name", "revoked_at")) == [("k", None)]


def test_another_brands_key_answers_404_on_revoke() -> None:
    theirs = factories.brand()
    api_key, _ = access_services.api_key_create(
        brand=theirs, actor=factories.brand_owner(of=theirs), name="theirs")
    admin = factories.brand_member(of=factories.brand(), role=BrandRole.ADMIN)

    assert logged_in(admin).post(f"/brand/keys/{api_key.pk}/revoke/").status_code == 404
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_nul_bytes_are_a_clear_400_not_a_server_error() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    client = logged_in(owner)

    signup = Client().post("/signup/", {"brand_name": "Acme\x00", "email": "n@acme.test",
                                        "password": STRONG_PASSWORD})
    billing = client.post("/brand/billing/", {"contact_name": "Ana\x00", "billing_email": "",
                                              "address": "", "vat_number": ""})

    assert (signup.status_code, billing.status_code) == (400, 400)
    assert Brand.objects.count() == 1


@pytest.mark.parametrize("role", [BrandRole.ADMIN, BrandRole.VIEWER])
@pytest.mark.parametrize("action", ["role", "remove"])
def test_only_owners_change_or_remove_members_on_the_page(role: BrandRole, action: str) -> None:
    brand = factories.brand()
    owner = BrandMembership.objects.get(user=factories.brand_member(of=brand,
                                                                    role=BrandRole.OWNER))
    member = factories.brand_member(of=brand, role=role)

    response = logged_in(member).post(f"/brand/members/{owner.pk}/{action}/", {"role": "viewer"})

    assert response.status_code == 403
    assert list(BrandMembership.objects.filter(brand=brand).order_by("id")
                .values_list("role", flat=True)) == ["owner", role.value]


def test_withdrawn_invitation_link_stops_working(now: datetime) -> None:
    brand = factories.brand()
    owner = factories.brand_member(of=brand, role=BrandRole.OWNER)
    viewer = factories.brand_member(of=brand, role=BrandRole.VIEWER)
    invitation = onboarding_services.brand_invitation_create(
        brand=brand,
        email="late@acme.test",
        role="admin",
        invited_by=owner,
        now=now,
        base_url="http://testserver",
    )
    from marketplace.onboarding.services import invitation_token
    link = f"/invitations/{invitation_token(invitation)}/"

    refused = logged_in(viewer).post(f"/brand/members/invitations/{invitation.pk}/cancel/")
    withdrawn = logged_in(owner).post(f"/brand/members/invitations/{invitation.pk}/cancel/")

    assert (refused.status_code, withdrawn.status_code) == (403, 302)
    assert Client().get(link).status_code == 404
    assert BrandInvitation.objects.count() == 0


def test_key_services_refuse_viewers_and_other_brands(now: datetime) -> None:
    brand = factories.brand()
    api_key, _ = access_services.api_key_create(
        brand=brand, actor=factories.brand_owner(of=brand), name="k")
    viewer = BrandMembership.objects.get(
        user=factories.brand_member(of=brand, role=BrandRole.VIEWER))
    stranger = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)

    for refused in (viewer, stranger):
        with pytest.raises(PermissionDenied) as created:
            access_services.api_key_create(brand=brand, actor=refused, name="mine")
        with pytest.raises(PermissionDenied):
            access_services.api_key_revoke(api_key=api_key, actor=refused, now=now)
        with pytest.raises(PermissionDenied):
            access_services.api_key_rotate(api_key=api_key, actor=refused, now=now)
        assert created.value.message == ("Only the brand's owners and admins can manage API "
                                         "keys.")

    assert list(ApiKey.objects.values_list("name", "revoked_at")) == [("k", None)]


@pytest.mark.parametrize("role", [BrandRole.ADMIN, BrandRole.VIEWER])
def test_only_owners_invite_through_the_service(role: BrandRole, now: datetime) -> None:
    brand = factories.brand()
    member = factories.brand_member(of=brand, role=role)

    with pytest.raises(PermissionDenied, match="Only owners manage members and billing"):
        onboarding_services.brand_invitation_create(
            brand=brand, email="new@acme.test", role="owner", invited_by=member, now=now,
            base_url="http://testserver")

    assert (BrandInvitation.objects.count(), len(mail.outbox)) == (0, 0)


@pytest.mark.parametrize("role", [BrandRole.ADMIN, BrandRole.VIEWER])
def test_only_owners_change_billing_through_the_service(role: BrandRole) -> None:
    brand = factories.brand()
    member = BrandMembership.objects.get(user=factories.brand_member(of=brand, role=role))

    with pytest.raises(PermissionDenied, match="Only owners change billing details"):
        onboarding_services.brand_billing_update(
            actor=member, contact_name="Mallory", email="", address="", vat_number="")

    brand.refresh_from_db()
    assert brand.billing_contact_name == ""
