"""Demo data for `make run`: one brand with an always-covered queue and a training pack, two
experts on a shift that is live now, a week of published shift slots, one applicant waiting in
review, an ops user, last week's payouts (one expert paid by the bank file, one held for
missing payout details), and ten weeks of resolved inquiries with promises, first replies and
survey answers (the reviews page and the perception gap). Running it again creates no
duplicates."""


import contextlib
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from billing.invoices import selectors as invoices_selectors
from billing.invoices import services as invoices_services
from billing.invoices.models import Invoice
from billing.payouts import selectors as payouts_selectors
from billing.payouts.models import PayoutBatch, PayoutStatus
from billing.payouts.services import batches as payout_batches
from billing.payouts.services import details as payout_details
from billing.payouts.services import execution as payout_execution
from billing.pricing import services as pricing_services
from billing.terms import selectors as terms_selectors
from billing.terms import services as terms_services
from billing.terms.models import PremiumTier
from billing.weeks import payout_week_last_closed
from experts.applications.screening import SCREENING_QUESTIONS
from experts.applications.services import applying as applications_services
from experts.applications.services import decisions as applications_decisions
from experts.applications.services import vetting as applications_vetting
from experts.attendance import services as attendance
from experts.certification import services as certification_services
from experts.certification.models import TrainingPack
from experts.profiles import services as profiles_services
from experts.profiles.models import ExpertProfile, ExpertStatus
from experts.quality import services as quality_services
from experts.quality.models import InquiryReview, ReviewSource
from experts.shifts.models import BookingStatus, ShiftBooking, ShiftSlot
from experts.shifts.services import booking as shifts_booking
from experts.shifts.services import publishing as shifts_publishing
from marketplace.access import services as access_services
from marketplace.access.models import ApiKey
from marketplace.access.scopes import ALL_SCOPES
from marketplace.infra.errors import DomainError
from marketplace.inquiries.models import Customer, Inquiry, InquirySource, InquiryStatus
from marketplace.invoicing import services as invoicing_services
from marketplace.onboarding.models import Brand, BrandMembership, BrandRole
from marketplace.queues import services as queues_services
from marketplace.queues.models import OverflowQueue
from marketplace.surveys.models import SURVEY_LIFETIME, SurveyChannel, SurveyInvitation
from routing.models import Assignment, AssignmentStatus, Offer, OfferStatus

DEMO_PASSWORD = "shiftline-demo"  # noqa: S105 (demo data, printed by make run)


DEMO_API_KEY = "sl_demo0001_northwind-demo-key-not-for-production"


DEMO_SHIFT_HOURS = 12


DEMO_WIDGET_ORIGINS = ["http://127.0.0.1:8001", "http://localhost:8001"]
"""Where a developer can serve a page that embeds the demo queue's chat widget (any static
server on port 8001, e.g. `python -m http.server 8001`)."""


@dataclass(frozen=True)
class DemoLogins:
    brand_admin: str
    experts: tuple[str, ...]
    applicant: str
    ops: str
    password: str
    api_key: str


def _user(email: str, *, first_name: str, is_staff: bool = False) -> User:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first_name, "is_staff": is_staff,
                                  "is_superuser": is_staff},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


DEMO_GUIDELINES = """## Tone
Friendly and direct. Sign off with your first name.

## Returns
- 30 days for unworn items, free return label by email.
- Damaged on arrival: apologise, send a replacement first, ask for a photo.

> Never promise a delivery date: orders leave the warehouse within 2 working days, and the
> tracking page says when they arrive. Link to it."""


DEMO_QUIZ = (
    ("How long do customers have to return unworn items?", ["14 days", "30 days", "60 days"], 1),
    ("A jacket arrived damaged. What comes first?",
     ["Ask for a photo, then decide", "Send a replacement, then ask for a photo",
      "Refer them to the courier"], 1),
    ("A customer asks when their parcel arrives. You…",
     ["Promise tomorrow", "Link to the tracking page", "Escalate to the brand"], 1),
)


