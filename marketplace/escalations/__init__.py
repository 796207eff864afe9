"""The brand side of escalations over REST: send an escalated inquiry back, or confirm it."""
