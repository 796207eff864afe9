"""Presence: available, away or offline, kept by the workspace's live connection."""