def _applicant_in_review(email: str, name: str, now: datetime) -> ExpertProfile:
    """An applicant who has done every step and submitted, as the apply pages would."""
    user = _user(email, first_name=name)
    expert = ExpertProfile.objects.filter(user=user).first()
    if expert is None:
        expert = profiles_services.expert_profile_create(
            user=user, display_name=name, time_zone="Europe/Lisbon", languages=["en", "pt"],
            now=now,
        )
    if expert.status != ExpertStatus.APPLIED:
        return expert
    applications_services.application_open(expert=expert)
    applications_services.applicant_verify_email(
        token=applications_services.email_verification_token(user=user), now=now)
    applications_services.application_save_profile(
        expert=expert, display_name=name, time_zone="Europe/Lisbon",
        language_levels={"en": "fluent", "pt": "native"}, skills=["returns", "outdoor gear"],
        experience="Four years of email and chat support for an outdoor retailer.",
        availability="Weeknights 18:00-23:00 and Saturdays", now=now,
    )
    applications_services.application_accept_terms(expert=expert, now=now)
    applications_services.application_submit_quiz(
        expert=expert, now=now,
        answers={question.key: str(question.correct_option) for question in SCREENING_QUESTIONS},
    )
    applications_services.application_save_sample(
        expert=expert, now=now,
        reply="Hi Sam, I'm so sorry the sleeve arrived torn. I've sent a replacement by express "
              "delivery so it reaches you before Saturday; no need to wait for the return.",
    )
    return applications_services.application_submit(expert=expert, now=now)


def _approved_expert(email: str, name: str, system: User, now: datetime) -> ExpertProfile:
    expert = _applicant_in_review(email, name, now)
    if expert.status == ExpertStatus.IN_REVIEW:
        for item in applications_vetting.CHECKLIST_ITEMS:
            applications_vetting.application_checklist_set(
                expert=expert, item=item, checked=True, by=system, now=now)
        expert = applications_decisions.expert_decide(
            expert=expert, to_status=ExpertStatus.APPROVED, decided_by=system,
            reason="Demo data: vetted expert.", now=now,
        )
    return expert


DEMO_QUEUE_GUIDELINES = """## How we talk to Northwind customers

- Greet the customer by first name and sign with yours.
- Orders leave the warehouse within **2 working days**; never promise a delivery date: the
  tracking link in the order email says when a parcel arrives.
- Refunds: offer one for anything returned within 30 days. Escalate anything above EUR 200.
"""


DEMO_MACROS = {
    "Where is my order": "Hi {customer_first_name}, thanks for your patience. Orders leave our "
    "warehouse within 2 working days; the tracking link in your order email shows where your "
    "parcel is and when it arrives. {expert_first_name} from {brand_name}",
    "Return started": "Hi {customer_first_name}, your return is registered: you will get a "
    "prepaid label by email within the hour. {expert_first_name} from {brand_name}",
}


def _demo_pricing(brand: Brand, ops: User, now: datetime) -> None:
    """The EUR rate card and Northwind's contract as ops set them (so /ops/pricing/ has its
    audit): chat and email pay 3.00, a 0.50 quality bonus from 90 % CSAT; Northwind pays 4.50
    a ticket, 2.00 for a confirmed escalation of which the expert gets 40 %."""
    if terms_selectors.contract_find(brand_id=brand.pk, currency="EUR") is not None:
        return
    terms_services.rate_card_save(currency="EUR", actor_id=ops.pk,
                                  actor_name=ops.get_username(), now=now, data={
        "email_rate": "3.00", "chat_rate": "3.00", "social_rate": "3.00", "list_price": "4.50",
        "after_hours_multiplier": "1.25", "weekend_multiplier": "1.50",
        "holiday_multiplier": "2.00", "surge_multiplier": "1.75", "quality_bonus": "0.50",
        "quality_csat_threshold": "90", "quality_min_reviews": "10"})
    terms_services.contract_save(
        brand_id=brand.pk, brand_name=brand.name, currency="EUR", actor_id=ops.pk,
        actor_name=ops.get_username(), now=now, data={
            "email_price": "4.50", "chat_price": "4.50", "social_price": "4.50",
            "escalation_fee": "2.00", "escalation_expert_share_percent": "40"})


