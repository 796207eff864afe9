"""Prices brands typed on their queues before Shiftline set them are kept: the migration that
moves prices into contracts gives each brand a contract per currency at its queue's price (the
highest when its queues differed) and each currency a rate card paying the expert rate most
queues paid, before it drops the queue's price columns."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from billing.terms.models import BrandContract, RateCard
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def prices_migration(executor: MigrationExecutor) -> tuple[str, str]:
    """Found by name, so renumbering the migrations does not break the test."""
    (node,) = [node for node in executor.loader.graph.nodes
               if node[0] == "marketplace" and node[1].endswith("_queue_prices_move_to_contracts")]
    return node


def test_queue_prices_become_contracts_and_rate_cards() -> None:
    northwind, contoso = factories.brand(), factories.brand()
    executor = MigrationExecutor(connection)
    target = prices_migration(executor)
    before = next(parent for parent in executor.loader.graph.node_map[target].parents
                  if parent.key[0] == "marketplace")
    everything = executor.loader.graph.leaf_nodes()
    executor.migrate([before.key])
    old = executor.loader.project_state([before.key]).apps.get_model("marketplace",
                                                                      "OverflowQueue")
    for brand, name, currency, price, rate in [
        (northwind, "Nights", "EUR", 450, 300), (northwind, "Weekends", "EUR", 500, 300),
        (contoso, "Days", "EUR", 400, 250), (contoso, "Tokyo", "JPY", 600, 450),
    ]:
        old.objects.create(brand_id=brand.pk, name=name, time_zone="Europe/Dublin",
                           currency=currency, price_per_ticket_minor=price,
                           expert_rate_minor=rate)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(everything)

    contracts = {(contract.brand_id, contract.currency): (
        contract.email_price_minor, contract.chat_price_minor, contract.social_price_minor)
        for contract in BrandContract.objects.all()}
    assert contracts == {(northwind.pk, "EUR"): (500, 500, 500),
                         (contoso.pk, "EUR"): (400, 400, 400),
                         (contoso.pk, "JPY"): (600, 600, 600)}
    cards = {card.currency: (card.chat_rate_minor, card.list_price_minor)
             for card in RateCard.objects.all()}
    assert cards["EUR"][0] == 300 and cards["JPY"] == (450, 600)
