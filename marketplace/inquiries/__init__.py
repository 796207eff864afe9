"""Inquiries: customers, messages, attachments, the timeline, the brand console's live feed and
the inquiry API."""
