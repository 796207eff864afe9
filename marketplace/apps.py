from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Brands and inquiries"

    def ready(self) -> None:
        from marketplace.infra import schema  # noqa: F401  (registers the OpenAPI auth scheme)
        from marketplace.widget import schema as widget_schema  # noqa: F401  (the widget's)
