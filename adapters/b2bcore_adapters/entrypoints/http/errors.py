"""The refusals of the API (docs/http.md#errors): ``ApiError``, and the body
of every refusal: the kind, the subject, the field and the rule, each shown
within bounds."""

from __future__ import annotations

from b2bcore_adapters.render.plain import JSON
from b2bcore_adapters.render.shown import MAX_SHOWN, shown

__all__ = ["MAX_SHOWN", "ApiError", "error_body", "shown"]


class ApiError(Exception):
    """A refused request: ``status`` and the body's subject, field and rule."""

    def __init__(
        self, status: int, kind: str, subject: str, field: str, rule: str
    ) -> None:
        self.status = status
        self.kind = kind
        self.subject = subject
        self.field = field
        self.rule = rule
        super().__init__(f"{subject}: {field}: {rule}")


def error_body(kind: str, subject: str, field: str, rule: str) -> JSON:
    subject, field, rule = shown(subject), shown(field), shown(rule)
    return {
        "error": {
            "kind": kind,
            "subject": subject,
            "field": field,
            "rule": rule,
            "message": f"{subject}: {field}: {rule}",
        }
    }