def _configure_demo_queue(queue: OverflowQueue, now: datetime) -> None:
    """Weekday office hours, Irish holidays, a Christmas closure and always-on coverage, so
    the demo inquiry loop is covered at any hour while the settings look like a real brand."""
    queues_services.queue_configure(queue=queue, changes={
        "channels": ["email", "chat", "social"],
        "business_hours": [{"weekday": day, "opens": "09:00", "closes": "17:30"}
                           for day in range(5)],
        "holiday_country": "IE", "covers_holidays": True, "always_on": True,
        "closures": [{"starts_on": f"{now.year}-12-24", "ends_on": f"{now.year}-12-26",
                      "label": "Christmas break"}],
        "languages": ["en"], "required_skills": [], "guidelines": DEMO_QUEUE_GUIDELINES,
    })
    for name, body in DEMO_MACROS.items():
        queues_services.macro_save(queue=queue, name=name, body=body, now=now)


DEMO_WEEK = (
    # weekdays, starts, ends, headcount, premium tier, hot
    (frozenset({0, 1, 2, 3}), time(18), time(23), 3, PremiumTier.AFTER_HOURS, False),
    (frozenset({4, 5, 6}), time(18), time(23), 4, PremiumTier.SURGE, True),
    (frozenset({5, 6}), time(9), time(14), 2, PremiumTier.WEEKEND, False),
    (frozenset({0, 1, 2, 3, 4}), time(7), time(9), 1, PremiumTier.STANDARD, True),
)


def _publish_demo_week(queue: OverflowQueue, expert: ExpertProfile, ops: User,
                       now: datetime) -> None:
    """A week of slots in the demo queue's time zone (some hot, some with a premium), and one
    evening booked for the first expert, so the marketplace and the calendar have content.
    Publishing skips slots that exist already, so running it again adds nothing."""
    today = now.astimezone(ZoneInfo(queue.time_zone)).date()
    for weekdays, starts, ends, headcount, tier, hot in DEMO_WEEK:
        shifts_publishing.shift_pattern_publish(
            queue=queue, date_from=today, date_to=today + timedelta(days=6), weekdays=weekdays,
            starts=starts, ends=ends, headcount=headcount, premium_tier=tier,
            is_hot=hot, published_by=ops, now=now,
        )
    evening = ShiftSlot.objects.filter(
        queue=queue, starts_at__gte=now + timedelta(days=2), starts_at__time__gte=time(16)
    ).order_by("starts_at").first()
    if evening is not None:
        with contextlib.suppress(DomainError):
            shifts_booking.shift_booking_create(slot=evening, expert=expert, now=now)


def _training_pack(brand: Brand, editor: User, now: datetime) -> None:
    if TrainingPack.objects.filter(brand=brand).exists():
        return
    certification_services.training_pack_save(
        brand=brand, editor=editor, guidelines=DEMO_GUIDELINES, pass_mark_percent=66, now=now
    )
    for prompt, options, correct in DEMO_QUIZ:
        certification_services.training_question_add(brand=brand, editor=editor, prompt=prompt,
                                              options=options, correct_option=correct, now=now)


DEMO_PAYOUT_TICKETS = {"Ada Lovelace": 7, "Grace Hopper": 4}


def _billed_demo_ticket(*, brand: Brand, queue: OverflowQueue, expert: ExpertProfile,
                        external_id: str, channel: str, subject: str, resolved_at: datetime,
                        tier: str = PremiumTier.STANDARD) -> None:
    """A resolved inquiry of the past, billed and recorded as every resolved ticket is
    (pricing from the contract and the rate card, its queue and channel for the invoice)."""
    customer, _ = Customer.objects.get_or_create(brand=brand, email="historic@customer.demo",
                                                 defaults={"name": "Historic customer"})
    inquiry = Inquiry.objects.create(
        brand=brand, queue=queue, customer=customer, external_id=external_id, channel=channel,
        subject=subject, status=InquiryStatus.RESOLVED,
        received_at=resolved_at - timedelta(hours=1), first_response_due_at=resolved_at,
        source=InquirySource.API)
    pricing_services.ticket_resolution_bill(
        inquiry_id=inquiry.pk, brand_id=brand.pk, brand_name=brand.name,
        expert_id=expert.pk, expert_name=expert.display_name, currency=queue.currency,
        channel=channel, tier=tier, csat=pricing_services.ExpertCsat(percent=None, reviews=0),
        now=resolved_at)
    invoices_services.billed_ticket_record(
        inquiry_id=inquiry.pk, brand_id=brand.pk, queue_id=queue.pk, queue_name=queue.name,
        channel=channel)


