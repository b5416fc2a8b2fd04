"""Readers and writers for files other tools and people exchange (JSON, Excel, Mermaid, CSV).

Pure functions over domain objects: nothing here imports Qt or SQLAlchemy, and nothing writes to a
workspace; importers return new domain objects for the caller to add with a command.
"""
