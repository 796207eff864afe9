"""Reads of a queue's mail log, and the inbound email URL a mail provider is given."""


from urllib.parse import quote, urlsplit, urlunsplit

from django.db.models import QuerySet

from marketplace.infra.errors import NotFound
from marketplace.intake.inbound_auth import INBOUND_EMAIL_USERNAME
from marketplace.intake.models import MailLogEntry
from marketplace.onboarding.models import Brand
from marketplace.queues.models import OverflowQueue


def mail_log_list_for_queue(*, queue: OverflowQueue) -> QuerySet[MailLogEntry]:
    """Newest first."""
    return MailLogEntry.objects.filter(queue=queue).order_by("-received_at", "-id")


def mail_log_entry_get_for_brand(*, brand: Brand, entry_id: int) -> MailLogEntry:
    """An entry of one of the brand's queues whose original was kept; anything else is not
    found."""
    entry = (MailLogEntry.objects.filter(pk=entry_id, queue__brand=brand)
             .exclude(original="").first())
    if entry is None:
        raise NotFound("Mail log entry not found (or its original was not kept).")
    return entry


def inbound_email_url(*, queue: OverflowQueue, endpoint_url: str) -> str:
    """`endpoint_url` (the absolute URL of the queue's basic-auth inbound endpoint) with the
    credentials in it, `https://shiftline:<secret>@host/…`, the form mail providers take."""
    parts = urlsplit(endpoint_url)
    username, password = (quote(part, safe="") for part in (INBOUND_EMAIL_USERNAME,
                                                            queue.inbound_email_token))
    credentials = f"{username}:{password}"
    return urlunsplit(parts._replace(netloc=f"{credentials}@{parts.netloc}"))
