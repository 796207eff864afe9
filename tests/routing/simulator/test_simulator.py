"""The coverage simulator's model, without a database: the same engine and offer policy."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from routing.simulator import SimulationOptions, load_inquiries, load_plan, simulate
from routing.simulator.inputs import LoggedInquiry, PlannedShift
from routing.simulator.options import Distribution
from routing.simulator.sample import write_examples

T0 = datetime(2026, 11, 22, 22, 0, tzinfo=UTC).timestamp()
QUICK = SimulationOptions(
    accept_probability=1.0, ignore_probability=0.0,
    respond={channel: Distribution("fixed", 1) for channel in ("chat", "email", "social")},
    reply={channel: Distribution("fixed", 4) for channel in ("chat", "email", "social")},
    handle={channel: Distribution("fixed", 600) for channel in ("chat", "email", "social")},
)


def chat(offset: float = 0.0, language: str = "en") -> LoggedInquiry:
    return LoggedInquiry(T0 + offset, "chat", language, "")


def shift(experts: int, languages: frozenset[str] | None = None,
          hours: float = 1.0) -> PlannedShift:
    return PlannedShift(T0, T0 + hours * 3600, experts, languages, None)


def test_an_accepted_chat_is_answered_after_the_offer_and_the_reply() -> None:
    report = simulate([chat()], [shift(1)], QUICK).as_dict()

    figures = report["channels"]["chat"]
    assert figures["answered"] == 1
    assert figures["first_response_seconds"] == {"p50": 5.0, "p90": 5.0, "p99": 5.0}
    assert figures["within_target"] == 1.0
    assert figures["offers_per_inquiry"] == 1.0


def test_one_expert_is_never_above_chat_capacity() -> None:
    report = simulate([chat(), chat(1), chat(2), chat(3)], [shift(1)], QUICK).as_dict()

    figures = report["channels"]["chat"]
    assert figures["answered"] == 3
    assert figures["handed_back"] == {"no_coverage_in_time": 1, "never_covered": 0, "total": 1}


def test_nobody_speaking_the_language_is_never_covered() -> None:
    report = simulate([chat(language="de")], [shift(2, frozenset({"en"}))], QUICK).as_dict()

    assert report["channels"]["chat"]["handed_back"] == {
        "no_coverage_in_time": 0, "never_covered": 1, "total": 1}


def test_a_declined_chat_is_never_offered_to_the_same_expert_again() -> None:
    declining = replace(QUICK, accept_probability=0.0)

    report = simulate([chat()], [shift(1)], declining).as_dict()

    figures = report["channels"]["chat"]
    assert figures["offers_per_inquiry"] == 1.0
    assert figures["handed_back"]["no_coverage_in_time"] == 1


def test_a_chat_close_to_breaching_is_offered_to_several_at_once() -> None:
    """The first offer expires at 20 s, 10 s before the 30 s target: within the policy's
    15 s multi-offer window, so the next three experts are offered it together."""
    silent = replace(QUICK, accept_probability=0.0, ignore_probability=1.0)

    report = simulate([chat()], [shift(5)], silent).as_dict()

    assert report["channels"]["chat"]["offers_per_inquiry"] == 4.0


def test_a_waiting_chat_is_offered_when_an_expert_starts_their_shift() -> None:
    late_shift = PlannedShift(T0 + 10, T0 + 3600, 1, None, None)

    report = simulate([chat()], [late_shift], QUICK).as_dict()

    assert report["channels"]["chat"]["first_response_seconds"]["p50"] == 15.0


def test_utilization_is_busy_time_over_time_on_shift_per_hour() -> None:
    half_hour = replace(QUICK, handle={"chat": Distribution("fixed", 1800),
                                       "email": Distribution("fixed", 1800),
                                       "social": Distribution("fixed", 1800)})

    report = simulate([chat()], [shift(2)], half_hour).as_dict()

    assert report["utilization_by_hour"] == [
        {"hour": "2026-11-22T22:00+00:00", "experts_on_shift": 2.0, "utilization": 0.25}]


def test_same_seed_same_result_and_another_seed_another(tmp_path: Path) -> None:
    log, plan = write_examples(tmp_path, inquiries=3_000, seed=4)
    inquiries, shifts = load_inquiries(log), load_plan(plan)

    first = simulate(inquiries, shifts, SimulationOptions(seed=7)).as_dict()
    second = simulate(inquiries, shifts, SimulationOptions(seed=7)).as_dict()
    other = simulate(inquiries, shifts, SimulationOptions(seed=8)).as_dict()

    assert first == second
    assert first["channels"] != other["channels"]
