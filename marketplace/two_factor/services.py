"""Every write about second factors: adding an authenticator app, confirming it with its first
code, recovery codes, checking a code at sign-in, and turning two-factor off.

The devices are django-otp's (TOTP for the app, a static device for the recovery codes); codes
are checked through `django_otp.verify_token`, which locks the device row and applies
django-otp's throttling (each wrong code doubles the wait before the next try) and refuses a
TOTP code that was already used."""

import re

import django_otp
from django.contrib.auth.models import User
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# An authenticator app shows six digits (often as "123 456"); anything else is a recovery code.
APP_CODE = re.compile(r"^\d{6}$")


def normalized_code(raw: str) -> str:
    """The code as typed, without the spaces and dashes people copy with it."""
    return re.sub(r"[\s-]", "", raw).lower()


def two_factor_enrolment_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator app with a fresh secret; an earlier unconfirmed one is
    dropped (its QR code was never confirmed). A confirmed app keeps working until the new one
    is confirmed."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def two_factor_enrolment_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirms the pending app with a code it shows, replacing any earlier app, and issues new
    recovery codes (returned once, to be shown once). None, and nothing confirmed, when the code
    is wrong or there is no pending app."""
    code = normalized_code(token)
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if pending is None or not APP_CODE.match(code):
        return None
    if django_otp.verify_token(user, pending.persistent_id, code) is None:
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        TOTPDevice.objects.filter(pk=pending.pk).update(confirmed=True)
        codes = two_factor_recovery_codes_renew(user=user)
    pending.refresh_from_db()
    return pending, codes


def two_factor_recovery_codes_renew(*, user: User) -> list[str]:
    """Replaces the user's recovery codes with new ones; the old ones stop working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_check(*, user: User, token: str) -> Device | None:
    """The device that accepts `token` at sign-in: the authenticator app for six digits, else
    the recovery codes (a recovery code is used up). None when neither accepts it."""
    code = normalized_code(token)
    model: type[Device] = TOTPDevice if APP_CODE.match(code) else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).order_by("-id").first()
    if device is None:
        return None
    return django_otp.verify_token(user, device.persistent_id, code)


def two_factor_disable(*, user: User, password: str, token: str) -> bool:
    """Turns two-factor off (the app and the recovery codes) when the password and a current
    code are both right; False, and nothing changed, otherwise."""
    if not user.check_password(password):
        return False
    if two_factor_check(user=user, token=token) is None:
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    return True
