"""Money as integer minor units: the one place a decimal string becomes cents and back."""


import re
from decimal import Decimal, InvalidOperation

AMOUNT = re.compile(r"^\d{1,9}(\.\d+)?$")


ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "ISK", "CLP", "VND", "HUF"})


def currency_exponent(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL_CURRENCIES else 2


def money_to_minor(amount: str, currency: str) -> int:
    """"4.50" EUR → 450. Raises ValueError with a message for people on anything that is not a
    non-negative amount with at most the currency's decimal places."""
    exponent = currency_exponent(currency)
    if not isinstance(amount, str):
        raise ValueError('Send the amount as a string such as "4.50".')
    text = amount.strip()
    if text.startswith("-"):
        raise ValueError("Enter an amount of zero or more, such as 4.50.")
    if not AMOUNT.match(text):
        raise ValueError(f"{amount[:20]!r} is not an amount such as 4.50.")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"{amount[:20]!r} is not an amount such as 4.50.") from error
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        places = "no decimal places" if exponent == 0 else f"at most {exponent} decimal places"
        raise ValueError(f"{currency} amounts have {places}.")
    if minor > 10_000_000:
        raise ValueError("That amount is too large for a single ticket.")
    return int(minor)


def minor_to_money(minor: int, currency: str) -> str:
    """450 EUR → "4.50"."""
    exponent = currency_exponent(currency)
    return str(Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent)))
