"""The widget's JSON API under /widget/api/v1/, called from brands' own sites: open to the
origins the brand allowed for the queue (CORS for those alone, every other origin 403), each
conversation's calls authenticated by its token. Errors are `{"detail", "errors"}`."""

from typing import Any

from django.utils import timezone
from django.utils.translation import get_language_from_request
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.access.throttles import CountingThrottle
from marketplace.infra.errors import FieldErrors, PermissionDenied
from marketplace.infra.exception_handler import domain_exception_handler
from marketplace.infra.json_fields import IntegerInputField, TextField
from marketplace.infra.parsers import StrictJSONParser
from marketplace.infra.throttling import client_address
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.api import attachment_response
from marketplace.intake.services import IncomingAttachment
from marketplace.queues.models import OverflowQueue
from marketplace.widget import selectors, services
from marketplace.widget.authentication import (
    ConversationTokenAuthentication,
    HasConversationToken,
)
from marketplace.widget.models import WidgetConversation

ORIGIN_REFUSED = "This site is not allowed to use this chat."
PREFLIGHT_MAX_AGE = 600


class OriginRefused(PermissionDenied):
    code = "origin_refused"


def widget_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The project's handler, in the widget's shape: `{"detail", "errors": {field: [...]}}`."""
    if isinstance(exc, services.ChatUnavailable):
        return Response({"detail": exc.message, "code": exc.code, "leave_message": True,
                         "unavailable_reason": exc.reason}, status=exc.http_status)
    if isinstance(exc, FieldErrors):
        return Response({"detail": exc.message, "code": exc.code, "errors": exc.errors},
                        status=exc.http_status)
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response({"detail": "Check the fields marked.", "code": "invalid",
                         "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    return domain_exception_handler(exc, context)


class WidgetAddressThrottle(CountingThrottle):
    """Chats started and messages left, per client address."""

    scope = "widget_start"

    def ident(self, request: Request, view: APIView) -> str | None:
        return None if request.method == "OPTIONS" else f"address:{client_address(request)}"


class WidgetConversationThrottle(CountingThrottle):
    """A conversation's posts (messages, reads, email, transcript), per conversation."""

    scope = "widget_message"

    def ident(self, request: Request, view: APIView) -> str | None:
        if request.method in ("GET", "OPTIONS", "HEAD"):
            return None
        return f"conversation:{view.kwargs.get('conversation_id')}"


class WidgetReadThrottle(CountingThrottle):
    """Reads (the queue, a conversation's state), per client address."""

    scope = "widget_read"

    def ident(self, request: Request, view: APIView) -> str | None:
        return None if request.method == "OPTIONS" else f"address:{client_address(request)}"


