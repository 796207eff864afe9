"""OpenAPI: the widget conversation token (loaded in MarketplaceConfig.ready)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ConversationTokenScheme(OpenApiAuthenticationExtension):
    target_class = "marketplace.widget.authentication.ConversationTokenAuthentication"
    name = "WidgetConversationToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The token `POST /widget/api/v1/queues/{public_id}/conversations` "
            "gave for this conversation; good for that conversation only.",
        }
