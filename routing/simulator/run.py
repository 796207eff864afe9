"""The discrete-event simulation: one heap of timed events, simulated experts with the same
seats the real system keeps (load per channel counts pending offers and active assignments),
and every routing decision taken by `routing.engine.choose_expert` with the real offer policy.

Mirrors `routing.services`: a new inquiry is routed at once; a close-to-breach chat is offered
to several experts and the first to accept wins; a declined or expired offer sends the inquiry
on to someone who has not passed on it; an expert who frees capacity (shift start, resolution,
an offer closed) pulls the most urgent waiting inquiry they can take; an inquiry nobody has
accepted by its first-response target is handed back to the brand."""

import heapq
import random
from bisect import bisect_left, insort
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from routing.engine import Candidate, ExclusionReason, InquiryNeeds, choose_expert
from routing.engine.policy import DEFAULT_POLICIES, Channel, OfferPolicy
from routing.simulator.inputs import LoggedInquiry, PlannedShift
from routing.simulator.options import SimulationOptions
from routing.simulator.report import ChannelTally, SimulationReport, Utilization

SHORTLIST = 10
EXPLAINED = 10
SHIFT_START, SHIFT_END, RESPONSE, RESOLVED, DEADLINE = range(5)
ACCEPT, DECLINE, EXPIRE = range(3)
NEVER_COVERED = "never_covered"
NOT_IN_TIME = "no_coverage_in_time"
SEEN_REASONS = frozenset({ExclusionReason.AT_CAPACITY, ExclusionReason.DECLINED_BEFORE})


def moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(slots=True, eq=False)
class Expert:
    expert_id: int
    languages: frozenset[str]
    skills: frozenset[str]
    quality: float
    on_shift: bool = False
    load: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("chat", "email",
                                                                        "social"), 0))
    working: int = 0
    busy_since: float = 0.0
    idle_since: datetime = field(default_factory=lambda: moment(0))
    pending: set["Offer"] = field(default_factory=set)


@dataclass(slots=True, eq=False)
class Inquiry:
    inquiry_id: int
    logged: LoggedInquiry
    due: float
    passed: set[int] = field(default_factory=set)
    pending: set["Offer"] = field(default_factory=set)
    offers: int = 0
    saw_expert: bool = False
    first_response: float | None = None
    handed_back: str | None = None
    assigned: bool = False


@dataclass(slots=True, eq=False)
class Offer:
    inquiry: Inquiry
    expert: Expert
    outcome: int
    live: bool = True


