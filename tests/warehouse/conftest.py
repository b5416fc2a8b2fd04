"""The warehouse tests use the session-wide ``postgres`` fixture of tests/conftest.py."""
