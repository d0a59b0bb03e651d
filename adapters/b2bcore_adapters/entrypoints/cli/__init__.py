"""The ``b2b`` command line: ``main`` holds the app and its report commands;
``record`` makes a sub-command of every declared command; ``audit``,
``deliver``, ``export`` and ``report`` are command groups of their own."""
