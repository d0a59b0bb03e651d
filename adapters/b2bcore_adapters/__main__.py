"""``b2b`` and ``python -m b2bcore_adapters``: the command line, or one line
naming the extra to install when its libraries are missing."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from b2bcore_adapters.extras import install_hint


def main(argv: Sequence[str] | None = None) -> int:
    try:
        from b2bcore_adapters.entrypoints.cli.main import main as command_line  # noqa: PLC0415
    except ModuleNotFoundError as error:
        hint = install_hint(error, "the b2b command line")
        if hint is None:
            raise
        print(f"error: {hint}", file=sys.stderr)
        return 2
    return command_line(argv)


if __name__ == "__main__":
    sys.exit(main())
