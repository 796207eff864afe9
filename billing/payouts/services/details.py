"""The expert's payout details: bank details (IBAN checked by python-stdnum) or a Stripe
Connect account opened through an account link. Keyed by the expert profile's id; the experts
app is not imported, its pages pass the id, name and email in."""

from datetime import datetime

from babel import Locale
from django.db import transaction
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from billing.payouts import providers
from billing.payouts.models import PayoutDetails, PayoutMethod
from marketplace.infra.errors import Conflict, FieldErrors

COUNTRIES = frozenset(str(code) for code in Locale("en").territories if len(str(code)) == 2)


def _checked_bank_details(*, account_holder: str, iban: str, bic: str, country: str,
                          tax_id: str) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    cleaned = {"account_holder": account_holder.strip(), "country": country.strip().upper(),
               "tax_id": tax_id.strip(), "iban": "", "bic": ""}
    if not cleaned["account_holder"]:
        errors["account_holder"] = ["Enter the account holder's name."]
    elif len(cleaned["account_holder"]) > 140:
        errors["account_holder"] = ["Use at most 140 characters."]
    try:
        cleaned["iban"] = stdnum_iban.validate(iban)
    except ValidationError:
        errors["iban"] = ["Enter a valid IBAN (its check digits do not match)."]
    if bic.strip():
        try:
            cleaned["bic"] = stdnum_bic.validate(bic)
        except ValidationError:
            errors["bic"] = ["Enter a valid BIC, 8 or 11 characters."]
    if cleaned["country"] not in COUNTRIES:
        errors["country"] = ["Choose your country (a two-letter code such as IE)."]
    if not cleaned["tax_id"]:
        errors["tax_id"] = ["Enter your tax identification number."]
    elif len(cleaned["tax_id"]) > 40:
        errors["tax_id"] = ["Use at most 40 characters."]
    if errors:
        raise FieldErrors(errors)
    return cleaned


def payout_details_save_bank(*, expert_id: int, account_holder: str, iban: str, bic: str,
                             country: str, tax_id: str, now: datetime) -> PayoutDetails:
    """Saves bank details and makes the bank file the expert's payout method."""
    cleaned = _checked_bank_details(account_holder=account_holder, iban=iban, bic=bic,
                                    country=country, tax_id=tax_id)
    details, _ = PayoutDetails.objects.update_or_create(
        expert_id=expert_id,
        defaults={**cleaned, "method": PayoutMethod.BANK_FILE, "updated_at": now},
    )
    return details


def payout_details_stripe_link(*, expert_id: int, email: str, country: str, return_url: str,
                               refresh_url: str, now: datetime) -> str:
    """The Stripe-hosted onboarding address for the expert's connected account, opening the
    account first when they have none (the expert's id is its idempotency key, so a double
    click opens one account)."""
    country = country.strip().upper()
    if country not in COUNTRIES:
        raise FieldErrors({"country": ["Choose your country (a two-letter code such as IE)."]})
    client = providers.stripe_client()
    with transaction.atomic():
        details = PayoutDetails.objects.select_for_update().filter(expert_id=expert_id).first()
        if details is None or not details.stripe_account_id:
            account = client.v1.accounts.create(
                params={"type": "express", "country": country, "email": email,
                        "capabilities": {"transfers": {"requested": True}},
                        "metadata": {"shiftline_expert_id": str(expert_id)}},
                options={"idempotency_key": f"expert-account-{expert_id}"},
            )
            details, _ = PayoutDetails.objects.update_or_create(
                expert_id=expert_id,
                defaults={"stripe_account_id": account.id, "stripe_onboarded": False,
                          "country": details.country if details and details.country else country,
                          "method": details.method if details else PayoutMethod.STRIPE,
                          "updated_at": now},
            )
    link = client.v1.account_links.create(params={
        "account": details.stripe_account_id, "refresh_url": refresh_url,
        "return_url": return_url, "type": "account_onboarding",
    })
    return link.url


def payout_details_stripe_returned(*, expert_id: int, now: datetime) -> PayoutDetails:
    """Back from Stripe's onboarding: asks Stripe whether the account can take transfers; if so
    Stripe becomes the expert's payout method."""
    details = PayoutDetails.objects.filter(expert_id=expert_id).first()
    if details is None or not details.stripe_account_id:
        raise Conflict("Connect a Stripe account first.")
    account = providers.stripe_client().v1.accounts.retrieve(
        details.stripe_account_id).to_dict()
    capabilities = account.get("capabilities") or {}
    onboarded = bool(account.get("details_submitted")) and \
        capabilities.get("transfers") == "active"
    details.stripe_onboarded = onboarded
    if onboarded:
        details.method = PayoutMethod.STRIPE
    details.updated_at = now
    details.save(update_fields=["stripe_onboarded", "method", "updated_at"])
    return details


def payout_details_use_method(*, expert_id: int, method: str, now: datetime) -> PayoutDetails:
    details = PayoutDetails.objects.filter(expert_id=expert_id).first()
    if method not in PayoutMethod.values:
        raise FieldErrors({"method": ["Choose Stripe or bank transfer."]})
    if details is None:
        raise Conflict("Enter your payout details first.")
    details.method = method
    if not details.payable:
        raise Conflict("Those payout details are not complete yet.")
    details.updated_at = now
    details.save(update_fields=["method", "updated_at"])
    return details
