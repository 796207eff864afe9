"""Schemathesis over the whole brand API, in process through the WSGI app: requests generated
from the OpenAPI schema (valid and invalid ones, random and real object ids), authenticated
with a valid API key, each held to every check schemathesis has (with the settings of
`make fuzz`, marketplace/devstack/fuzz.toml): no server error, every status, content type,
header and body as documented, input the schema forbids refused, input it allows accepted.
The smaller sibling of `make fuzz`, which runs the same checks against a live server with
1,000 examples per operation. New operations are picked up from the schema automatically."""

import base64
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err

import marketplace.devstack.fuzz_hooks  # noqa: F401 - registers the raw email serializer
from marketplace.access.models import ApiKey
from marketplace.devstack.fuzz import CONFIG
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES_PER_STRATEGY = 8
INBOUND_EMAIL_PATH = "/api/v1/inbound/email/{queue_id}"


@pytest.fixture
def one_connection() -> Iterator[None]:
    """The app runs in the test's thread and transaction, as Django's test client does: the
    per-request connection cleanup would otherwise close the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def known_ids(*, inquiry_id: int, queue_id: int, token: str) -> dict[str, int | str]:
    """Real ids of the caller's own objects by path parameter name (and the queue's inbound
    email token), so generated requests reach existing objects too, not only 404s."""
    return {"inquiry_id": inquiry_id, "queue_id": queue_id, "id": inquiry_id, "token": token}


def test_generated_requests_keep_the_api_contract(
    now: datetime, captured_tasks: list, one_connection: None
) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=now)
    headers = {"Authorization": f"Bearer {factories.api_key(of=queue.brand)}"}
    ApiKey.objects.filter(brand=queue.brand).update(rate_limited=False)  # lifted, as in make fuzz
    basic = "Basic " + base64.b64encode(f"shiftline:{queue.inbound_email_token}".encode()).decode()
    config = SchemathesisConfig.from_path(CONFIG)
    config.projects.default.update(headers=headers)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler(),
                                            config=config)
    ids = known_ids(inquiry_id=inquiry.pk, queue_id=queue.pk, token=queue.inbound_email_token)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    operations = 0

    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        operations += 1
        names = {parameter.name for parameter in operation.path_parameters}
        strategies: list[SearchStrategy[schemathesis.Case]] = [
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        ]
        if names and names <= ids.keys():
            strategies.append(operation.as_strategy(
                path_parameters={name: ids[name] for name in names}))
        for strategy in strategies:

            @settings(max_examples=EXAMPLES_PER_STRATEGY, deadline=None, database=None,
                      derandomize=True, suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def call(case: schemathesis.Case) -> None:
                # The inbound email endpoint takes the queue's secret as basic auth.
                response = case.call(headers={"Authorization": basic}
                                     if case.operation.path == INBOUND_EMAIL_PATH else None)
                statuses[response.status_code] += 1
                try:
                    case.validate_response(response)
                except (AssertionError, FailureGroup) as failure:
                    failures.append(f"{case.method} {case.formatted_path} "
                                    f"({response.status_code}): {failure}")

            with suppress(Unsatisfiable):  # nothing in this operation can be made invalid
                call()

    print(f"\nschemathesis: {operations} operations, {sum(statuses.values())} requests, "
          f"statuses {dict(sorted(statuses.items()))}, {len(failures)} failures")
    assert operations >= 4
    assert not [status for status in statuses if status >= 500]
    assert not failures, "\n\n".join(failures[:10])
