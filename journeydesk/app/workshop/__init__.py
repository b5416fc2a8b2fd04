"""Workshop sessions: the room adds notes, photos and votes from their phones, over the local
network, with no cloud and no accounts (docs/workshop.md).

``room`` is the live state (thread-safe), ``server`` the web server that runs in a thread of
the app's process, ``record`` what is kept in the workspace, ``inbox`` turns notes into cards
through the normal (undoable) commands.
"""
