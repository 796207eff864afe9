"""The brand audit log: keys, members, queues, channels and billing changes, who and when,
append-only like the vetting trail, and visible to owners only."""

import json
from datetime import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from marketplace.access import services as access_services
from marketplace.models import Brand, BrandMembership, BrandRole
from marketplace.onboarding import services as onboarding_services
from marketplace.onboarding.models import AuditTrailIsAppendOnly, BrandAuditAction, BrandAuditEvent
from marketplace.queues import services as queues_services
from tests import factories

pytestmark = pytest.mark.django_db


def owner_of(brand: Brand) -> BrandMembership:
    return factories.brand_owner(of=brand)


def events(brand: Brand) -> list[tuple[str, str, str]]:
    return [(event.action, event.actor_label, event.target) for event in
            BrandAuditEvent.objects.filter(brand=brand).order_by("id")]


def test_key_changes_are_logged_with_who_and_no_secret(now: datetime) -> None:
    brand = factories.brand()
    owner = owner_of(brand)

    key, raw = access_services.api_key_create(brand=brand, actor=owner, name="Helpdesk")
    successor, new_raw = access_services.api_key_rotate(api_key=key, actor=owner, now=now)
    access_services.api_key_revoke(api_key=successor, actor=owner, now=now)
    access_services.api_key_revoke(api_key=successor, actor=owner, now=now)

    email = owner.user.email
    assert events(brand) == [
        (BrandAuditAction.KEY_CREATED, email, f"API key Helpdesk ({key.prefix}…)"),
        (BrandAuditAction.KEY_ROTATED, email, f"API key Helpdesk ({key.prefix}…)"),
        (BrandAuditAction.KEY_CREATED, email, f"API key Helpdesk ({successor.prefix}…)"),
        (BrandAuditAction.KEY_REVOKED, email, f"API key Helpdesk ({successor.prefix}…)"),
    ]
    stored = json.dumps(list(BrandAuditEvent.objects.values()), default=str)
    assert raw not in stored and new_raw not in stored
    assert key.hashed_key not in stored


def test_member_changes_are_logged(now: datetime) -> None:
    brand = factories.brand()
    owner = owner_of(brand)
    member = BrandMembership.objects.get(user=factories.brand_member(of=brand,
                                                                     role=BrandRole.VIEWER))

    invitation = onboarding_services.brand_invitation_create(
        brand=brand, email="New@Acme.test", role="admin", invited_by=owner.user, now=now,
        base_url="http://testserver")
    onboarding_services.brand_invitation_cancel(actor=owner, invitation_id=invitation.pk)
    onboarding_services.membership_change_role(actor=owner, membership_id=member.pk,
                                               role=BrandRole.ADMIN)
    onboarding_services.membership_remove(actor=owner, membership_id=member.pk)

    logged = list(BrandAuditEvent.objects.filter(brand=brand).order_by("id"))
    assert [(event.action, event.target, event.changes) for event in logged] == [
        (BrandAuditAction.MEMBER_INVITED, "Invitation to new@acme.test",
         {"role": {"after": "admin"}}),
        (BrandAuditAction.INVITATION_CANCELLED, "Invitation to new@acme.test", {}),
        (BrandAuditAction.MEMBER_ROLE_CHANGED, f"Member {member.user.email}",
         {"role": {"before": "viewer", "after": "admin"}}),
        (BrandAuditAction.MEMBER_REMOVED, f"Member {member.user.email}",
         {"role": {"before": "admin"}}),
    ]
    assert {event.actor_user_id for event in logged} == {owner.user_id}


