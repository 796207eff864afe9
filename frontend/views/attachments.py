"""Attachments customers sent, downloaded by the brand's members and by the expert who holds
(or held) the inquiry. Everyone else gets a 404, as if the file did not exist."""

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from experts.models import ExpertProfile
from frontend.access import brand_member_required, expert_required
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.models import Attachment, BrandMembership
from routing.assignments import selectors as assignments_selectors


def download_response(file: FieldFile, *, filename: str, content_type: str) -> HttpResponse:
    """A stored file as a download (at most the attachment size limit, so read whole);
    `nosniff` and the attachment disposition keep a browser from rendering what a customer
    sent."""
    with file.open("rb") as stored:
        response = HttpResponse(stored.read(),
                                content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


def attachment_response(attachment: Attachment) -> HttpResponse:
    return download_response(attachment.file, filename=attachment.filename,
                             content_type=attachment.content_type)


@require_GET
@brand_member_required
def brand_attachment(request: HttpRequest, attachment_id: int,
                     membership: BrandMembership) -> HttpResponse:
    return attachment_response(inquiries_selectors.attachment_get_for_brand(
        brand=membership.brand, attachment_id=attachment_id))


@require_GET
@expert_required
def expert_attachment(request: HttpRequest, inquiry_id: int, attachment_id: int,
                      expert: ExpertProfile) -> HttpResponse:
    if assignments_selectors.assignment_for_expert(inquiry_id=inquiry_id, expert=expert) is None:
        raise Http404("Inquiry not found.")
    return attachment_response(inquiries_selectors.attachment_get_for_inquiry(
        inquiry_id=inquiry_id, attachment_id=attachment_id))
