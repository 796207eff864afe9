"""Ops' money pages: the rate card and the brands' contracts (edited here, every change kept
with who made it), and the books (a trial balance and each account's statement, in the words
a bookkeeper reads)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from billing.books import selectors as books
from billing.ledger.models import AccountKind
from billing.terms import selectors as terms_selectors
from billing.terms import services as terms
from billing.terms.models import BrandContract, RateCard
from frontend.access import ops_required, signed_in_user
from frontend.edge import field_errors, form_view
from frontend.responses import navigate
from marketplace.infra.errors import DomainError, FieldErrors, NotFound
from marketplace.onboarding import selectors as onboarding_selectors

PER_PAGE = 50


@dataclass(frozen=True)
class TermInput:
    field: terms.TermField
    value: str | bool
    errors: list[str]


def _inputs(fields: tuple[terms.TermField, ...], values: Mapping[str, Any],
            errors: Mapping[str, list[str]]) -> list[TermInput]:
    return [TermInput(field, (values.get(field.name) in ("on", True, "yes"))
                      if field.kind == "flag" else str(values.get(field.name, "") or ""),
                      list(errors.get(field.name, []))) for field in fields]


def _stored(fields: tuple[terms.TermField, ...], stored: RateCard | BrandContract
            ) -> dict[str, Any]:
    return {field.name: (getattr(stored, field.stored_as) if field.kind == "flag" else
                         terms.term_display(field, getattr(stored, field.stored_as),
                                            stored.currency))
            for field in fields}


def _posted(request: HttpRequest, fields: tuple[terms.TermField, ...]) -> dict[str, str]:
    """The posted fields; an unticked checkbox is not sent, so it is off."""
    return {field.name: request.POST.get(field.name, "off" if field.kind == "flag" else "")
            for field in fields}


def _pricing_page(request: HttpRequest, *, refused: str = "", error: DomainError | None = None,
                  status: int = 200) -> HttpResponse:
    """The pricing page; after a refused post, the form `refused` names ("card:EUR",
    "card:new", "contract:new") shows what was typed with its messages."""
    errors = field_errors(error) if error is not None else {}
    cards = []
    for card in terms_selectors.rate_card_list():
        mine = refused == f"card:{card.currency}"
        values = request.POST if mine else _stored(terms.RATE_CARD_FIELDS, card)
        cards.append({"card": card, "inputs": _inputs(terms.RATE_CARD_FIELDS, values,
                                                      errors if mine else {})})
    new_card = refused == "card:new"
    new_contract = refused == "contract:new"
    return render(request, "frontend/ops/pricing.html", {
        "cards": cards,
        "new_card": {"currency": request.POST.get("currency", "") if new_card else "",
                     "currency_errors": errors.get("currency", []) if new_card else [],
                     "inputs": _inputs(terms.RATE_CARD_FIELDS,
                                       request.POST if new_card else {},
                                       errors if new_card else {})},
        "contracts": terms_selectors.contract_list(),
        "brands": onboarding_selectors.brand_list(),
        "new_contract": {
            "brand_id": request.POST.get("brand_id", "") if new_contract else "",
            "currency": request.POST.get("currency", "EUR") if new_contract else "EUR",
            "brand_errors": errors.get("brand_id", []) if new_contract else [],
            "currency_errors": errors.get("currency", []) if new_contract else [],
            "inputs": _inputs(terms.CONTRACT_FIELDS, request.POST if new_contract else {},
                              errors if new_contract else {})},
        "changes": terms_selectors.pricing_changes(limit=30),
    }, status=status)


@require_GET
@ops_required
def pricing(request: HttpRequest) -> HttpResponse:
    return _pricing_page(request)


def _card_refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    currency = request.POST.get("currency", "").strip().upper()
    known = terms_selectors.rate_card_find(currency=currency) is not None
    return _pricing_page(request, refused=f"card:{currency}" if known else "card:new",
                         error=error, status=400)


@require_POST
@ops_required
@form_view(render_invalid=_card_refused)
def rate_card_save(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    card = terms.rate_card_save(
        currency=request.POST.get("currency", ""), data=_posted(request, terms.RATE_CARD_FIELDS),
        actor_id=user.pk, actor_name=user.get_full_name() or user.get_username(),
        now=timezone.now())
    messages.success(request, f"Saved the {card.currency} rate card.")
    return navigate(request, "ops:pricing")


def _new_contract_refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return _pricing_page(request, refused="contract:new", error=error, status=400)


def _brand_from_post(request: HttpRequest) -> Any:
    raw = request.POST.get("brand_id", "")
    brand = onboarding_selectors.brand_get(brand_id=int(raw)) if raw.isdigit() else None
    if brand is None:
        raise FieldErrors({"brand_id": ["Choose a brand."]})
    return brand


@require_POST
@ops_required
@form_view(render_invalid=_new_contract_refused)
def contract_create(request: HttpRequest) -> HttpResponse:
    brand = _brand_from_post(request)
    currency = request.POST.get("currency", "").strip().upper()
    if terms_selectors.contract_find(brand_id=brand.pk, currency=currency) is not None:
        raise FieldErrors({"currency": [f"{brand.name} has a {currency} contract already; "
                                        "change it below."]})
    user = signed_in_user(request)
    contract = terms.contract_save(
        brand_id=brand.pk, brand_name=brand.name, currency=currency,
        data=_posted(request, terms.CONTRACT_FIELDS), actor_id=user.pk,
        actor_name=user.get_full_name() or user.get_username(), now=timezone.now())
    messages.success(request, f"Saved the contract of {contract.brand_name} in "
                     f"{contract.currency}.")
    return navigate(request, "ops:contract", contract_id=contract.pk)


def _contract(contract_id: int) -> BrandContract:
    contract = terms_selectors.contract_find_by_id(contract_id=contract_id)
    if contract is None:
        raise NotFound("No such contract.")
    return contract


def _contract_page(request: HttpRequest, contract: BrandContract, *,
                   error: DomainError | None = None, status: int = 200) -> HttpResponse:
    values = request.POST if error is not None else _stored(terms.CONTRACT_FIELDS, contract)
    return render(request, "frontend/ops/contract.html", {
        "contract": contract,
        "inputs": _inputs(terms.CONTRACT_FIELDS, values,
                          field_errors(error) if error is not None else {}),
        "changes": contract.changes.order_by("-created_at", "-id")[:30],
    }, status=status)


@require_GET
@ops_required
def contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    return _contract_page(request, _contract(contract_id))


def _contract_refused(request: HttpRequest, error: DomainError, contract_id: int
                      ) -> HttpResponse:
    return _contract_page(request, _contract(contract_id), error=error, status=400)


@require_POST
@ops_required
@form_view(render_invalid=_contract_refused)
def contract_save(request: HttpRequest, contract_id: int) -> HttpResponse:
    current = _contract(contract_id)
    brand = onboarding_selectors.brand_get(brand_id=current.brand_id)
    user = signed_in_user(request)
    terms.contract_save(
        brand_id=current.brand_id, brand_name=brand.name if brand else current.brand_name,
        currency=current.currency, data=_posted(request, terms.CONTRACT_FIELDS),
        actor_id=user.pk, actor_name=user.get_full_name() or user.get_username(),
        now=timezone.now())
    messages.success(request, f"Saved the contract of {current.brand_name} in "
                     f"{current.currency}.")
    return navigate(request, "ops:contract", contract_id=current.pk)


@require_GET
@ops_required
def trial_balance(request: HttpRequest) -> HttpResponse:
    """Every account with its debits, credits and balance in words, and per currency the
    totals, whose debits equal their credits when the books balance."""
    page = books.trial_balance_page(page=request.GET.get("page"), per_page=PER_PAGE)
    rows = [{"account": account, "kind": AccountKind(account.kind).label,
             "shown": books.balance_shown(kind=account.kind, owner=books.account_owner(account),
                                          balance_minor=account.balance)}
            for account in page]
    return render(request, "frontend/ops/trial_balance.html", {
        "page": page, "rows": rows, "totals": books.trial_balance_totals(),
    })


@require_GET
@ops_required
def statement(request: HttpRequest, account_id: int) -> HttpResponse:
    """One account's entries, oldest first, with the balance after each."""
    account = books.account_find(account_id=account_id)
    if account is None:
        raise NotFound("No such account.")
    owner = books.account_owner(account)
    page = books.account_statement_page(account_id=account.pk, page=request.GET.get("page"),
                                        per_page=PER_PAGE)
    rows = [{"entry": entry,
             "debit": entry.amount_minor if entry.amount_minor > 0 else None,
             "credit": -entry.amount_minor if entry.amount_minor < 0 else None,
             "running": books.balance_shown(kind=account.kind, owner=owner,
                                            balance_minor=entry.running)}
            for entry in page]
    return render(request, "frontend/ops/statement.html", {
        "account": account, "kind": AccountKind(account.kind).label, "page": page,
        "rows": rows,
        "balance": books.balance_shown(
            kind=account.kind, owner=owner,
            balance_minor=books.account_balance_minor(account_id=account.pk)),
    })