class Simulation:
    def __init__(self, inquiries: list[LoggedInquiry], plan: list[PlannedShift],
                 options: SimulationOptions) -> None:
        self.options = options
        self.rng = random.Random(options.seed)  # noqa: S311 - a seeded model, not secrets
        self.policies: dict[str, OfferPolicy] = {
            channel.value: replace(policy, offer_timeout=timedelta(
                seconds=options.offer_timeouts.get(channel.value,
                                                   policy.offer_timeout.total_seconds())))
            for channel, policy in DEFAULT_POLICIES.items()
        }
        self.capacity = {channel: policy.capacity for channel, policy in self.policies.items()}
        self.log = inquiries
        self.events: list[tuple[float, int, int, object]] = []
        self.sequence = 0
        self.waiting: list[tuple[float, int]] = []
        self.by_id: dict[int, Inquiry] = {}
        self.on_shift: dict[int, Expert] = {}
        self.tallies = {channel.value: ChannelTally() for channel in Channel}
        self.utilization = Utilization(options.time_zone)
        all_languages = frozenset(inquiry.language for inquiry in inquiries)
        all_skills = frozenset(inquiry.skill for inquiry in inquiries if inquiry.skill)
        number = 0
        for shift in plan:
            for _ in range(shift.experts):
                number += 1
                expert = Expert(number, shift.languages or all_languages,
                                shift.skills if shift.skills is not None else all_skills,
                                quality=round(self.rng.uniform(3.5, 5.0), 2))
                self._at(shift.starts_at, SHIFT_START, expert)
                self._at(shift.ends_at, SHIFT_END, expert)
                self.utilization.add_on_shift(shift.starts_at, shift.ends_at)

    def _at(self, when: float, kind: int, subject: object) -> None:
        self.sequence += 1
        heapq.heappush(self.events, (when, self.sequence, kind, subject))

    def run(self, progress: Callable[[int, int], None] | None = None) -> SimulationReport:
        total = len(self.log)
        step = max(1, total // 200)
        for position, logged in enumerate(self.log, start=1):
            while self.events and self.events[0][0] <= logged.received_at:
                self._handle(heapq.heappop(self.events))
            self._arrive(position, logged)
            if progress is not None and (position % step == 0 or position == total):
                progress(position, total)
        while self.events:
            self._handle(heapq.heappop(self.events))
        return SimulationReport(seed=self.options.seed, time_zone=self.options.time_zone,
                                targets=self.options.targets, channels=self.tallies,
                                utilization=self.utilization)

    def _handle(self, event: tuple[float, int, int, object]) -> None:
        now, _, kind, subject = event
        if kind == RESPONSE:
            assert isinstance(subject, Offer)
            self._respond(subject, now)
        elif kind == RESOLVED:
            assert isinstance(subject, tuple)
            self._resolve(subject[0], subject[1], now)
        elif kind == DEADLINE:
            assert isinstance(subject, Inquiry)
            self._deadline(subject, now)
        elif kind == SHIFT_START:
            assert isinstance(subject, Expert)
            subject.on_shift, subject.idle_since = True, moment(now)
            self.on_shift[subject.expert_id] = subject
            self._pull(subject, now)
        else:
            assert isinstance(subject, Expert)
            self._shift_end(subject, now)

    def _arrive(self, number: int, logged: LoggedInquiry) -> None:
        inquiry = Inquiry(number, logged, logged.received_at + self.options.targets[logged.channel])
        self.by_id[number] = inquiry
        self.tallies[logged.channel].inquiries += 1
        self._at(inquiry.due, DEADLINE, inquiry)
        insort(self.waiting, (inquiry.due, number))
        self._route(inquiry, logged.received_at)

    def _candidates(self, inquiry: Inquiry) -> list[Candidate]:
        """Like `routing.seats.selectors.routing_pool`, in memory: the best few who can take it,
        plus a few who cannot, so the decision says why they were left out."""
        logged = inquiry.logged
        channel, capacity = logged.channel, self.capacity[logged.channel]
        able: list[Expert] = []
        others: list[Expert] = []
        for expert in self.on_shift.values():
            speaks = logged.language in expert.languages and (
                not logged.skill or logged.skill in expert.skills)
            if speaks:
                inquiry.saw_expert = True
            if speaks and expert.expert_id not in inquiry.passed \
                    and expert.load[channel] < capacity:
                able.append(expert)
            elif len(others) < EXPLAINED:
                others.append(expert)
        able.sort(key=lambda item: (item.load[channel], item.idle_since, -item.quality,
                                    item.expert_id))
        return [
            Candidate(expert_id=expert.expert_id, approved=True, certified=True, on_shift=True,
                      checked_in=True, languages=expert.languages, skills=expert.skills,
                      active_load=expert.load[channel], capacity=capacity,
                      idle_since=expert.idle_since, quality_score=expert.quality)
            for expert in [*able[:SHORTLIST], *others]
        ]

    def _route(self, inquiry: Inquiry, now: float) -> bool:
        if inquiry.assigned or inquiry.handed_back or inquiry.pending:
            return False
        logged = inquiry.logged
        needs = InquiryNeeds(
            inquiry_id=inquiry.inquiry_id, channel=logged.channel, language=logged.language,
            skills=frozenset((logged.skill,)) if logged.skill else frozenset(),
            excluded_expert_ids=frozenset(inquiry.passed),
        )
        at = moment(now)
        decision = choose_expert(needs, self._candidates(inquiry), at)
        if decision.ranked or any(item.reason in SEEN_REASONS for item in decision.excluded):
            inquiry.saw_expert = True
        if decision.chosen_expert_id is None:
            return False
        policy = self.policies[logged.channel]
        width = policy.offer_width(at, moment(inquiry.due))
        for score in decision.ranked[:width]:
            self._offer(inquiry, self.on_shift[score.expert_id], now, policy)
        self._unqueue(inquiry)
        return True

    def _offer(self, inquiry: Inquiry, expert: Expert, now: float, policy: OfferPolicy) -> None:
        channel = inquiry.logged.channel
        timeout = policy.offer_timeout.total_seconds()
        draw = self.rng.random()
        if draw < self.options.accept_probability:
            outcome = ACCEPT
        elif draw < self.options.accept_probability + self.options.ignore_probability:
            outcome = EXPIRE
        else:
            outcome = DECLINE
        delay = timeout if outcome == EXPIRE else self.options.respond[channel].sample(self.rng)
        if delay >= timeout:
            outcome, delay = EXPIRE, timeout
        offer = Offer(inquiry, expert, outcome)
        inquiry.pending.add(offer)
        inquiry.offers += 1
        expert.pending.add(offer)
        expert.load[channel] += 1
        self._at(now + delay, RESPONSE, offer)

    def _close(self, offer: Offer) -> None:
        offer.live = False
        offer.inquiry.pending.discard(offer)
        offer.expert.pending.discard(offer)
        offer.expert.load[offer.inquiry.logged.channel] -= 1

    def _respond(self, offer: Offer, now: float) -> None:
        if not offer.live:
            return
        inquiry, expert = offer.inquiry, offer.expert
        self._close(offer)
        if offer.outcome != ACCEPT:
            inquiry.passed.add(expert.expert_id)
            if not inquiry.pending:
                insort(self.waiting, (inquiry.due, inquiry.inquiry_id))
                self._route(inquiry, now)
            self._pull(expert, now)
            return
        channel = inquiry.logged.channel
        withdrawn = list(inquiry.pending)
        for other in withdrawn:
            self._close(other)
        inquiry.assigned = True
        inquiry.first_response = now + self.options.reply[channel].sample(self.rng) \
            - inquiry.logged.received_at
        expert.load[channel] += 1
        if expert.working == 0:
            expert.busy_since = now
        expert.working += 1
        self._at(now + self.options.handle[channel].sample(self.rng), RESOLVED,
                 (expert, inquiry))
        self._finish(inquiry)
        for other in withdrawn:
            self._pull(other.expert, now)

    def _resolve(self, expert: Expert, inquiry: Inquiry, now: float) -> None:
        expert.load[inquiry.logged.channel] -= 1
        expert.working -= 1
        if expert.working == 0:
            self.utilization.add_busy(expert.busy_since, now)
        expert.idle_since = moment(now)
        self._pull(expert, now)

    def _deadline(self, inquiry: Inquiry, now: float) -> None:
        if inquiry.assigned:
            return
        inquiry.handed_back = NOT_IN_TIME if inquiry.saw_expert else NEVER_COVERED
        withdrawn = list(inquiry.pending)
        for offer in withdrawn:
            self._close(offer)
        self._unqueue(inquiry)
        self._finish(inquiry)
        for offer in withdrawn:
            self._pull(offer.expert, now)

    def _shift_end(self, expert: Expert, now: float) -> None:
        expert.on_shift = False
        self.on_shift.pop(expert.expert_id, None)
        for offer in sorted(expert.pending, key=lambda item: item.inquiry.inquiry_id):
            self._close(offer)
            if not offer.inquiry.pending:
                insort(self.waiting, (offer.inquiry.due, offer.inquiry.inquiry_id))
                self._route(offer.inquiry, now)

    def _pull(self, expert: Expert, now: float) -> None:
        """The most urgent waiting inquiries this expert could take are routed at once."""
        if not expert.on_shift:
            return
        for due, number in list(self.waiting):
            if due <= now:
                continue
            inquiry = self.by_id[number]
            logged = inquiry.logged
            if expert.load[logged.channel] >= self.capacity[logged.channel] \
                    or logged.language not in expert.languages \
                    or (logged.skill and logged.skill not in expert.skills) \
                    or expert.expert_id in inquiry.passed:
                continue
            if not self._route(inquiry, now):
                return
            if all(load >= self.capacity[channel] for channel, load in expert.load.items()):
                return

    def _unqueue(self, inquiry: Inquiry) -> None:
        key = (inquiry.due, inquiry.inquiry_id)
        position = bisect_left(self.waiting, key)
        if position < len(self.waiting) and self.waiting[position] == key:
            del self.waiting[position]

    def _finish(self, inquiry: Inquiry) -> None:
        tally = self.tallies[inquiry.logged.channel]
        tally.offers.append(inquiry.offers)
        if inquiry.first_response is not None:
            tally.first_responses.append(inquiry.first_response)
            tally.within_target += (inquiry.first_response
                                    <= self.options.targets[inquiry.logged.channel])
        elif inquiry.handed_back is not None:
            tally.handed_back[inquiry.handed_back] += 1
        del self.by_id[inquiry.inquiry_id]


def simulate(inquiries: list[LoggedInquiry], plan: list[PlannedShift],
             options: SimulationOptions,
             progress: Callable[[int, int], None] | None = None) -> SimulationReport:
    return Simulation(inquiries, plan, options).run(progress)
