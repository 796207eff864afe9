"""The test suite: fast hashing, emails kept in memory, the test Redis DB chosen by the runner."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SHIFTLINE_OUTBOUND_ALLOW_PRIVATE", "true")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("REDIS_KEY_PREFIX", "shiftline-test")

from marketplace.settings.base import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SHIFTLINE_DELIVERY_RETRY_SECONDS = 1
# Throttle counters apart from a development server's on the same Redis; tests/conftest.py
# adds one more prefix per test, so no count leaks from one test into the next.
CACHES["default"]["KEY_PREFIX"] = f"{REDIS_KEY_PREFIX}:test-cache"  # noqa: F405
