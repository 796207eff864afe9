"""Tenant isolation over the whole project: every URL pattern (found by walking the URL
resolver, so new pages are included automatically) and every operation of the OpenAPI schema
is called with brand A's object ids as brand B's member, brand B's API key, brand B's expert
and an anonymous visitor. None of them may see or change brand A's data: foreign objects
answer 404 (403, 401 or a redirect to a login page where the role is wrong), never a 2xx with
brand A's data, never a server error, and brand A's rows stay exactly as they were.

A new URL parameter name must be registered in `PARAMETER_VALUES` with the id of brand A's
object it stands for; an unknown name fails the test on purpose."""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from experts.models import ExpertProfile, ShiftBooking
from marketplace.models import (
    ApiKey,
    BrandMembership,
    BrandRole,
    Inquiry,
    InquiryEvent,
    Message,
    OverflowQueue,
)
from routing import services as routing_services
from routing.models import Assignment, Offer
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "alpha7f3c"
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
REFUSED = {401, 403, 404, 405}
SCHEMA_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class BrandWorld:
    """One brand with a piece of everything: queue, customer, an assigned and answered
    inquiry (offer, assignment, inbound and outbound messages, routing decision), a second
    inquiry with a pending offer, a certified expert on shift, a member and an API key."""

    queue: OverflowQueue
    member: User
    api_key: str
    expert: ExpertProfile
    answered: Inquiry
    pending_offer: Offer
    assignment: Assignment
    reply: Message
    booking: ShiftBooking


def build_world(*, name: str, now: datetime) -> BrandWorld:
    brand = factories.brand(name=f"{name} Outfitters")
    queue = factories.queue(of=brand)
    expert = factories.on_shift_expert(on=queue, now=now, name=f"{name} Expert")
    answered = factories.inquiry(
        on=queue, now=now, subject=f"{name} subject", external_id=f"{name}-ext-1",
        customer_email=f"{name.lower()}-customer@example.test", body=f"{name} body",
    )
    offer_id = routing_services.inquiry_route(inquiry_id=answered.pk, now=now).offer_id
    assert offer_id is not None
    assignment = routing_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    reply = routing_services.assignment_reply(
        inquiry_id=answered.pk, expert=expert, author=expert.user, body=f"{name} reply",
        now=now + timedelta(minutes=1),
    )
    waiting = factories.inquiry(on=queue, now=now, subject=f"{name} waiting",
                                external_id=f"{name}-ext-2")
    routing_services.inquiry_route(inquiry_id=waiting.pk, now=now)
    return BrandWorld(
        queue=queue, member=factories.brand_member(of=brand, role=BrandRole.OWNER),
        api_key=factories.api_key(of=brand), expert=expert, answered=answered,
        pending_offer=Offer.objects.get(inquiry=waiting), assignment=assignment, reply=reply,
        booking=ShiftBooking.objects.get(expert=expert),
    )


# Path parameter name -> the value standing for brand A's object.
PARAMETER_VALUES: dict[str, Callable[[BrandWorld], object]] = {
    "inquiry_id": lambda world: world.answered.pk,
    "offer_id": lambda world: world.pending_offer.pk,
    "assignment_id": lambda world: world.assignment.pk,
    "message_id": lambda world: world.reply.pk,
    "booking_id": lambda world: world.booking.pk,
    "slot_id": lambda world: world.booking.slot_id,
    "expert_id": lambda world: world.expert.pk,
    "queue_id": lambda world: world.queue.pk,
    "brand_id": lambda world: world.queue.brand_id,
    "slug": lambda world: world.queue.brand.slug,
    "customer_id": lambda world: world.answered.customer_id,
    "membership_id": lambda world: BrandMembership.objects.get(user=world.member).pk,
    "member_id": lambda world: BrandMembership.objects.get(user=world.member).pk,
    "user_id": lambda world: world.member.pk,
    "api_key_id": lambda world: ApiKey.objects.filter(brand=world.queue.brand).first().pk,  # type: ignore[union-attr]
    "key_id": lambda world: ApiKey.objects.filter(brand=world.queue.brand).first().pk,  # type: ignore[union-attr]
    # Django admin (staff only): every actor here is refused before the object is read.
    "object_id": lambda world: world.answered.pk,
    "id": lambda world: world.member.pk,
    "content_type_id": lambda world: ContentType.objects.get_for_model(Inquiry).pk,
    "app_label": lambda world: "marketplace",
    "url": lambda world: "marketplace/inquiry/",
}


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


PATH_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(\w+)>")


def _replace_regex_groups(route: str, value_of: Callable[[str], str]) -> str:
    """`(?P<name>…)` groups (balanced parentheses) become their values."""
    while match := REGEX_GROUP.search(route):
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(route[end], 0)
            end += 1
        route = route[:match.start()] + value_of(match.group(1)) + route[end:]
    return route


def fill(route: str, world: BrandWorld) -> str:
    def value_of(name: str) -> str:
        if name not in PARAMETER_VALUES:
            raise AssertionError(
                f"URL parameter {name!r} in {route!r} is unknown to the tenant-isolation test: "
                "add it to PARAMETER_VALUES with the id of brand A's object it stands for."
            )
        return str(PARAMETER_VALUES[name](world))

    filled = PATH_PARAMETER.sub(lambda match: value_of(match.group(1)), route)
    filled = _replace_regex_groups(filled, value_of)
    return "/" + filled.replace("^", "").replace("$", "").replace("\\", "")