def _completed_payout_week(brand: Brand, queue: OverflowQueue, experts: list[ExpertProfile],
                           ops: User, now: datetime) -> None:
    """Last week's tickets, paid by the bank file: the first expert has bank details and is
    paid, the second has none and is held. Only on the first run."""
    if PayoutBatch.objects.exists():
        return
    week = payout_week_last_closed(now)
    queue_zone = ZoneInfo(queue.time_zone)
    paid, held = experts
    payout_details.payout_details_save_bank(
        expert_id=paid.pk, account_holder=paid.display_name, iban="IE64IRCE92050112345678",
        bic="", country="IE", tax_id="IE1234567T", now=now)
    for expert in (paid, held):
        for number in range(DEMO_PAYOUT_TICKETS[expert.display_name]):
            resolved_at = week.period_start + timedelta(hours=10 + 20 * number)
            weekend = resolved_at.astimezone(queue_zone).weekday() >= 5
            _billed_demo_ticket(
                brand=brand, queue=queue, expert=expert,
                external_id=f"demo-paid-{expert.pk}-{number}", channel="email",
                subject=f"Where is my order? ({expert.display_name}, {number + 1})",
                resolved_at=resolved_at,
                tier=PremiumTier.WEEKEND if weekend else PremiumTier.STANDARD)
    batch, _ = payout_batches.payout_batch_draft(
        now=now, holds=payouts_selectors.payout_holds_collect(now=now),
        disputed_expert_ids=frozenset(), week=week)
    payout_batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=ops.pk, now=now)
    payout_execution.payout_batch_execute(batch_id=batch.pk, now=now)
    for payout in batch.payouts.filter(status=PayoutStatus.PENDING):
        payout_execution.payout_send(payout_id=payout.pk, now=now)
    payout_execution.payout_batch_mark_bank_paid(batch_id=batch.pk, now=now)


DEMO_BILLED_TICKETS = (("email", 3), ("chat", 2))


def _last_months_tickets(brand: Brand, queue: OverflowQueue, expert: ExpertProfile,
                         now: datetime) -> None:
    """Last month's resolved tickets, billed, before the payout week is drafted (so they are
    paid with it) and invoiced with the rest of the month. Once only."""
    period = invoices_selectors.previous_month(now)
    if Invoice.objects.filter(brand_id=brand.pk, period_start=period.first).exists():
        return
    if not brand.billing_email:
        brand.billing_contact_name = "Bea Northwind"
        brand.billing_email = "billing@northwind.demo"
        brand.billing_address = "1 Harbour Road\nDublin 2\nIreland"
        brand.save(update_fields=["billing_contact_name", "billing_email", "billing_address"])
    resolved_at = period.starts_at + timedelta(days=3, hours=20)
    for channel, count in DEMO_BILLED_TICKETS:
        for number in range(count):
            _billed_demo_ticket(
                brand=brand, queue=queue, expert=expert,
                external_id=f"demo-billed-{channel}-{number}", channel=channel,
                subject=f"Order question ({channel} {number + 1})", resolved_at=resolved_at)
            resolved_at += timedelta(hours=5)


def _last_months_invoice(now: datetime) -> None:
    """Last month's issued invoice (with its PDF on the brand's billing page); a rerun issues
    only what is missing."""
    period = invoices_selectors.previous_month(now)
    invoicing_services.brands_invoice_month(period_first=period.first, now=now)


DEMO_SURVEY_WEEKS = 10


DEMO_SURVEY_PER_WEEK = 9


# (rating, reasons) of the low ratings, drawn at random: some about the brand, some the answer.
DEMO_LOW_RATINGS = ((2, ["shipping"]), (3, ["refund_not_processed"]), (4, ["speed"]),
                    (1, ["policy", "shipping"]), (3, ["accuracy", "product_quality"]),
                    (2, ["wrong_item"]), (4, ["tone"]), (3, ["policy"]))


@dataclass
class _SurveyedDemo:
    """The rows of the surveyed demo inquiries, written together (a few bulk inserts, not a
    service call each: every test that seeds the demo pays for them)."""

    inquiries: list[Inquiry]
    experts: list[ExpertProfile]
    answers: dict[int, tuple[int, list[str], bool | None, str, datetime]]


