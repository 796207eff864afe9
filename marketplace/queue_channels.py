"""A queue's channel settings: the webhook secret (both directions), the inbound email token and
the brand's outbound webhook URL. Only owners and admins of the queue's brand change them."""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from marketplace import outbound
from marketplace.errors import DomainError, PermissionDenied
from marketplace.models import BrandMembership, BrandRole, OverflowQueue

MANAGING_ROLES = (BrandRole.OWNER, BrandRole.ADMIN)


def _require_manager(membership: BrandMembership, queue: OverflowQueue) -> None:
    if membership.brand_id != queue.brand_id or membership.role not in MANAGING_ROLES:
        raise PermissionDenied("Only the brand's owners and admins can change channel settings.")


def queue_rotate_webhook_secret(*, queue: OverflowQueue, membership: BrandMembership) -> str:
    """A new signing secret; the old one stops working at once, in both directions."""
    _require_manager(membership, queue)
    queue.webhook_secret = secrets.token_urlsafe(32)
    queue.save(update_fields=["webhook_secret"])
    return queue.webhook_secret


def queue_rotate_inbound_email_token(*, queue: OverflowQueue,
                                     membership: BrandMembership) -> str:
    _require_manager(membership, queue)
    queue.inbound_email_token = secrets.token_urlsafe(32)
    queue.save(update_fields=["inbound_email_token"])
    return queue.inbound_email_token


def queue_set_outbound_webhook(*, queue: OverflowQueue, membership: BrandMembership,
                               url: str) -> OverflowQueue:
    """An https (or http) URL where replies are POSTed, or empty to answer by email only. A
    URL that points into a private network is refused (marketplace/outbound.py)."""
    _require_manager(membership, queue)
    url = url.strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as error:
            raise DomainError("Enter a full http:// or https:// URL.",
                              code="invalid_url") from error
        if len(url) > 500:
            raise DomainError("The URL is longer than 500 characters.", code="invalid_url")
        try:
            outbound.vetted_addresses(url)
        except outbound.UnsafeDestination as error:
            raise DomainError(str(error), code="unsafe_url") from error
    queue.outbound_webhook_url = url
    queue.save(update_fields=["outbound_webhook_url"])
    return queue
