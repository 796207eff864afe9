"""VAT by the brand's country against the platform's (IE): domestic rate, EU reverse charge
with a well-formed VAT number, none outside the EU."""

from decimal import Decimal

import pytest

from billing.invoices.vat import vat_amount_minor, vat_decide

IRISH_RATE = Decimal("23.00")


@pytest.mark.parametrize(("country", "vat_number", "treatment", "rate"), [
    ("IE", "", "domestic", "23.00"),
    ("IE", "IE6388047V", "domestic", "23.00"),
    ("DE", "DE136695976", "reverse_charge", "0.00"),
    ("", "DE136695976", "reverse_charge", "0.00"),
    ("GR", "EL094259216", "reverse_charge", "0.00"),
    ("DE", "DE136695977", "domestic", "23.00"),
    ("DE", "", "domestic", "23.00"),
    ("DE", "FR40303265045", "domestic", "23.00"),
    ("US", "", "outside_eu", "0.00"),
    ("CH", "CHE123456789", "outside_eu", "0.00"),
])
def test_vat_follows_the_brand_country_against_the_platform_country(
        country: str, vat_number: str, treatment: str, rate: str) -> None:
    decision = vat_decide(brand_country=country, vat_number=vat_number, platform_country="IE",
                          domestic_rate_percent=IRISH_RATE)

    assert (decision.treatment, decision.rate_percent) == (treatment, Decimal(rate))


def test_reverse_charge_says_so_in_words() -> None:
    decision = vat_decide(brand_country="NL", vat_number="NL004495445B01",
                          platform_country="IE", domestic_rate_percent=IRISH_RATE)

    assert decision.wording.startswith("Reverse charge")


@pytest.mark.parametrize(("net", "rate", "vat"), [
    (450, "23.00", 104), (1000, "23.00", 230), (2, "23.00", 0), (3, "23.00", 1), (900, "0", 0),
])
def test_vat_is_rounded_half_up_once_on_the_net_total(net: int, rate: str, vat: int) -> None:
    assert vat_amount_minor(net_minor=net, rate_percent=Decimal(rate)) == vat
