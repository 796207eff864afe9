"""The survey page (public, two steps, PRG, 410 when expired, in the inquiry's language),
the brand's reviews page, its review form and the perception gap page."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from experts.quality.models import InquiryReview
from marketplace.inquiries.models import Inquiry
from marketplace.surveys import services as surveys
from tests import factories
from tests.marketplace.surveys.helpers import resolved

pytestmark = pytest.mark.django_db


def survey_link(now: datetime) -> tuple[Inquiry, str]:
    inquiry = resolved(factories.queue(), now, channel="chat")
    return inquiry, f"/survey/{surveys.survey_invitation_for_chat(inquiry=inquiry, now=now)}/"


def test_the_survey_asks_the_rating_then_the_reasons_and_thanks(
    now: datetime, captured_tasks: list, settings: object,
) -> None:
    inquiry, link = survey_link(now)
    client = Client(enforce_csrf_checks=True)

    first = client.get(link)
    details = client.get(f"{link}?rating=2")
    token = details.cookies["csrftoken"].value
    refused = client.post(link, {"rating": "2", "csrfmiddlewaretoken": token})
    answered = client.post(link, {"rating": "2", "reasons": ["policy", "tone"],
                                  "speed_as_promised": "no", "comment": "Meh",
                                  "csrfmiddlewaretoken": token})
    thanks = client.get(answered["Location"])
    again = client.get(link)

    assert first.status_code == 200
    assert 'name="rating" value="5"' in first.content.decode()
    assert "About our answer" in details.content.decode()
    assert "About the product or policy" in details.content.decode()
    assert refused.status_code == 400
    assert "A rating below 5 needs at least one reason." in refused.content.decode()
    assert (answered.status_code, answered["Location"]) == (302, f"{link}thanks/")
    assert thanks.status_code == 200
    assert "Thank you!" in thanks.content.decode()
    assert "Already answered" in again.content.decode()
    review = InquiryReview.objects.get(inquiry=inquiry)
    assert (review.rating, review.reasons, review.speed_as_promised, review.comment) == (
        2, ["policy", "tone"], False, "Meh")


def test_a_5_asks_no_reasons_and_a_post_without_csrf_is_refused(
    now: datetime, captured_tasks: list,
) -> None:
    _, link = survey_link(now)
    client = Client(enforce_csrf_checks=True)

    details = client.get(f"{link}?rating=5")
    forged = client.post(link, {"rating": "5"})

    assert "About our answer" not in details.content.decode()
    assert "Was the reply as fast as we promised?" in details.content.decode()
    assert forged.status_code == 403
    assert not InquiryReview.objects.exists()


def test_an_expired_survey_is_a_410_page_and_a_made_up_one_a_404(
    now: datetime, captured_tasks: list,
) -> None:
    inquiry = resolved(factories.queue(), now, channel="chat")
    token = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now - timedelta(days=28))

    expired = Client().get(f"/survey/{token}/")
    unknown = Client().get("/survey/1.abc:forged/")

    assert expired.status_code == 410
    assert "This survey has closed" in expired.content.decode()
    assert unknown.status_code == 404


def test_the_page_speaks_the_inquirys_language(now: datetime, captured_tasks: list) -> None:
    inquiry, link = survey_link(now)
    Inquiry.objects.filter(pk=inquiry.pk).update(language="fi")

    page = Client().get(link)

    assert '<html lang="fi"' in page.content.decode()


def member_client(brand: object) -> Client:
    client = Client()
    client.force_login(factories.brand_member(of=brand))  # type: ignore[arg-type]
    return client


def test_the_reviews_page_shows_both_csats_and_the_reasons_to_fix(
    now: datetime, captured_tasks: list,
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    for rating, reasons in ((5, []), (2, ["shipping"]), (3, ["tone", "policy"])):
        inquiry = resolved(queue, now, expert=expert, channel="chat")
        token = surveys.survey_invitation_for_chat(inquiry=inquiry, now=now)
        surveys.survey_answer(token=token, rating=rating, reasons=reasons,
                              speed_as_promised=rating == 5, comment="", now=now)
    client = member_client(queue.brand)

    page = client.get("/brand/reviews/")
    only_fives = client.get(f"/brand/reviews/?queue={queue.pk}&rating=5")
    empty = member_client(factories.brand()).get("/brand/reviews/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "33 %" in body  # 1 of 3 satisfied, all ratings
    assert "50 %" in body  # 1 of 2 counted (the shipping-only 2 is left out)
    assert "Shipping: <strong>1</strong>" in body
    assert "Policy: <strong>1</strong>" in body
    assert body.count('href="/brand/inquiries/') == 3
    assert only_fives.content.decode().count('href="/brand/inquiries/') == 1
    assert (empty.status_code, "No ratings yet." in empty.content.decode()) == (200, True)


def test_the_brand_reviews_a_resolved_inquiry_from_its_page(
    now: datetime, captured_tasks: list,
) -> None:
    queue = factories.queue()
    inquiry = resolved(queue, now)
    client = member_client(queue.brand)

    form = client.get(f"/brand/inquiries/{inquiry.pk}/")
    refused = client.post(f"/brand/inquiries/{inquiry.pk}/review/", {"rating": "3"})
    recorded = client.post(f"/brand/inquiries/{inquiry.pk}/review/",
                           {"rating": "3", "reasons": ["wrong_item"], "comment": "Ours"})
    shown = client.get(f"/brand/inquiries/{inquiry.pk}/")

    assert "Review this inquiry" in form.content.decode()
    assert '<input type="checkbox" name="reasons" value="wrong_item">' in form.content.decode()
    assert refused.status_code == 303
    assert (recorded.status_code, recorded["Location"]) == (302, f"/brand/inquiries/{inquiry.pk}/")
    review = InquiryReview.objects.get()
    assert (review.rating, review.reasons, review.source, review.comment) == (
        3, ["wrong_item"], "brand_review", "Ours")
    assert "Wrong item delivered" in shown.content.decode()
    assert "Review this inquiry" not in shown.content.decode()


MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def promised(queue: object, *, received: datetime, promise_seconds: int, reply_seconds: int,
             said_fast: bool | None = None) -> Inquiry:
    """An inquiry with its promise and first reply as stored at intake and at the reply."""
    inquiry = factories.inquiry(on=queue, now=received)  # type: ignore[arg-type]
    promised_by = received + timedelta(seconds=promise_seconds)
    replied = received + timedelta(seconds=reply_seconds)
    Inquiry.objects.filter(pk=inquiry.pk).update(
        promised_reply_by=promised_by, first_replied_at=replied,
        promise_kept=replied <= promised_by)
    if said_fast is not None:
        InquiryReview.objects.create(inquiry=inquiry, expert=factories.expert(now=received),
                                     rating=5, speed_as_promised=said_fast, created_at=replied,
                                     source="customer_survey")
    return inquiry


def test_the_perception_gap_per_queue_and_week_is_exact(captured_tasks: list) -> None:
    from django.utils import timezone

    from marketplace.surveys import selectors

    queue = factories.queue()
    promised(queue, received=MONDAY, promise_seconds=600, reply_seconds=300, said_fast=True)
    promised(queue, received=MONDAY + timedelta(hours=1), promise_seconds=900,
             reply_seconds=1200, said_fast=False)
    promised(queue, received=MONDAY + timedelta(days=2), promise_seconds=1200,
             reply_seconds=600, said_fast=False)
    promised(queue, received=MONDAY + timedelta(days=7), promise_seconds=60, reply_seconds=30)
    promised(queue, received=MONDAY - timedelta(weeks=13), promise_seconds=60, reply_seconds=30)

    weeks = selectors.perception_gap_for_brand(
        brand_id=queue.brand_id, now=MONDAY + timedelta(days=8), zone=UTC)

    assert [(week.week.isoformat(), week.replies, week.median_promised,
             week.median_first_reply, week.promise_kept_share, week.speed_answers,
             week.said_fast_share) for week in weeks] == [
        ("2026-11-16", 3, timedelta(seconds=900), timedelta(seconds=600), 2 / 3, 3, 1 / 3),
        ("2026-11-23", 1, timedelta(seconds=60), timedelta(seconds=30), 1.0, 0, None),
    ]
    client = member_client(queue.brand)
    with timezone.override(UTC):
        page = client.get("/brand/perception-gap/")
    empty = member_client(factories.brand()).get("/brand/perception-gap/")
    assert page.status_code == 200
    assert "<desc" in page.content.decode()
    assert "67 %" in page.content.decode()
    assert "15 min 00 s" in page.content.decode()
    assert "No inquiry with a promise" in empty.content.decode()


def test_the_figures_cost_one_query_each_however_many_weeks_and_reviews(
    captured_tasks: list, django_assert_num_queries: Any,
) -> None:
    from experts.quality import selectors as quality_selectors
    from marketplace.surveys import selectors

    queue = factories.queue()
    for week in range(4):
        promised(queue, received=MONDAY - timedelta(weeks=week), promise_seconds=600,
                 reply_seconds=300, said_fast=week % 2 == 0)

    with django_assert_num_queries(1):
        selectors.perception_gap_for_brand(brand_id=queue.brand_id, now=MONDAY, zone=UTC)
    with django_assert_num_queries(1):
        quality_selectors.review_summary_for_brand(brand_id=queue.brand_id)
    with django_assert_num_queries(1):
        quality_selectors.review_csat_by_expert_for_brand(brand_id=queue.brand_id)


def test_a_survey_of_an_inquiry_the_brand_rated_meanwhile_says_it_is_not_open(
    now: datetime, captured_tasks: list,
) -> None:
    inquiry, link = survey_link(now)
    surveys.brand_review_record(brand=inquiry.brand, inquiry_id=inquiry.pk, rating=5,
                                reasons=[], comment="", now=now)
    client = Client()

    shown = client.get(link)
    refused = client.post(link, {"rating": "5"})

    assert (shown.status_code, refused.status_code) == (409, 409)
    assert "Not open right now" in refused.content.decode()
    assert InquiryReview.objects.get().source == "brand_review"