def _surveyed_demo_inquiry(demo: _SurveyedDemo, *, queue: OverflowQueue,
                           expert: ExpertProfile, customer: Customer, number: int,
                           received_at: datetime, now: datetime, draw: random.Random) -> None:
    """One resolved inquiry of the past with its promise, its first reply (on time or late),
    its resolving expert and, when its survey is due, the customer's answer: customers who
    got their reply on time still do not all say it was fast (the perception gap)."""
    chat = number % 3 == 0
    promise = timedelta(seconds=60) if chat else timedelta(minutes=15)
    replied_after = promise * draw.uniform(0.3, 1.6)
    first_replied_at = received_at + replied_after
    resolved_at = first_replied_at + timedelta(hours=2)
    demo.inquiries.append(Inquiry(
        brand=queue.brand, queue=queue, customer=customer,
        external_id=f"demo-survey-{number}", channel="chat" if chat else "email",
        subject=("Where is my parcel?", "Can I swap the size?", "Refund question")[number % 3],
        status=InquiryStatus.RESOLVED, received_at=received_at,
        first_response_due_at=received_at + promise, promised_reply_by=received_at + promise,
        promise_text=f"We reply within {round(promise.total_seconds() / 60) or 1} min.",
        first_replied_at=first_replied_at, promise_kept=replied_after <= promise,
        resolved_at=resolved_at, coverage_reason="always_on", source=InquirySource.API))
    demo.experts.append(expert)
    answered_at = resolved_at + timedelta(hours=draw.uniform(1, 30))
    if answered_at >= now or draw.random() < 0.25:
        return
    rating, reasons = 5, list[str]()
    if draw.random() < 0.35:
        rating, reasons = draw.choice(DEMO_LOW_RATINGS)
    said_fast = draw.random() < (0.6 if replied_after <= promise else 0.1)
    demo.answers[number] = (
        rating, reasons, said_fast if draw.random() < 0.9 else None,
        ("", "Thanks!", "Quick and kind.", "Still waiting for my refund.")[number % 4],
        answered_at)


def _surveyed_demo_weeks(queue: OverflowQueue, experts: list[ExpertProfile],
                         now: datetime) -> None:
    """Ten weeks of resolved, surveyed inquiries on the demo queue (seeded, so every run of a
    fresh database shows the same figures), each with its resolving expert, its invitation
    and the customer's answer; the experts' figures are refreshed once at the end. Once
    only."""
    if Inquiry.objects.filter(brand=queue.brand, external_id="demo-survey-0").exists():
        return
    draw = random.Random(14)  # noqa: S311 (seeded demo figures, not a secret)
    customers = [Customer.objects.get_or_create(
        brand=queue.brand, email=f"customer{number}@customer.demo",
        defaults={"name": f"Demo customer {number + 1}"})[0] for number in range(12)]
    demo = _SurveyedDemo(inquiries=[], experts=[], answers={})
    number = 0
    for week in range(DEMO_SURVEY_WEEKS):
        for _ in range(DEMO_SURVEY_PER_WEEK):
            received_at = now - timedelta(days=7 * week + draw.uniform(0.2, 6.8))
            _surveyed_demo_inquiry(demo, queue=queue, expert=experts[number % len(experts)],
                                   customer=customers[number % len(customers)], number=number,
                                   received_at=received_at, now=now, draw=draw)
            number += 1
    inquiries = Inquiry.objects.bulk_create(demo.inquiries)
    offers = Offer.objects.bulk_create(
        Offer(inquiry=inquiry, expert=expert, status=OfferStatus.ACCEPTED,
              created_at=inquiry.received_at, responded_at=inquiry.received_at,
              expires_at=inquiry.received_at + timedelta(minutes=2))
        for inquiry, expert in zip(inquiries, demo.experts, strict=True))
    Assignment.objects.bulk_create(
        Assignment(inquiry=offer.inquiry, expert=offer.expert, offer=offer,
                   status=AssignmentStatus.RESOLVED, created_at=offer.created_at,
                   ended_at=offer.inquiry.resolved_at) for offer in offers)
    answered = [(inquiries[index], demo.experts[index], answer)
                for index, answer in demo.answers.items()]
    SurveyInvitation.objects.bulk_create(
        SurveyInvitation(inquiry=inquiry, key=f"demo{inquiry.pk}", answered_at=answer[4],
                         channel=SurveyChannel.CHAT if inquiry.channel == "chat"
                         else SurveyChannel.EMAIL, created_at=inquiry.resolved_at or now,
                         sent_at=inquiry.resolved_at,
                         expires_at=(inquiry.resolved_at or now) + SURVEY_LIFETIME)
        for inquiry, _expert, answer in answered)
    InquiryReview.objects.bulk_create(
        InquiryReview(inquiry=inquiry, expert=expert, rating=rating, reasons=reasons,
                      speed_as_promised=speed, comment=comment,
                      source=ReviewSource.CUSTOMER_SURVEY, created_at=answered_at)
        for inquiry, expert, (rating, reasons, speed, comment, answered_at) in answered)
    for expert in experts:
        quality_services.quality_refresh(expert_id=expert.pk, now=now)


