"""How the outside reaches b2bcore: the ``b2b`` command line (``cli``), the
HTTP API (``http``) and the projection runner process (``runner``)."""
