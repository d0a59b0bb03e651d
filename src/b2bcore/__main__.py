"""``python -m b2bcore``: what this package is and where its command line is
(the domain package itself has no command line: it imports no adapter)."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version


def main() -> int:
    try:
        installed = version("b2bcore")
    except PackageNotFoundError:
        installed = "(not installed)"
    print(
        f"b2bcore {installed}: event-sourced B2B account management, a library.\n"
        "Use it from Python (from b2bcore import B2BCore), or run the command\n"
        "line: b2b --help, or python -m b2bcore_adapters --help\n"
        "(pip install 'b2bcore[cli]')."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
