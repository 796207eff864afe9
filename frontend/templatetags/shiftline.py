from django import template

register = template.Library()


@register.filter
def money(amount_minor: int, currency: str) -> str:
    """Integer minor units as a price: 1250, "EUR" -> "EUR 12.50"."""
    sign = "-" if amount_minor < 0 else ""
    whole, cents = divmod(abs(int(amount_minor)), 100)
    return f"{sign}{currency} {whole:,}.{cents:02d}"


@register.filter
def negate(value: int) -> int:
    return -int(value)
