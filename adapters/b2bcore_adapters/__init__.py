"""b2bcore's adapters: everything that touches the outside world (files,
command line, report rendering). Each implements a port of ``b2bcore``."""