class WidgetApi(APIView):
    """CORS for the queue's allowed origins only, preflights answered, `Vary: Origin`."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [WidgetReadThrottle]
    parser_classes = [StrictJSONParser]
    allowed_methods_for_cors = "GET, POST, OPTIONS"
    cors_origin: str | None = None
    origin_refused = False

    def widget_queue(self, **kwargs: Any) -> OverflowQueue:
        raise NotImplementedError

    def get_exception_handler(self) -> Any:
        return widget_exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        queue = self.widget_queue(**kwargs)
        origin = request.headers.get("Origin")
        if not selectors.widget_origin_allowed(queue=queue, origin=origin):
            self.origin_refused = True
            raise OriginRefused(ORIGIN_REFUSED)
        self.cors_origin = origin
        super().initial(request, *args, **kwargs)

    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        return Response(status=status.HTTP_204_NO_CONTENT, headers={
            "Access-Control-Allow-Methods": self.allowed_methods_for_cors,
            "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept-Language",
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
        })

    def finalize_response(self, request: Request, response: Any, *args: Any,
                          **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.cors_origin:
            response["Access-Control-Allow-Origin"] = self.cors_origin
            response["Access-Control-Expose-Headers"] = "Retry-After"
        elif self.origin_refused:
            # Readable by any page: the refusal says only that this site is not allowed, and
            # the widget can tell its customer so instead of "no connection".
            response["Access-Control-Allow-Origin"] = "*"
        response["Vary"] = ", ".join(filter(None, [response.get("Vary"), "Origin"]))
        response["Cache-Control"] = "no-store"
        return response


class QueueWidgetApi(WidgetApi):
    def widget_queue(self, **kwargs: Any) -> OverflowQueue:
        self.queue = selectors.widget_queue_get(public_id=str(kwargs["public_id"]))
        return self.queue


class ConversationWidgetApi(WidgetApi):
    authentication_classes = [ConversationTokenAuthentication]
    permission_classes = [HasConversationToken]
    throttle_classes = [WidgetReadThrottle, WidgetConversationThrottle]

    def widget_queue(self, **kwargs: Any) -> OverflowQueue:
        conversation = WidgetConversation.objects.select_related("inquiry__queue").filter(
            public_id=str(kwargs["conversation_id"])).first()
        if conversation is None:
            raise exceptions.NotFound("This conversation does not exist.")
        return conversation.inquiry.queue

    def conversation(self) -> WidgetConversation:
        conversation = self.request.auth
        assert isinstance(conversation, WidgetConversation)
        return conversation


def _language(request: Request) -> str:
    return selectors.widget_language(request.query_params.get("lang")
                                     or get_language_from_request(request))  # type: ignore[arg-type]


class WidgetPromiseSerializer(serializers.Serializer):
    seconds = serializers.IntegerField(allow_null=True, required=False)
    reply_by = serializers.DateTimeField(allow_null=True)
    text = serializers.CharField()


class WidgetAttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="Fetch with the conversation's "
                                "Bearer token, relative to the API's host.")


class WidgetMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # `from` is a Python keyword: declared under another name, renamed below.
    from_ = serializers.ChoiceField(choices=["customer", "expert", "system"])
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    client_id = serializers.CharField(allow_null=True)
    attachments = WidgetAttachmentSerializer(many=True)
    delivery = serializers.ChoiceField(choices=["sent", "delivered", "read"])

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class WidgetExpertSerializer(serializers.Serializer):
    name = serializers.CharField()


class WidgetStateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[
        "queued", "offered", "assigned", "waiting_on_customer", "resolved", "escalated",
        "handed_back", "email"])
    channel = serializers.CharField(help_text="chat, or email once the customer chose not "
                                    "to wait")
    promise = WidgetPromiseSerializer()
    position = serializers.IntegerField(allow_null=True)
    expert = WidgetExpertSerializer(allow_null=True)
    first_response_due_at = serializers.DateTimeField()
    messages = WidgetMessageSerializer(many=True, required=False)
    survey_token = serializers.CharField(allow_null=True)
    long_wait = serializers.BooleanField()
    email_reply_by = serializers.DateTimeField(allow_null=True)


class WidgetEmailPromiseSerializer(serializers.Serializer):
    reply_by = serializers.DateTimeField(allow_null=True)
    text = serializers.CharField()


def state_payload(state: dict[str, Any]) -> Any:
    return WidgetStateSerializer(state).data


def message_payload(message: dict[str, Any]) -> Any:
    return WidgetMessageSerializer(message).data


LANG = OpenApiParameter("lang", str, description="en, es, fi, el or hi (default: the "
                        "Accept-Language header, else en).", required=False)


class WidgetErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for the customer to read.")
    code = serializers.CharField(required=False)
    # `errors` would hide the serializer's own `errors`: declared under another name.
    field_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Messages by field.")
    leave_message = serializers.BooleanField(required=False, help_text="409 only: offer to "
                                             "leave a message instead.")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["errors"] = fields.pop("field_errors")
        return fields


ERROR_TEXTS = {
    400: "Check the fields marked in `errors`.",
    401: "The conversation's token is missing or wrong.",
    403: ORIGIN_REFUSED + " (The page's Origin is not one of the queue's allowed sites.)",
    404: "No such queue or conversation.",
    409: "Not possible now (see `detail`).",
    413: "The message is longer than 5,000 characters, a file is over the size limit or "
         "there are too many files.",
    415: "A file is not an image or a PDF.",
    429: "Too many requests: wait for `Retry-After` seconds.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(response=WidgetErrorSerializer,
                                  description=ERROR_TEXTS[code]) for code in codes}


ERRORS = errors(403, 404, 429)
CONVERSATION_ERRORS = errors(401, 403, 404, 429)
STATE_EXAMPLE: dict[str, Any] = {
    "status": "queued", "channel": "chat",
    "promise": {"seconds": 40, "reply_by": "2026-12-02T18:00:40Z",
                "text": "An expert usually answers within 40 seconds."},
    "position": 2, "expert": None, "first_response_due_at": "2026-12-02T18:00:30Z",
    "messages": [{"id": 12, "from": "customer", "body": "Where is my order?",
                  "created_at": "2026-12-02T18:00:00Z", "client_id": "c-1",
                  "attachments": [], "delivery": "delivered"}],
    "survey_token": None, "long_wait": False, "email_reply_by": "2026-12-02T18:15:00Z",
}
EMAIL_PROMISE_EXAMPLE = {"reply_by": "2026-12-02T18:15:00Z",
                         "text": "We will email you a reply within 15 minutes."}


def example(name: str, value: Any, status_code: int = 200) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True,
                          status_codes=[str(status_code)])


class WidgetQueueApi(QueueWidgetApi):
    @extend_schema_serializer(component_name="WidgetQueue")
    class OutputSerializer(serializers.Serializer):
        brand = serializers.CharField()
        required_fields = serializers.ListField(child=serializers.CharField())
        languages = serializers.ListField(child=serializers.CharField())
        available = serializers.BooleanField()
        unavailable_reason = serializers.ChoiceField(
            choices=["", "outside_coverage", "nobody_on_shift"])
        promise = WidgetPromiseSerializer()
        waiting = serializers.IntegerField()
        long_wait_seconds = serializers.IntegerField()
        email_promise = WidgetEmailPromiseSerializer()

    @extend_schema(operation_id="widget_queue", tags=["widget"], auth=[], parameters=[LANG],
                   summary="The chat before it starts: open or not, the honest promise",
                   description="Open to the queue's allowed sites only (CORS). `available` is "
                   "false outside the network's coverage or with nobody on shift who speaks "
                   "the language; the widget then offers to leave a message.",
                   examples=[example("Open", {
                       "brand": "Acme", "required_fields": ["email"],
                       "languages": ["en", "es", "fi", "el", "hi"], "available": True,
                       "unavailable_reason": "",
                       "promise": {"seconds": 40, "reply_by": "2026-12-02T18:00:40Z",
                                   "text": "An expert usually answers within 40 seconds."},
                       "waiting": 3, "long_wait_seconds": 120,
                       "email_promise": EMAIL_PROMISE_EXAMPLE})],
                   responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request, public_id: str) -> Response:
        info = selectors.widget_queue_info(queue=self.queue, language=_language(request),
                                           now=timezone.now())
        return Response(self.OutputSerializer(info).data)


class WidgetCustomerInputSerializer(serializers.Serializer):
    name = TextField(max_length=200, required=False, default="", allow_blank=True)
    email = TextField(max_length=254, required=False, default="", allow_blank=True)
    language = TextField(max_length=16, required=False, default="", allow_blank=True)
    message = TextField(max_length=100_000, allow_blank=True)

    def details(self) -> services.CustomerDetails:
        data = self.validated_data
        return services.CustomerDetails(name=data["name"], email=data["email"],
                                        language=data["language"], message=data["message"])


class WidgetConversationStartApi(QueueWidgetApi):
    throttle_classes = [WidgetAddressThrottle]

    @extend_schema_serializer(component_name="WidgetConversationStartInput")
    class InputSerializer(WidgetCustomerInputSerializer):
        client_id = TextField(max_length=64, required=False, default="", allow_blank=True)

    @extend_schema_serializer(component_name="WidgetConversationStarted")
    class OutputSerializer(serializers.Serializer):
        conversation = serializers.CharField()
        token = serializers.CharField()
        state = WidgetStateSerializer()

    @extend_schema(operation_id="widget_conversation_start", tags=["widget"], auth=[],
                   summary="Start a chat", request=InputSerializer,
                   description="A chat inquiry (source widget) through the same intake and "
                   "promise as every channel. The same `client_id` again returns the same "
                   "conversation with a new token. 409 with `leave_message: true` when "
                   "nobody can chat now.",
                   examples=[example("Started", {"conversation": "wc_3q2…", "token": "…",
                                                  "state": STATE_EXAMPLE}, 201)],
                   responses={201: OutputSerializer, 200: OutputSerializer,
                              **errors(400, 403, 404, 409, 413, 415, 429)})
    def post(self, request: Request, public_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        now = timezone.now()
        conversation, token, created = services.widget_chat_start(
            queue=self.queue, origin=self.cors_origin or "", details=data.details(),
            client_id=data.validated_data["client_id"], now=now)
        state = selectors.widget_state(conversation=conversation, now=now)
        return Response({"conversation": conversation.public_id, "token": token,
                         "state": state_payload(state)},
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class WidgetLeaveMessageApi(QueueWidgetApi):
    throttle_classes = [WidgetAddressThrottle]

    @extend_schema(operation_id="widget_leave_message", tags=["widget"], auth=[],
                   summary="Leave a message (answered by email)",
                   request=WidgetCustomerInputSerializer,
                   description="An email inquiry with its promise emailed to the customer "
                   "(email is required), routed or handed to the brand as any inquiry.",
                   examples=[example("Left", EMAIL_PROMISE_EXAMPLE, 201)],
                   responses={201: WidgetEmailPromiseSerializer,
                              **errors(400, 403, 404, 413, 415, 429)})
    def post(self, request: Request, public_id: str) -> Response:
        data = WidgetCustomerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        promise = services.widget_leave_message(queue=self.queue, details=data.details(),
                                                now=timezone.now())
        return Response(WidgetEmailPromiseSerializer(promise).data, status=status.HTTP_201_CREATED)


class WidgetConversationApi(ConversationWidgetApi):
    @extend_schema(operation_id="widget_conversation", tags=["widget"],
                   summary="The conversation's state, with every message",
                   description="What the socket's `sync` frame carries: status, position in "
                   "line, the promise, the expert's first name, every message with its "
                   "delivery state.",
                   examples=[example("Waiting", STATE_EXAMPLE)],
                   responses={200: WidgetStateSerializer, **CONVERSATION_ERRORS})
    def get(self, request: Request, conversation_id: str) -> Response:
        conversation, now = self.conversation(), timezone.now()
        state = selectors.widget_state(conversation=conversation, now=now)
        state["survey_token"] = services.widget_survey_token(conversation=conversation, now=now)
        return Response(state_payload(state))


class WidgetMessageApi(ConversationWidgetApi):
    parser_classes = [StrictJSONParser, MultiPartParser]

    @extend_schema_serializer(component_name="WidgetMessageInput")
    class InputSerializer(serializers.Serializer):
        body = TextField(max_length=100_000, required=False, default="", allow_blank=True)
        client_id = TextField(max_length=64, required=False, default="", allow_blank=True)
        files = serializers.ListField(child=serializers.FileField(), required=False,
                                      help_text="multipart only: images and PDF")

    @extend_schema(operation_id="widget_message_create", tags=["widget"],
                   summary="The customer's message (JSON, or multipart with files)",
                   request={"application/json": InputSerializer,
                            "multipart/form-data": InputSerializer},
                   description="The same `client_id` again returns the first message (200), "
                   "never a second one.",
                   examples=[example("Stored", STATE_EXAMPLE["messages"][0], 201)],
                   responses={201: WidgetMessageSerializer, 200: WidgetMessageSerializer,
                              **errors(400, 401, 403, 404, 413, 415, 429)})
    def post(self, request: Request, conversation_id: str) -> Response:
        data = self.InputSerializer(data={
            "body": request.data.get("body", ""), "client_id": request.data.get("client_id", ""),
            **({"files": request.FILES.getlist("files")} if request.FILES else {})})
        data.is_valid(raise_exception=True)
        files = [IncomingAttachment(filename=upload.name or "attachment",
                                    content_type=upload.content_type or "",
                                    content=upload.read())
                 for upload in data.validated_data.get("files", [])]
        conversation = self.conversation()
        message, created = services.widget_message_post(
            conversation=conversation, body=data.validated_data["body"],
            client_id=data.validated_data["client_id"], files=files, now=timezone.now())
        conversation.refresh_from_db()
        payload = selectors.widget_message_get(conversation=conversation, message_id=message.pk)
        return Response(message_payload(payload),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class WidgetReadApi(ConversationWidgetApi):
    @extend_schema_serializer(component_name="WidgetReadInput")
    class InputSerializer(serializers.Serializer):
        up_to = IntegerInputField(min_value=1)

    @extend_schema(operation_id="widget_read", tags=["widget"], request=InputSerializer,
                   summary="The customer read the expert's messages up to a message",
                   description="The expert's page shows them as read. A mark never moves "
                   "back. (The socket's `read` frame does the same.)",
                   examples=[OpenApiExample("Read", value={"up_to": 12}, request_only=True)],
                   responses={204: None, **errors(400, 401, 403, 404, 413, 415, 429)})
    def post(self, request: Request, conversation_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.widget_mark_read_by_customer(conversation=self.conversation(),
                                              up_to=data.validated_data["up_to"],
                                              now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class WidgetEmailInputSerializer(serializers.Serializer):
    email = TextField(max_length=254, required=False, default="", allow_blank=True,
                      help_text="Needed only when the chat was started without one.")


class WidgetEmailInsteadApi(ConversationWidgetApi):
    @extend_schema(operation_id="widget_email_instead", tags=["widget"],
                   request=WidgetEmailInputSerializer, summary="Don't wait: answer by email",
                   description="The chat becomes an email inquiry with a new promise, "
                   "acknowledged by email; possible until an expert holds the chat.",
                   examples=[example("Switched", EMAIL_PROMISE_EXAMPLE)],
                   responses={200: WidgetEmailPromiseSerializer,
                              **errors(400, 401, 403, 404, 409, 413, 415, 429)})
    def post(self, request: Request, conversation_id: str) -> Response:
        data = WidgetEmailInputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        promise = services.widget_switch_to_email(
            conversation=self.conversation(), email=data.validated_data["email"],
            now=timezone.now())
        return Response(WidgetEmailPromiseSerializer(promise).data)


class WidgetTranscriptApi(ConversationWidgetApi):
    @extend_schema(operation_id="widget_transcript", tags=["widget"],
                   request=WidgetEmailInputSerializer, summary="Email me the transcript",
                   description="The conversation so far, as plain text, to the customer's "
                   "address (given now if the chat was started without one).",
                   examples=[OpenApiExample("To the chat's address", value={},
                                            request_only=True)],
                   responses={202: None, **errors(400, 401, 403, 404, 413, 415, 429)})
    def post(self, request: Request, conversation_id: str) -> Response:
        data = WidgetEmailInputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        services.widget_transcript_request(conversation=self.conversation(),
                                           email=data.validated_data["email"],
                                           now=timezone.now())
        return Response(status=status.HTTP_202_ACCEPTED)


class WidgetAttachmentApi(ConversationWidgetApi):
    @extend_schema(operation_id="widget_attachment", tags=["widget"],
                   summary="A file of the conversation",
                   description="With the conversation's Bearer token (the widget fetches it "
                   "and shows it as a blob).",
                   examples=[example("Not found", {"detail": "Attachment not found.",
                                                   "code": "not_found"}, 404)],
                   responses={(200, "application/octet-stream"): OpenApiResponse(
                       description="The file."), **CONVERSATION_ERRORS})
    def get(self, request: Request, conversation_id: str, attachment_id: int) -> Any:
        attachment = inquiries_selectors.attachment_get_for_inquiry(
            inquiry_id=self.conversation().inquiry_id, attachment_id=attachment_id)
        return attachment_response(attachment)
