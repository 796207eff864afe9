"""What an API key may do: one scope per kind of operation, named on every API operation with
`requires_scope` and checked by `HasApiKeyScope` (authentication.py).

A scope is `<resource>:<verb>`. Reading never implies writing and writing never implies
reading: a key holds exactly the scopes chosen when it was created. Brand members in the
browser are not limited by scopes; their brand role decides (marketplace/onboarding/policy.py).
"""


from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import models
from drf_spectacular.utils import extend_schema


class ApiScope(models.TextChoices):
    INQUIRIES_READ = "inquiries:read", "Read inquiries, their conversations and attachments, " \
        "and the promise summary"
    INQUIRIES_WRITE = "inquiries:write", "Hand over inquiries, add customers' messages and " \
        "retry failed reply deliveries"
    QUEUES_READ = "queues:read", "Read queues, their coverage and macros"
    QUEUES_MANAGE = "queues:manage", "Create and change queues (hours, coverage, prices) and " \
        "their macros"
    BACKLOG_WRITE = "backlog:write", "Report your own backlog (for overflow coverage)"
    SHIFTS_READ = "shifts:read", "Read shift slots"
    SHIFTS_MANAGE = "shifts:manage", "Publish shift slots and weekly patterns"
    REVIEWS_WRITE = "reviews:write", "Record customers' ratings of resolved inquiries"
    BILLING_READ = "billing:read", "Read usage so far this month and invoices (PDF and CSV)"
    DISPUTES_WRITE = "disputes:write", "Dispute billed tickets"


ALL_SCOPES: tuple[str, ...] = tuple(ApiScope.values)


DEFAULT_SCOPES: tuple[str, ...] = (ApiScope.INQUIRIES_READ.value, ApiScope.INQUIRIES_WRITE.value)


REQUIRED_SCOPE_ATTRIBUTE = "required_scope"


SCOPE_EXTENSION = "x-required-scopes"


def scopes_in_order(scopes: Iterable[str]) -> list[str]:
    """The known scopes among `scopes`, once each, in the order of `ApiScope` (the order the
    console lists them in)."""
    chosen = set(scopes)
    return [scope for scope in ALL_SCOPES if scope in chosen]


def scopes_unknown(scopes: Iterable[str]) -> list[str]:
    return sorted(set(scopes) - set(ALL_SCOPES))


Handler = TypeVar("Handler", bound=Callable[..., object])


def requires_scope(scope: ApiScope) -> Callable[[Handler], Handler]:
    """Names the scope an API key needs for this operation (a handler method of an API view)
    and documents it in OpenAPI as `x-required-scopes`; the schema hook adds the 403."""

    def decorate(handler: Handler) -> Handler:
        setattr(handler, REQUIRED_SCOPE_ATTRIBUTE, scope)
        decorated: Handler = extend_schema(extensions={SCOPE_EXTENSION: [scope.value]})(handler)
        return decorated

    return decorate


def missing_scope_body(scope: ApiScope) -> dict[str, str]:
    """The 403 a key without `scope` gets (and the example OpenAPI shows)."""
    return {"detail": f"This API key lacks the scope {scope.value} ({scope.label}). A brand "
            "owner or admin can create a key with it on the API keys page.",
            "code": "missing_scope", "required_scope": scope.value}


def required_scope_of(handler: object) -> ApiScope | None:
    scope = getattr(handler, REQUIRED_SCOPE_ATTRIBUTE, None)
    return scope if isinstance(scope, ApiScope) else None
