"""Channels out: replies delivered by email or the brand's signed webhook, with retries and a
delivery log."""
