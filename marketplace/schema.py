"""OpenAPI description of the brand API-key authentication (loaded in MarketplaceConfig.ready)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BrandApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "marketplace.authentication.BrandApiKeyAuthentication"
    name = "BrandApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Your brand's API key, `sl_<prefix>_<secret>`, as a Bearer token "
            "(or in an `X-Api-Key` header).",
        }
