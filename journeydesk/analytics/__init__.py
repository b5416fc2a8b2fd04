"""Event-log datasets and funnel metrics (DuckDB locally; SQLAlchemy Core for warehouses)."""
