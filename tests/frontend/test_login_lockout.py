"""Login throttling with django-axes: an account, and an address, locked out after too many
wrong passwords (the styled 429 page with Retry-After), listed on the ops console, lifted there."""

from typing import Any

import pytest
from django.test import Client

from marketplace.access import services as access_services
from marketplace.infra.errors import PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT


def log_in(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_an_account_is_locked_after_the_limit_even_with_the_right_password() -> None:
    user = factories.user(email="sam@acme.test")
    client = Client()

    wrong = [log_in(client, "sam@acme.test", "wrong").status_code for _ in range(LIMIT - 1)]
    last_wrong = log_in(client, "sam@acme.test", "wrong")
    right = log_in(client, "sam@acme.test", factories.PASSWORD)

    assert wrong == [200] * (LIMIT - 1)
    for refused in (last_wrong, right):
        assert refused.status_code == 429
        assert refused["Retry-After"] == "900"
        assert b"Too many attempts" in refused.content
        assert b'href="/accounts/password/reset/"' in refused.content
        assert b"Shiftline" in refused.content  # the site's page, not a bare text answer
    assert "_auth_user_id" not in client.session
    assert user.pk is not None


def test_the_account_is_locked_from_every_address() -> None:
    factories.user(email="sam@acme.test")
    for number in range(LIMIT):
        log_in(Client(REMOTE_ADDR=f"198.51.100.{number}"), "Sam@Acme.test ", "wrong")

    elsewhere = log_in(Client(REMOTE_ADDR="203.0.113.7"), "sam@acme.test", factories.PASSWORD)

    assert elsewhere.status_code == 429


def test_an_address_guessing_many_accounts_is_locked_for_all_of_them() -> None:
    factories.user(email="real@acme.test")
    guesser = Client(REMOTE_ADDR="198.51.100.20")
    for number in range(LIMIT):
        log_in(guesser, f"guess{number}@acme.test", "wrong")

    from_guesser = log_in(guesser, "real@acme.test", factories.PASSWORD)
    from_elsewhere = log_in(Client(REMOTE_ADDR="203.0.113.8"), "real@acme.test",
                            factories.PASSWORD)

    assert from_guesser.status_code == 429
    assert from_elsewhere.status_code == 302


def test_a_success_below_the_limit_clears_the_count() -> None:
    factories.user(email="sam@acme.test")
    client = Client()
    for _ in range(LIMIT - 1):
        log_in(client, "sam@acme.test", "wrong")
    assert log_in(client, "sam@acme.test", factories.PASSWORD).status_code == 302

    again = [log_in(Client(), "sam@acme.test", "wrong").status_code for _ in range(LIMIT - 1)]

    assert again == [200] * (LIMIT - 1)


def test_ops_see_the_lockouts_and_lift_them() -> None:
    factories.user(email="sam@acme.test")
    attacker = Client(REMOTE_ADDR="198.51.100.30")
    for _ in range(LIMIT):
        log_in(attacker, "sam@acme.test", "wrong")
    ops = Client()
    ops.force_login(factories.user(is_staff=True))

    page = ops.get("/ops/lockouts/").content.decode()
    lifted = ops.post("/ops/lockouts/lift/", {"kind": "account", "value": "sam@acme.test"})
    after_account = log_in(Client(REMOTE_ADDR="203.0.113.9"), "sam@acme.test",
                           factories.PASSWORD)
    # The address failed only on this account, so its count went with the account's.
    from_the_address = log_in(Client(REMOTE_ADDR="198.51.100.30"), "sam@acme.test",
                              factories.PASSWORD)

    assert "sam@acme.test" in page and "198.51.100.30" in page
    assert page.count(">Lift</button>") == 2
    assert lifted["Location"] == "/ops/lockouts/"
    assert after_account.status_code == 302
    assert from_the_address.status_code == 302


def test_lifting_an_address_lets_it_log_in_again() -> None:
    factories.user(email="real@acme.test")
    guesser = Client(REMOTE_ADDR="198.51.100.40")
    for number in range(LIMIT):
        log_in(guesser, f"guess{number}@acme.test", "wrong")
    ops = Client()
    ops.force_login(factories.user(is_staff=True))

    ops.post("/ops/lockouts/lift/", {"kind": "address", "value": "198.51.100.40"})

    assert log_in(guesser, "real@acme.test", factories.PASSWORD).status_code == 302
    assert "Nobody is locked out." in ops.get("/ops/lockouts/").content.decode()


def test_only_ops_may_open_or_lift_lockouts() -> None:
    member = Client()
    member.force_login(factories.brand_member(of=factories.brand()))

    assert member.get("/ops/lockouts/").status_code == 403
    assert member.post("/ops/lockouts/lift/", {"kind": "address", "value": "1.2.3.4"}
                       ).status_code == 403


def test_an_unknown_lockout_kind_is_a_clear_400() -> None:
    ops = Client()
    ops.force_login(factories.user(is_staff=True))

    refused = ops.post("/ops/lockouts/lift/", {"kind": "planet", "value": "x"},
                       HTTP_REFERER="http://testserver/ops/lockouts/")
    shown = ops.get(refused["Location"]).content.decode()

    assert (refused.status_code, refused["Location"]) == (303, "/ops/lockouts/")
    assert "Unknown lockout kind &#x27;planet&#x27;: account or address." in shown


def test_only_ops_staff_lift_a_lockout_by_hand() -> None:
    with pytest.raises(PermissionDenied, match="Only Shiftline's ops staff"):
        access_services.login_lockout_lift(kind="address", value="198.51.100.1",
                                           lifted_by=factories.user())
