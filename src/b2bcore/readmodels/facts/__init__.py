"""Report-shaped read models: flat rows ("facts") derived from each
aggregate's state, versioned by the time they were recorded, so a report is
an indexed query — as of any business date (the rows carry the dates of
change) and as known at any recorded time (each row version carries the
interval in which it was what the log said).

``tables`` declares the tables once; ``rows`` derives an aggregate's rows
from its state; ``versions`` turns a change of state into row versions to
open and close. The SQL that reads them lives in the adapters."""
