"""How much of what it refuses an error may echo: a request or a command line
can hold a 1,000-digit amount or JSON nested 900 deep, and an error message
quotes what it refuses."""

from __future__ import annotations

__all__ = ["MAX_SHOWN", "shown"]

#: The most characters of one part of an error (a subject, a field, a rule, a
#: usage error's message) an answer shows.
MAX_SHOWN = 200


def shown(text: str) -> str:
    """``text`` as an error may show it: longer than ``MAX_SHOWN`` characters,
    its middle is cut out (``…``), so the rule at its end stays readable; a
    lone surrogate, which no UTF-8 output can carry, is written as an escape."""
    if len(text) > MAX_SHOWN:
        half = (MAX_SHOWN - 1) // 2
        text = f"{text[:half]}…{text[-half:]}"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
