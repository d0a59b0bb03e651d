"""What a table may not break across lines, in the terminal or a page:
numbers, amounts with their currency, dates, times, percentages, count pairs
("3 / 4"), "n/a" and ids."""

from __future__ import annotations

import re

WHOLE_CELL = re.compile(
    r"^(n/a|[-+]?[\d.,:/ %+-]*\d[\d.,:/ %+-]*( [A-Z]{3})?"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


def whole(text: str) -> bool:
    """Whether ``text`` must be shown whole, on one line."""
    return WHOLE_CELL.match(text) is not None
