"""Header values as text, whatever the sender wrote."""


import binascii
import re
from email.header import decode_header, make_header
from email.message import Message as MimePart

from marketplace.intake.mail.text import storable

MESSAGE_ID_PATTERN = re.compile(r"<[^<>\s]+>")
MESSAGE_ID_LIMIT = 255


def header(message: MimePart, name: str) -> str:
    """A header as one line of text ('' when absent); a value the parser chokes on reads as
    absent rather than failing the mail."""
    try:
        value = message.get(name)
    except Exception:  # the standard library's header parser has raised on odd values
        value = None
    return storable(" ".join(str(value).split())) if value is not None else ""


def message_ids(value: str) -> list[str]:
    """The `<…>` Message-IDs in a header value, those that fit our column."""
    return [found for found in MESSAGE_ID_PATTERN.findall(value)
            if len(found) <= MESSAGE_ID_LIMIT]


def decoded_words(value: str) -> str:
    """RFC 2047 encoded words (`=?utf-8?q?J=C3=BCrgen?=`) as text; left as written when they
    name an unknown charset or are malformed."""
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError, binascii.Error):
        return value
