"""The Django admin reads as English: every model's names, as the admin's index and pages show
them, are proper plurals with their acronyms in capitals."""

import re

from django.apps import apps
from django.db.models import Model

PROJECT_APPS = ("marketplace", "experts", "routing", "billing")
# Django's default plural adds an "s": "deliverys", "entrys", "statuss", "boxs".
WRONG_PLURAL = re.compile(r"(?:[^aeiou]ys|[sxz]s|chs|shs)$")
LOWERCASE_ACRONYM = re.compile(r"\b(?:api|vat|csat|iban|sepa|url|sla|pdf|csv|otp)\b")


def project_models() -> list[type[Model]]:
    return [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]


def test_every_plural_is_english() -> None:
    wrong = [f"{model.__name__}: {model._meta.verbose_name_plural}"
             for model in project_models()
             if WRONG_PLURAL.search(str(model._meta.verbose_name_plural))]

    assert wrong == []


def test_acronyms_are_in_capitals() -> None:
    wrong = [f"{model.__name__}: {model._meta.verbose_name} / {model._meta.verbose_name_plural}"
             for model in project_models()
             if LOWERCASE_ACRONYM.search(f"{model._meta.verbose_name} "
                                         f"{model._meta.verbose_name_plural}")]

    assert wrong == []


def test_the_check_catches_what_django_would_have_shown() -> None:
    assert [WRONG_PLURAL.search(plural) is not None for plural in (
        "inbound deliverys", "shift waitlist entrys", "statuss", "boxs",
        "inbound deliveries", "API keys", "payout batches", "days")] == [
        True, True, True, True, False, False, False, False]
