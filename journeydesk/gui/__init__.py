"""Everything Qt: the main window, canvas, docks, dialogs and charts."""
