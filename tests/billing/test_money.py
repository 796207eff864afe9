"""The Money value across zero-, two- and three-decimal currencies: parsing with messages for
people, arithmetic that keeps the currency, one rounding rule, and display through babel."""

from decimal import Decimal

import pytest

from billing.money import CurrencyMismatch, Money, currency_exponent, round_half_up

NO_BREAK_SPACE = "\u00a0"


@pytest.mark.parametrize(("currency", "exponent"), [("JPY", 0), ("EUR", 2), ("KWD", 3)])
def test_each_currency_has_its_iso_exponent(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent


@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("450", "JPY", 450),
    ("4.50", "EUR", 450),
    ("4.5", "EUR", 450),
    (" 3.00 ", "EUR", 300),
    ("1.250", "KWD", 1250),
    ("0", "KWD", 0),
    ("100000.00", "EUR", 10_000_000),
])
def test_parse_reads_a_decimal_string_in_the_currencys_minor_units(
    text: str, currency: str, minor: int
) -> None:
    assert Money.parse(text, currency=currency) == Money(minor=minor, currency=currency)


@pytest.mark.parametrize(("text", "currency", "message"), [
    ("4.5", "JPY", "JPY amounts have no decimal places."),
    ("4.505", "EUR", "EUR amounts have at most 2 decimal places."),
    ("1.2505", "KWD", "KWD amounts have at most 3 decimal places."),
    ("-1", "EUR", "Enter an amount of zero or more, such as 4.50."),
    ("4,50", "EUR", "'4,50' is not an amount such as 4.50."),
    ("1e3", "EUR", "'1e3' is not an amount such as 4.50."),
    ("", "EUR", "'' is not an amount such as 4.50."),
    ("100000.01", "EUR", "That amount is too large for a single ticket."),
    ("10000001", "JPY", "That amount is too large for a single ticket."),
    ("4.50", "ABC", "'ABC' is not an ISO 4217 currency code such as EUR."),
])
def test_parse_refuses_with_a_message_for_people(text: str, currency: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        Money.parse(text, currency=currency)

    assert str(refused.value) == message


@pytest.mark.parametrize("not_text", [4.5, 450, None, Decimal("4.50")])
def test_parse_refuses_anything_but_a_string(not_text: object) -> None:
    with pytest.raises(ValueError) as refused:
        Money.parse(not_text, currency="EUR")

    assert str(refused.value) == 'Send the amount as a string such as "4.50".'


@pytest.mark.parametrize(("minor", "currency", "amount"), [
    (450, "JPY", Decimal("450")),
    (450, "EUR", Decimal("4.50")),
    (1250, "KWD", Decimal("1.250")),
    (0, "EUR", Decimal("0.00")),
])
def test_amount_has_the_currencys_places(minor: int, currency: str, amount: Decimal) -> None:
    assert str(Money(minor=minor, currency=currency).amount) == str(amount)


def test_adding_and_subtracting_keep_the_currency() -> None:
    price, rate = Money(minor=450, currency="EUR"), Money(minor=300, currency="EUR")

    assert price + rate == Money(minor=750, currency="EUR")
    assert price - rate == Money(minor=150, currency="EUR")
    assert -rate == Money(minor=-300, currency="EUR")


@pytest.mark.parametrize("combine", [
    lambda euros, yen: euros + yen,
    lambda euros, yen: euros - yen,
    lambda euros, yen: euros < yen,
    lambda euros, yen: euros >= yen,
    lambda euros, yen: min(euros, yen),
])
def test_mixing_currencies_is_refused(combine: object) -> None:
    euros, yen = Money(minor=450, currency="EUR"), Money(minor=450, currency="JPY")

    with pytest.raises(CurrencyMismatch, match=r"cannot combine (EUR with JPY|JPY with EUR)"):
        combine(euros, yen)  # type: ignore[operator]


def test_same_minor_units_in_different_currencies_are_not_equal() -> None:
    assert Money(minor=450, currency="EUR") != Money(minor=450, currency="JPY")


def test_comparison_within_one_currency() -> None:
    small, large = Money(minor=399, currency="KWD"), Money(minor=450, currency="KWD")

    assert small < large
    assert large >= small
    assert min(large, small) == small


@pytest.mark.parametrize(("minor", "currency", "premium", "expected"), [
    (300, "EUR", Decimal("1.25"), 375),
    (300, "EUR", Decimal("1.33"), 399),
    (150, "EUR", Decimal("1.05"), 158),     # 157.5: the half goes up
    (150, "EUR", Decimal("1.01"), 152),     # 151.5
    (150, "EUR", Decimal("1.11"), 167),     # 166.5
    (450, "JPY", Decimal("1.15"), 518),     # ¥517.5
    (1250, "KWD", Decimal("1.33"), 1663),   # 1662.5 fils
    (300, "EUR", Decimal("1.00"), 300),
    (300, "EUR", 2, 600),
])
def test_a_premium_multiplies_and_rounds_half_up_to_whole_minor_units(
    minor: int, currency: str, premium: Decimal, expected: int
) -> None:
    assert Money(minor=minor, currency=currency) * premium == Money(minor=expected,
                                                                     currency=currency)


def test_one_rounding_rule_halves_away_from_zero() -> None:
    assert [round_half_up(Decimal(value)) for value in ("2.5", "2.49", "-2.5", "3.5")] == [
        3, 2, -3, 4]


@pytest.mark.parametrize("inexact", [1.25, True])
def test_multiplying_by_a_float_or_bool_is_refused(inexact: object) -> None:
    with pytest.raises(TypeError):
        Money(minor=300, currency="EUR") * inexact  # type: ignore[operator]


@pytest.mark.parametrize(("minor", "currency"), [(4.5, "EUR"), (True, "EUR"), ("450", "EUR")])
def test_minor_units_are_a_whole_number(minor: object, currency: str) -> None:
    with pytest.raises(TypeError):
        Money(minor=minor, currency=currency)  # type: ignore[arg-type]


@pytest.mark.parametrize("currency", ["eur", "EURO", "", "E1R"])
def test_currency_is_a_three_letter_code(currency: str) -> None:
    with pytest.raises(ValueError, match="is not a currency code such as EUR"):
        Money(minor=450, currency=currency)


@pytest.mark.parametrize(("minor", "currency", "shown"), [
    (450, "EUR", "€4.50"),
    (450, "JPY", "¥450"),
    (1250, "KWD", f"KWD{NO_BREAK_SPACE}1.250"),
    (123456, "EUR", "€1,234.56"),
    (-450, "EUR", "-€4.50"),
    (-1250, "KWD", f"-KWD{NO_BREAK_SPACE}1.250"),
    (500, "CHF", f"CHF{NO_BREAK_SPACE}5.00"),
])
def test_display_in_english(minor: int, currency: str, shown: str) -> None:
    assert Money(minor=minor, currency=currency).display(locale="en") == shown


@pytest.mark.parametrize(("minor", "currency", "shown"), [
    (450, "EUR", f"4,50{NO_BREAK_SPACE}€"),
    (1250, "KWD", f"1,250{NO_BREAK_SPACE}KWD"),
])
def test_display_follows_the_locale(minor: int, currency: str, shown: str) -> None:
    assert Money(minor=minor, currency=currency).display(locale="de_DE") == shown