def schema_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(method, path) for path, item in schema["paths"].items()
            for method in SCHEMA_METHODS if method in item]


@dataclass
class Actor:
    name: str
    user: User | None = None
    api_key: str | None = None
    client: Client = field(default_factory=Client)

    def __post_init__(self) -> None:
        self.login()

    def login(self) -> None:
        if self.user is not None:
            self.client.force_login(self.user)

    def request(self, method: str, path: str) -> HttpResponse:
        """GET, or a write with an empty body: `{}` to the API, an empty form elsewhere."""
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        response: Any
        if method == "get":
            response = self.client.get(path, headers=headers)
        elif path.startswith("/api/"):
            response = self.client.generic(method.upper(), path, "{}",
                                           content_type="application/json", headers=headers)
        else:
            response = self.client.generic(
                method.upper(), path, "", content_type="application/x-www-form-urlencoded",
                headers=headers)
        if self.user is not None and "_auth_user_id" not in self.client.session:
            self.login()  # the pattern logged the actor out: sign in again for the next one
        return response


def brand_a_state(world: BrandWorld) -> dict[str, object]:
    brand = world.queue.brand
    inquiries = Inquiry.objects.filter(brand=brand)
    return {
        "inquiries": sorted(inquiries.values_list("id", "status", "subject", "resolved_at")),
        "messages": sorted(Message.objects.filter(inquiry__brand=brand)
                           .values_list("id", "body", "delivery_status")),
        "events": InquiryEvent.objects.filter(inquiry__brand=brand).count(),
        "offers": sorted(Offer.objects.filter(inquiry__brand=brand).values_list("id", "status")),
        "assignments": sorted(Assignment.objects.filter(inquiry__brand=brand)
                              .values_list("id", "status")),
        "keys": sorted(ApiKey.objects.filter(brand=brand).values_list("id", "revoked_at")),
        "members": sorted(BrandMembership.objects.filter(brand=brand)
                          .values_list("user_id", "role")),
        "queues": sorted(OverflowQueue.objects.filter(brand=brand).values_list("id", "name")),
        "expert": ExpertProfile.objects.filter(pk=world.expert.pk).values_list("status").get(),
        "booking": ShiftBooking.objects.filter(pk=world.booking.pk).values_list("status").get(),
    }


def leak_of(response: HttpResponse, *, has_parameters: bool) -> str | None:
    """Why this answer leaks brand A, or None when it is a proper refusal."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    body = b"" if getattr(response, "streaming", False) else response.content
    if 200 <= status < 300 and SECRET.encode() in body.lower():
        return f"{status} with brand A's data"
    if not has_parameters or status in REFUSED:
        return None
    if status in (301, 302, 303) and response["Location"].startswith(LOGIN_PAGES):
        return None
    return f"{status} for brand A's object (expected 404, 403, 401 or a login redirect)"


def test_no_actor_sees_or_changes_another_brands_objects(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks: Any
) -> None:
    alpha = build_world(name=f"Z{SECRET}".capitalize(), now=now)
    beta = build_world(name="Beta", now=now)
    actors = [
        Actor("brand B member", user=beta.member),
        Actor("brand B API key", api_key=beta.api_key),
        Actor("brand B expert", user=beta.expert.user),
        Actor("anonymous"),
    ]
    cases: list[tuple[str, str]] = [
        (method, route) for route, _ in walk(get_resolver().url_patterns)
        for method in ("get", "post")
    ]
    cases += [(method, re.sub(r"\{(\w+)\}", r"<\1>", path).lstrip("/"))
              for method, path in schema_operations()]
    before = brand_a_state(alpha)
    leaks: list[str] = []
    checked: Counter[str] = Counter()

    with django_capture_on_commit_callbacks(execute=False):
        for method, route in dict.fromkeys(cases):
            path = fill(route, alpha)
            has_parameters = bool(PATH_PARAMETER.search(route) or REGEX_GROUP.search(route))
            for actor in actors:
                response = actor.request(method, path)
                checked[actor.name] += 1
                if reason := leak_of(response, has_parameters=has_parameters):
                    leaks.append(f"{method.upper()} {path} as {actor.name}: {reason}")

    print(f"\ntenant isolation: {len(dict.fromkeys(cases))} (method, pattern) cases x "
          f"{len(actors)} actors = {sum(checked.values())} requests; {len(leaks)} leaks")
    assert leaks == [], "\n".join(leaks)
    assert brand_a_state(alpha) == before
    assert sum(checked.values()) == len(dict.fromkeys(cases)) * len(actors)


def test_the_leak_detector_sees_brand_a_data_when_it_is_shown(
    now: datetime, captured_tasks: list
) -> None:
    """Negative control: brand A's own member gets the page with the marker, which the
    detector reports, so a real leak could not pass unnoticed."""
    alpha = build_world(name=f"Z{SECRET}".capitalize(), now=now)
    owner = Actor("brand A member", user=alpha.member)

    response = owner.request("get", fill("brand/inquiries/<int:inquiry_id>/", alpha))

    assert leak_of(response, has_parameters=True) == "200 with brand A's data"


def test_unknown_url_parameter_names_fail_loudly(now: datetime, captured_tasks: list) -> None:
    alpha = build_world(name="Alpha", now=now)

    with pytest.raises(AssertionError, match=r"'gizmo_id'.*add it to PARAMETER_VALUES"):
        fill("brand/gizmos/<int:gizmo_id>/", alpha)
