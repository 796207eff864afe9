"""`{{ amount_minor|money:currency }}` or `{{ money_value|money }}`: an amount the way the
reader's language writes it (€4.50, ¥450, KWD 1.250), through `Money.display`."""

from babel import Locale, UnknownLocaleError
from django import template
from django.conf import settings
from django.utils import translation

from billing.money import Money

register = template.Library()


def _babel_locale() -> str:
    """The active Django language as a babel locale, or the site's default language when babel
    does not know it."""
    for language in (translation.get_language(), settings.LANGUAGE_CODE, "en"):
        if not language:
            continue
        name = translation.to_locale(language)
        try:
            Locale.parse(name)
        except (UnknownLocaleError, ValueError):
            continue
        return name
    return "en"


@register.filter
def money(value: Money | int, currency: str | None = None) -> str:
    """Integer minor units with their currency code, or a `Money`, as a price for people."""
    if not isinstance(value, Money):
        if currency is None:
            raise template.TemplateSyntaxError("money needs a currency: amount|money:currency")
        value = Money(minor=int(value), currency=currency)
    return value.display(locale=_babel_locale())
