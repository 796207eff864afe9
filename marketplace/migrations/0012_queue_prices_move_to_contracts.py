"""Prices move from the queue, where the brand typed them, to Shiftline's rate card and each
brand's contract (billing/terms). Before the columns go, existing prices are kept: each brand
gets a contract per currency its queues bill in, every channel at its queue's price (the
highest when its queues differ, so no brand pays more than it agreed to on any queue... nor
less than its dearest queue: ops review these on /ops/pricing/), and each currency a rate card
whose base rate is the expert rate most of its queues paid, and whose list price the price
most of them charged."""

from collections import Counter, defaultdict

from django.db import migrations, models
from django.utils import timezone


def seed_contracts_and_rate_cards(apps, schema_editor):
    OverflowQueue = apps.get_model("marketplace", "OverflowQueue")
    BrandContract = apps.get_model("billing", "BrandContract")
    RateCard = apps.get_model("billing", "RateCard")
    now = timezone.now()
    prices: dict[tuple[int, str], int] = {}
    names: dict[int, str] = {}
    rates: dict[str, Counter] = defaultdict(Counter)
    list_prices: dict[str, Counter] = defaultdict(Counter)
    for brand_id, brand_name, currency, price, rate in OverflowQueue.objects.values_list(
            "brand_id", "brand__name", "currency", "price_per_ticket_minor",
            "expert_rate_minor").order_by("pk"):
        key = (brand_id, currency)
        prices[key] = max(prices.get(key, 0), price)
        names[brand_id] = brand_name
        rates[currency][rate] += 1
        list_prices[currency][price] += 1
    for currency, counted in rates.items():
        base = counted.most_common(1)[0][0]
        RateCard.objects.get_or_create(currency=currency, defaults={
            "email_rate_minor": base, "chat_rate_minor": base, "social_rate_minor": base,
            "list_price_minor": list_prices[currency].most_common(1)[0][0],
            "updated_at": now})
    for (brand_id, currency), price in prices.items():
        BrandContract.objects.get_or_create(brand_id=brand_id, currency=currency, defaults={
            "brand_name": names[brand_id], "email_price_minor": price,
            "chat_price_minor": price, "social_price_minor": price, "updated_at": now})


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0011_api_key_rate_limits_can_be_lifted"),
        ("billing", "0005_rate_card_contracts_and_pricing_changes"),
    ]

    operations = [
        migrations.RunPython(seed_contracts_and_rate_cards, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="overflowqueue",
            name="expert_rate_not_above_price",
        ),
        migrations.RemoveField(
            model_name="overflowqueue",
            name="expert_rate_minor",
        ),
        migrations.RemoveField(
            model_name="overflowqueue",
            name="price_per_ticket_minor",
        ),
        migrations.AlterField(
            model_name="overflowqueue",
            name="currency",
            field=models.CharField(default="EUR", help_text="The currency the brand is billed in for this queue; its prices are its contract's in this currency (billing/terms).", max_length=3),
        ),
    ]
