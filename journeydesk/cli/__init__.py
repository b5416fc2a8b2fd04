"""The command line: ``journeydesk [WORKSPACE]`` starts the app; sub-commands script it.

The command names and their output are a public interface that users script against
(docs/cli.md):

- ``maps``, ``personas``: one tab-separated line per map or persona;
- ``import-map``, ``export``: map files in (.json, .xlsx, .mmd) and maps or personas out, the
  format following the extension (pictures are drawn by Qt, loaded only for them);
- ``import-events``, ``import-metrics``, ``add-source``: event logs, stage metrics and database
  sources into a workspace (created when it does not exist), with a one-line summary;
- ``bind``, ``metrics``: stages bound to event names, and the funnel over a dataset as a table
  or as the one ``--json`` form;
- ``demo``: the demo workspace.

Errors go to stderr as one line: exit status 1 for bad input (a file that is not a workspace,
a malformed map), 2 for a wrong command line.  A user error never prints a traceback.

Each command group is a thin module over :mod:`journeydesk.app` (:mod:`.maps`, :mod:`.events`,
:mod:`.sources`); :mod:`.main` parses and dispatches, :mod:`.common` holds what they share.
Importing this package loads no Qt.
"""

from journeydesk.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
