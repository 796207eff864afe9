"""The site's sockets ask for the second factor as its pages do: a session that passed only the
password of a user with an authenticator app (or of ops staff while it is required) cannot open
one; the same user's verified session can."""

import time

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from marketplace.onboarding.models import BrandMembership, BrandRole
from marketplace.two_factor.services import two_factor_enrolment_confirm, two_factor_enrolment_start
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def socket_opens(client: Client, path: str = "/ws/brand/") -> bool:
    from marketplace.asgi import application

    headers = [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
               (b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]

    async def scenario() -> bool:
        connection = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await connection.connect(timeout=10)
        if connected:
            await connection.disconnect()
        return connected

    return async_to_sync(scenario)()


def test_a_session_short_of_its_second_factor_opens_no_socket_and_a_verified_one_does() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    pending = two_factor_enrolment_start(user=owner)
    confirmed = two_factor_enrolment_confirm(user=owner, token=code(pending))
    assert confirmed is not None
    device = confirmed[0]
    password_only, verified = Client(), Client()
    password_only.force_login(owner)
    verified.post("/accounts/login/", {"username": owner.username,
                                       "password": factories.PASSWORD})
    verified.post("/accounts/login/verify/", {"code": code(device, steps_ahead=1)})

    assert socket_opens(password_only) is False
    assert socket_opens(verified) is True


def test_without_an_app_the_password_session_opens_its_socket() -> None:
    client = Client()
    client.force_login(factories.brand_member(of=factories.brand(), role=BrandRole.OWNER))

    assert socket_opens(client) is True


@pytest.mark.parametrize("required", [True, False])
def test_an_unverified_ops_session_opens_no_socket_while_it_is_required(required: bool) -> None:
    """(An ops user who is also a brand's member, so the brand socket would take them.)"""
    ops = factories.user(is_staff=True)
    BrandMembership.objects.create(brand=factories.brand(), user=ops, role=BrandRole.VIEWER)
    client = Client()
    client.force_login(ops)

    with override_settings(SHIFTLINE_REQUIRE_2FA_FOR_OPS=required):
        assert socket_opens(client) is not required
