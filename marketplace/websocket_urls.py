"""The websocket routes: the expert workspace's and the brand console's live connections, each
open only to the site's own pages (`site_socket`). A socket for other sites' pages (the
customer chat widget) gets a check of its own: the brand's allowed origins."""


from django.urls import path

from experts.presence.consumers import ExpertConsumer
from marketplace.infra.websocket_origin import site_socket
from marketplace.inquiries.consumers import BrandConsumer

websocket_urlpatterns = [
    path("ws/expert/", site_socket(ExpertConsumer.as_asgi())),
    path("ws/brand/", site_socket(BrandConsumer.as_asgi())),
]
