"""Tenant isolation over the whole project: every URL pattern (found by walking the URL
resolver, so new pages are included automatically) and every operation of the OpenAPI schema
is called with brand A's object ids as brand B's member, brand B's API key, brand B's expert
and an anonymous visitor. None of them may see or change brand A's data: foreign objects
answer 404 (403, 401 or a redirect to a login page where the role is wrong), never a 2xx with
brand A's data, never a server error, and brand A's rows stay exactly as they were.

A new URL parameter name must be registered in `PARAMETERS` with the id of brand A's object it
stands for (and whether that object is private to the brand); an unknown name fails the test
on purpose. The marker `SECRET` is only in brand A's private data (subjects, messages,
customer emails, external ids), never in names other tenants may legitimately see."""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator

from experts.profiles.models import ExpertProfile
from experts.shifts.models import ShiftBooking
from marketplace.access.models import ApiKey
from marketplace.inquiries.models import Inquiry, InquiryEvent, Message
from marketplace.onboarding.models import BrandMembership, BrandRole
from marketplace.queues.models import OverflowQueue
from routing.assignments import services as assignments_services
from routing.models import Assignment, Offer
from routing.offers import services as offers_services
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
    inquiry with a pending offer, a certified expert on shift, a member, an API key and a
    training pack with a question."""

    queue: OverflowQueue
    member: User
    api_key: str
    expert: ExpertProfile
    answered: Inquiry
    pending_offer: Offer
    assignment: Assignment
    reply: Message
    booking: ShiftBooking
    training_question_id: int


def build_world(*, name: str, now: datetime, marker: str = "") -> BrandWorld:
    brand = factories.brand(name=f"{name} Outfitters")
    queue = factories.queue(of=brand)
    expert = factories.on_shift_expert(on=queue, now=now, name=f"{name} Expert")
    name = f"{name}{marker}"
    answered = factories.inquiry(
        on=queue, now=now, subject=f"{name} subject", external_id=f"{name}-ext-1",
        customer_email=f"{name.lower()}-customer@example.test", body=f"{name} body",
    )
    offer_id = offers_services.inquiry_route(inquiry_id=answered.pk, now=now).offer_id
    assert offer_id is not None
    assignment = offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    reply = assignments_services.assignment_reply(
        inquiry_id=answered.pk,
        expert=expert,
        author=expert.user,
        body=f"{name} reply",
        now=now + timedelta(minutes=1),
    )
    waiting = factories.inquiry(on=queue, now=now, subject=f"{name} waiting",
                                external_id=f"{name}-ext-2")
    offers_services.inquiry_route(inquiry_id=waiting.pk, now=now)
    return BrandWorld(
        queue=queue, member=factories.brand_member(of=brand, role=BrandRole.OWNER),
        api_key=factories.api_key(of=brand), expert=expert, answered=answered,
        pending_offer=Offer.objects.get(inquiry=waiting), assignment=assignment, reply=reply,
        booking=ShiftBooking.objects.get(expert=expert),
        training_question_id=factories.training_pack(of=brand, questions=1)[0],
    )


@dataclass(frozen=True)
class Parameter:
    """`value` stands for brand A's object. `private`: the object belongs to brand A alone, so
    another tenant must be refused (404/403/401/login); otherwise (a brand's public slug, an
    expert of the shared network, admin internals, tokens) only brand A's private data and
    rows are checked."""

    value: Callable[[BrandWorld], object]
    private: bool = True


FIRST_CHOICE: object = object()

PARAMETERS: dict[str, Parameter] = {
    "inquiry_id": Parameter(lambda world: world.answered.pk),
    "offer_id": Parameter(lambda world: world.pending_offer.pk),
    "assignment_id": Parameter(lambda world: world.assignment.pk),
    "message_id": Parameter(lambda world: world.reply.pk),
    "booking_id": Parameter(lambda world: world.booking.pk),
    # Shift slots are published to the expert network; booking one is refused by rule
    # (certification), which is no leak.
    "slot_id": Parameter(lambda world: world.booking.slot_id, private=False),
    "queue_id": Parameter(lambda world: world.queue.pk),
    "question_id": Parameter(lambda world: world.training_question_id),
    "macro_id": Parameter(lambda world: _row_of_brand_a(
        "marketplace", "QueueMacro", queue=world.queue, name="Isolation",
        body="Hi {first_name}", updated_at=world.answered.received_at)),
    "invitation_id": Parameter(lambda world: _row_of_brand_a(
        "marketplace", "BrandInvitation", brand=world.queue.brand,
        email="invited@example.test", role=FIRST_CHOICE, created_at=world.answered.received_at)),
    "alert_id": Parameter(lambda world: _row_of_brand_a(
        "experts", "QualityAlert", expert=world.expert, queue=world.queue,
        metric=FIRST_CHOICE, value=1, threshold=2, created_at=world.answered.received_at)),
    "attachment_id": Parameter(lambda world: _row_of_brand_a(
        "marketplace", "Attachment", filename="isolation.txt", content_type="text/plain",
        size=1, message=Message.objects.filter(inquiry=world.answered,
                                               direction="inbound").first())),
    "mail_log_entry_id": Parameter(lambda world: _row_of_brand_a(
        "marketplace", "MailLogEntry", queue=world.queue, kind=FIRST_CHOICE,
        reason="Isolation", subject=f"{SECRET} bounce", original="mail-log/isolation.eml",
        original_size=1, received_at=world.answered.received_at)),
    "invoice_id": Parameter(lambda world: _row_of_brand_a(
        "billing", "Invoice", kind="invoice", series="ISO", number=world.queue.brand_id,
        status="issued", brand_id=world.queue.brand_id, currency="EUR",
        period_start=world.answered.received_at.date().replace(day=1),
        period_end=world.answered.received_at.date(), issue_date=world.answered.received_at.date(),
        due_date=world.answered.received_at.date(), brand_name=world.queue.brand.name,
        billing_address=f"{SECRET} street", vat_treatment=FIRST_CHOICE,
        created_at=world.answered.received_at)),
    "dispute_id": Parameter(lambda world: _row_of_brand_a(
        "billing", "Dispute", inquiry_id=world.answered.pk, brand_id=world.queue.brand_id,
        expert_id=world.expert.pk, currency="EUR", amount_minor=450, reason=FIRST_CHOICE,
        note=f"{SECRET} dispute", opened_at=world.answered.received_at)),
    "brand_id": Parameter(lambda world: world.queue.brand_id),
    # The webhook delivery log's retry: brand A's reply, posted by its outbound webhook.
    "kind": Parameter(lambda world: "reply", private=False),
    "delivery_id": Parameter(lambda world: world.reply.pk),
    # Ops' money pages: a brand's contract and its receivable account.
    "contract_id": Parameter(lambda world: _row_of_brand_a(
        "billing", "BrandContract", brand_id=world.queue.brand_id, currency="EUR")),
    "account_id": Parameter(lambda world: _row_of_brand_a(
        "billing", "Account", kind=FIRST_CHOICE, owner_id=world.queue.brand_id,
        currency="EUR", name="Brand A receivable")),
    "customer_id": Parameter(lambda world: world.answered.customer_id),
    # Payouts are ops' batches and each expert's own statements: no brand's objects.
    "batch_id": Parameter(lambda world: 1, private=False),
    "payout_id": Parameter(lambda world: 1, private=False),
    "week_start": Parameter(lambda world: "2026-11-21", private=False),
    "membership_id": Parameter(lambda world: _membership(world).pk),
    "member_id": Parameter(lambda world: _membership(world).pk),
    "user_id": Parameter(lambda world: world.member.pk),
    "api_key_id": Parameter(lambda world: _api_key(world).pk),
    "key_id": Parameter(lambda world: _api_key(world).pk),
    "expert_id": Parameter(lambda world: world.expert.pk, private=False),
    "slug": Parameter(lambda world: world.queue.brand.slug, private=False),
    "token": Parameter(lambda world: "no-such-token", private=False),
    # The password-reset link's user: brand A's member, with a token that does not match.
    "uidb64": Parameter(lambda world: urlsafe_base64_encode(force_bytes(world.member.pk)),
                        private=False),
    # Django admin (staff only): every actor here is refused before an object is read.
    "object_id": Parameter(lambda world: world.answered.pk, private=False),
    "id": Parameter(lambda world: world.member.pk, private=False),
    # django-otp's admin views of a second-factor device (its config and QR code).
    "pk": Parameter(lambda world: world.member.pk, private=False),
    "content_type_id": Parameter(
        lambda world: ContentType.objects.get_for_model(Inquiry).pk, private=False),
    "app_label": Parameter(lambda world: "marketplace", private=False),
    "url": Parameter(lambda world: "marketplace/inquiry/", private=False),
    # The chat widget: a queue's public id is in the snippet on the brand's own site; a
    # conversation is brand A's, open only to its token from the queue's allowed sites.
    "public_id": Parameter(lambda world: world.queue.widget_public_id, private=False),
    "conversation_id": Parameter(lambda world: apps.get_model(
        "marketplace", "WidgetConversation").objects.get(pk=_row_of_brand_a(
            "marketplace", "WidgetConversation", public_id="wc_isolation",
            inquiry=world.answered, token_hash="0" * 64, origin="https://alpha.example",
            created_at=world.answered.received_at)).public_id),
    # The widget's translations: the same public catalog for everyone.
    "lang": Parameter(lambda world: "es", private=False),
}


def _row_of_brand_a(app_label: str, model_name: str, **fields: object) -> int:
    """A row of a model that other parts of Shiftline add (queue macros, quality alerts),
    made for brand A when a URL with its parameter exists; the model is looked up by name so
    this module does not depend on it."""
    model = apps.get_model(app_label, model_name)
    for name, value in list(fields.items()):
        if value is FIRST_CHOICE:
            fields[name] = model._meta.get_field(name).choices[0][0]
    row, _ = model.objects.get_or_create(**fields)
    return int(row.pk)


def _membership(world: BrandWorld) -> BrandMembership:
    return BrandMembership.objects.get(user=world.member)


def _api_key(world: BrandWorld) -> ApiKey:
    return ApiKey.objects.filter(brand=world.queue.brand).order_by("id")[0]


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


def parameter_names(route: str) -> list[str]:
    return PATH_PARAMETER.findall(route) + REGEX_GROUP.findall(route)


def names_private_object(route: str) -> bool:
    return any(PARAMETERS[name].private for name in parameter_names(route)
               if name in PARAMETERS)


def fill(route: str, world: BrandWorld) -> str:
    def value_of(name: str) -> str:
        if name not in PARAMETERS:
            raise AssertionError(
                f"URL parameter {name!r} in {route!r} is unknown to the tenant-isolation test: "
                "add it to PARAMETERS with the id of brand A's object it stands for."
            )
        return str(PARAMETERS[name].value(world))

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
    client: Client = field(default_factory=lambda: Client(raise_request_exception=False))

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


def leak_of(response: HttpResponse, *, private_object: bool) -> str | None:
    """Why this answer leaks brand A, or None when it is a proper refusal."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    body = b"" if getattr(response, "streaming", False) else response.content
    if 200 <= status < 300 and SECRET.encode() in body.lower():
        return f"{status} with brand A's data"
    if not private_object or status in REFUSED:
        return None
    if status in (301, 302, 303) and response["Location"].startswith(LOGIN_PAGES):
        return None
    return f"{status} for brand A's object (expected 404, 403, 401 or a login redirect)"


