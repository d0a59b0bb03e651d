"""The domain: the aggregates and their events (accounts, assets, leads,
opportunities, sales reps, acknowledgements, erasures, projection skips),
the values they hold, the asset lifecycle, the views the queries return, the
errors and the clock. Pure: the standard library, ``eventsourcing`` and
``attrs`` only."""
