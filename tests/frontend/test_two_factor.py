"""Two-factor sign-in: adding an authenticator app (confirmed with a code it shows), the second
login step, single-use recovery codes, turning it off, and the requirement for ops staff that
the `SHIFTLINE_REQUIRE_2FA_FOR_OPS` setting switches on."""

import re
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from marketplace.onboarding.models import BrandRole
from marketplace.two_factor.services import (
    RECOVERY_CODE_COUNT,
    two_factor_enrolment_confirm,
    two_factor_enrolment_start,
)
from tests import factories

pytestmark = pytest.mark.django_db


def app_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the user's app shows now (or `steps_ahead` periods later: a code is accepted
    once, and the one just used to confirm the app is spent)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user: User) -> tuple[TOTPDevice, list[str]]:
    pending = two_factor_enrolment_start(user=user)
    confirmed = two_factor_enrolment_confirm(user=user, token=app_code(pending))
    assert confirmed is not None
    return confirmed


def wrong_code(device: TOTPDevice) -> str:
    """Six digits the app shows at none of the steps it accepts now (one either side)."""
    accepted = {app_code(device, steps_ahead=steps) for steps in (-1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444")
                if code not in accepted)


def password_step(client: Client, user: User, **extra: str) -> Any:
    return client.post("/accounts/login/", {"username": user.username,
                                            "password": factories.PASSWORD, **extra})


def test_an_owner_adds_an_app_with_a_code_it_shows_and_sees_the_recovery_codes_once() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    client = Client()
    client.force_login(owner)

    before = client.get("/accounts/two-factor/").content.decode()
    started = client.post("/accounts/two-factor/start/")
    enrol_page = client.get("/accounts/two-factor/").content.decode()
    device = TOTPDevice.objects.get(user=owner)
    confirmed = client.post("/accounts/two-factor/confirm/", {"code": app_code(device)})
    codes_page = client.get("/accounts/two-factor/recovery-codes/")
    again = client.get("/accounts/two-factor/recovery-codes/")

    assert "<strong>Off.</strong>" in before
    assert started.status_code == 302
    assert "<svg" in enrol_page and "QR code for your authenticator app" in enrol_page
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', enrol_page)
    assert secret is not None and len(secret.group(1).replace(" ", "")) == 32
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/accounts/two-factor/recovery-codes/"
    device.refresh_from_db()
    assert device.confirmed is True
    stored = set(StaticToken.objects.filter(device__user=owner).values_list("token", flat=True))
    shown = set(re.findall(r"<code>([a-z2-7]+)</code>", codes_page.content.decode()))
    assert len(stored) == RECOVERY_CODE_COUNT and shown == stored
    assert again.status_code == 302 and again["Location"] == "/accounts/two-factor/"
    # The session that confirmed the app counts as verified.
    assert client.get("/brand/").status_code == 200


def test_a_wrong_code_does_not_turn_two_factor_on() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    client = Client()
    client.force_login(owner)
    client.post("/accounts/two-factor/start/")
    device = TOTPDevice.objects.get(user=owner)
    response = client.post("/accounts/two-factor/confirm/", {"code": wrong_code(device)})

    assert response.status_code == 400
    assert "That code did not match" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert not StaticDevice.objects.filter(user=owner).exists()


def test_without_an_app_the_password_alone_logs_in() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    client = Client()

    response = password_step(client, owner)

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/brand/").status_code == 200


def test_with_an_app_the_password_is_not_enough_and_a_wrong_code_is_refused() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    device, _ = enrolled(owner)
    client = Client()

    response = password_step(client, owner)
    before_code = client.get("/brand/")
    wrong = client.post("/accounts/login/verify/", {"code": wrong_code(device)})
    after_wrong = client.get("/brand/")

    assert response.status_code == 302 and response["Location"] == "/accounts/login/verify/"
    assert before_code.status_code == 302
    assert before_code["Location"].startswith("/accounts/login/")
    assert wrong.status_code == 400
    assert "That code did not match" in wrong.content.decode()
    assert after_wrong.status_code == 302
    assert after_wrong["Location"].startswith("/accounts/login/")


def test_the_right_code_logs_in_verified_and_goes_where_the_login_was_asked_to() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    device, _ = enrolled(owner)
    client = Client()

    password_step(client, owner, next="/brand/queues/")
    response = client.post("/accounts/login/verify/",
                           {"code": app_code(device, steps_ahead=1)})

    assert response.status_code == 302 and response["Location"] == "/brand/queues/"
    assert client.get("/brand/queues/").status_code == 200
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_recovery_code_signs_in_once() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    _, codes = enrolled(owner)
    first, second = Client(), Client()

    password_step(first, owner)
    used = first.post("/accounts/login/verify/", {"code": codes[0].upper()})
    password_step(second, owner)
    reused = second.post("/accounts/login/verify/", {"code": codes[0]})

    assert used.status_code == 302 and used["Location"] == "/"
    assert first.get("/brand/").status_code == 200
    assert reused.status_code == 400
    assert second.get("/brand/").status_code == 302
    assert StaticToken.objects.filter(device__user=owner).count() == RECOVERY_CODE_COUNT - 1


def test_the_code_step_without_a_password_step_goes_back_to_the_login() -> None:
    response = Client().post("/accounts/login/verify/", {"code": "123456"})

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_a_session_that_passed_only_the_password_must_verify_before_any_page() -> None:
    """Such as a session signed in before the app was added, or through another login form."""
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    device, _ = enrolled(owner)
    client = Client()
    client.force_login(owner)

    page = client.get("/brand/keys/")
    api = client.get("/api/v1/inquiries")
    verify_page = client.get(page["Location"])
    verified = client.post("/accounts/login/verify/?next=/brand/keys/",
                           {"code": app_code(device, steps_ahead=1)})

    assert page.status_code == 302
    assert page["Location"] == "/accounts/login/verify/?next=%2Fbrand%2Fkeys%2F"
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    assert verify_page.status_code == 200
    assert verified.status_code == 302 and verified["Location"] == "/brand/keys/"
    assert client.get("/brand/keys/").status_code == 200


@override_settings(SHIFTLINE_REQUIRE_2FA_FOR_OPS=True)
def test_when_required_ops_staff_set_up_an_app_before_any_ops_page_or_the_admin() -> None:
    ops = factories.user(is_staff=True)
    client = Client()
    client.force_login(ops)

    console = client.get("/ops/")
    admin = client.get("/admin/")
    settings_page = client.get("/accounts/two-factor/")
    client.post("/accounts/two-factor/start/")
    device = TOTPDevice.objects.get(user=ops)
    client.post("/accounts/two-factor/confirm/", {"code": app_code(device)})

    assert console.status_code == 302
    assert console["Location"] == "/accounts/two-factor/?next=%2Fops%2F"
    assert admin.status_code == 302 and admin["Location"].startswith("/accounts/two-factor/")
    assert settings_page.status_code == 200
    assert "Ops staff must turn it on" in settings_page.content.decode()
    assert client.get("/ops/").status_code == 200


@override_settings(SHIFTLINE_REQUIRE_2FA_FOR_OPS=False)
def test_when_not_required_ops_staff_sign_in_with_a_password_alone() -> None:
    ops = factories.user(is_staff=True)
    client = Client()

    password_step(client, ops)

    assert client.get("/ops/").status_code == 200


@override_settings(SHIFTLINE_REQUIRE_2FA_FOR_OPS=True)
def test_the_requirement_is_for_ops_staff_only() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    client = Client()
    client.force_login(owner)

    assert client.get("/brand/").status_code == 200


def test_turning_it_off_takes_the_password_and_a_code() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    _, codes = enrolled(owner)
    client = Client()
    password_step(client, owner)
    client.post("/accounts/login/verify/", {"code": codes[0]})

    refused = client.post("/accounts/two-factor/disable/",
                          {"password": "wrong password", "code": codes[1]})
    still_on = TOTPDevice.objects.filter(user=owner, confirmed=True).exists()
    done = client.post("/accounts/two-factor/disable/",
                       {"password": factories.PASSWORD, "code": codes[1]})

    assert refused.status_code == 400
    assert "did not match" in refused.content.decode()
    assert still_on is True
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert not StaticDevice.objects.filter(user=owner).exists()


def test_new_recovery_codes_replace_the_old_ones() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    _, old_codes = enrolled(owner)
    client = Client()
    password_step(client, owner)
    client.post("/accounts/login/verify/", {"code": old_codes[0]})

    response = client.post("/accounts/two-factor/recovery-codes/renew/")
    shown = re.findall(r"<code>([a-z2-7]+)</code>",
                       client.get(response["Location"]).content.decode())

    assert len(shown) == RECOVERY_CODE_COUNT
    stored = set(StaticToken.objects.filter(device__user=owner).values_list("token", flat=True))
    assert stored == set(shown)
    assert not stored & set(old_codes)


@pytest.mark.parametrize(("role", "offered"), [
    (BrandRole.OWNER, True), (BrandRole.ADMIN, True), (BrandRole.VIEWER, False)])
def test_brand_owners_and_admins_are_offered_two_factor_and_viewers_are_not(
    role: BrandRole, offered: bool
) -> None:
    member = factories.brand_member(of=factories.brand(), role=role)
    client = Client()
    client.force_login(member)

    console = client.get("/brand/").content.decode()
    page = client.get("/accounts/two-factor/")

    assert ('href="/accounts/two-factor/"' in console) is offered
    assert page.status_code == (200 if offered else 403)


def test_ops_staff_see_the_two_factor_link() -> None:
    client = Client()
    client.force_login(factories.user(is_staff=True))

    assert 'href="/accounts/two-factor/"' in client.get("/ops/").content.decode()


def test_the_admin_signs_in_through_the_site_login() -> None:
    response = Client().get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_the_admin_lists_devices_but_never_shows_their_secrets() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    device, _ = enrolled(owner)
    superuser = factories.user(is_staff=True)
    User.objects.filter(pk=superuser.pk).update(is_superuser=True)
    client = Client()
    client.force_login(superuser)

    listing = client.get("/admin/otp_totp/totpdevice/")
    change = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    config = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/")
    qrcode = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/")

    assert listing.status_code == 200 and owner.username in listing.content.decode()
    assert change.status_code == 200 and device.key not in change.content.decode()
    assert config.status_code == 403
    assert qrcode.status_code == 403
