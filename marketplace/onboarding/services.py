"""Brand onboarding and people: sign-up with email verification, ops invitations, member
invitations with a role, role changes and removals (never leaving a brand without an owner),
and billing details.

Links in emails carry tokens signed with the project's secret (`django.core.signing`), so no
token is stored; the invitation row records whether it was accepted, the brand when its
sign-up was confirmed.
"""


from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.text import slugify

from marketplace.infra.accounts import existing_account_notice_on_commit
from marketplace.infra.errors import Conflict, DomainError, FieldErrors, NotFound, PermissionDenied
from marketplace.onboarding.audit import audit_changes, brand_audit_record
from marketplace.onboarding.models import (
    Brand,
    BrandAuditAction,
    BrandInvitation,
    BrandMembership,
    BrandRole,
)
from marketplace.onboarding.policy import (
    require_brand_can_manage_billing,
    require_brand_can_manage_people,
)

SIGNUP_SALT = "shiftline.brand-signup"


INVITATION_SALT = "shiftline.brand-invitation"


TOKEN_MAX_AGE = timedelta(days=7)


VAT_NUMBER_MAX_LENGTH = 20


def _normalize_email(email: str, field: str = "email") -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise FieldErrors({field: ["Enter a valid email address."]}) from error
    return email


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise FieldErrors({"password": list(error.messages)}) from error


def _send_on_commit(subject: str, body: str, to: str) -> None:
    transaction.on_commit(lambda: send_mail(subject, body, None, [to], fail_silently=False))


def _unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "brand"
    slug, number = base, 1
    while Brand.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _check_brand_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise FieldErrors({"brand_name": ["Give the brand a name of 1 to 200 characters."]})
    return name


def _checked_all_at_once(brand_name_check: Callable[[], str], email_check: Callable[[], str],
                         password_check: Callable[[], None]) -> tuple[str, str]:
    """Runs every check of a sign-up and refuses with all their messages together, so a
    person fixes the whole form in one go."""
    errors: dict[str, list[str]] = {}
    results: list[str] = []
    for check in (brand_name_check, email_check, password_check):
        try:
            results.append(check() or "")
        except FieldErrors as error:
            errors.update(error.errors)
    if errors:
        raise FieldErrors(errors)
    return results[0], results[1]


def _email_is_taken(email: str) -> bool:
    return get_user_model().objects.filter(username__iexact=email).exists()


def brand_signup(*, brand_name: str, email: str, password: str, base_url: str) -> Brand | None:
    """Creates the brand, its owner as an inactive user and sends the verification link; the
    owner can sign in once the link is opened. For an email that already has an account nothing
    is created and its holder is emailed instead (None): the page answers the same either way,
    so nobody learns who has an account. Invalid input is refused before the email is looked
    up, for the same reason."""
    brand_name, email = _checked_all_at_once(
        lambda: _check_brand_name(brand_name), lambda: _normalize_email(email),
        lambda: _check_password(password))
    if _email_is_taken(email):
        existing_account_notice_on_commit(email=email, site_url=base_url,
                                          attempted="sign up a brand")
        return None
    try:
        with transaction.atomic():
            owner = get_user_model().objects.create_user(
                username=email, email=email, password=password, is_active=False
            )
            brand = Brand.objects.create(name=brand_name, slug=_unique_slug(brand_name))
            BrandMembership.objects.create(brand=brand, user=owner, role=BrandRole.OWNER)
            token = signing.dumps({"user": owner.pk}, salt=SIGNUP_SALT)
            link = base_url + reverse("signup_verify", args=[token])
            _send_on_commit(
                f"Confirm your email for {brand_name} on Shiftline",
                f"Welcome to Shiftline. Open this link to confirm your email and start "
                f"configuring {brand_name}'s overflow queue:\n\n{link}\n\n"
                f"The link works for {TOKEN_MAX_AGE.days} days.",
                email,
            )
    except IntegrityError:
        # The same email signed up at this very moment: it is an existing account now.
        existing_account_notice_on_commit(email=email, site_url=base_url,
                                          attempted="sign up a brand")
        return None
    return brand


