"""A stateful property test of the inquiry, offer and shift lifecycles on PostgreSQL.

Hypothesis drives random sequences of arrivals, accepts, declines, replies, resolutions,
check-ins, suspensions, presence changes and the passing of time through the real services,
and after every step checks the invariants: at most one active assignment per inquiry, no
expert above capacity (and seat loads equal to the work actually held), no offer to an
ineligible expert, and every inquiry resolved, handed back, with the brand, or waiting with a
live reason (a pending offer, an active assignment, or a place in the queue)."""

import contextlib
import os
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from experts.applications.services import decisions as applications_decisions
from experts.attendance import services as attendance
from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.errors import DomainError
from marketplace.inquiries.models import Inquiry, InquiryStatus
from routing.assignments import services as assignments_services
from routing.models import Assignment, AssignmentStatus, ExpertSeat, Offer, OfferStatus
from routing.offers import services as offers_services
from routing.seats import services as seats
from routing.sweeps import services as sweeps_services
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
EXPERTS = 4


class RoutingLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.now = START
        self.ops = factories.user(is_staff=True)

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    @initialize()
    def shift_with_experts(self) -> None:
        self.queue = factories.queue()
        slot = factories.shift(on=self.queue, now=self.now, headcount=EXPERTS, hours=24)
        languages = [("en",), ("en", "pt"), ("pt",), ("en",)]
        self.experts = [
            factories.on_shift_expert(on=self.queue, now=self.now, slot=slot,
                                      checked_in=index < 2, languages=languages[index])
            for index in range(EXPERTS)
        ]

    def _expert(self, index: int) -> ExpertProfile:
        expert = self.experts[index % EXPERTS]
        expert.refresh_from_db()
        return expert

    def _attempt(self, action: Callable[[], object]) -> None:
        """Refusals (an offer that expired, a reply to a closed inquiry) are part of the game."""
        with contextlib.suppress(DomainError):
            action()

    @rule(channel=st.sampled_from(["chat", "email"]), language=st.sampled_from(["en", "pt"]))
    def inquiry_arrives(self, channel: str, language: str) -> None:
        inquiry = factories.inquiry(on=self.queue, now=self.now, channel=channel,
                                    language=language)
        offers_services.inquiry_route(inquiry_id=inquiry.pk, now=self.now)

    @rule(pick=st.integers(min_value=0, max_value=50))
    def expert_accepts(self, pick: int) -> None:
        pending = list(Offer.objects.filter(status=OfferStatus.PENDING).order_by("id"))
        if pending:
            offer = pending[pick % len(pending)]
            self._attempt(lambda: offers_services.offer_accept(
                offer_id=offer.pk, expert=offer.expert, now=self.now))

    @rule(pick=st.integers(min_value=0, max_value=50))
    def expert_declines(self, pick: int) -> None:
        pending = list(Offer.objects.filter(status=OfferStatus.PENDING).order_by("id"))
        if pending:
            offer = pending[pick % len(pending)]
            self._attempt(lambda: offers_services.offer_decline(
                offer_id=offer.pk, expert=offer.expert, reason="busy", now=self.now))

    @rule(pick=st.integers(min_value=0, max_value=50))
    def expert_replies(self, pick: int) -> None:
        active = list(Assignment.objects.filter(status=AssignmentStatus.ACTIVE).order_by("id"))
        if active:
            assignment = active[pick % len(active)]
            self._attempt(lambda: assignments_services.assignment_reply(
                inquiry_id=assignment.inquiry_id, expert=assignment.expert,
                author=assignment.expert.user, body="Here is the answer.", now=self.now))

    @rule(pick=st.integers(min_value=0, max_value=50))
    def expert_resolves(self, pick: int) -> None:
        active = list(Assignment.objects.filter(status=AssignmentStatus.ACTIVE).order_by("id"))
        if active:
            assignment = active[pick % len(active)]
            self._attempt(lambda: assignments_services.assignment_resolve(
                inquiry_id=assignment.inquiry_id, expert=assignment.expert, now=self.now))

    @rule(index=st.integers(min_value=0, max_value=EXPERTS - 1))
    def expert_checks_in(self, index: int) -> None:
        expert = self._expert(index)
        booking = expert.bookings.order_by("-id").first()
        if booking is not None:
            self._attempt(lambda: attendance.shift_booking_check_in(
                booking_id=booking.pk, expert=expert, now=self.now))
            offers_services.expert_pull_waiting_work(expert_id=expert.pk, now=self.now)

    @rule(index=st.integers(min_value=0, max_value=EXPERTS - 1))
    def ops_suspends_or_reinstates(self, index: int) -> None:
        expert = self._expert(index)
        to_status = (ExpertStatus.SUSPENDED if expert.status == ExpertStatus.APPROVED
                     else ExpertStatus.APPROVED)
        self._attempt(lambda: applications_decisions.expert_decide(
            expert=expert, to_status=to_status, decided_by=self.ops, reason="Audit",
            now=self.now))

    @rule(index=st.integers(min_value=0, max_value=EXPERTS - 1), available=st.booleans())
    def presence_changes(self, index: int, available: bool) -> None:
        expert = self._expert(index)
        seats.seat_set_available(expert_id=expert.pk, available=available, now=self.now)
        if available:
            offers_services.expert_pull_waiting_work(expert_id=expert.pk, now=self.now)

    @rule(seconds=st.sampled_from([5, 21, 61, 181, 600]))
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
        sweeps_services.offers_expire_due(now=self.now)
        sweeps_services.assignments_release_silent(now=self.now)
        sweeps_services.deadlines_sweep(now=self.now)
        sweeps_services.inquiries_reconcile(now=self.now)

    @invariant()
    def one_active_assignment_per_inquiry(self) -> None:
        counts = Counter(Assignment.objects.filter(status=AssignmentStatus.ACTIVE)
                         .values_list("inquiry_id", flat=True))
        assert all(count == 1 for count in counts.values()), counts

    @invariant()
    def seat_load_is_the_work_held_and_within_capacity(self) -> None:
        held: Counter[tuple[int, str]] = Counter()
        for expert_id, channel in Offer.objects.filter(status=OfferStatus.PENDING) \
                .values_list("expert_id", "inquiry__channel"):
            held[(expert_id, channel)] += 1
        for expert_id, channel in Assignment.objects.filter(status=AssignmentStatus.ACTIVE) \
                .values_list("expert_id", "inquiry__channel"):
            held[(expert_id, channel)] += 1
        for seat in ExpertSeat.objects.all():
            assert (seat.chat_load, seat.email_load) == (
                held[(seat.expert_id, "chat")], held[(seat.expert_id, "email")])
            assert seat.chat_load <= seat.chat_capacity
            assert seat.email_load <= seat.email_capacity

    @invariant()
    def offers_only_to_eligible_experts(self) -> None:
        for offer in Offer.objects.filter(status=OfferStatus.PENDING).select_related(
                "expert", "inquiry"):
            assert offer.expert.status == ExpertStatus.APPROVED
            seat = ExpertSeat.objects.filter(expert=offer.expert).first()
            assert seat is not None and seat.queue_id == offer.inquiry.queue_id
            assert offer.inquiry.language in offer.expert.languages
            passed_before = Offer.objects.filter(
                inquiry=offer.inquiry, expert=offer.expert,
                status__in=[OfferStatus.DECLINED, OfferStatus.EXPIRED]).exists()
            assert not passed_before

    @invariant()
    def every_inquiry_has_a_live_reason(self) -> None:
        for inquiry in Inquiry.objects.all():
            pending = Offer.objects.filter(inquiry=inquiry, status=OfferStatus.PENDING).exists()
            active = Assignment.objects.filter(inquiry=inquiry,
                                               status=AssignmentStatus.ACTIVE).exists()
            if inquiry.status == InquiryStatus.OFFERED:
                assert pending and not active
            elif inquiry.status in (InquiryStatus.ASSIGNED, InquiryStatus.ANSWERED,
                                    InquiryStatus.WAITING_ON_CUSTOMER):
                assert active and not pending
            elif inquiry.status == InquiryStatus.QUEUED:
                assert not pending and not active
            else:
                assert inquiry.status in (InquiryStatus.RESOLVED, InquiryStatus.HANDED_BACK,
                                          InquiryStatus.WITH_BRAND), inquiry.status
                assert not pending and not active


def test_routing_lifecycles_keep_their_invariants(captured_tasks: list) -> None:
    run_state_machine_as_test(
        RoutingLifecycle,
        settings=settings(max_examples=int(os.environ.get("SHIFTLINE_STATEFUL_EXAMPLES", "25")),
                          stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
