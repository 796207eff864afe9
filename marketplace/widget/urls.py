"""The widget's API, mounted at /widget/api/v1/ (marketplace/urls.py)."""

from django.urls import path

from marketplace.widget import api

urlpatterns = [
    path("queues/<str:public_id>", api.WidgetQueueApi.as_view(), name="queue"),
    path("queues/<str:public_id>/conversations", api.WidgetConversationStartApi.as_view(),
         name="conversations"),
    path("queues/<str:public_id>/messages", api.WidgetLeaveMessageApi.as_view(),
         name="leave_message"),
    path("conversations/<str:conversation_id>", api.WidgetConversationApi.as_view(),
         name="conversation"),
    path("conversations/<str:conversation_id>/messages", api.WidgetMessageApi.as_view(),
         name="messages"),
    path("conversations/<str:conversation_id>/read", api.WidgetReadApi.as_view(), name="read"),
    path("conversations/<str:conversation_id>/email-instead",
         api.WidgetEmailInsteadApi.as_view(), name="email_instead"),
    path("conversations/<str:conversation_id>/transcript", api.WidgetTranscriptApi.as_view(),
         name="transcript"),
    path("conversations/<str:conversation_id>/attachments/<int:attachment_id>",
         api.WidgetAttachmentApi.as_view(), name="attachment"),
]
