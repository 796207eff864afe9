"""Readable text from the bytes of one mail part: the charset the sender declared when it fits,
else the one the bytes show (UTF-8, the Western default, or charset-normalizer's best guess);
HTML rendered to plain text by inscriptis; entities decoded; nothing PostgreSQL would refuse.

Plain Python on bytes and strings: no Django, no database."""


import codecs
import html
import re

from charset_normalizer import from_bytes
from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

WESTERN_DEFAULT = "cp1252"


"""What browsers read for undeclared legacy text and for the labels latin-1 and us-ascii
(WHATWG Encoding): windows-1252, which gives the curly quotes and dashes of 0x80–0x9F."""


WIDE_ENCODINGS = ("utf-16", "utf-16-be", "utf-16-le", "utf-32", "utf-32-be", "utf-32-le")


HTML_CONFIG = ParserConfig(css=CSS_PROFILES["strict"], display_links=True)


ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""",
                          re.IGNORECASE)
BLANK_LINES = re.compile(r"\n{3,}")
LINE_ENDINGS = re.compile(r"\r\n?")
TRAILING_SPACE = re.compile(r"[ \t]+\n")


def codec_name(label: str | None) -> str | None:
    """Python's name for a declared charset, or None when it is missing or unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    return WESTERN_DEFAULT if name in ("ascii", "iso8859-1", "latin-1") else name


def _fits(payload: bytes, codec: str) -> bool:
    """The bytes decode in `codec` and read as text in it, not as noise (charset-normalizer
    finds no match for a charset whose decoding is mostly improbable characters)."""
    try:
        payload.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return from_bytes(payload, cp_isolation=[codec]).best() is not None


def decode_bytes(payload: bytes, declared: str | None) -> str:
    """Text from the bytes of a part. Valid UTF-8 is read as UTF-8 whatever the label says
    (the most common mislabel by far); otherwise the declared charset if the bytes fit it, then
    windows-1252, then charset-normalizer's best match, then windows-1252 with replacement
    characters, so a part always gives text."""
    codec = codec_name(declared)
    if codec in WIDE_ENCODINGS:
        return payload.decode(codec, errors="replace")
    if payload.isascii():
        return payload.decode("ascii")
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for candidate in dict.fromkeys(name for name in (codec, WESTERN_DEFAULT)
                                   if name and name != "utf-8"):
        if _fits(payload, candidate):
            return payload.decode(candidate)
    best = from_bytes(payload).best()
    if best is not None:
        return str(best)
    return payload.decode(WESTERN_DEFAULT, errors="replace")


def html_charset(payload: bytes) -> str | None:
    """The charset an HTML document declares in a <meta> tag, read from its start."""
    match = META_CHARSET.search(payload[:4096])
    return match.group(1).decode("ascii") if match else None


def storable(value: str) -> str:
    """Without what PostgreSQL refuses in text: NUL characters and unpaired surrogates."""
    return value.replace("\x00", "").encode("utf-8", errors="replace").decode("utf-8")


def tidy(text: str) -> str:
    """One newline convention, no trailing blanks, at most one empty line in a row, entities
    (`&nbsp;`, `&uuml;`, `&#8217;`) as the characters they name, non-breaking spaces as
    spaces."""
    text = LINE_ENDINGS.sub("\n", storable(text))
    text = ENTITY.sub(lambda match: html.unescape(match.group(0)), text)
    text = text.replace("\xa0", " ")
    text = TRAILING_SPACE.sub("\n", text)
    return BLANK_LINES.sub("\n\n", text).strip()


def plain_text(payload: bytes, declared: str | None) -> str:
    return tidy(decode_bytes(payload, declared))


def html_text(payload: bytes, declared: str | None) -> str:
    """An HTML part as the plain text a reader would see (links kept as `[text](url)`)."""
    source = decode_bytes(payload, declared or html_charset(payload))
    return tidy(get_text(source, HTML_CONFIG))
