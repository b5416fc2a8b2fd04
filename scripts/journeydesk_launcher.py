"""The bundle's entry point (build_installer.spec): the same as the ``journeydesk`` command."""

import sys

from journeydesk.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
