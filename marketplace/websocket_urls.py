"""The websocket routes: the expert workspace's and the brand console's live connections, each
open only to the site's own pages (`site_socket`) and to sessions that verified their second
factor where one is needed (`VerifiedSessionOnly`). A socket for other sites' pages (the
customer chat widget) gets a check of its own: the brand's allowed origins."""


from django.urls import path

from experts.presence.consumers import ExpertConsumer
from frontend.billing_sockets import BrandBillingConsumer, OpsPayoutBatchConsumer
from frontend.consumers import OpsBoardConsumer
from marketplace.infra.websocket_origin import site_socket
from marketplace.inquiries.consumers import BrandConsumer
from marketplace.two_factor.sockets import VerifiedSessionOnly
from marketplace.widget.consumers import WidgetConsumer

websocket_urlpatterns = [
    path("ws/expert/", site_socket(VerifiedSessionOnly(ExpertConsumer.as_asgi()))),
    path("ws/brand/", site_socket(VerifiedSessionOnly(BrandConsumer.as_asgi()))),
    path("ws/ops/", site_socket(VerifiedSessionOnly(OpsBoardConsumer.as_asgi()))),
    path("ws/brand/billing/", site_socket(VerifiedSessionOnly(BrandBillingConsumer.as_asgi()))),
    path("ws/ops/payouts/<int:batch_id>/",
         site_socket(VerifiedSessionOnly(OpsPayoutBatchConsumer.as_asgi()))),
    # brands' own sites: the queue's allowed origins, checked by the consumer (4403)
    path("ws/widget/<str:conversation_id>/", WidgetConsumer.as_asgi()),
]
