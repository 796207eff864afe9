"""Who in a brand may do what: the one place brand roles are compared.

Each question takes the person asking (their user, or their membership when the caller holds
it) and the brand the action is about. A member of another brand, or someone in no brand,
is refused every question. Services call the `require_…` twin, which raises the domain
`PermissionDenied` with a sentence for people; views and templates ask the plain question to
show or hide controls. Shiftline ops staff are not a brand role: a service that also lets ops
act says so itself.

- view: every member (owner, admin, viewer).
- configure (queues, channels, API keys, training, shifts, deliveries): owners and admins.
- manage people (invitations, roles, removals): owners.
- manage billing details: owners.
- read the audit log: owners.
- export and erase one customer's data: owners and admins.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User

from marketplace.infra.errors import PermissionDenied
from marketplace.onboarding.models import Brand, BrandMembership, BrandRole

type Actor = User | AnonymousUser | BrandMembership


@dataclass(frozen=True)
class _Question:
    """The roles that answer yes, and the refusal "Only {audience} {action}." whose action a
    caller may name more precisely than the default."""

    roles: frozenset[BrandRole]
    audience: str
    default_action: str


_VIEW = _Question(frozenset(BrandRole), "the brand's members", "can see this")
_CONFIGURE = _Question(frozenset({BrandRole.OWNER, BrandRole.ADMIN}),
                       "the brand's owners and admins", "can do this")
_MANAGE_PEOPLE = _Question(frozenset({BrandRole.OWNER}), "owners", "manage members and billing")
_MANAGE_BILLING = _Question(frozenset({BrandRole.OWNER}), "owners", "change billing details")
_READ_AUDIT_LOG = _Question(frozenset({BrandRole.OWNER}), "owners", "can see the audit log")
_HANDLE_CUSTOMER_DATA = _Question(frozenset({BrandRole.OWNER, BrandRole.ADMIN}),
                                  "the brand's owners and admins",
                                  "can export or erase a customer's data")


def _role_in(actor: Actor, brand: Brand) -> BrandRole | None:
    """The actor's role in `brand`, or None outside it. A membership answers without a query;
    a user costs one."""
    if isinstance(actor, BrandMembership):
        return BrandRole(actor.role) if actor.brand_id == brand.pk else None
    if not actor.is_authenticated:
        return None
    role = (BrandMembership.objects.filter(brand=brand, user=actor)
            .values_list("role", flat=True).first())
    return BrandRole(role) if role is not None else None


def _allows(question: _Question, actor: Actor, brand: Brand) -> bool:
    return _role_in(actor, brand) in question.roles


def _require(question: _Question, actor: Actor, brand: Brand, action: str | None) -> None:
    if not _allows(question, actor, brand):
        raise PermissionDenied(f"Only {question.audience} {action or question.default_action}.")


def brand_can_view(actor: Actor, brand: Brand) -> bool:
    return _allows(_VIEW, actor, brand)


def brand_can_configure(actor: Actor, brand: Brand) -> bool:
    """Queues and their channels, API keys, the training pack, shift slots, deliveries."""
    return _allows(_CONFIGURE, actor, brand)


def brand_can_manage_people(actor: Actor, brand: Brand) -> bool:
    """Invite members, change their roles, remove them."""
    return _allows(_MANAGE_PEOPLE, actor, brand)


def brand_can_manage_billing(actor: Actor, brand: Brand) -> bool:
    """Change the billing details (everyone in the brand reads them)."""
    return _allows(_MANAGE_BILLING, actor, brand)


def brand_can_read_audit_log(actor: Actor, brand: Brand) -> bool:
    """Who changed keys, members, queues, channels and billing details, and when."""
    return _allows(_READ_AUDIT_LOG, actor, brand)


def brand_can_handle_customer_data(actor: Actor, brand: Brand) -> bool:
    """Export or erase everything the brand holds about one customer."""
    return _allows(_HANDLE_CUSTOMER_DATA, actor, brand)


def require_brand_can_view(actor: Actor, brand: Brand, *, action: str | None = None) -> None:
    """`action` completes "Only the brand's members …" for the refusal."""
    _require(_VIEW, actor, brand, action)


def require_brand_can_configure(actor: Actor, brand: Brand, *, action: str | None = None
                                ) -> None:
    """`action` completes "Only the brand's owners and admins …", such as "can change channel
    settings"."""
    _require(_CONFIGURE, actor, brand, action)


def require_brand_can_manage_people(actor: Actor, brand: Brand, *, action: str | None = None
                                    ) -> None:
    _require(_MANAGE_PEOPLE, actor, brand, action)


def require_brand_can_manage_billing(actor: Actor, brand: Brand, *, action: str | None = None
                                     ) -> None:
    _require(_MANAGE_BILLING, actor, brand, action)


def require_brand_can_read_audit_log(actor: Actor, brand: Brand, *, action: str | None = None
                                     ) -> None:
    _require(_READ_AUDIT_LOG, actor, brand, action)


def require_brand_can_handle_customer_data(actor: Actor, brand: Brand, *,
                                           action: str | None = None) -> None:
    _require(_HANDLE_CUSTOMER_DATA, actor, brand, action)
