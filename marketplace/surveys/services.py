"""Surveys: inviting the customer of a resolved inquiry to rate it, and recording the answer.

- Email inquiries (and social ones) are asked after the queue's `survey_delay_hours`, by an
  email with a single-use link (`survey_invitations_create_due`, run by beat), or through the
  brand's helpdesk (`survey.requested` on the outbound webhook, with the link) when the queue
  says so; a queue may also ask nobody.
- Chats are asked in the widget at the end (`survey_invitation_for_chat` gives its token).
- Every answer, from the page or the widget's JSON, goes through `survey_answer`; the brand's
  own reviews (console form, REST API) through `brand_review_record`. Both record the review
  in experts/quality (which refreshes the expert's figures) and the inquiry's timeline.

The link's token is the invitation's id and random key signed with the secret key: a
tampered token does not verify (404); the invitation row says whether it was answered (409)
or has expired (410), 28 days after it was made.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from experts.quality import selectors as quality_selectors
from experts.quality import services as quality
from experts.quality.models import InquiryReview, ReviewSource
from marketplace.delivery import services as delivery
from marketplace.infra.errors import Conflict, Gone, NotFound
from marketplace.infra.tasking import enqueue_on_commit
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries import services as inquiries
from marketplace.inquiries.models import Inquiry, InquiryStatus
from marketplace.onboarding.models import Brand
from marketplace.queues.models import SurveyDelivery
from marketplace.surveys import selectors
from marketplace.surveys.models import SURVEY_LIFETIME, SurveyChannel, SurveyInvitation

TOKEN_SALT = "marketplace.surveys.invitation"  # noqa: S105 (a namespace, not a secret)


def _new_key() -> str:
    return secrets.token_urlsafe(12)


def survey_token(invitation: SurveyInvitation) -> str:
    """The invitation's link token: the same every time it is asked for (the widget may ask
    on every poll), unforgeable without the secret key."""
    return signing.Signer(salt=TOKEN_SALT).sign(f"{invitation.pk}.{invitation.key}")


def survey_url(invitation: SurveyInvitation) -> str:
    return settings.SHIFTLINE_SITE_URL + reverse("survey", args=[survey_token(invitation)])


def _invitation_lookup(token: str) -> tuple[int, str]:
    """(id, key) of a token that verifies, else NotFound (a tampered or invented link)."""
    try:
        value = signing.Signer(salt=TOKEN_SALT).unsign(token)
    except signing.BadSignature as error:
        raise NotFound("This survey link is not valid.", code="survey_not_found") from error
    invitation_id, _separator, key = value.partition(".")
    if not invitation_id.isdigit() or not key:
        raise NotFound("This survey link is not valid.", code="survey_not_found")
    return int(invitation_id), key


class SurveyState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    EXPIRED = "expired"
    CLOSED = "closed"
    """Not answerable now: the inquiry was reopened, or the brand rated it meanwhile."""


@dataclass(frozen=True)
class SurveyOpened:
    invitation: SurveyInvitation
    state: SurveyState
    token: str


def survey_open(*, token: str, now: datetime) -> SurveyOpened:
    """The invitation behind a link and whether it can still be answered (NotFound for a
    link that is not ours). A read, so that the page can say which it is."""
    invitation_id, key = _invitation_lookup(token)
    invitation = selectors.survey_invitation_get(invitation_id=invitation_id, key=key)
    if invitation.answered_at is not None:
        return SurveyOpened(invitation, SurveyState.ANSWERED, token)
    if invitation.expires_at <= now:
        return SurveyOpened(invitation, SurveyState.EXPIRED, token)
    if (invitation.inquiry.status != InquiryStatus.RESOLVED
            or quality_selectors.review_for_inquiry(inquiry_id=invitation.inquiry_id)):
        return SurveyOpened(invitation, SurveyState.CLOSED, token)
    return SurveyOpened(invitation, SurveyState.OPEN, token)


def survey_check_open(*, token: str, now: datetime) -> SurveyInvitation:
    """The invitation behind a link that can still be answered: NotFound, Conflict when
    answered, Gone when expired (the JSON endpoint says so before it reads the answer)."""
    opened = survey_open(token=token, now=now)
    if opened.state == SurveyState.ANSWERED:
        raise Conflict("This survey was answered already. Thank you!", code="survey_answered")
    if opened.state == SurveyState.EXPIRED:
        raise Gone("This survey link has expired.", code="survey_expired")
    if opened.state == SurveyState.CLOSED:
        raise Conflict("This survey takes no answer now: the inquiry was reopened or rated "
                       "already.", code="survey_closed")
    return opened.invitation


def survey_invitation_for_chat(*, inquiry: Inquiry, now: datetime) -> str:
    """The token of the resolved chat's survey, shown in the widget at its end; asking again
    gives the same token (one invitation per inquiry, whatever the channel)."""
    if inquiry.status != InquiryStatus.RESOLVED:
        raise Conflict("The survey follows the resolution.", code="inquiry_not_resolved")
    invitation, _created = SurveyInvitation.objects.get_or_create(
        inquiry=inquiry, defaults={
            "channel": SurveyChannel.CHAT, "key": _new_key(), "created_at": now,
            "expires_at": now + SURVEY_LIFETIME, "sent_at": now,
        })
    return survey_token(invitation)


def survey_invitations_create_due(*, now: datetime, limit: int = 200) -> int:
    """Invites the customers of resolved email and social inquiries whose queue's survey
    delay has passed (selectors.inquiry_ids_due_a_survey): by email (sent by a task after
    commit) or, when the queue hands surveys to its helpdesk and has a webhook, by the
    `survey.requested` event. Safe to run twice: the second finds the invitation made."""
    made = 0
    for inquiry_id in selectors.inquiry_ids_due_a_survey(now=now, limit=limit):
        with transaction.atomic():
            inquiry = inquiries.inquiry_lock(inquiry_id=inquiry_id)
            if inquiry.status != InquiryStatus.RESOLVED:  # reopened since it was selected
                continue
            queue = inquiry.queue
            by_webhook = (queue.survey_delivery == SurveyDelivery.WEBHOOK
                          and bool(queue.outbound_webhook_url))
            try:
                with transaction.atomic():
                    invitation = SurveyInvitation.objects.create(
                        inquiry=inquiry, key=_new_key(), created_at=now,
                        expires_at=now + SURVEY_LIFETIME,
                        channel=SurveyChannel.WEBHOOK if by_webhook else SurveyChannel.EMAIL,
                        sent_at=now if by_webhook else None)
            except IntegrityError:
                continue
            made += 1
            if by_webhook:
                inquiries.inquiry_record_event(
                    inquiry=inquiry, kind="survey_requested", now=now,
                    description="The survey was handed to the brand's helpdesk to ask the "
                    "customer (webhook survey.requested).",
                    data={"survey_url": survey_url(invitation),
                          "expires_at": invitation.expires_at.isoformat(),
                          "language": inquiry.language})
            else:
                enqueue_on_commit("marketplace.send_survey_invitation", invitation.pk)
    return made


UNSENT_GRACE = timedelta(minutes=10)


UNSENT_GIVE_UP = timedelta(days=1)


def survey_invitations_resume_unsent(*, now: datetime, limit: int = 200) -> int:
    """Enqueues again the emails of invitations still unsent after UNSENT_GRACE (their task
    was lost with the broker, or failed every retry) and made less than UNSENT_GIVE_UP ago,
    so an address the mail server keeps refusing is not tried for four weeks; sending twice
    is harmless, the send claims the invitation first."""
    invitation_ids = selectors.survey_invitation_ids_unsent(before=now - UNSENT_GRACE,
                                                             after=now - UNSENT_GIVE_UP,
                                                             limit=limit)
    for invitation_id in invitation_ids:
        enqueue_on_commit("marketplace.send_survey_invitation", invitation_id)
    return len(invitation_ids)


def survey_invitation_send(*, invitation_id: int, now: datetime) -> bool:
    """Emails the survey link to the customer, once, in the inquiry's language. The
    invitation is claimed with a conditional update rather than locked during the send; a
    failed send releases the claim for the task's retry."""
    claimed = SurveyInvitation.objects.filter(
        pk=invitation_id, channel=SurveyChannel.EMAIL, sent_at__isnull=True,
        answered_at__isnull=True, expires_at__gt=now).update(sent_at=now)
    if not claimed:
        return False
    invitation = SurveyInvitation.objects.select_related(
        "inquiry__customer", "inquiry__brand").get(pk=invitation_id)
    inquiry = invitation.inquiry
    with translation.override(inquiry.language):
        subject = _("How did we do? %(subject)s") % {"subject": inquiry.subject}
        body = "\n\n".join([
            _("Hello,"),
            _("Your question to %(brand)s (“%(subject)s”) was answered. Would you "
              "tell us how it went? It is one question and takes a few seconds.")
            % {"brand": inquiry.brand.name, "subject": inquiry.subject},
            survey_url(invitation),
            _("The link works once, until %(date)s.")
            % {"date": invitation.expires_at.date().isoformat()},
        ])
    try:
        EmailMessage(subject=subject, body=body, from_email=delivery.brand_sender(inquiry),
                     to=[inquiry.customer.email],
                     headers={"Auto-Submitted": "auto-generated"}).send(fail_silently=False)
    except BaseException:
        SurveyInvitation.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    inquiries.inquiry_record_event(inquiry=inquiry, kind="survey_sent", now=now,
                                   description="The survey was emailed to the customer.")
    return True


