"""A part's bytes as readable text: charsets trusted only when the bytes fit them, HTML as the
text a reader sees, entities decoded, nothing PostgreSQL refuses. Plain functions, no
database."""

import pytest

from marketplace.intake.mail.text import codec_name, decode_bytes, html_text, plain_text, tidy

GERMAN = "Sehr geehrte Damen und Herren, die Größe passt nicht. Grüße, Jürgen"
FRENCH = "Bonjour, où est ma commande ? Merci d’avance — Zoé"
RUSSIAN = "Здравствуйте! Мой заказ не пришёл, пожалуйста, помогите мне."


@pytest.mark.parametrize(("label", "codec"), [
    ("us-ascii", "cp1252"), ("ISO-8859-1", "cp1252"), ("latin1", "cp1252"), ("UTF8", "utf-8"),
    ("koi8-r", "koi8-r"), ('"windows-1251"', "cp1251"), ("x-made-up", None), (None, None),
])
def test_declared_charsets_are_read_as_browsers_read_them(label: str | None,
                                                          codec: str | None) -> None:
    assert codec_name(label) == codec


@pytest.mark.parametrize(("content", "declared", "expected"), [
    ("Grüße".encode("utf-16"), "utf-16", "Grüße"),
    (b"plain ascii", None, "plain ascii"),
    (GERMAN.encode("utf-8"), "iso-8859-1", GERMAN),
    (GERMAN.encode("cp1252"), "utf-8", GERMAN),
    (GERMAN.encode("cp1252"), None, GERMAN),
    (FRENCH.encode("cp1252"), "iso-8859-1", FRENCH),
    (FRENCH.encode("iso-8859-15", errors="replace"), "iso-8859-15",
     FRENCH.encode("iso-8859-15", errors="replace").decode("iso-8859-15")),
    (RUSSIAN.encode("cp1251"), "iso-8859-1", RUSSIAN),
    (RUSSIAN.encode("koi8-r"), "koi8-r", RUSSIAN),
    (RUSSIAN.encode("cp1251"), "windows-1251", RUSSIAN),
])
def test_bytes_are_decoded_in_the_charset_they_fit(content: bytes, declared: str | None,
                                                   expected: str) -> None:
    assert decode_bytes(content, declared) == expected


def test_text_is_tidied_for_reading_and_storing() -> None:
    text = ("Hi&nbsp;there\r\n\r\n\r\n\r\nR&D &amp; AT&T, a&b=1, &#8211; &eacute;  \r\n"
            "NUL\x00 \udc80")

    assert tidy(text) == "Hi there\n\nR&D & AT&T, a&b=1, – é\nNUL ?"


def test_plain_text_keeps_what_the_customer_wrote() -> None:
    assert plain_text(b"Line one\r\nLine two  \r\n", "us-ascii") == "Line one\nLine two"


def test_html_is_the_text_a_reader_sees() -> None:
    html = (b"<html><head><title>Ignored</title><style>p {color: red}</style></head><body>"
            b"<p>Caf&eacute;&nbsp;au lait</p><table><tr><td>a</td><td>b</td></tr></table>"
            b"<p><a href='https://shop.example/o/1'>order</a></p></body></html>")

    assert html_text(html, "utf-8") == "Café au lait\n\na  b\n\n[order](https://shop.example/o/1)"


def test_html_declares_its_charset_in_a_meta_tag() -> None:
    html = '<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251")

    assert html_text(html, None) == "Привет"
