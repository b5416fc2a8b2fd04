"""What JourneyDesk does, written once for both front ends (no Qt here).

The command line (:mod:`journeydesk.cli`) and the desktop app (:mod:`journeydesk.gui`) call
these use cases; they reach the workspace file (:mod:`journeydesk.store`) and the engines
(:mod:`journeydesk.analytics`, :mod:`journeydesk.exchange`) only through this package.

- :mod:`.session`: an open workspace (the document, its file rules, its event data);
- :mod:`.event_data`: datasets and database sources behind one protocol;
- :mod:`.metrics`: funnel numbers with their options, typed, one JSON form, one duration text;
- :mod:`.imports` and :mod:`.exports`: files in and out, their names and rules.
"""
