"""Offer and capacity policy per channel (DESIGN.md "Routing policy" defaults)."""

from dataclasses import dataclass
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

    def offer_expires_at(self, now: datetime) -> datetime:
        return now + self.offer_timeout


DEFAULT_POLICIES: dict[Channel, OfferPolicy] = {
    Channel.CHAT: OfferPolicy(offer_timeout=timedelta(seconds=20), capacity=3,
                              first_reply_timeout=timedelta(minutes=3)),
    Channel.EMAIL: OfferPolicy(offer_timeout=timedelta(seconds=120), capacity=5),
    Channel.SOCIAL: OfferPolicy(offer_timeout=timedelta(seconds=120), capacity=5),
}


def policy_for(channel: str) -> OfferPolicy:
    return DEFAULT_POLICIES[Channel(channel)]
