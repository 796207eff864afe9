from datetime import date
from decimal import Decimal

import pytest

from billing.invoices.models import VatRate


@pytest.fixture(autouse=True)
def irish_vat_rate(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush the migration's starting rates; the platform's is put back."""
    if "django_db" in {marker.name for marker in request.node.iter_markers()}:
        request.getfixturevalue("transactional_db")
        VatRate.objects.get_or_create(country="IE", valid_from=date(2024, 1, 1),
                                      defaults={"rate_percent": Decimal("23.00")})
