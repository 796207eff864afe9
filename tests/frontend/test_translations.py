"""The team's catalogs (frontend/locale) reach the server's words: the promise the widget
shows, with its plurals, in each language Shiftline's customers write in."""

import pytest
from django.utils import translation

from marketplace.widget import selectors


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
