"""The test suite: fast hashing, emails kept in memory, the test Redis DB chosen by the runner."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SHIFTLINE_OUTBOUND_ALLOW_PRIVATE", "true")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("REDIS_KEY_PREFIX", "shiftline-test")
# Under pytest-xdist each worker has its own test database (pytest-django suffixes its name)
# and here its own Redis keys: broker queues, channel groups and caches. The suffix is written
# back to the environment so the live platforms a worker starts (web, Celery) share its keys.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and not os.environ["REDIS_KEY_PREFIX"].endswith(f"-{_worker}"):
    os.environ["REDIS_KEY_PREFIX"] = f"{os.environ['REDIS_KEY_PREFIX']}-{_worker}"

from marketplace.settings.base import *  # noqa: E402, F403

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
