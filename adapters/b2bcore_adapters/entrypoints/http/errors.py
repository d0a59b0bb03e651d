"""The refusals of the API (docs/http.md#errors): ``ApiError``, and the body
of every refusal: the kind, the subject, the field and the rule, each shown
within bounds."""

from __future__ import annotations

from b2bcore_adapters.render.plain import JSON

#: The most characters of one part of an error (subject, field or rule) an
#: answer shows: a request can hold a 1,000-digit amount or a megabyte-long
#: field name, and an error message echoes what it refuses.
MAX_SHOWN = 200


def shown(text: str) -> str:
    """``text`` as an answer may show it: longer than ``MAX_SHOWN`` characters,
    its middle is cut out (``…``), so the rule at its end stays readable; a
    lone surrogate, which no UTF-8 answer can carry, is written as an escape."""
    if len(text) > MAX_SHOWN:
        half = (MAX_SHOWN - 1) // 2
        text = f"{text[:half]}…{text[-half:]}"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


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
