"""The team's catalogs (frontend/locale) reach the server's words: the promise the widget
shows, with its plurals, in each language Shiftline's customers write in, and the survey's
email in the inquiry's language."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import translation

from marketplace.inquiries.models import Inquiry
from marketplace.surveys import services as surveys
from marketplace.surveys.models import SurveyChannel, SurveyInvitation
from marketplace.widget import selectors
from tests import factories
from tests.marketplace.surveys.helpers import resolved


@pytest.mark.parametrize(("lang", "seconds", "text"), [
    ("en", 40, "An expert usually answers within 40 seconds."),
    ("es", 40, "Un experto suele responder en menos de 40 segundos."),
    ("es", 60 * 3, "Un experto suele responder en menos de 3 minutos."),
    ("fi", 40, "Asiantuntija vastaa yleensä 40 sekunnissa."),
    ("el", 1, "Ένας ειδικός συνήθως απαντά μέσα σε 1 δευτερόλεπτο."),
    ("el", 60 * 3, "Ένας ειδικός συνήθως απαντά μέσα σε 3 λεπτά."),
    ("hi", 60 * 60 * 3, "आम तौर पर कोई विशेषज्ञ 3 घंटे के भीतर जवाब देता है।"),
])
def test_the_promise_is_told_in_the_customers_language(lang: str, seconds: int,
                                                       text: str) -> None:
    with translation.override(lang):
        assert selectors.chat_promise_text(seconds) == text


@pytest.mark.django_db
def test_the_survey_email_is_written_in_the_inquirys_language(now: datetime) -> None:
    queue = factories.queue()
    inquiry = resolved(queue, now)
    Inquiry.objects.filter(pk=inquiry.pk).update(language="es")
    invitation = SurveyInvitation.objects.create(
        inquiry=inquiry, channel=SurveyChannel.EMAIL, key="k" * 32, created_at=now,
        expires_at=now + timedelta(days=28))

    assert surveys.survey_invitation_send(invitation_id=invitation.pk, now=now)

    body = mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("¿Qué tal lo hicimos?")
    assert body.startswith("Hola:")
    assert f"Tu consulta a {inquiry.brand.name} («{inquiry.subject}») ya tiene respuesta." in body
