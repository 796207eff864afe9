"""Money: integer minor units with an ISO 4217 currency code, in one value.

Every amount the platform handles is a `Money`. A decimal string becomes one in `Money.parse`
(with messages meant for people), one rounding rule turns a premium's fractions into whole
minor units (`round_half_up`), and `Money.display` shows it the way the reader's locale writes
it. How many decimals a currency has, and its symbol, come from the Unicode CLDR through babel,
not from a list kept here.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import total_ordering

from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    is_currency,
)

AMOUNT = re.compile(r"^\d{1,9}(\.\d+)?$")


CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


LARGEST_TICKET_MINOR = 10_000_000


NO_BREAK_SPACE = "\u00a0"


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies met in arithmetic or a comparison."""


def currency_exponent(currency: str) -> int:
    """How many decimal places the currency has: EUR 2, JPY 0, KWD 3 (CLDR's digits)."""
    return get_currency_precision(currency)


def round_half_up(value: Decimal) -> int:
    """The one rounding rule for money: to whole minor units, halves away from zero. Every
    fraction of a minor unit (a premium times a rate) goes through here."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@total_ordering
@dataclass(frozen=True)
class Money:
    """An amount in whole minor units (cents, yen, fils) of one currency.

    Arithmetic and ordering keep to one currency: mixing two raises `CurrencyMismatch`, so an
    amount can never silently change meaning. Equality is plain value equality (450 EUR is not
    450 JPY). The code only has to look like one here, so an amount already stored under a
    code the queue settings accepted still displays and posts; `parse`, the way in for
    people's input, refuses codes that ISO 4217 does not know."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError(f"minor units are a whole number, not {self.minor!r}")
        if not isinstance(self.currency, str) or not CURRENCY_CODE.match(self.currency):
            raise ValueError(f"{self.currency!r} is not a currency code such as EUR")

    @classmethod
    def parse(cls, amount: object, *, currency: str) -> "Money":
        """"4.50" EUR → 450 EUR. Raises ValueError with a message for people on anything that
        is not a non-negative amount with at most the currency's decimal places, or that is
        too large for a single ticket."""
        if not isinstance(currency, str) or not is_currency(currency):
            raise ValueError(f"{str(currency)[:10]!r} is not an ISO 4217 currency code such as "
                             "EUR.")
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
        exponent = currency_exponent(currency)
        minor = value.scaleb(exponent)
        if minor != minor.to_integral_value():
            places = "no decimal places" if exponent == 0 else f"at most {exponent} decimal places"
            raise ValueError(f"{currency} amounts have {places}.")
        if minor > LARGEST_TICKET_MINOR:
            raise ValueError("That amount is too large for a single ticket.")
        return cls(minor=int(minor), currency=currency)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(minor=0, currency=currency)

    @property
    def amount(self) -> Decimal:
        """The exact decimal amount in major units, with the currency's places: 450 EUR →
        Decimal("4.50"), 450 JPY → Decimal("450"), 1250 KWD → Decimal("1.250")."""
        exponent = currency_exponent(self.currency)
        return Decimal(self.minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))

    def display(self, *, locale: str = "en") -> str:
        """The amount as the locale writes it: €4.50, ¥450, KWD 1.250 in English.

        babel leaves out CLDR's currency spacing, so an alphabetic symbol would touch the
        digits ("KWD1.250"); `_with_currency_spacing` applies that rule."""
        formatted = format_currency(self.amount, self.currency, locale=locale)
        return _with_currency_spacing(formatted, get_currency_symbol(self.currency, locale))

    def _same_currency(self, other: "Money") -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: object) -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(minor=self.minor + other.minor, currency=self.currency)

    def __sub__(self, other: object) -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(minor=self.minor - other.minor, currency=self.currency)

    def __neg__(self) -> "Money":
        return Money(minor=-self.minor, currency=self.currency)

    def __mul__(self, factor: object) -> "Money":
        """Times an exact factor (a shift premium), rounded half up to whole minor units. A
        float is refused: it cannot hold 1.15 exactly."""
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            return NotImplemented
        return Money(minor=round_half_up(Decimal(self.minor) * factor), currency=self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor < other.minor


def _is_spacing_character(character: str) -> bool:
    """CLDR's default `currencyMatch`, [[:^S:]&[:^Z:]]: neither a symbol nor a separator."""
    return unicodedata.category(character)[0] not in ("S", "Z")


def _with_currency_spacing(formatted: str, symbol: str) -> str:
    """CLDR's default currency spacing: a no-break space between a digit and a currency symbol
    whose adjacent character is a letter (KWD 1.250, 1.250 KWD), none for € or ¥."""
    if not symbol:
        return formatted
    if _is_spacing_character(symbol[-1]):
        formatted = re.sub(rf"({re.escape(symbol)})(?=\d)", rf"\1{NO_BREAK_SPACE}", formatted)
    if _is_spacing_character(symbol[0]):
        formatted = re.sub(rf"(?<=\d)({re.escape(symbol)})", rf"{NO_BREAK_SPACE}\1", formatted)
    return formatted
