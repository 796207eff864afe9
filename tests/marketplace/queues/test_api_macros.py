"""Macros over REST (§2: console pages and REST API, same services): create, list, rewrite and
remove a queue's saved replies with the brand's API key; every bad field a 400 that saves
nothing, an unknown placeholder a 422, a taken name a 409; another brand's queue or macro a
404."""

import pytest
from rest_framework.test import APIClient

from marketplace.queues.models import QueueMacro
from tests import factories

pytestmark = pytest.mark.django_db

MACRO = {"name": "Where is my order",
         "body": "Hi {customer_first_name}, your order left our warehouse today."}


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_macro_is_created_listed_and_shown_with_the_queue() -> None:
    queue = factories.queue()
    api = client_with(factories.api_key(of=queue.brand))

    created = api.post(f"/api/v1/queues/{queue.pk}/macros", MACRO, format="json")

    assert created.status_code == 201
    macro = QueueMacro.objects.get(queue=queue)
    assert created.json() == {"id": macro.pk, **MACRO}
    assert api.get(f"/api/v1/queues/{queue.pk}/macros").json() == [created.json()]
    assert api.get(f"/api/v1/queues/{queue.pk}").json()["macros"] == [created.json()]


@pytest.mark.parametrize(("payload", "field", "message"), [
    ({**MACRO, "name": ""}, "name", "may not be blank"),
    ({**MACRO, "name": "   "}, "name", "may not be blank"),
    ({"name": "No body"}, "body", "required"),
    ({**MACRO, "name": ["a list"]}, "name", "Send text"),
    ({**MACRO, "body": -7396}, "body", "Send text"),
    ({**MACRO, "body": "x" * 10_001}, "body", "no more than 10000"),
])
def test_a_bad_field_is_a_400_naming_it_and_saves_nothing(
    payload: dict[str, object], field: str, message: str,
) -> None:
    queue = factories.queue()
    api = client_with(factories.api_key(of=queue.brand))

    refused = api.post(f"/api/v1/queues/{queue.pk}/macros", payload, format="json")

    assert refused.status_code == 400
    assert message in str(refused.json()[field])
    assert not QueueMacro.objects.exists()


def test_an_unknown_placeholder_is_a_422_naming_it_and_saves_nothing() -> None:
    queue = factories.queue()
    api = client_with(factories.api_key(of=queue.brand))

    refused = api.post(f"/api/v1/queues/{queue.pk}/macros",
                       {**MACRO, "body": "Hi {first_name}"}, format="json")

    assert refused.status_code == 422
    assert "Unknown placeholder {first_name}" in str(refused.json()["body"])
    assert not QueueMacro.objects.exists()


def test_a_taken_name_is_a_409_on_create_and_on_rewrite() -> None:
    queue = factories.queue()
    api = client_with(factories.api_key(of=queue.brand))
    api.post(f"/api/v1/queues/{queue.pk}/macros", MACRO, format="json")
    other = api.post(f"/api/v1/queues/{queue.pk}/macros", {**MACRO, "name": "Other"},
                     format="json").json()

    again = api.post(f"/api/v1/queues/{queue.pk}/macros", MACRO, format="json")
    renamed = api.put(f"/api/v1/queues/{queue.pk}/macros/{other['id']}", MACRO, format="json")

    assert renamed.status_code == 409
    assert QueueMacro.objects.get(pk=other["id"]).name == "Other"
    assert again.status_code == 409
    assert "already has a macro with this name" in str(again.json()["name"])
    assert QueueMacro.objects.count() == 2


def test_a_macro_is_rewritten_and_removed() -> None:
    queue = factories.queue()
    api = client_with(factories.api_key(of=queue.brand))
    macro_id = api.post(f"/api/v1/queues/{queue.pk}/macros", MACRO, format="json").json()["id"]
    path = f"/api/v1/queues/{queue.pk}/macros/{macro_id}"

    changed = api.put(path, {"name": "Delayed", "body": "Sorry {customer_name}."}, format="json")
    removed = api.delete(path)

    assert changed.status_code == 200
    assert changed.json() == {"id": macro_id, "name": "Delayed", "body": "Sorry {customer_name}."}
    assert removed.status_code == 204
    assert api.delete(path).status_code == 404
    assert not QueueMacro.objects.exists()


def test_another_brands_queue_and_macro_answer_404() -> None:
    queue = factories.queue()
    owner_api = client_with(factories.api_key(of=queue.brand))
    macro_id = owner_api.post(f"/api/v1/queues/{queue.pk}/macros", MACRO,
                              format="json").json()["id"]
    stranger = client_with(factories.api_key(of=factories.brand()))

    assert stranger.get(f"/api/v1/queues/{queue.pk}/macros").status_code == 404
    assert stranger.post(f"/api/v1/queues/{queue.pk}/macros", MACRO,
                         format="json").status_code == 404
    assert stranger.delete(f"/api/v1/queues/{queue.pk}/macros/{macro_id}").status_code == 404
    assert QueueMacro.objects.filter(pk=macro_id).exists()


def test_a_macro_of_another_queue_of_the_brand_is_not_reachable_through_this_one() -> None:
    queue = factories.queue()
    other = factories.queue(of=queue.brand)
    api = client_with(factories.api_key(of=queue.brand))
    macro_id = api.post(f"/api/v1/queues/{other.pk}/macros", MACRO, format="json").json()["id"]

    assert api.put(f"/api/v1/queues/{queue.pk}/macros/{macro_id}", MACRO,
                   format="json").status_code == 404
    assert api.delete(f"/api/v1/queues/{queue.pk}/macros/{macro_id}").status_code == 404