def test_an_accepted_invitation_is_logged_as_the_new_member(now: datetime) -> None:
    brand = factories.brand()
    invitation = onboarding_services.brand_invitation_create(
        brand=brand, email="joiner@acme.test", role="viewer", invited_by=None, now=now,
        base_url="http://testserver")

    membership = onboarding_services.brand_invitation_accept(
        token=onboarding_services.invitation_token(invitation), user=None,
        password=factories.PASSWORD, now=now)

    assert events(brand) == [
        (BrandAuditAction.MEMBER_INVITED, "Shiftline", "Invitation to joiner@acme.test"),
        (BrandAuditAction.MEMBER_JOINED, "joiner@acme.test", "Member joiner@acme.test"),
    ]
    assert BrandAuditEvent.objects.get(
        action=BrandAuditAction.MEMBER_JOINED).actor_user_id == membership.user_id


def test_setting_the_same_role_again_logs_nothing() -> None:
    brand = factories.brand()
    owner = owner_of(brand)
    member = BrandMembership.objects.get(user=factories.brand_member(of=brand,
                                                                     role=BrandRole.VIEWER))

    onboarding_services.membership_change_role(actor=owner, membership_id=member.pk,
                                               role=BrandRole.VIEWER)

    assert events(brand) == []


def test_billing_changes_are_logged_with_before_and_after() -> None:
    brand = factories.brand()
    owner = owner_of(brand)

    onboarding_services.brand_billing_update(actor=owner, contact_name="Ana", email="",
                                             address="", vat_number="IE1234567T")
    onboarding_services.brand_billing_update(actor=owner, contact_name="Ana", email="",
                                             address="", vat_number="IE1234567T")

    assert [(event.action, event.changes) for event in BrandAuditEvent.objects.all()] == [
        (BrandAuditAction.BILLING_DETAILS_CHANGED,
         {"billing_contact_name": {"before": "", "after": "Ana"},
          "vat_number": {"before": "", "after": "IE1234567T"}}),
    ]


def test_queue_and_channel_changes_are_logged_without_secrets(now: datetime) -> None:
    queue = factories.queue()
    owner = owner_of(queue.brand)
    secret, token = queue.webhook_secret, queue.inbound_email_token

    queues_services.queue_configure(queue=queue, actor=owner,
                                    changes={"resolve_after_hours": 12, "retention_days": 30})
    queues_services.queue_configure(queue=queue, actor=owner, changes={"retention_days": 30})
    macro = queues_services.macro_save(queue=queue, name="Hi", body="Hello", now=now,
                                       actor=owner)
    queues_services.macro_delete(queue=queue, macro_id=macro.pk, actor=owner)
    new_secret = queues_services.queue_rotate_webhook_secret(queue=queue, membership=owner)
    new_token = queues_services.queue_rotate_inbound_email_token(queue=queue, membership=owner)
    queues_services.queue_set_outbound_webhook(
        queue=queue, membership=owner, url="https://desk.example/hooks/s3cr3t-path?token=abc")

    logged = list(BrandAuditEvent.objects.filter(brand=queue.brand).order_by("id"))
    assert [(event.action, event.changes) for event in logged] == [
        (BrandAuditAction.QUEUE_SETTINGS_CHANGED,
         {"resolve_after_hours": {"before": 48, "after": 12},
          "retention_days": {"before": None, "after": 30}}),
        (BrandAuditAction.MACRO_CREATED, {"name": {"after": "Hi"}}),
        (BrandAuditAction.MACRO_DELETED, {}),
        (BrandAuditAction.WEBHOOK_SECRET_ROTATED, {}),
        (BrandAuditAction.INBOUND_ADDRESS_ROTATED, {}),
        (BrandAuditAction.OUTBOUND_WEBHOOK_CHANGED,
         {"outbound_webhook_url": {"before": "", "after": "https://desk.example/…"}}),
    ]
    assert {event.target for event in logged[:1]} == {f"Queue {queue.name} (#{queue.pk})"}
    stored = json.dumps(list(BrandAuditEvent.objects.values()), default=str)
    for secret_value in (secret, token, new_secret, new_token, "s3cr3t-path", "token=abc"):
        assert secret_value not in stored


