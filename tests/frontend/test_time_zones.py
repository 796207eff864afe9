"""Every page shows times in its viewer's zone with the zone's abbreviation: an expert's profile
zone, a brand member's own choice or their brand's first queue's zone, ops staff's choice or
UTC. One middleware activates it; the `when` filter prints it; each person picks their zone on
their settings page."""

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from experts.models import ExpertProfile
from experts.presence.consumers import ExpertConsumer
from frontend.timezones import ViewerTimeZoneMiddleware
from marketplace.accounts import services as accounts_services
from marketplace.accounts.models import AccountSettings
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.consumers import BrandConsumer
from routing.offers import services as offers_services
from tests import factories


def zone_of_request(user: object) -> str:
    """The zone the middleware activates for `user`'s request, read inside the view."""
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user  # type: ignore[assignment]
    ViewerTimeZoneMiddleware(view)(request)
    assert timezone.get_current_timezone_name() == "UTC"  # deactivated after the response
    return seen[0]


def ops_user(time_zone: str = "") -> User:
    user = factories.user(is_staff=True)
    if time_zone:
        accounts_services.account_time_zone_set(user=user, time_zone=time_zone)
    return user


@pytest.mark.django_db
def test_ops_staff_see_utc_until_they_choose_a_zone() -> None:
    assert zone_of_request(ops_user()) == "UTC"
    assert zone_of_request(ops_user("America/New_York")) == "America/New_York"


@pytest.mark.django_db
def test_an_expert_sees_their_profile_zone(now: datetime) -> None:
    expert = factories.expert(now=now)

    assert zone_of_request(expert.user) == "Europe/Lisbon"


@pytest.mark.django_db
def test_a_brand_member_sees_their_brands_first_queue_zone_until_they_choose_one() -> None:
    first = factories.queue(time_zone="America/Chicago")
    factories.queue(of=first.brand, time_zone="Asia/Tokyo")
    member = factories.brand_member(of=first.brand)

    before = zone_of_request(member)
    accounts_services.account_time_zone_set(user=member, time_zone="Europe/Berlin")
    chosen = zone_of_request(member)
    accounts_services.account_time_zone_set(user=member, time_zone="")

    assert (before, chosen, zone_of_request(member)) == (
        "America/Chicago", "Europe/Berlin", "America/Chicago")


@pytest.mark.django_db
def test_a_member_of_a_brand_without_queues_and_a_visitor_see_utc() -> None:
    assert zone_of_request(factories.brand_member(of=factories.brand())) == "UTC"
    assert zone_of_request(AnonymousUser()) == "UTC"


@pytest.mark.django_db
def test_the_zone_is_looked_up_in_one_query(django_assert_num_queries: object) -> None:
    member = factories.brand_member(of=factories.queue().brand)

    with django_assert_num_queries(1):  # type: ignore[operator]
        zone_of_request(member)


def when(instant: datetime, zone: str, format_string: str = "D d M H:i") -> str:
    with timezone.override(zone):
        return Template('{{ instant|when:"' + format_string + '" }}').render(
            Context({"instant": instant}))


@pytest.mark.parametrize(("instant", "zone", "shown"), [
    # Dublin: Irish Standard Time in summer, GMT in winter.
    (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "Europe/Dublin", "Wed 01 Jul 13:00 IST"),
    (datetime(2026, 11, 22, 12, 0, tzinfo=UTC), "Europe/Dublin", "Sun 22 Nov 12:00 GMT"),
    # The night Europe springs forward (29 Mar 2026, 01:00 UTC): 01:59 CET, then 03:00 CEST.
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "Europe/Berlin", "Sun 29 Mar 01:59 CET"),
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Europe/Berlin", "Sun 29 Mar 03:00 CEST"),
    # New York falls back (1 Nov 2026): 01:30 happens twice, EDT then EST.
    (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "America/New_York", "Sun 01 Nov 01:30 EDT"),
    (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "America/New_York", "Sun 01 Nov 01:30 EST"),
    # A zone tzdata names only by its offset.
    (datetime(2026, 11, 22, 12, 0, tzinfo=UTC), "Asia/Kathmandu", "Sun 22 Nov 17:45 UTC+05:45"),
    (datetime(2026, 11, 22, 12, 0, tzinfo=UTC), "America/Sao_Paulo", "Sun 22 Nov 09:00 UTC-03"),
    (datetime(2026, 11, 22, 12, 0, tzinfo=UTC), "UTC", "Sun 22 Nov 12:00 UTC"),
])
def test_when_shows_the_time_in_the_active_zone_with_its_abbreviation(
    instant: datetime, zone: str, shown: str
) -> None:
    assert when(instant, zone) == shown


def test_when_shows_nothing_for_no_time() -> None:
    assert when(None, "Europe/Dublin") == ""  # type: ignore[arg-type]


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_brand_page_shows_its_times_in_the_members_zone(now: datetime,
                                                           captured_tasks: list) -> None:
    queue = factories.queue(time_zone="Europe/Dublin")
    inquiry = factories.inquiry(on=queue, now=now)  # Sun 22 Nov 2026 15:00 UTC
    member = factories.brand_member(of=queue.brand)
    accounts_services.account_time_zone_set(user=member, time_zone="Asia/Tokyo")

    html = logged_in(member).get(f"/brand/inquiries/{inquiry.pk}/").content.decode()

    assert "Mon 23 Nov 2026 00:00:00 JST" in html
    assert " UTC" not in html


