"""Web origins as the chat widget's settings keep them and browsers send them: `scheme://host`
with the port only when it is not the scheme's default, lower case, nothing else."""

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(text: str) -> str:
    """`https://Shop.Example:443/` → `https://shop.example`. Raises ValueError with the
    reason (a path, a query, credentials, another scheme, no host)."""
    value = text.strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"{value} is not an origin such as https://shop.example.") from error
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{value}: write the scheme and host, such as https://shop.example.")
    if parts.path not in ("", "/") or parts.query or parts.fragment \
            or parts.username is not None or parts.password is not None:
        raise ValueError(f"{value}: only the scheme, host and port, without a path.")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    origin = f"{parts.scheme}://{host}"
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        origin = f"{origin}:{port}"
    return origin


def origin_or_none(text: str | None) -> str | None:
    """The normalised origin of an Origin header, or None when absent, `null` or malformed."""
    if not text:
        return None
    try:
        return normalise_origin(text)
    except ValueError:
        return None
