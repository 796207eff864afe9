"""Customer surveys after resolution: invitations with single-use links, the answers, and
the figures brands read from them (CSAT both ways, the perception gap)."""
