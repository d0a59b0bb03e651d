"""The read models: the projections that follow the log (``projection``),
the store port they write to (``readmodel``), the report tables declared,
derived and versioned by recorded time (``facts``), and the audit of what
they derive (``derived_audit``)."""
