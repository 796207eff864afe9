"""The widget's credential: the conversation's token as a Bearer header, good for that one
conversation (the `conversation_id` of the URL) and nothing else."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from marketplace.infra.errors import Unauthenticated
from marketplace.widget import selectors
from marketplace.widget.models import WidgetConversation


class ConversationTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, WidgetConversation] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send `Authorization: Bearer <token>`.")
        kwargs = (request.parser_context or {}).get("kwargs", {})
        try:
            conversation = selectors.widget_conversation_get(
                public_id=str(kwargs.get("conversation_id", "")),
                token=parts[1].decode("latin-1"))
        except Unauthenticated as error:
            raise exceptions.AuthenticationFailed(error.message) from error
        return AnonymousUser(), conversation

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="widget"'


class HasConversationToken(BasePermission):
    """A preflight carries no credentials: it is answered for an allowed origin alone."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method == "OPTIONS" or isinstance(request.auth, WidgetConversation)