def _record(*, inquiry: Inquiry, rating: int, reasons: list[str],
            speed_as_promised: bool | None, comment: str, source: str, now: datetime,
            actor: User | None = None, legacy_reason: str = "") -> InquiryReview:
    """The review and its timeline event. Caller holds the inquiry's row lock."""
    review = quality.review_record(
        brand=inquiry.brand, inquiry_id=inquiry.pk, rating=rating, reasons=reasons,
        legacy_reason=legacy_reason, source=source, speed_as_promised=speed_as_promised,
        comment=comment, now=now)
    by_customer = source == ReviewSource.CUSTOMER_SURVEY
    inquiries.inquiry_record_event(
        inquiry=inquiry, kind="survey_answered" if by_customer else "reviewed_by_brand",
        now=now, actor=actor,
        description=(f"The customer rated it {rating}/5 in the survey." if by_customer
                     else f"The brand rated it {rating}/5."),
        data={"rating": rating, "reasons": review.reasons,
              "speed_as_promised": speed_as_promised, "comment": review.comment,
              "counts_for_expert": review.counts_for_expert})
    return review


def survey_answer(*, token: str, rating: int, reasons: list[str],
                  speed_as_promised: bool | None, comment: str, now: datetime) -> InquiryReview:
    """The customer's answer through their link (the page or the widget): recorded once, as
    a customer-survey review; the expert's quality is refreshed, the timeline notes it and a
    subscribed helpdesk hears `survey.answered`. NotFound for a link that is not ours,
    Conflict when answered already (or the brand reviewed it), Gone once expired,
    FieldErrors for a rating below 5 without a reason."""
    invitation_id, key = _invitation_lookup(token)
    found = selectors.survey_invitation_get(invitation_id=invitation_id, key=key)
    with transaction.atomic():
        inquiry = inquiries.inquiry_lock(inquiry_id=found.inquiry_id)
        invitation = SurveyInvitation.objects.select_for_update().get(pk=found.pk)
        if invitation.answered_at is not None:
            raise Conflict("This survey was answered already. Thank you!",
                           code="survey_answered")
        if invitation.expires_at <= now:
            raise Gone("This survey link has expired.", code="survey_expired")
        review = _record(inquiry=inquiry, rating=rating, reasons=reasons,
                         speed_as_promised=speed_as_promised, comment=comment,
                         source=ReviewSource.CUSTOMER_SURVEY, now=now)
        invitation.answered_at = now
        invitation.save(update_fields=["answered_at"])
    return review


def brand_review_record(*, brand: Brand, inquiry_id: int, rating: int, reasons: list[str],
                        comment: str, now: datetime, actor: User | None = None,
                        legacy_reason: str = "") -> InquiryReview:
    """The brand's own rating of its resolved inquiry (the console's form, the REST API),
    once per inquiry: a brand-reviewed inquiry is not surveyed, and an open survey of it
    answers 409 (one rating per inquiry counts)."""
    inquiries_selectors.inquiry_get_for_brand(brand=brand, inquiry_id=inquiry_id)
    with transaction.atomic():
        inquiry = inquiries.inquiry_lock(inquiry_id=inquiry_id)
        return _record(inquiry=inquiry, rating=rating, reasons=reasons, speed_as_promised=None,
                       comment=comment, source=ReviewSource.BRAND_REVIEW, now=now,
                       actor=actor, legacy_reason=legacy_reason)

