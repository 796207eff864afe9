"""Offer and capacity policy per channel (DESIGN.md "Routing policy" defaults)."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Channel(StrEnum):
    CHAT = "chat"
    EMAIL = "email"
    SOCIAL = "social"


@dataclass(frozen=True, slots=True)
class OfferPolicy:
    """`first_reply_timeout`: after accepting, the expert must reply within it or the inquiry is
    reassigned (chat only; None means no such limit)."""

    offer_timeout: timedelta
    capacity: int
    first_reply_timeout: timedelta | None = None
    multi_offer_width: int = 1
    multi_offer_within: timedelta | None = None

    def offer_expires_at(self, now: datetime) -> datetime:
        return now + self.offer_timeout

    def offer_width(self, now: datetime, first_response_due_at: datetime) -> int:
        """How many experts to offer the inquiry to at once: several when it is close to
        breaching its first-response target (the first to accept wins), otherwise one."""
        if self.multi_offer_within is None:
            return 1
        if first_response_due_at - now <= self.multi_offer_within:
            return self.multi_offer_width
        return 1


DEFAULT_POLICIES: dict[Channel, OfferPolicy] = {
    Channel.CHAT: OfferPolicy(offer_timeout=timedelta(seconds=20), capacity=3,
                              first_reply_timeout=timedelta(minutes=3), multi_offer_width=3,
                              multi_offer_within=timedelta(seconds=15)),
    Channel.EMAIL: OfferPolicy(offer_timeout=timedelta(seconds=120), capacity=5),
    Channel.SOCIAL: OfferPolicy(offer_timeout=timedelta(seconds=120), capacity=5),
}


def policy_for(channel: str) -> OfferPolicy:
    return DEFAULT_POLICIES[Channel(channel)]


def policy_for_queue(
    channel: str, *, offer_timeout: timedelta, first_reply_timeout: timedelta | None = None
) -> OfferPolicy:
    """The channel's default policy with the queue's own offer timeout and, for chat, its
    reply timeout (the time an expert has to answer after accepting)."""
    base = policy_for(channel)
    if base.first_reply_timeout is None:
        return replace(base, offer_timeout=offer_timeout)
    return replace(base, offer_timeout=offer_timeout,
                   first_reply_timeout=first_reply_timeout or base.first_reply_timeout)
