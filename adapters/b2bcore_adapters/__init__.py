"""b2bcore's adapters: everything that touches the outside world (files,
command line, report rendering). Each implements a port of ``b2bcore``."""

from b2bcore_adapters import _moved

_moved.install()
