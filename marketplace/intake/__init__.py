"""Channels in: inquiries and customer messages over REST, the signed helpdesk webhook and
inbound email, each ending in the same services."""
