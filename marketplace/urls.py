from django.contrib import admin
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions

from billing.payouts.webhooks import StripeWebhookApi
from frontend import edge
from frontend.views import two_factor
from marketplace.delivery import api as delivery_api
from marketplace.escalations import api as escalations_api
from marketplace.infra.api_errors import json_under_api
from marketplace.infra.unavailable import unavailable_aware
from marketplace.inquiries import api as inquiries_api
from marketplace.intake import api as intake_api
from marketplace.intake import inbound_api
from marketplace.invoicing import api as invoicing_api
from marketplace.queues import api as api_queues
from marketplace.staffing import api as experts_api
from marketplace.surveys import api as surveys_api

api_v1 = [
    path("inquiries", intake_api.InquiryListCreateApi.as_view(), name="inquiries"),
    path("inquiries/<int:inquiry_id>", inquiries_api.InquiryDetailApi.as_view(), name="inquiry"),
    path("inquiries/<int:inquiry_id>/messages", intake_api.InquiryMessagesApi.as_view(),
         name="inquiry_messages"),
    path("queues", api_queues.QueueListCreateApi.as_view(), name="queues"),
    path("queues/<int:queue_id>", api_queues.QueueDetailApi.as_view(), name="queue"),
    path("queues/<int:queue_id>/macros", api_queues.QueueMacroListApi.as_view(),
         name="queue-macros"),
    path("queues/<int:queue_id>/macros/<int:macro_id>", api_queues.QueueMacroDetailApi.as_view(),
         name="queue-macro"),
    path("queues/<int:queue_id>/backlog", api_queues.QueueBacklogApi.as_view(),
         name="queue_backlog"),
    path("queues/<int:queue_id>/coverage", api_queues.QueueCoverageApi.as_view(),
         name="queue_coverage"),
    path("inquiries/<int:inquiry_id>/escalation/send-back",
         escalations_api.EscalationSendBackApi.as_view(), name="escalation_send_back"),
    path("inquiries/<int:inquiry_id>/escalation/confirm",
         escalations_api.EscalationConfirmApi.as_view(), name="escalation_confirm"),
    path("inquiries/<int:inquiry_id>/review", experts_api.InquiryReviewCreateApi.as_view(),
         name="inquiry_review"),
    path("usage", invoicing_api.UsageApi.as_view(), name="usage"),
    path("invoices", invoicing_api.InvoiceListApi.as_view(), name="invoices"),
    path("invoices/<int:invoice_id>", invoicing_api.InvoiceDetailApi.as_view(), name="invoice"),
    path("inquiries/<int:inquiry_id>/dispute", invoicing_api.InquiryDisputeApi.as_view(),
         name="inquiry_dispute"),
    path("shift-slots", experts_api.ShiftSlotListCreateApi.as_view(), name="shift_slots"),
    path("shift-slots/pattern", experts_api.ShiftPatternCreateApi.as_view(),
         name="shift_pattern"),
    path("attachments/<int:attachment_id>", inquiries_api.AttachmentDownloadApi.as_view(),
         name="attachment"),
    path("promises/summary", inquiries_api.PromiseSummaryApi.as_view(), name="promise_summary"),
    path("messages/<int:message_id>/retry-delivery", delivery_api.MessageRetryDeliveryApi.as_view(),
         name="message_retry_delivery"),
    path("webhooks/queues/<int:queue_id>/inquiries", inbound_api.QueueWebhookApi.as_view(),
         name="queue_webhook"),
    path("inbound/email/<int:queue_id>", inbound_api.QueueInboundEmailApi.as_view(),
         name="queue_inbound_email"),
    path("inbound/email/<int:queue_id>/<str:token>",
         inbound_api.QueueInboundEmailTokenApi.as_view(), name="queue_inbound_email_token"),
]

# The styled pages (frontend/edge.py) everywhere but under /api/, which answers in JSON.
handler400 = json_under_api(defaults.bad_request, exceptions.ParseError)
handler403 = json_under_api(edge.permission_denied, exceptions.PermissionDenied)
handler404 = json_under_api(edge.page_not_found, exceptions.NotFound)
# A database outage is a 503 with Retry-After instead (marketplace/infra/unavailable.py).
handler500 = unavailable_aware(json_under_api(defaults.server_error, exceptions.APIException))

urlpatterns = [
    path("admin/login/", two_factor.admin_login),
    path("admin/", admin.site.urls),
    path("billing/stripe/webhook/", StripeWebhookApi.as_view(), name="stripe_webhook"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("widget/api/v1/", include(("marketplace.widget.urls", "widget"), namespace="widget")),
    path("survey/api/v1/<str:token>", surveys_api.SurveyAnswerApi.as_view(),
         name="survey_answer_api"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(
        url_name="schema", template_name="frontend/api_docs.html"), name="api-docs"),
    path("", include("frontend.urls")),
]
