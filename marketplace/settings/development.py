"""Local development (`make run`): debug on, emails written to the console."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SHIFTLINE_OUTBOUND_ALLOW_PRIVATE", "true")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

from marketplace.settings.base import *  # noqa: F403
