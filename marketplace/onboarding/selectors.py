"""Reads about brands, their members and invitations."""


from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, QuerySet

from marketplace.onboarding.models import (
    Brand,
    BrandAuditAction,
    BrandAuditEvent,
    BrandInvitation,
    BrandMembership,
)


def brand_membership_for_user(
    *, user: User | AnonymousUser
) -> BrandMembership | None:
    if not user.is_authenticated:
        return None
    return BrandMembership.objects.select_related("brand").filter(user=user).first()


def membership_list_for_brand(*, brand: Brand) -> QuerySet[BrandMembership]:
    return BrandMembership.objects.filter(brand=brand).select_related("user").order_by("id")


def invitation_list_open_for_brand(*, brand: Brand) -> QuerySet[BrandInvitation]:
    return BrandInvitation.objects.filter(brand=brand, accepted_at__isnull=True).order_by(
        "-created_at", "-id")


def brand_get(*, brand_id: int) -> Brand | None:
    return Brand.objects.filter(pk=brand_id).first()


def brand_list() -> QuerySet[Brand]:
    return Brand.objects.order_by("name", "id")


def brand_list_for_ops(*, search: str | None = None) -> QuerySet[Brand]:
    """Every brand by name with `queue_count`, for the ops brands list."""
    brands = Brand.objects.annotate(queue_count=Count("queues", distinct=True)).order_by(
        "name", "id")
    if search:
        brands = brands.filter(name__icontains=search)
    return brands


def brand_get_by_slug(*, slug: str) -> Brand | None:
    return Brand.objects.filter(slug=slug).first()


def brand_audit_list(*, brand: Brand, action: str = "") -> QuerySet[BrandAuditEvent]:
    """The brand's audit log, newest first; `action` (a `BrandAuditAction` value) narrows it,
    anything else is ignored."""
    events = BrandAuditEvent.objects.filter(brand=brand).order_by("-occurred_at", "-id")
    if action in BrandAuditAction.values:
        events = events.filter(action=action)
    return events
