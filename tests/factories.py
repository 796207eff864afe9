"""Test data built through the same services the product uses, so tests see real states."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from billing.terms.models import BrandContract, RateCard
from experts.applications.screening import SCREENING_QUESTIONS
from experts.applications.services import applying as applications_services
from experts.applications.services import vetting as applications_vetting
from experts.attendance import services as attendance
from experts.certification import services as certification_services
from experts.profiles import services as profiles_services
from experts.profiles.models import ExpertProfile, ExpertStatus
from experts.shifts.models import ShiftSlot
from experts.shifts.services import booking as shifts_booking
from experts.shifts.services import publishing as shifts_publishing
from marketplace.access import services as access_services
from marketplace.access.models import ApiKey
from marketplace.access.scopes import ALL_SCOPES
from marketplace.inquiries.models import Inquiry, Message
from marketplace.intake import services as intake_services
from marketplace.onboarding.models import Brand, BrandMembership, BrandRole
from marketplace.queues.models import BusinessHoursSpan, OverflowQueue
from routing.assignments import services as assignments_services
from routing.models import ExpertSeat
from routing.offers import services as offers_services

_sequence = count(1)
PASSWORD = "correct-horse-battery"


def user(*, email: str | None = None, is_staff: bool = False) -> User:
    email = email or f"user{next(_sequence)}@example.test"
    return get_user_model().objects.create_user(
        username=email, email=email, password=PASSWORD, is_staff=is_staff
    )


def brand(*, name: str | None = None) -> Brand:
    number = next(_sequence)
    return Brand.objects.create(name=name or f"Brand {number}", slug=f"brand-{number}")


def brand_member(*, of: Brand, role: BrandRole = BrandRole.ADMIN) -> User:
    member = user()
    BrandMembership.objects.create(brand=of, user=member, role=role)
    return member


def queue(
    *,
    of: Brand | None = None,
    time_zone: str = "Europe/Dublin",
    covers_after_hours: bool = True,
    covers_weekends: bool = True,
    price_minor: int = 450,
    rate_minor: int = 300,
    spans: tuple[tuple[int, str, str], ...] = (),
) -> OverflowQueue:
    """A EUR queue; its brand's contract charges `price_minor` on every channel and the EUR
    rate card pays `rate_minor` (both set here, as ops would)."""
    created = OverflowQueue.objects.create(
        brand=of or brand(), name=f"Queue {next(_sequence)}", time_zone=time_zone,
        covers_after_hours=covers_after_hours, covers_weekends=covers_weekends, currency="EUR",
    )
    pricing(brand_=created.brand, price_minor=price_minor, rate_minor=rate_minor)
    for weekday, opens, closes in spans:
        BusinessHoursSpan.objects.create(queue=created, weekday=weekday, opens_at=opens,
                                         closes_at=closes)
    return created


def pricing(*, brand_: Brand, price_minor: int = 450, rate_minor: int = 300,
            currency: str = "EUR") -> None:
    """The brand's contract at `price_minor` per ticket on every channel, and the currency's
    rate card at `rate_minor` per ticket with no quality bonus."""
    now = datetime.now(UTC)
    RateCard.objects.update_or_create(currency=currency, defaults={
        "email_rate_minor": rate_minor, "chat_rate_minor": rate_minor,
        "social_rate_minor": rate_minor, "list_price_minor": price_minor,
        "quality_bonus_minor": 0, "updated_at": now})
    BrandContract.objects.update_or_create(brand_id=brand_.pk, currency=currency, defaults={
        "brand_name": brand_.name, "email_price_minor": price_minor,
        "chat_price_minor": price_minor, "social_price_minor": price_minor,
        "updated_at": now})


def brand_owner(*, of: Brand) -> BrandMembership:
    """The brand's first owner, created when it has none: the person the factories act as
    where the product asks for one who may configure the brand."""
    owner = BrandMembership.objects.filter(brand=of, role=BrandRole.OWNER).order_by("id").first()
    if owner is None:
        owner = BrandMembership.objects.create(brand=of, user=user(), role=BrandRole.OWNER)
    return owner


def api_key(*, of: Brand, scopes: Iterable[str] = ALL_SCOPES) -> str:
    """A raw key of the brand, with every scope unless told."""
    _, raw = access_services.api_key_create(brand=of, actor=brand_owner(of=of), name="test key",
                                            scopes=scopes)
    return raw


def expert(
    *, now: datetime, status: ExpertStatus = ExpertStatus.APPROVED,
    languages: tuple[str, ...] = ("en",), name: str | None = None,
) -> ExpertProfile:
    profile = profiles_services.expert_profile_create(
        user=user(),
        display_name=name or f"Expert {next(_sequence)}",
        time_zone="Europe/Lisbon",
        languages=list(languages),
        now=now,
    )
    if status != ExpertStatus.APPLIED:
        ExpertProfile.objects.filter(pk=profile.pk).update(status=status)
        profile.refresh_from_db()
    return profile


def shift(
    *, on: OverflowQueue, now: datetime, headcount: int = 5, hours: int = 8
) -> ShiftSlot:
    return shifts_publishing.shift_slot_create(
        queue=on, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=hours),
        headcount=headcount,
    )


def on_shift_expert(
    *, on: OverflowQueue, now: datetime, slot: ShiftSlot | None = None, checked_in: bool = True,
    idle_since: datetime | None = None, **kwargs: object,
) -> ExpertProfile:
    """An approved expert, certified for the queue's brand, booked on a live shift of the
    queue and (by default) checked in, through the services. `idle_since` sets how long routing
    sees them idle (default: since `now`)."""
    profile = expert(now=now, **kwargs)  # type: ignore[arg-type]
    slot = slot or shift(on=on, now=now)
    certification_services.certification_grant(expert=profile, brand=on.brand, now=now)
    booking = shifts_booking.shift_booking_create(slot=slot, expert=profile, now=now)
    if checked_in:
        attendance.shift_booking_check_in(booking_id=booking.pk, expert=profile, now=now)
        if idle_since is not None:
            ExpertSeat.objects.filter(expert=profile).update(idle_since=idle_since)
    return profile


@dataclass(frozen=True)
class InquiryInput:
    external_id: str = "ext-1"
    channel: str = "email"
    subject: str = "Where is my order?"
    body: str = "It has not arrived."
    language: str = "en"
    customer_email: str = "sam@example.com"
    customer_name: str = "Sam"
    source: str = "api"


def inquiry(*, on: OverflowQueue, now: datetime, **overrides: str) -> Inquiry:
    fields = InquiryInput(**overrides)  # type: ignore[arg-type]
    if "external_id" not in overrides:
        fields = InquiryInput(**{**fields.__dict__, "external_id": f"ext-{next(_sequence)}"})
    created, _ = intake_services.inquiry_create(
        intake=intake_services.InquiryIntake(queue=on, **fields.__dict__), now=now
    )
    return created


def expert_reply(*, on: OverflowQueue, now: datetime, body: str = "Done.",
                 **inquiry_fields: str) -> tuple[Message, ExpertProfile]:
    """A new inquiry on the queue, routed to an expert on shift who accepts and replies: the
    reply (pending delivery) and the expert."""
    expert = on_shift_expert(on=on, now=now)
    new = inquiry(on=on, now=now, **inquiry_fields)
    offer_id = offers_services.inquiry_route(inquiry_id=new.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    reply = assignments_services.assignment_reply(inquiry_id=new.pk, expert=expert,
                                              author=expert.user, body=body, now=now)
    return reply, expert


def revoked(key: ApiKey, now: datetime) -> ApiKey:
    return access_services.api_key_revoke(api_key=key, actor=brand_owner(of=key.brand), now=now)


def applicant(
    *, now: datetime, submitted: bool = True, checklist_by: User | None = None,
    name: str | None = None, quiz_right: int = 5,
) -> ExpertProfile:
    """An applicant who signed up, verified their email and did every step through the
    services; `submitted` sends it to review, `checklist_by` (an ops user) ticks the checklist."""
    number = next(_sequence)
    profile = applications_services.applicant_sign_up(
        email=f"applicant{number}@example.test",
        password=PASSWORD,
        display_name=name or f"Applicant {number}",
        verify_url_prefix="http://testserver/v/",
        now=now,
    )
    assert profile is not None
    applications_services.applicant_verify_email(
        token=applications_services.email_verification_token(user=profile.user), now=now
    )
    applications_services.application_save_profile(
        expert=profile,
        display_name=profile.display_name,
        time_zone="Europe/Lisbon",
        language_levels={"en": "fluent"},
        skills=["returns"],
        experience="Two years of chat.",
        availability="Weeknights",
        now=now,
    )
    applications_services.application_accept_terms(expert=profile, now=now)
    applications_services.application_submit_quiz(expert=profile, now=now, answers={
        question.key: str(question.correct_option if index < quiz_right
                          else (question.correct_option + 1) % len(question.options))
        for index, question in enumerate(SCREENING_QUESTIONS)})
    applications_services.application_save_sample(expert=profile, now=now, reply="Hello Sam, " * 10)
    if submitted:
        profile = applications_services.application_submit(expert=profile, now=now)
    if checklist_by is not None:
        for item in applications_vetting.CHECKLIST_ITEMS:
            applications_vetting.application_checklist_set(expert=profile, item=item, checked=True,
                                                      by=checklist_by, now=now)
    profile.refresh_from_db()
    return profile


def training_pack(
    *, of: Brand, pass_mark_percent: int = 66, questions: int = 3, guidelines: str = "Be kind."
) -> list[int]:
    """A brand's pack with `questions` questions whose right answer is always option 0; returns
    the question ids."""
    owner = brand_member(of=of, role=BrandRole.OWNER)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    certification_services.training_pack_save(brand=of, editor=owner, guidelines=guidelines,
                                       pass_mark_percent=pass_mark_percent, now=now)
    return [
        certification_services.training_question_add(
            brand=of,
            editor=owner,
            prompt=f"Question {index}?",
            options=["Right", "Wrong"],
            correct_option=0,
            now=now,
        ).pk
        for index in range(questions)
    ]
