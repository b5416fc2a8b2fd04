"""Event-log datasets and funnel metrics (DuckDB locally; SQLAlchemy Core for warehouses).

- :mod:`~journeydesk.analytics.events`: import an event file (CSV/TSV, Parquet, JSON lines,
  XLSX) into Parquet bytes, with column mapping, time formats and bad-row reports;
- :mod:`~journeydesk.analytics.funnel`: the funnel of a map's stages with its options (entry
  period, conversion window, user-level segment, breakdown; docs/data.md "The funnel"), event
  counts, who reached or dropped at a stage; :mod:`~journeydesk.analytics.series` the charts'
  series; :mod:`~journeydesk.analytics.patterns` glob bindings;
- :mod:`~journeydesk.analytics.warehouse` and :mod:`~journeydesk.analytics.warehouse_sql`: the
  same numbers computed in a database (SQLAlchemy Core);
- :mod:`~journeydesk.analytics.engine`: DuckDB connections that never download extensions.

This package knows nothing of workspaces (store) or Qt; the command line and the app hand it
the Parquet bytes they read from the workspace.
"""
