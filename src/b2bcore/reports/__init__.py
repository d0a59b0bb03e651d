"""Reports: pure functions from aggregate views (and a date) to immutable
report values. The application catches its projections up with the log and
passes them the views; reports never touch a store or a clock."""
