"""Slots published with a premium multiplier before tiers keep a premium: each gets the tier
whose default multiplier is nearest its old one."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from experts.shifts.models import ShiftSlot
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_premium_multipliers_become_the_nearest_tier() -> None:
    queue = factories.queue()
    executor = MigrationExecutor(connection)
    (target,) = [node for node in executor.loader.graph.nodes
                 if node[0] == "experts" and node[1].endswith("_premium_tier")]
    before = next(parent for parent in executor.loader.graph.node_map[target].parents
                  if parent.key[0] == "experts")
    everything = executor.loader.graph.leaf_nodes()
    executor.migrate([before.key])
    old = executor.loader.project_state([before.key]).apps.get_model("experts", "ShiftSlot")
    starts = datetime(2027, 1, 4, 18, tzinfo=UTC)
    for day, premium in enumerate(["1.00", "1.10", "1.25", "1.50", "1.75", "2.00", "3.00"]):
        old.objects.create(queue_id=queue.pk, starts_at=starts + timedelta(days=day),
                           ends_at=starts + timedelta(days=day, hours=4),
                           premium_multiplier=Decimal(premium))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(everything)

    assert list(ShiftSlot.objects.order_by("starts_at").values_list("premium_tier", flat=True)) \
        == ["standard", "after_hours", "after_hours", "weekend", "weekend", "holiday",
            "holiday"]
