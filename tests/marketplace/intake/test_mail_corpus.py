"""The real-world corpus: 60 messages from the test suites of two open-source mail libraries
(CPython's email package and nodemailer's mailparser), read from `../shared/mail-corpus` beside
the repository and never copied into it. Each is posted through the real inbound endpoint; the
table says what each must become: where it lands (a new inquiry, or the mail log as a bounce,
list mail or unreadable), its subject, whether its body has text, and how many files it holds.
None may answer with a server error."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from marketplace.inquiries.models import Message
from marketplace.intake.models import MailLogEntry
from tests import factories
from tests.marketplace.intake.emails import post_email

EMPTY_BODY = "(The email had no text.)"
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "mail-corpus"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"The mail corpus is not at {CORPUS}: it "
                       "lies beside the repository on developer machines and in CI (see "
                       "shared/mail-corpus/README.md)."),
]


@dataclass(frozen=True)
class Expected:
    file: str
    lands: str
    subject: str
    text: bool
    files: int

    def __str__(self) -> str:
        return self.file


EXPECTED = [
    Expected("cpython-test-email/msg_01.txt", "inquiry",
             "This is a test message", text=True, files=0),
    # a Mailman digest: five attached messages
    Expected("cpython-test-email/msg_02.txt", "inquiry",
             "Ppp digest, Vol 1 #2 - 5 msgs", text=True, files=5),
    Expected("cpython-test-email/msg_03.txt", "inquiry",
             "This is a test message", text=True, files=0),
    Expected("cpython-test-email/msg_04.txt", "inquiry",
             "a simple multipart", text=True, files=2),
    # delivery-status report, From "foo"
    Expected("cpython-test-email/msg_05.txt", "bounce",
             "bar", text=True, files=1),
    # the whole mail is a forwarded message with no body
    Expected("cpython-test-email/msg_06.txt", "inquiry",
             "forwarded message from Barry A. Warsaw", text=False, files=0),
    Expected("cpython-test-email/msg_07.txt", "inquiry",
             "Here is your dingus fish", text=True, files=1),
    # four empty text parts
    Expected("cpython-test-email/msg_08.txt", "inquiry",
             "Lyrics", text=False, files=0),
    # four empty text parts
    Expected("cpython-test-email/msg_09.txt", "inquiry",
             "Lyrics", text=False, files=0),
    # 7bit, quoted-printable and base64 text parts, all kept
    Expected("cpython-test-email/msg_10.txt", "inquiry",
             "Lyrics", text=True, files=0),
    # no From
    Expected("cpython-test-email/msg_11.txt", "unreadable",
             "The enclosing message", text=True, files=0),
    # empty text parts, nested
    Expected("cpython-test-email/msg_12.txt", "inquiry",
             "Lyrics", text=False, files=0),
    # empty text parts, nested
    Expected("cpython-test-email/msg_12a.txt", "inquiry",
             "Lyrics", text=False, files=0),
    Expected("cpython-test-email/msg_13.txt", "inquiry",
             "Here is your dingus fish", text=True, files=1),
    Expected("cpython-test-email/msg_14.txt", "inquiry",
             "This is a test message", text=True, files=0),
    Expected("cpython-test-email/msg_15.txt", "inquiry",
             "XX", text=True, files=0),
    # postmaster bounce of list mail
    Expected("cpython-test-email/msg_16.txt", "bounce",
             "Delivery Notification: Delivery has failed", text=True, files=2),
    # multipart without its boundary: the text is read as plain text
    Expected("cpython-test-email/msg_17.txt", "inquiry",
             "Here is your dingus fish", text=True, files=0),
    # headers only
    Expected("cpython-test-email/msg_18.txt", "unreadable",
             "(no subject)", text=False, files=0),
    # no headers at all
    Expected("cpython-test-email/msg_19.txt", "unreadable",
             "(no subject)", text=True, files=0),
    Expected("cpython-test-email/msg_20.txt", "inquiry",
             "This is a test message", text=True, files=0),
    Expected("cpython-test-email/msg_21.txt", "inquiry",
             "Test", text=True, files=0),
    Expected("cpython-test-email/msg_22.txt", "inquiry",
             "(no subject)", text=True, files=2),
    Expected("cpython-test-email/msg_23.txt", "inquiry",
             "(no subject)", text=True, files=0),
    # one empty part
    Expected("cpython-test-email/msg_24.txt", "inquiry",
             "A subject", text=False, files=0),
    # MAILER-DAEMON, boundary cut off
    Expected("cpython-test-email/msg_25.txt", "bounce",
             "Returned mail: Too many hops 19 (17 max): from <linuxuser-admin@www.linux.org.uk>"
             " via [199.164.235.226], to <scoffman@wellpartner.com>", text=True, files=0),
    Expected("cpython-test-email/msg_26.txt", "inquiry",
             "IMAP file test", text=True, files=1),
    # folded subject
    Expected("cpython-test-email/msg_27.txt", "inquiry",
             "bug demonstration " + "1234567891" + "1234567892123456789312345678941234567895"
             "1234567896123456789712345678981123456789112345678921234567891123456789112345678921"
             "23456789 more text", text=True, files=0),
    # a digest of two messages
    Expected("cpython-test-email/msg_28.txt", "inquiry",
             "(no subject)", text=False, files=2),
    Expected("cpython-test-email/msg_29.txt", "inquiry",
             "This is a test message", text=True, files=0),
    # a digest of two messages
    Expected("cpython-test-email/msg_30.txt", "inquiry",
             "(no subject)", text=False, files=2),
    # the boundary never matches: the text is kept as it came
    Expected("cpython-test-email/msg_31.txt", "inquiry",
             "(no subject)", text=True, files=0),
    # Precedence: bulk
    Expected("cpython-test-email/msg_32.txt", "mailing_list",
             "Re: Limiting Perl CPU Utilization...", text=True, files=0),
    # Precedence: bulk, multipart/signed
    Expected("cpython-test-email/msg_33.txt", "mailing_list",
             "Re: Limiting Perl CPU Utilization...", text=True, files=0),
    Expected("cpython-test-email/msg_34.txt", "inquiry",
             "(no subject)", text=True, files=1),
    Expected("cpython-test-email/msg_35.txt", "inquiry",
             "here's something interesting", text=True, files=0),
    # message/external-body parts
    Expected("cpython-test-email/msg_36.txt", "inquiry",
             "I-D ACTION:draft-ietf-mboned-mix-00.txt", text=True, files=2),
    # no From; text/x-* parts are files
    Expected("cpython-test-email/msg_37.txt", "unreadable",
             "(no subject)", text=False, files=3),
    # no From; boundaries inside the text
    Expected("cpython-test-email/msg_38.txt", "unreadable",
             "(no subject)", text=True, files=0),
    # no From; one boundary nested in itself
    Expected("cpython-test-email/msg_39.txt", "unreadable",
             "(no subject)", text=True, files=2),
    # no From
    Expected("cpython-test-email/msg_40.txt", "unreadable",
             "(no subject)", text=True, files=0),
    Expected("cpython-test-email/msg_41.txt", "inquiry",
             "64423", text=True, files=0),
    # Mail Delivery Subsystem
    Expected("cpython-test-email/msg_42.txt", "bounce",
             "(no subject)", text=True, files=1),
    # From: MAILER DAEMON <>
    Expected("cpython-test-email/msg_43.txt", "bounce",
             "Banned file: auto__mail.python.bat in mail from you", text=True, files=2),
    # two named text parts: the body and two files
    Expected("cpython-test-email/msg_44.txt", "inquiry",
             "a simple multipart", text=True, files=2),
    # signed: the signature is a file
    Expected("cpython-test-email/msg_45.txt", "inquiry",
             "test", text=True, files=1),
    # the whole mail is a forwarded message
    Expected("cpython-test-email/msg_46.txt", "inquiry",
             "GroupwiseForwardingTest", text=True, files=0),
    Expected("cpython-test-email/msg_47.txt", "inquiry",
             "(no subject)", text=True, files=0),
    # inline images with Content-ID, and a text file
    Expected("nodemailer-mailparser/examples_nodemailer.eml", "inquiry",
             "Nodemailer is unicode friendly ✔ (1476358788189)", text=True, files=3),
    Expected("nodemailer-mailparser/examples_simple.eml", "inquiry",
             "test", text=True, files=0),
    # the whole mail is one image
    Expected("nodemailer-mailparser/test_fixtures_base64encodedroot.eml", "inquiry",
             "(no subject)", text=False, files=1),
    # an empty attached message
    Expected("nodemailer-mailparser/test_fixtures_decoderended.eml", "inquiry",
             "Fwd: fotos", text=True, files=1),
    # MAILER-DAEMON delivery-status report
    Expected("nodemailer-mailparser/test_fixtures_delivery-status.eml", "bounce",
             "Delivery Status Notification (Failure)", text=True, files=2),
    # all its text is inside <title>: nothing a reader sees
    Expected("nodemailer-mailparser/test_fixtures_htmllargecallstack.eml", "inquiry",
             "Kill the HTML parser", text=False, files=0),
    # 1.1 MB, Precedence: bulk
    Expected("nodemailer-mailparser/test_fixtures_large_text.eml", "mailing_list",
             "[Bug 381598] Re: ubiquity crashes in ubuntu 9.04 installation", text=True, files=0),
    # no From
    Expected("nodemailer-mailparser/test_fixtures_mixed.eml", "unreadable",
             "(no subject)", text=True, files=0),
    # related inside mixed, two text parts
    Expected("nodemailer-mailparser/test_fixtures_nested.eml", "inquiry",
             "(no subject)", text=True, files=0),
    # inline images with Content-ID, and a text file
    Expected("nodemailer-mailparser/test_fixtures_nodemailer.eml", "inquiry",
             "Nodemailer is unicode friendly ✔ (1476358788189)", text=True, files=3),
    # 1.1 MB of HTML
    Expected("nodemailer-mailparser/test_fixtures_outofmemory.eml", "inquiry",
             "Cause out of memory error in the mailparser", text=True, files=0),
    # HTML only, entities
    Expected("nodemailer-mailparser/test_fixtures_spam.eml", "inquiry",
             "123.042 Euro pro Jahr GRARANTIERT von einer Bank! KOSTENLOS", text=True, files=0),
]


def test_the_table_covers_every_message_of_the_corpus() -> None:
    found = sorted(f"{path.parent.name}/{path.name}" for path in CORPUS.glob("*/*")
                   if not path.name.startswith("LICENSE"))

    assert found == sorted(expected.file for expected in EXPECTED)
    assert len(found) == 60


@pytest.mark.parametrize("expected", EXPECTED, ids=str)
def test_each_message_lands_whole(expected: Expected, captured_tasks: list) -> None:
    queue = factories.queue()
    raw = (CORPUS / expected.file).read_bytes()

    response = post_email(queue, raw)

    assert response.status_code == 201, response.content
    data = response.json()
    if expected.lands == "inquiry":
        assert data["outcome"] == "inquiry"
        message = Message.objects.select_related("inquiry").get(pk=data["message_id"])
        subject, body = message.inquiry.subject, message.body
        files = message.attachments.count()
        assert (body != EMPTY_BODY) is expected.text, body
    else:
        assert data["outcome"] == "mail_log"
        entry = MailLogEntry.objects.get(pk=data["mail_log_entry_id"])
        assert entry.kind == expected.lands
        subject, body, files = entry.subject, entry.text, len(entry.attachments)
        assert bool(body) is expected.text, body
        with entry.original.open("rb") as original:
            assert original.read() == raw
    assert subject == expected.subject
    assert files == expected.files
