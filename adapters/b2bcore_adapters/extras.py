"""Which optional extra of ``pyproject.toml`` brings which module, so a
missing one is named with the line that installs it, never a traceback."""

from __future__ import annotations

#: The top-level module → the extra that installs it.
EXTRAS = {
    "typer": "cli",
    "click": "cli",
    "rich": "cli",
    "fastapi": "http",
    "fastapi_offline": "http",
    "starlette": "http",
    "pydantic": "http",
    "uvicorn": "http",
    "httpx": "alerts",
    "nats": "alerts",
    "psycopg": "postgres",
    "psycopg_pool": "postgres",
    "matplotlib": "charts",
}


def install_hint(error: ModuleNotFoundError, needed_for: str) -> str | None:
    """``"<needed_for> needs <module>: pip install 'b2bcore[<extra>]'"`` when
    ``error`` is a module one of the extras brings; ``None`` otherwise."""
    module = (error.name or "").partition(".")[0]
    extra = EXTRAS.get(module)
    if extra is None:
        return None
    return f"{needed_for} needs {module}: pip install 'b2bcore[{extra}]'"
