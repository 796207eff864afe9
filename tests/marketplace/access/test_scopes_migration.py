"""Keys that existed before scopes keep every scope: the migration that adds them fills them in,
so no system loses an operation it could call before."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def scopes_migration(executor: MigrationExecutor) -> tuple[str, str]:
    """Found by name, so renumbering the migrations does not break the test."""
    (node,) = [node for node in executor.loader.graph.nodes
               if node[0] == "marketplace" and node[1].endswith("_api_key_scopes")]
    return node


def test_keys_made_before_scopes_get_every_scope() -> None:
    brand = factories.brand()
    executor = MigrationExecutor(connection)
    target = scopes_migration(executor)
    (before,) = executor.loader.graph.node_map[target].parents
    everything = executor.loader.graph.leaf_nodes()
    executor.migrate([before.key])
    old_models = executor.loader.project_state([before.key]).apps
    old_models.get_model("marketplace", "ApiKey").objects.create(
        brand_id=brand.pk, name="From before", prefix="abcd1234", hashed_key="0" * 64)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(everything)

    with connection.cursor() as cursor:
        cursor.execute("SELECT scopes FROM marketplace_apikey WHERE prefix = 'abcd1234'")
        assert cursor.fetchone()[0] == [
            "inquiries:read", "inquiries:write", "queues:read", "queues:manage", "backlog:write",
            "shifts:read", "shifts:manage", "reviews:write"]
