"""Which VAT an invoice carries: plain Python, the rate passed in.

- Brand in the platform's country: the platform's domestic rate.
- Brand in another EU member state with a well-formed VAT number of that state: no VAT, the
  customer accounts for it ("Reverse charge", Article 196 of the VAT Directive).
- Brand in another EU member state without one (not a business we can verify): the domestic
  rate, as for a consumer.
- Brand outside the EU: no VAT (outside the scope of EU VAT).
"""

from dataclasses import dataclass
from decimal import Decimal

from stdnum.eu import vat as eu_vat

from billing.invoices.models import VatTreatment
from billing.money import round_half_up

# VAT numbers write Greece as EL; ISO 3166 as GR. Northern Ireland (XI) trades goods only.
VAT_PREFIX_COUNTRY = {"EL": "GR"}
EU_COUNTRIES = frozenset(code.upper() for code in eu_vat.MEMBER_STATES) - {"XI"}

REVERSE_CHARGE_WORDS = ("Reverse charge: VAT to be accounted for by the recipient "
                        "(Article 196, Council Directive 2006/112/EC).")
OUTSIDE_EU_WORDS = "Outside the scope of EU VAT."


@dataclass(frozen=True)
class VatDecision:
    treatment: VatTreatment
    rate_percent: Decimal
    wording: str


def vat_number_country(vat_number: str) -> str:
    """The ISO country a VAT number's prefix names ("EL…" → GR), or "" for none."""
    prefix = vat_number.strip().upper()[:2]
    if not prefix.isalpha():
        return ""
    return VAT_PREFIX_COUNTRY.get(prefix, prefix)


def vat_number_is_valid_for(vat_number: str, country: str) -> bool:
    """Format and check digits of an EU VAT number (python-stdnum), issued by `country`."""
    if not vat_number or vat_number_country(vat_number) != country.upper():
        return False
    return bool(eu_vat.is_valid(vat_number))


def vat_decide(*, brand_country: str, vat_number: str, platform_country: str,
               domestic_rate_percent: Decimal) -> VatDecision:
    brand_country = (brand_country or vat_number_country(vat_number)).upper()
    platform_country = platform_country.upper()
    domestic = VatDecision(VatTreatment.DOMESTIC, domestic_rate_percent,
                           f"VAT {domestic_rate_percent}%")
    if not brand_country or brand_country == platform_country:
        return domestic
    if brand_country not in EU_COUNTRIES:
        return VatDecision(VatTreatment.OUTSIDE_EU, Decimal("0.00"), OUTSIDE_EU_WORDS)
    if vat_number_is_valid_for(vat_number, brand_country):
        return VatDecision(VatTreatment.REVERSE_CHARGE, Decimal("0.00"), REVERSE_CHARGE_WORDS)
    return domestic


def vat_amount_minor(*, net_minor: int, rate_percent: Decimal) -> int:
    """VAT on the invoice's net total, rounded half up once (not per line)."""
    return round_half_up(Decimal(net_minor) * rate_percent / 100)
