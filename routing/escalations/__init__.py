"""Escalation: an expert hands an inquiry to the brand; the brand sends it back or confirms."""
