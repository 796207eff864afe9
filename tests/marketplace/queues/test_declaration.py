"""The queue settings' one declaration (marketplace/queues/fields.py) drives the REST API's
serializers and schema, the parser behind the services and the console's settings form: each
declared setting, and so any setting added later, appears in all of them."""

import html
import re
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from marketplace.onboarding.models import BrandRole
from marketplace.queues import services as queues_services
from marketplace.queues.api import QueueInputSerializer, QueueOutputSerializer
from marketplace.queues.fields import (
    QUEUE_SETTINGS,
    QueueSetting,
    SettingKind,
    as_form_value,
    parse_queue_changes,
    queue_setting_values,
)
from marketplace.queues.models import OverflowQueue
from tests import factories

INPUT_SETTINGS = [setting for setting in QUEUE_SETTINGS if not setting.read_only]
SETTINGS = pytest.mark.parametrize("setting", INPUT_SETTINGS,
                                   ids=[setting.name for setting in INPUT_SETTINGS])
SCHEMA_TYPES = {
    SettingKind.TEXT: "string", SettingKind.LONG_TEXT: "string",
    SettingKind.INTEGER: "integer", SettingKind.BOOLEAN: "boolean",
    SettingKind.CHANNELS: "array", SettingKind.TEXT_LIST: "array", SettingKind.SPANS: "array",
    SettingKind.CLOSURES: "array",
}


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


def configured_queue() -> OverflowQueue:
    """A queue with a value in every setting, so each one has something to show and read."""
    queue = factories.queue(spans=((0, "09:00", "17:30"), (4, "22:00", "02:00")))
    queues_services.queue_configure(queue=queue, changes={
        "holiday_country": "IE", "covers_holidays": True, "covers_overflow": True,
        "overflow_backlog_threshold": 20, "overflow_wait_threshold_seconds": 600,
        "closures": [{"starts_on": "2026-12-24", "ends_on": "2026-12-26", "label": "Xmas"}],
        "languages": ["en", "de"], "required_skills": ["returns"], "guidelines": "# Be kind",
    })
    return queue


def stored_key(setting: QueueSetting) -> str:
    return setting.name


def test_the_prices_are_shown_but_not_accepted(schemas: dict[str, Any]) -> None:
    assert "prices" not in QueueInputSerializer().fields
    assert "prices" in QueueOutputSerializer().fields
    assert "prices" not in schemas["QueueInput"]["properties"]
    assert "prices" in schemas["QueueOutput"]["properties"]


@SETTINGS
def test_each_setting_is_a_field_of_the_api_serializers(setting: QueueSetting) -> None:
    accepted = QueueInputSerializer().fields
    shown = QueueOutputSerializer().fields

    assert accepted[setting.name].help_text == setting.help_text
    assert accepted[setting.name].required is setting.required_on_create
    assert (setting.name in shown) is not setting.write_only


@SETTINGS
def test_each_setting_is_documented_with_its_type(setting: QueueSetting,
                                                   schemas: dict[str, Any]) -> None:
    accepted = schemas["QueueInput"]["properties"][setting.name]
    shown = schemas["QueueOutput"]["properties"].get(setting.name)
    enum = accepted.get("allOf") or accepted.get("oneOf")
    if enum:  # an enum, such as the IANA time zones
        accepted = {**schemas[enum[0]["$ref"].rsplit("/", 1)[1]],
                    "description": accepted["description"].split("\n\n")[0]}

    assert (accepted["type"], accepted["description"]) == (SCHEMA_TYPES[setting.kind],
                                                           setting.help_text)
    if setting.write_only:
        assert shown is None
    else:
        assert shown["type"] == SCHEMA_TYPES[setting.kind]


@pytest.mark.django_db
@SETTINGS
def test_each_setting_reads_back_through_the_parser_from_the_api_and_the_form(
    setting: QueueSetting,
) -> None:
    queue = configured_queue()
    api_value = queue_setting_values(queue=queue).get(setting.name, False)
    form_value = as_form_value(setting, api_value)

    from_api, api_errors = parse_queue_changes({setting.name: api_value})
    from_form, form_errors = parse_queue_changes({setting.name: form_value})

    assert (api_errors, form_errors) == ({}, {})
    assert from_api == from_form
    assert list(from_api) == [stored_key(setting)]
    if not setting.write_only and setting.kind not in (SettingKind.SPANS,
                                                       SettingKind.CLOSURES):
        assert from_api[stored_key(setting)] == getattr(queue, stored_key(setting))


@pytest.mark.django_db
def test_a_setting_the_declaration_does_not_know_is_refused() -> None:
    values, errors = parse_queue_changes({"colour": "blue", "name": "Nights"})

    assert (values, errors) == ({"name": "Nights"}, {"colour": ["Unknown field."]})


@pytest.mark.django_db
def test_every_setting_is_an_input_of_the_console_form_with_its_label() -> None:
    queue = configured_queue()
    client = Client()
    client.force_login(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    page = client.get(f"/brand/queues/{queue.pk}/").content.decode()

    form = page[page.index('<form method="post" action="/brand/queues/'):]
    form = form[:form.index("</form>")]
    missing = [setting.name for setting in INPUT_SETTINGS
               if f'name="{setting.name}"' not in form
               or html.escape(setting.label, quote=True) not in form]
    assert missing == []


def input_tag(page: str, name: str) -> re.Match[str]:
    match = re.search(rf'<input\b[^>]*\bname="{name}"[^>]*>', page)
    assert match is not None, f"no input named {name}"
    return match


def input_attributes(page: str, name: str) -> set[str]:
    """The attributes of the input named `name` as written (`value="600"`, `checked`), whatever
    the template's order and line breaks."""
    return set(re.findall(r'[\w-]+="[^"]*"|\b(?:checked|disabled|required)\b',
                          input_tag(page, name).group(0)[len("<input"):]))


def label_text(page: str, name: str) -> str:
    """The words after the input, up to the end of its label."""
    rest = page[input_tag(page, name).end():]
    return " ".join(rest[:rest.index("</label>")].split())


@pytest.mark.django_db
def test_the_console_form_shows_each_setting_as_the_parser_reads_it() -> None:
    queue = configured_queue()
    client = Client()
    client.force_login(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    page = client.get(f"/brand/queues/{queue.pk}/").content.decode()

    assert input_attributes(page, "overflow_wait_threshold_seconds") >= {
        'inputmode="numeric"', 'value="600"'}
    assert input_attributes(page, "languages") >= {'value="en, de"', 'placeholder="e.g. en, de"'}
    assert 'name="price_per_ticket"' not in page and 'name="prices"' not in page
    assert "Shiftline sets these prices in your contract" in page
    assert "checked" in input_attributes(page, "covers_holidays")
    assert label_text(page, "covers_holidays").startswith("Public holidays")
    assert "checked" not in input_attributes(page, "open_24_7")
    assert label_text(page, "open_24_7").startswith("Replace with 24/7")
    assert ">Mon 09:00-17:30\nFri 22:00-02:00</textarea>" in page
    assert ">2026-12-24..2026-12-26 Xmas</textarea>" in page
