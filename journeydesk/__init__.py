"""JourneyDesk: journey maps joined to real behavioural data, fully offline."""

__version__ = "0.1.0"