@transaction.atomic
def seed_demo(*, now: datetime) -> DemoLogins:
    invoices_services.vat_rates_starting_ensure()
    ops = _user("ops@shiftline.demo", first_name="Olivia", is_staff=True)
    brand, _ = Brand.objects.get_or_create(
        slug="northwind", defaults={"name": "Northwind Outfitters"}
    )
    brand_admin = _user("brand@shiftline.demo", first_name="Bea")
    brand_owner, _ = BrandMembership.objects.get_or_create(
        brand=brand, user=brand_admin, defaults={"role": BrandRole.OWNER})
    queue, created = OverflowQueue.objects.get_or_create(
        brand=brand, name="Always covered (demo)",
        defaults={"time_zone": "Europe/Dublin", "covers_after_hours": True,
                  "covers_weekends": True, "currency": "EUR"},
    )
    if created:
        _configure_demo_queue(queue, now)
    if not set(DEMO_WIDGET_ORIGINS) <= set(queue.widget_allowed_origins):
        queues_services.queue_set_widget(
            queue=queue, membership=brand_owner,
            allowed_origins=[*queue.widget_allowed_origins, *DEMO_WIDGET_ORIGINS],
            required_fields=queue.widget_required_fields,
            long_wait_seconds=queue.widget_long_wait_seconds)
    _demo_pricing(brand, ops, now)
    if not ApiKey.objects.filter(prefix=DEMO_API_KEY.split("_")[1]).exists():
        access_services.api_key_create(brand=brand, actor=brand_owner, name="Demo key",
                                       raw_key=DEMO_API_KEY, scopes=ALL_SCOPES)

    _training_pack(brand, brand_admin, now)
    experts = [
        _approved_expert("ada@shiftline.demo", "Ada Lovelace", ops, now),
        _approved_expert("grace@shiftline.demo", "Grace Hopper", ops, now),
    ]
    applicant = _applicant_in_review("katherine@shiftline.demo", "Katherine Johnson", now)
    slot = ShiftSlot.objects.filter(queue=queue, starts_at__lte=now,
                                    ends_at__gt=now + timedelta(hours=1)).first()
    if slot is None:
        start = now.replace(minute=0, second=0, microsecond=0)
        slot = shifts_publishing.shift_slot_create(
            queue=queue, starts_at=start, ends_at=start + timedelta(hours=DEMO_SHIFT_HOURS),
            headcount=len(experts),
        )
    for expert in experts:
        certification_services.certification_grant(expert=expert, brand=brand, now=now)
        booking = shifts_booking.shift_booking_create(slot=slot, expert=expert, now=now)
        if booking.status == BookingStatus.BOOKED:
            attendance.shift_booking_check_in(booking_id=booking.pk, expert=expert, now=now)
    assert ShiftBooking.objects.filter(slot=slot, status=BookingStatus.CHECKED_IN).count() >= 2
    _publish_demo_week(queue, experts[0], ops, now)
    _last_months_tickets(brand, queue, experts[0], now)
    _completed_payout_week(brand, queue, experts, ops, now)
    _last_months_invoice(now)
    _surveyed_demo_weeks(queue, experts, now)
    return DemoLogins(
        brand_admin=brand_admin.username,
        experts=tuple(expert.user.username for expert in experts),
        applicant=applicant.user.username,
        ops=ops.username,
        password=DEMO_PASSWORD,
        api_key=DEMO_API_KEY,
    )
