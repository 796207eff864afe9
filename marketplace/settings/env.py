"""Reading configuration from environment variables, in one place."""

import os
from urllib.parse import parse_qs, urlencode, urlparse

from django.core.exceptions import ImproperlyConfigured

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shiftline"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from error


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def celery_broker_url(redis_url: str) -> str:
    """Celery (kombu) spells a unix-socket Redis URL differently from redis-py."""
    parsed = urlparse(redis_url)
    if parsed.scheme != "unix":
        return redis_url
    query = parse_qs(parsed.query)
    database = query.get("db", ["0"])[0]
    return f"redis+socket://{parsed.path}?{urlencode({'virtual_host': database})}"