def test_no_actor_sees_or_changes_another_brands_objects(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks: Any
) -> None:
    alpha = build_world(name="Alpha", now=now, marker=SECRET)
    beta = build_world(name="Beta", now=now)
    actors = [
        Actor("brand B member", user=beta.member),
        Actor("brand B API key", api_key=beta.api_key),
        Actor("brand B expert", user=beta.expert.user),
        Actor("anonymous"),
    ]
    routes = [(method, route) for route, _ in walk(get_resolver().url_patterns)
              for method in ("get", "post")]
    routes += [(method, re.sub(r"\{(\w+)\}", r"<\1>", path).lstrip("/"))
               for method, path in schema_operations()]
    cases: dict[tuple[str, str], bool] = {}
    for method, route in routes:
        key = (method, fill(route, alpha))
        cases[key] = cases.get(key, False) or names_private_object(route)
    before = brand_a_state(alpha)
    leaks: list[str] = []
    checked: Counter[str] = Counter()

    with django_capture_on_commit_callbacks(execute=False):
        for (method, path), private_object in cases.items():
            for actor in actors:
                response = actor.request(method, path)
                checked[actor.name] += 1
                if path == "/readyz" and response.status_code == 503:
                    continue  # "not ready" is the probe's answer here (no beat heartbeat yet)
                if reason := leak_of(response, private_object=private_object):
                    leaks.append(f"{method.upper()} {path} as {actor.name}: {reason}")

    print(f"\ntenant isolation: {len(cases)} (method, URL) cases x "
          f"{len(actors)} actors = {sum(checked.values())} requests; {len(leaks)} leaks")
    assert leaks == [], "\n".join(leaks)
    assert brand_a_state(alpha) == before
    assert sum(checked.values()) == len(cases) * len(actors)


