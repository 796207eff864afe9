"""API-key scopes: chosen when a key is created, kept when it rotates, checked on every
operation (a 403 naming the missing scope), named by every operation and documented."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory

from marketplace.access import services as access_services
from marketplace.access.api import BrandApi
from marketplace.access.authentication import BrandApiKeyAuthentication
from marketplace.access.models import ApiKey
from marketplace.access.scopes import (
    ALL_SCOPES,
    DEFAULT_SCOPES,
    ApiScope,
    required_scope_of,
)
from marketplace.devstack.demo import DEMO_API_KEY, seed_demo
from marketplace.infra.errors import DomainError
from marketplace.queues.models import OverflowQueue
from tests import factories

pytestmark = pytest.mark.django_db

HANDLER_METHODS = ("get", "post", "put", "patch", "delete")


# Views under /api/ that a queue secret authenticates instead of an API key: they name no
# scope. A new view that takes no API key must be added here on purpose.
QUEUE_SECRET_VIEWS = {"QueueWebhookApi", "QueueInboundEmailApi", "QueueInboundEmailTokenApi"}


def api_routes() -> Iterator[tuple[str, URLPattern]]:
    """Every URL pattern under /api/v1/ with its URL name."""
    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif (prefix + str(pattern.pattern)).startswith("api/v1/"):
                yield prefix + str(pattern.pattern), pattern

    yield from walk(get_resolver().url_patterns, "")


def api_operations() -> list[tuple[str, type, str]]:
    """(URL name, view class, handler method) of every API-key operation."""
    return [(str(pattern.name), view, method)
            for _, pattern in api_routes()
            for view in [pattern.callback.cls]  # type: ignore[attr-defined]
            if BrandApiKeyAuthentication in view.authentication_classes
            for method in HANDLER_METHODS if hasattr(view, method)]


OPERATIONS = api_operations()
OPERATION_IDS = [f"{method.upper()} {name}" for name, _, method in OPERATIONS]


def client_with(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def url_of(name: str) -> str:
    """The operation's URL with every path parameter an id nobody has."""
    from django.urls import reverse

    pattern = next(pattern for _, pattern in api_routes() if pattern.name == name)
    return reverse(f"api:{name}", kwargs=dict.fromkeys(pattern.pattern.regex.groupindex,
                                                       999_999))


def test_every_api_view_names_a_scope_for_every_operation() -> None:
    """Operations added later must name their scope: an API-key view whose handler names none
    fails here (and is refused at run time)."""
    views = {pattern.callback.cls for _, pattern in api_routes()}  # type: ignore[attr-defined]
    unnamed = [f"{view.__name__}.{method}" for view in views
               if BrandApiKeyAuthentication in view.authentication_classes
               for method in HANDLER_METHODS
               if hasattr(view, method) and required_scope_of(getattr(view, method)) is None]
    without_key = {view.__name__ for view in views
                   if BrandApiKeyAuthentication not in view.authentication_classes}

    assert unnamed == []
    assert without_key == QUEUE_SECRET_VIEWS
    assert len(OPERATIONS) >= 20
    assert all(issubclass(view, BrandApi) for _, view, _ in OPERATIONS)


def test_every_scope_is_used_by_some_operation() -> None:
    used = {required_scope_of(getattr(view, method)) for _, view, method in OPERATIONS}

    assert used == set(ApiScope)


@pytest.mark.parametrize(("name", "view", "method"), OPERATIONS, ids=OPERATION_IDS)
def test_a_key_without_the_operations_scope_gets_a_403_naming_it(
    name: str, view: type, method: str
) -> None:
    queue = factories.queue()
    scope = required_scope_of(getattr(view, method))
    assert scope is not None
    every_other = [other for other in ALL_SCOPES if other != scope]
    inquiries_before = queue.inquiries.count()

    refused = getattr(client_with(factories.api_key(of=queue.brand, scopes=every_other)),
                      method)(url_of(name), {}, format="json")
    allowed = getattr(client_with(factories.api_key(of=queue.brand, scopes=[scope])),
                      method)(url_of(name), {}, format="json")

    assert refused.status_code == 403
    assert refused.json() == {
        "detail": f"This API key lacks the scope {scope.value} ({scope.label}). A brand owner "
        "or admin can create a key with it on the API keys page.",
        "code": "missing_scope", "required_scope": scope.value}
    assert allowed.status_code != 403
    assert queue.inquiries.count() == inquiries_before


def test_an_inquiries_key_cannot_reconfigure_a_queue() -> None:
    queue = factories.queue()
    raw = factories.api_key(of=queue.brand, scopes=DEFAULT_SCOPES)

    response = client_with(raw).patch(f"/api/v1/queues/{queue.pk}",
                                      {"resolve_after_hours": 1}, format="json")

    assert response.status_code == 403
    assert response.json()["required_scope"] == "queues:manage"
    assert OverflowQueue.objects.get(pk=queue.pk).resolve_after_hours == 48


