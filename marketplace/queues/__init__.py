"""Queue configuration and coverage: settings, business hours, holidays, closures, macros,
guidelines, channel secrets, and the coverage calendar."""
