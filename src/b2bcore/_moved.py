"""Where modules were before the folders (b2bcore 0.x): ``import
b2bcore.asset`` still works for one release, as a module whose names are
those of ``b2bcore.domain.asset``, with a DeprecationWarning on import."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from types import CodeType, ModuleType
from typing import Any

_DOMAIN = (
    "account acknowledgement aggregate asset clock erasure errors ids lead "
    "lifecycle money opportunity personal_data policies projection_skip "
    "sales_rep values views"
)
_APPLICATION = (
    "aio commands event_history handlers paging queries settings storage "
    "transcodings unit_of_work"
)
#: Each old module path and where it is now.
MOVED: dict[str, str] = {
    **{f"b2bcore.{name}": f"b2bcore.domain.{name}" for name in _DOMAIN.split()},
    **{
        f"b2bcore.{name}": f"b2bcore.application.{name}"
        for name in _APPLICATION.split()
    },
    **{
        f"b2bcore.{name}": f"b2bcore.readmodels.{name}"
        for name in ("projection", "readmodel", "derived_audit")
    },
    **{
        f"b2bcore.facts{name}": f"b2bcore.readmodels.facts{name}"
        for name in ("", ".queries", ".records", ".rows", ".tables", ".versions")
    },
    "b2bcore.hashchain": "b2bcore.audit.hashchain",
    "b2bcore.chainstore": "b2bcore.audit.chainstore",
}


class Moved(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves each old module path of ``moved`` as a module holding the
    names of the one it moved to."""

    def __init__(self, moved: dict[str, str]) -> None:
        self.moved = moved

    @classmethod
    def serve(cls, moved: dict[str, str]) -> None:
        """Add a finder for ``moved`` (once per process)."""
        if not any(
            isinstance(finder, cls) and finder.moved is moved
            for finder in sys.meta_path
        ):
            sys.meta_path.append(cls(moved))

    def find_spec(
        self, fullname: str, path: Any, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.moved:
            return None
        is_package = any(name.startswith(f"{fullname}.") for name in self.moved)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=is_package)

    def exec_module(self, module: ModuleType) -> None:
        target = self._warned(module.__name__)
        moved = importlib.import_module(target)
        module.__dict__.update(
            {k: v for k, v in vars(moved).items() if not k.startswith("__")}
        )
        module.__doc__ = moved.__doc__

    def get_code(self, fullname: str) -> CodeType | None:
        """The code of the module it moved to: ``python -m`` an old path
        runs the new one."""
        target = self._warned(fullname)
        spec = importlib.util.find_spec(target)
        loader = None if spec is None else spec.loader
        if not isinstance(loader, importlib.abc.InspectLoader):
            return None
        return loader.get_code(target)

    def _warned(self, fullname: str) -> str:
        target = self.moved[fullname]
        warnings.warn(
            f"{fullname} is {target} now; the old path goes in the next release",
            DeprecationWarning,
            stacklevel=3,
        )
        return target


def install() -> None:
    """Serve the old paths (once per process)."""
    Moved.serve(MOVED)
