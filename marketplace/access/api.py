"""The base of every API view that a brand's key authenticates."""


from rest_framework.views import APIView

from marketplace.access.authentication import (
    BrandApiClient,
    BrandApiKeyAuthentication,
    HasApiKeyScope,
    HasBrandApiKey,
)
from marketplace.infra.parsers import StrictJSONParser


class BrandApi(APIView):
    """Every handler names the scope a key needs: `@requires_scope(ApiScope.…)`."""

    authentication_classes = [BrandApiKeyAuthentication]
    permission_classes = [HasBrandApiKey, HasApiKeyScope]
    parser_classes = [StrictJSONParser]

    def client(self) -> BrandApiClient:
        client = self.request.user
        assert isinstance(client, BrandApiClient)
        return client
