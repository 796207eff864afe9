"""The production URLs plus a bare DRF endpoint, for the intake benchmark only."""

from django.urls import path
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.urls import urlpatterns as production_urlpatterns


class BareApi(APIView):
    """The floor: DRF's request, parsing and response cycle, no authentication, no database."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        return Response({"ok": True}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("bench/bare", BareApi.as_view()),
    *production_urlpatterns,
]