@pytest.mark.django_db
def test_the_settings_page_saves_a_zone_picked_from_the_list() -> None:
    member = factories.brand_member(of=factories.queue(time_zone="Europe/Dublin").brand)
    client = logged_in(member)

    page = client.get("/accounts/settings/").content.decode()
    saved = client.post("/accounts/settings/", {"time_zone": "America/Los_Angeles"})

    assert 'list="time-zone-names"' in page
    assert '<option value="America/Los_Angeles"></option>' in page
    assert "Leave it empty to use Europe/Dublin." in page
    assert (saved.status_code, saved["Location"]) == (302, "/accounts/settings/")
    assert AccountSettings.objects.get(user=member).time_zone == "America/Los_Angeles"
    assert "Times now show in America/Los Angeles." in client.get(
        "/accounts/settings/").content.decode()


@pytest.mark.django_db
def test_an_unknown_zone_is_refused_beside_the_field_and_nothing_changes() -> None:
    user = ops_user("Europe/Paris")
    client = logged_in(user)

    response = client.post("/accounts/settings/", {"time_zone": "Europe/Atlantis"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "&#x27;Europe/Atlantis&#x27; is not a time zone we know" in html
    assert 'value="Europe/Atlantis"' in html
    assert 'aria-invalid="true"' in html
    assert AccountSettings.objects.get(user=user).time_zone == "Europe/Paris"


@pytest.mark.django_db
def test_an_expert_changes_their_profile_zone_and_cannot_empty_it(now: datetime) -> None:
    expert = factories.expert(now=now)
    client = logged_in(expert.user)

    client.post("/accounts/settings/", {"time_zone": "Asia/Manila"})
    refused = client.post("/accounts/settings/", {"time_zone": " "})

    assert refused.status_code == 400
    assert ExpertProfile.objects.get(pk=expert.pk).time_zone == "Asia/Manila"
    assert not AccountSettings.objects.filter(user=expert.user).exists()


@pytest.mark.django_db
def test_the_brand_queue_form_offers_the_zone_list() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand))

    new_queue = client.get("/brand/queues/").content.decode()
    existing = client.get(f"/brand/queues/{queue.pk}/").content.decode()

    assert new_queue.count('list="time-zone-names"') == 1
    assert existing.count('list="time-zone-names"') == 1
    assert '<datalist id="time-zone-names">' in existing


TEMPLATES = Path(__file__).resolve().parents[2]
UTC_LABEL = re.compile(r"\}\}\s*UTC\b|\(UTC\)|\bUTC\)")


def test_no_template_labels_a_time_utc_by_hand() -> None:
    """Times go through `when`, which names the viewer's zone; a hard-coded "UTC" beside a
    printed value is a time shown in the wrong zone."""
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for app in ("frontend", "marketplace", "experts", "routing", "billing")
        for path in (TEMPLATES / app).rglob("*.html") if "node_modules" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if UTC_LABEL.search(line)
    ]

    assert offenders == []


@pytest.mark.django_db(transaction=True)
def test_a_pushed_offer_shows_its_times_in_the_experts_zone(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    accounts_services.account_time_zone_set(user=expert.user, time_zone="Asia/Tokyo")
    offers_services.inquiry_route(
        inquiry_id=factories.inquiry(on=queue, now=now).pk, now=now)

    async def first_frame() -> str:
        connection = WebsocketCommunicator(ExpertConsumer.as_asgi(), "/ws/expert/")
        connection.scope["user"] = expert.user
        assert (await connection.connect(timeout=10))[0]
        frame = await connection.receive_from(timeout=5)
        await connection.disconnect()
        return frame

    frame = async_to_sync(first_frame)()

    assert "JST</time>" in frame
    assert " UTC" not in frame


@pytest.mark.django_db(transaction=True)
def test_the_brand_consoles_live_rows_show_their_times_in_the_members_zone(
    captured_tasks: list,
) -> None:
    queue = factories.queue(time_zone="Europe/Dublin")
    factories.inquiry(on=queue, now=timezone.now())
    member = factories.brand_member(of=queue.brand)
    accounts_services.account_time_zone_set(user=member, time_zone="America/New_York")

    async def first_frame() -> str:
        connection = WebsocketCommunicator(BrandConsumer.as_asgi(), "/ws/brand/")
        connection.scope["user"] = member
        assert (await connection.connect(timeout=10))[0]
        frame = await connection.receive_from(timeout=5)
        await connection.disconnect()
        return frame

    frame = async_to_sync(first_frame)()

    assert re.search(r"\d\d:\d\d E[SD]T", frame)
    assert "GMT" not in frame


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "day_of_the_late_inquiry"), [
    ("UTC", date(2026, 3, 28)),
    # 23:30 UTC on Saturday is already Sunday in Berlin (CET, UTC+1)...
    ("Europe/Berlin", date(2026, 3, 29)),
    # ...and still Saturday in New York (EDT since 8 March, UTC-4).
    ("America/New_York", date(2026, 3, 28)),
])
def test_the_week_chart_counts_days_of_the_viewers_zone(
    zone: str, day_of_the_late_inquiry: date, captured_tasks: list
) -> None:
    queue = factories.queue()
    factories.inquiry(on=queue, now=datetime(2026, 3, 28, 23, 30, tzinfo=UTC))

    figures = inquiries_selectors.inquiry_daily_figures_for_brand(
        brand=queue.brand, now=datetime(2026, 3, 30, 12, 0, tzinfo=UTC), zone=ZoneInfo(zone))

    assert [figure.day for figure in figures if figure.received] == [day_of_the_late_inquiry]
