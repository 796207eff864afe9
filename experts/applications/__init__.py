"""Applying and vetting: sign-up, screening, the ops checklist and notes, decisions and the
append-only trail."""
