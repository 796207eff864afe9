"""The survey at the end of a chat: once the chat is resolved its State carries the survey's
token (the same one every time), which the widget posts its answer with."""

import pytest
from django.utils import timezone

from experts.quality.models import InquiryReview
from marketplace.widget.models import WidgetConversation
from routing.assignments import services as assignments_services
from routing.models import ExpertSeat
from routing.offers import services as offers_services
from tests.marketplace.widget.support import bearer, client, open_queue, start

pytestmark = pytest.mark.django_db


def test_a_resolved_chat_offers_its_survey_and_takes_the_answer_once() -> None:
    queue = open_queue()
    body = start(queue).json()
    path = f"/widget/api/v1/conversations/{body['conversation']}"
    api = bearer(body["token"])
    assert api.get(path).json()["survey_token"] is None
    conversation = WidgetConversation.objects.get(public_id=body["conversation"])
    expert = ExpertSeat.objects.get(queue=queue).expert
    now = timezone.now()
    outcome = offers_services.inquiry_route(inquiry_id=conversation.inquiry_id, now=now)
    assert outcome.offer_id is not None
    offers_services.offer_accept(offer_id=outcome.offer_id, expert=expert, now=now)
    assignments_services.assignment_reply(inquiry_id=conversation.inquiry_id, expert=expert,
                                          author=expert.user, body="Tomorrow.", now=now)
    assert api.get(path).json()["survey_token"] is None

    assignments_services.assignment_resolve(inquiry_id=conversation.inquiry_id, expert=expert,
                                            now=now)
    token = api.get(path).json()["survey_token"]

    assert token
    assert api.get(path).json()["survey_token"] == token
    answer = {"rating": 4, "reasons": ["shipping"], "speed_as_promised": True, "comment": ""}
    first = client().post(f"/survey/api/v1/{token}", answer, format="json")
    again = client().post(f"/survey/api/v1/{token}", answer, format="json")
    assert (first.status_code, again.status_code) == (201, 409)
    assert first["Access-Control-Allow-Origin"] == "*"
    assert InquiryReview.objects.filter(inquiry_id=conversation.inquiry_id).count() == 1
