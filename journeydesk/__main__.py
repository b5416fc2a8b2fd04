"""Entry point: ``python -m journeydesk`` and the ``journeydesk`` command."""

from __future__ import annotations

import sys


def main() -> int:
    """Run the command line (which starts the app when no sub-command is given)."""
    from journeydesk.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
