"""The workspace file (SQLite through SQLAlchemy 2.x): create, open, migrate, copy, persist."""