def brand_signup_verify(*, token: str, now: datetime) -> User:
    """Confirms the email of the owner who signed the brand up and activates their account.
    The link works once: a second use is a `Conflict`, even for the same person. It proves the
    email, not the person, so it signs nobody in: the owner logs in with their password (a
    link forwarded or scanned by a mail filter must not open the brand's console)."""
    try:
        payload = signing.loads(token, salt=SIGNUP_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as error:
        raise DomainError("This link has expired; sign up again.", code="expired") from error
    except signing.BadSignature as error:
        raise NotFound("This link is not valid.") from error
    user = get_user_model().objects.filter(pk=payload.get("user")).first()
    if user is None:
        raise NotFound("This link is not valid.")
    with transaction.atomic():
        confirmed = Brand.objects.filter(
            memberships__user=user, memberships__role=BrandRole.OWNER,
            signup_confirmed_at__isnull=True,
        ).update(signup_confirmed_at=now)
        if not confirmed:
            raise Conflict("This link was already used: your email is confirmed. Log in with "
                           "your password.", code="link_used")
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
    return user


def invitation_token(invitation: BrandInvitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def brand_invitation_create(
    *, brand: Brand, email: str, role: str, invited_by: User | None, now: datetime,
    base_url: str,
) -> BrandInvitation:
    """Emails an invitation link. One open invitation per email and brand: inviting again
    replaces the role and sends a fresh link. Without `invited_by`, or by ops staff, Shiftline
    itself invites; a brand's own people invite only if they may manage its people."""
    if invited_by is not None and not invited_by.is_staff:
        require_brand_can_manage_people(invited_by, brand)
    email = _normalize_email(email)
    if role not in BrandRole.values:
        raise FieldErrors({"role": [f"Choose one of: {', '.join(BrandRole.values)}."]})
    if BrandMembership.objects.filter(brand=brand, user__username__iexact=email).exists():
        raise FieldErrors({"email": ["This person is already a member of the brand."]})
    try:
        with transaction.atomic():
            invitation, _ = BrandInvitation.objects.update_or_create(
                brand=brand, email=email, accepted_at=None,
                defaults={"role": role, "invited_by": invited_by, "created_at": now},
            )
            brand_audit_record(brand=brand, actor=invited_by, now=now,
                               action=BrandAuditAction.MEMBER_INVITED,
                               target=f"Invitation to {email}",
                               changes={"role": {"after": role}})
    except IntegrityError as error:
        raise Conflict(f"An invitation to {email} was sent at this very moment; "
                       "reload the page.") from error
    link = base_url + reverse("invitation_accept", args=[invitation_token(invitation)])
    inviter = invited_by.email if invited_by and invited_by.email else "Shiftline"
    _send_on_commit(
        f"You are invited to {brand.name} on Shiftline",
        f"{inviter} invited you to join {brand.name} on Shiftline as "
        f"{BrandRole(role).label.lower()}.\n\nAccept here:\n\n{link}\n\n"
        f"The link works for {TOKEN_MAX_AGE.days} days.",
        email,
    )
    return invitation


def brand_invite_by_ops(
    *, brand_name: str, owner_email: str, invited_by: User, now: datetime, base_url: str
) -> BrandInvitation:
    """Ops creates a brand and invites its first owner."""
    brand_name = _check_brand_name(brand_name)
    owner_email = _normalize_email(owner_email, "owner_email")
    with transaction.atomic():
        brand = Brand.objects.create(name=brand_name, slug=_unique_slug(brand_name))
        return brand_invitation_create(brand=brand, email=owner_email, role=BrandRole.OWNER,
                                       invited_by=invited_by, now=now, base_url=base_url)


def brand_invitation_from_token(*, token: str) -> BrandInvitation:
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as error:
        raise DomainError("This invitation has expired; ask for a new one.",
                          code="expired") from error
    except signing.BadSignature as error:
        raise NotFound("This invitation link is not valid.") from error
    invitation = (BrandInvitation.objects.select_related("brand")
                  .filter(pk=payload.get("invitation")).first())
    if invitation is None:
        raise NotFound("This invitation no longer exists.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted; sign in instead.")
    return invitation


def brand_invitation_accept(
    *, token: str, user: User | None, password: str, now: datetime
) -> BrandMembership:
    """Accepts an invitation. A signed-in user whose email matches is linked; without a
    signed-in user, an account is created for the invited email with `password` (the link
    itself proves the email). A person belongs to one brand."""
    invitation = brand_invitation_from_token(token=token)
    with transaction.atomic():
        invitation = BrandInvitation.objects.select_for_update().select_related("brand").get(
            pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise Conflict("This invitation was already accepted; sign in instead.")
        if user is not None and user.is_authenticated:
            if user.email.lower() != invitation.email:
                raise PermissionDenied(
                    f"This invitation is for {invitation.email}; sign out and open the link "
                    "again, or sign in as that address.")
            member = user
        else:
            existing = get_user_model().objects.filter(username__iexact=invitation.email).first()
            if existing is not None:
                raise Conflict("An account with this email exists; sign in first, then open "
                               "the link again.")
            _check_password(password)
            member = get_user_model().objects.create_user(
                username=invitation.email, email=invitation.email, password=password)
        if BrandMembership.objects.filter(user=member).exclude(brand=invitation.brand).exists():
            raise Conflict("This account already belongs to another brand.")
        membership, _ = BrandMembership.objects.get_or_create(
            brand=invitation.brand, user=member, defaults={"role": invitation.role})
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        brand_audit_record(brand=invitation.brand, actor=member, now=now,
                           action=BrandAuditAction.MEMBER_JOINED,
                           target=f"Member {member.email}",
                           changes={"role": {"after": membership.role}})
    return membership


def brand_invitation_cancel(*, actor: BrandMembership, invitation_id: int) -> None:
    """Withdraws an open invitation: its link stops working at once."""
    require_brand_can_manage_people(actor, actor.brand)
    with transaction.atomic():
        invitation = BrandInvitation.objects.select_for_update().filter(
            brand=actor.brand, pk=invitation_id, accepted_at__isnull=True).first()
        if invitation is None:
            raise NotFound("No such open invitation in this brand.")
        invitation.delete()
        brand_audit_record(brand=actor.brand, actor=actor,
                           action=BrandAuditAction.INVITATION_CANCELLED,
                           target=f"Invitation to {invitation.email}")


def _locked_members(brand: Brand) -> list[BrandMembership]:
    return list(BrandMembership.objects.select_for_update().filter(brand=brand).order_by("id"))


def membership_change_role(
    *, actor: BrandMembership, membership_id: int, role: str
) -> BrandMembership:
    """Changes a member's role. The brand's rows are locked so two owners demoting each other
    at once cannot leave it without an owner."""
    require_brand_can_manage_people(actor, actor.brand)
    with transaction.atomic():
        members = _locked_members(actor.brand)
        target = next((member for member in members if member.pk == membership_id), None)
        if target is None:
            raise NotFound("No such member in this brand.")
        if role not in BrandRole.values:
            raise FieldErrors({"role": [f"Choose one of: {', '.join(BrandRole.values)}."]})
        owners = [member for member in members if member.role == BrandRole.OWNER]
        if target.role == BrandRole.OWNER and role != BrandRole.OWNER and len(owners) == 1:
            raise Conflict("The brand's last owner cannot be demoted; make someone else an "
                           "owner first.", code="last_owner")
        changes = audit_changes({"role": target.role}, {"role": role})
        target.role = role
        target.save(update_fields=["role"])
        if changes:
            brand_audit_record(brand=actor.brand, actor=actor, changes=changes,
                               action=BrandAuditAction.MEMBER_ROLE_CHANGED,
                               target=f"Member {target.user.email}")
    return target


def membership_remove(*, actor: BrandMembership, membership_id: int) -> None:
    require_brand_can_manage_people(actor, actor.brand)
    with transaction.atomic():
        members = _locked_members(actor.brand)
        target = next((member for member in members if member.pk == membership_id), None)
        if target is None:
            raise NotFound("No such member in this brand.")
        owners = [member for member in members if member.role == BrandRole.OWNER]
        if target.role == BrandRole.OWNER and len(owners) == 1:
            raise Conflict("The brand's last owner cannot be removed; make someone else an "
                           "owner first.", code="last_owner")
        target.delete()
        brand_audit_record(brand=actor.brand, actor=actor, action=BrandAuditAction.MEMBER_REMOVED,
                           target=f"Member {target.user.email}",
                           changes={"role": {"before": target.role}})


def brand_billing_update(
    *, actor: BrandMembership, contact_name: str, email: str, address: str, vat_number: str,
    country: str = "",
) -> Brand:
    require_brand_can_manage_billing(actor, actor.brand)
    errors: dict[str, list[str]] = {}
    contact_name, address = contact_name.strip(), address.strip()
    vat_number = vat_number.replace(" ", "").upper()
    if len(contact_name) > 200 or "\x00" in contact_name:
        errors["contact_name"] = ["Keep the contact name to 200 characters of text."]
    if email.strip():
        try:
            email = _normalize_email(email, "billing_email")
        except FieldErrors as error:
            errors.update(error.errors)
    if len(address) > 1000 or "\x00" in address:
        errors["address"] = ["Keep the address to 1,000 characters of text."]
    if vat_number and not (vat_number[:2].isalpha() and vat_number[2:].isalnum()
                           and 4 <= len(vat_number) <= VAT_NUMBER_MAX_LENGTH):
        errors["vat_number"] = ["Enter a VAT number starting with its country code, such as "
                                "IE1234567T."]
    country = country.strip().upper()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        errors["country"] = ["Enter the two-letter country code, such as IE or US."]
    if errors:
        raise FieldErrors(errors)
    brand = actor.brand
    fields = ["billing_contact_name", "billing_email", "billing_address", "vat_number",
              "billing_country"]
    before = {field: getattr(brand, field) for field in fields}
    brand.billing_contact_name = contact_name
    brand.billing_email = email.strip()
    brand.billing_address = address
    brand.vat_number = vat_number
    brand.billing_country = country
    changes = audit_changes(before, {field: getattr(brand, field) for field in fields})
    with transaction.atomic():
        brand.save(update_fields=fields)
        if changes:
            brand_audit_record(brand=brand, actor=actor, target="Billing details",
                               action=BrandAuditAction.BILLING_DETAILS_CHANGED, changes=changes)
    return brand
