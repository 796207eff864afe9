"""Reads about a user's second factors, and the one place that says who must, and who may,
sign in with one."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from marketplace.onboarding.models import BrandRole
from marketplace.onboarding.selectors import brand_membership_for_user

# Brand roles that are offered two-factor sign-in (viewers and experts are not asked).
OFFERED_BRAND_ROLES = (BrandRole.OWNER, BrandRole.ADMIN)


@dataclass(frozen=True)
class TwoFactorStatus:
    # An authenticator app is confirmed: sign-in asks for its code.
    enabled: bool
    # An app was added but its first code not yet entered (the QR code is still shown).
    pending: TOTPDevice | None
    # Unused recovery codes left.
    recovery_codes_left: int


def two_factor_enabled(*, user: User | AnonymousUser) -> bool:
    """Whether signing in as `user` takes a second factor (an app confirmed with a code)."""
    if not user.is_authenticated:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_status(*, user: User) -> TwoFactorStatus:
    return TwoFactorStatus(
        enabled=two_factor_enabled(user=user),
        pending=TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first(),
        recovery_codes_left=StaticToken.objects.filter(device__user=user,
                                                       device__confirmed=True).count(),
    )


def two_factor_required(user: User | AnonymousUser) -> bool:
    """Ops staff must verify a second factor before any page, when the setting is on
    (production); in development and tests the demo logins work with a password alone."""
    return bool(settings.SHIFTLINE_REQUIRE_2FA_FOR_OPS and user.is_authenticated
                and user.is_staff)


def two_factor_offered(user: User | AnonymousUser) -> bool:
    """Ops staff, and the owners and admins of a brand, see the Two-factor page in their menu."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    membership = brand_membership_for_user(user=user)
    return membership is not None and membership.role in OFFERED_BRAND_ROLES
