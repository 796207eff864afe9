"""Invoice background work: emailing an issued document (a PDF render is slow, so it runs on
the default queue, after the issue commits)."""

import smtplib

from celery import Task, shared_task

from billing.invoices import documents, selectors


@shared_task(name="billing.email_invoice", bind=True, max_retries=5)
def email_invoice(task: Task, invoice_id: int) -> bool:
    invoice = selectors.invoice_get(invoice_id=invoice_id)
    if invoice is None:
        return False
    try:
        return documents.invoice_email(invoice=invoice)
    except (smtplib.SMTPException, OSError) as error:
        raise task.retry(exc=error, countdown=60 * 2**task.request.retries) from error