def test_the_api_names_the_key_that_made_the_change() -> None:
    brand = factories.brand()
    raw = factories.api_key(of=brand)
    client = Client(headers={"authorization": f"Bearer {raw}"})

    response = client.post("/api/v1/queues", {
        "name": "Weekend", "time_zone": "Europe/Dublin"}, content_type="application/json")

    assert response.status_code == 201
    created = BrandAuditEvent.objects.get(action=BrandAuditAction.QUEUE_CREATED)
    assert created.actor_label == f"API key test key ({raw.split('_')[1]}…)"
    assert created.actor_api_key is not None
    assert (created.actor_user_id, created.actor_api_key.prefix) == (None, raw.split("_")[1])
    assert created.changes["name"] == {"before": None, "after": "Weekend"}
    assert created.changes["time_zone"] == {"before": None, "after": "Europe/Dublin"}


def test_the_log_refuses_changes_in_the_model_and_in_the_database() -> None:
    brand = factories.brand()
    access_services.api_key_create(brand=brand, actor=owner_of(brand), name="Helpdesk")
    event = BrandAuditEvent.objects.get()

    event.target = "Rewritten"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        BrandAuditEvent.objects.filter(pk=event.pk).update(target="Rewritten")
    with pytest.raises(AuditTrailIsAppendOnly):
        BrandAuditEvent.objects.filter(pk=event.pk).delete()
    table = BrandAuditEvent._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET target = 'Rewritten' WHERE id = %s",  # noqa: S608
                       [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic():
        brand.delete()

    assert BrandAuditEvent.objects.get().target.startswith("API key Helpdesk")


def _logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_owners_read_the_log_newest_first_filtered_by_action() -> None:
    brand = factories.brand()
    owner = owner_of(brand)
    access_services.api_key_create(brand=brand, actor=owner, name="First")
    onboarding_services.brand_billing_update(actor=owner, contact_name="Ana", email="",
                                             address="", vat_number="")
    other_brand = factories.brand()
    access_services.api_key_create(brand=other_brand, actor=owner_of(other_brand),
                                   name="Elsewhere")

    page = _logged_in(owner.user).get("/brand/audit-log/").content.decode()
    filtered = _logged_in(owner.user).get("/brand/audit-log/?action=key.created")

    assert page.index("<strong>Billing details changed</strong>") < \
        page.index("<strong>API key created</strong>")
    assert "contact name: — → Ana" in page
    assert "Elsewhere" not in page
    assert filtered.status_code == 200
    assert "API key First" in filtered.content.decode()
    assert "Billing details changed</strong>" not in filtered.content.decode()


def test_the_log_pages_and_says_when_it_is_empty() -> None:
    brand = factories.brand()
    owner = owner_of(brand)
    client = _logged_in(owner.user)

    empty = client.get("/brand/audit-log/").content.decode()
    for number in range(30):
        access_services.api_key_create(brand=brand, actor=owner, name=f"Key {number}")
    first = client.get("/brand/audit-log/").content.decode()
    second = client.get("/brand/audit-log/?page=2").content.decode()
    none_of_these = client.get("/brand/audit-log/?action=member.removed").content.decode()

    assert "Nothing has been changed yet." in empty
    assert "API key Key 29" in first and "API key Key 4 " not in first
    assert "Page 1 of 2" in first
    assert "API key Key 4 " in second and "API key Key 29" not in second
    assert "No entries for this action." in none_of_these


@pytest.mark.parametrize("role", [BrandRole.ADMIN, BrandRole.VIEWER])
def test_only_owners_see_the_log(role: BrandRole) -> None:
    brand = factories.brand()
    access_services.api_key_create(brand=brand, actor=owner_of(brand), name="Secretive")

    response = _logged_in(factories.brand_member(of=brand, role=role)).get("/brand/audit-log/")

    assert response.status_code == 403
    assert "Secretive" not in response.content.decode()
