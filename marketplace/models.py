"""The brand side's models, for Django and the migrations. Each model lives in its capability's
package (onboarding, access, queues, inquiries, intake, delivery); import it from there."""

from marketplace.access.models import ApiKey
from marketplace.accounts.models import AccountSettings
from marketplace.delivery.models import DeliveryAttempt
from marketplace.infra.timezones import validate_time_zone
from marketplace.inquiries.models import (
    Attachment,
    Customer,
    DeliveryStatus,
    Inquiry,
    InquiryChannel,
    InquiryEvent,
    InquirySource,
    InquiryStatus,
    Message,
    MessageDirection,
)
from marketplace.intake.models import InboundDelivery, MailLogEntry, MailLogKind
from marketplace.onboarding.models import Brand, BrandInvitation, BrandMembership, BrandRole
from marketplace.queues.models import (
    BusinessHoursSpan,
    OverflowQueue,
    QueueMacro,
    default_channels,
    new_queue_secret,
)
from marketplace.surveys.models import SurveyChannel, SurveyInvitation
from marketplace.widget.models import WidgetClientMessage, WidgetConversation

__all__ = [
    "AccountSettings", "ApiKey", "Attachment", "Brand", "BrandInvitation", "BrandMembership",
    "BrandRole",
    "BusinessHoursSpan", "Customer", "DeliveryAttempt", "DeliveryStatus", "InboundDelivery",
    "Inquiry", "InquiryChannel", "InquiryEvent", "InquirySource", "InquiryStatus", "MailLogEntry",
    "MailLogKind", "Message", "MessageDirection", "OverflowQueue", "QueueMacro",
    "SurveyChannel", "SurveyInvitation", "WidgetClientMessage", "WidgetConversation",
    "default_channels", "new_queue_secret",
    "validate_time_zone",
]