def test_the_leak_detector_sees_brand_a_data_when_it_is_shown(
    now: datetime, captured_tasks: list
) -> None:
    """Negative control: brand A's own member gets the page with the marker, which the
    detector reports, so a real leak could not pass unnoticed."""
    alpha = build_world(name="Alpha", now=now, marker=SECRET)
    owner = Actor("brand A member", user=alpha.member)

    response = owner.request("get", fill("brand/inquiries/<int:inquiry_id>/", alpha))

    assert leak_of(response, private_object=True) == "200 with brand A's data"


def test_unknown_url_parameter_names_fail_loudly(now: datetime, captured_tasks: list) -> None:
    alpha = build_world(name="Alpha", now=now)

    with pytest.raises(AssertionError, match=r"'gizmo_id'.*add it to PARAMETERS"):
        fill("brand/gizmos/<int:gizmo_id>/", alpha)


def test_a_private_object_answered_with_200_or_a_server_error_is_a_leak() -> None:
    assert leak_of(HttpResponse("A page"), private_object=True) == (
        "200 for brand A's object (expected 404, 403, 401 or a login redirect)")
    assert leak_of(HttpResponse(status=500), private_object=False) == "server error 500"
    assert leak_of(HttpResponse(status=404), private_object=True) is None
    assert leak_of(HttpResponse("A page"), private_object=False) is None


def test_rows_of_models_added_elsewhere_are_made_by_name() -> None:
    brand, user = factories.brand(), factories.user()

    made = _row_of_brand_a("marketplace", "BrandMembership", brand=brand, user=user,
                           role=FIRST_CHOICE)

    assert BrandMembership.objects.filter(pk=made).values_list("role").get() == ("owner",)
    assert _row_of_brand_a("marketplace", "BrandMembership", brand=brand, user=user,
                           role=FIRST_CHOICE) == made