def test_even_a_managing_key_cannot_price_a_queue() -> None:
    queue = factories.queue(price_minor=450)
    raw = factories.api_key(of=queue.brand)

    response = client_with(raw).patch(f"/api/v1/queues/{queue.pk}",
                                      {"price_per_ticket": "0.01"}, format="json")

    assert response.status_code == 400
    assert "Shiftline sets prices" in response.json()["price_per_ticket"][0]
    assert client_with(raw).get(f"/api/v1/queues/{queue.pk}").json()["prices"]["chat"] == \
        "4.50"


def test_a_key_with_the_scope_does_its_work() -> None:
    queue = factories.queue()
    raw = factories.api_key(of=queue.brand, scopes=["backlog:write", "queues:read"])

    reported = client_with(raw).post(f"/api/v1/queues/{queue.pk}/backlog",
                                     {"backlog": 7, "oldest_wait_seconds": 60}, format="json")
    read = client_with(raw).get(f"/api/v1/queues/{queue.pk}")
    refused = client_with(raw).get("/api/v1/inquiries")

    assert (reported.status_code, read.status_code, refused.status_code) == (200, 200, 403)
    assert read.json()["backlog_count"] == 7


def test_a_method_the_view_lacks_is_a_405_not_a_403() -> None:
    queue = factories.queue()
    raw = factories.api_key(of=queue.brand, scopes=["inquiries:read"])

    assert client_with(raw).put("/api/v1/inquiries", {}, format="json").status_code == 405
    assert client_with(raw).options("/api/v1/queues").status_code == 200


def test_an_operation_that_names_no_scope_is_refused() -> None:
    class UndeclaredApi(BrandApi):
        def get(self, request: Any) -> Response:
            return Response({"secret": "data"})

    brand = factories.brand()
    request = APIRequestFactory().get(
        "/", HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=brand)}")

    response = UndeclaredApi.as_view()(request)

    assert response.status_code == 403
    assert response.data["code"] == "scope_undeclared"


def test_a_person_signed_in_is_limited_by_their_role_not_by_scopes() -> None:
    from marketplace.access.authentication import HasApiKeyScope

    brand = factories.brand()
    request = APIRequestFactory().patch("/")
    request.user = factories.brand_owner(of=brand).user

    class Anything(BrandApi):
        def patch(self, request: Any) -> Response:
            return Response()

    assert HasApiKeyScope().has_permission(request, Anything())  # type: ignore[arg-type]


def test_a_new_key_starts_with_reading_and_writing_inquiries() -> None:
    brand = factories.brand()

    api_key, _ = access_services.api_key_create(brand=brand, actor=factories.brand_owner(of=brand),
                                                name="Zendesk")

    assert api_key.scopes == ["inquiries:read", "inquiries:write"]


def test_scopes_are_kept_once_in_the_known_order() -> None:
    brand = factories.brand()

    api_key, _ = access_services.api_key_create(
        brand=brand, actor=factories.brand_owner(of=brand), name="Ops bridge",
        scopes=["shifts:manage", "queues:read", "shifts:manage"])

    api_key.refresh_from_db()
    assert api_key.scopes == ["queues:read", "shifts:manage"]


@pytest.mark.parametrize(("scopes", "message"), [
    ([], "Choose at least one scope: a key without one can call nothing."),
    (["inquiries:read", "queues:delete"], "Unknown scope queues:delete; choose among "
     "inquiries:read, inquiries:write, queues:read, queues:manage, backlog:write, shifts:read, "
     "shifts:manage, reviews:write, billing:read, disputes:write."),
])
def test_no_or_unknown_scopes_are_refused(scopes: list[str], message: str) -> None:
    brand = factories.brand()

    with pytest.raises(DomainError) as refused:
        access_services.api_key_create(brand=brand, actor=factories.brand_owner(of=brand),
                                       name="k", scopes=scopes)

    assert (refused.value.code, refused.value.message) == ("invalid_scopes", message)
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("scopes", [[], ["inquiries:read", "everything"]])
def test_the_database_refuses_unknown_or_no_scopes(scopes: list[str]) -> None:
    brand = factories.brand()
    api_key, _ = access_services.api_key_create(brand=brand, actor=factories.brand_owner(of=brand),
                                                name="k")

    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.filter(pk=api_key.pk).update(scopes=scopes)


def test_a_rotated_key_keeps_its_scopes(now: datetime) -> None:
    brand = factories.brand()
    owner = factories.brand_owner(of=brand)
    old, _ = access_services.api_key_create(brand=brand, actor=owner, name="Shifts",
                                            scopes=["shifts:read", "shifts:manage"])

    new, new_raw = access_services.api_key_rotate(api_key=old, actor=owner, now=now)

    assert new.scopes == ["shifts:read", "shifts:manage"]
    assert client_with(new_raw).get("/api/v1/shift-slots").status_code == 200
    assert client_with(new_raw).get("/api/v1/inquiries").status_code == 403


def test_the_demo_key_has_every_scope(now: datetime, captured_tasks: list) -> None:
    seed_demo(now=now)

    assert ApiKey.objects.get(prefix=DEMO_API_KEY.split("_")[1]).scopes == list(ALL_SCOPES)
