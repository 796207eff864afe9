"""The base of every API view that a brand's key authenticates."""


from rest_framework.views import APIView

from marketplace.access.authentication import (
    BrandApiClient,
    BrandApiKeyAuthentication,
    HasBrandApiKey,
)
from marketplace.infra.parsers import StrictJSONParser


class BrandApi(APIView):
    authentication_classes = [BrandApiKeyAuthentication]
    permission_classes = [HasBrandApiKey]
    parser_classes = [StrictJSONParser]

    def client(self) -> BrandApiClient:
        client = self.request.user
        assert isinstance(client, BrandApiClient)
        return client
