"""Views and reports rendered: as plain JSON (``plain``, the one rendering the
CLI and HTTP share), as tables (``cells``), as self-contained HTML pages
(``html``, ``monthly_report``, ``postmortem``, ``exports``) and as charts."""
