"""The second factor on the site's sockets, as `frontend/two_factor_gate.py` is for pages: a
session that has not verified its second factor, where one is needed (the user has an app, or
is ops staff while the requirement is on), cannot open a socket either. Runs inside Channels'
AuthMiddlewareStack, which fills `scope["user"]` and `scope["session"]`."""

from typing import Any

from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from marketplace.two_factor.selectors import two_factor_enabled, two_factor_required


def session_must_verify_first(scope: dict[str, Any]) -> bool:
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return False
    session = scope.get("session")
    device_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if device_id:
        device = Device.from_persistent_id(device_id)
        if device is not None and device.user_id == user.pk and device.confirmed:
            return False
    return two_factor_enabled(user=user) or two_factor_required(user)


class VerifiedSessionOnly:
    """ASGI middleware: refuses the socket of a session still short of its second factor."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and \
                await database_sync_to_async(session_must_verify_first)(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
