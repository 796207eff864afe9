"""The project's own domain errors. One exception handler (exception_handler.py) maps them to
HTTP, so services never think about status codes and views never catch them one by one."""


class DomainError(Exception):
    """A business rule refused the action. `code` is stable for API clients."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class Conflict(DomainError):
    """The action no longer fits the object's state (an expired offer, a resolved inquiry)."""

    code = "conflict"
    http_status = 409


class Gone(DomainError):
    """The thing existed but its time is over (an expired survey link): 410."""

    code = "gone"
    http_status = 410


class TooLarge(DomainError):
    """Longer or bigger than the limit (a message, a file): refused whole, never cut."""

    code = "too_large"
    http_status = 413


class MediaTypeRefused(DomainError):
    code = "unsupported_media_type"
    http_status = 415


class FieldErrors(DomainError):
    """Input refused field by field: `errors` maps each field to its messages, the same shape
    DRF gives, so a form and the API show the same words."""

    code = "invalid_fields"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(messages)}"
                                   for field, messages in errors.items()))
        self.errors = errors


class Unauthenticated(DomainError):
    """The caller did not prove who they are (a bad webhook signature, a wrong token)."""

    code = "unauthenticated"
    http_status = 401


class RuleViolation(DomainError):
    """Input that fits the API's schema but breaks a rule no schema can state: one field against
    another (a shift ending before it starts), against the clock (a shift in the past) or
    against stored data. 422, so that a 400 always means input the schema forbids."""

    code = "rule_violation"
    http_status = 422


class FieldRuleViolations(FieldErrors):
    """RuleViolation, field by field."""

    http_status = 422


class FieldConflict(FieldErrors):
    """The value is taken (a name already in use): 409, field by field."""

    code = "conflict"
    http_status = 409
