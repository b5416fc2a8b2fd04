"""Child process for the SIGKILL test: makes edits forever, printing each committed edit's number.

Edit ``n`` adds stage ``s<n>`` with two steps and a card ``c<n>`` in it as one command (several
rows in one transaction), so a torn write would show as a stage without its card or a gap.
"""

from __future__ import annotations

import sys

from journeydesk.domain.commands import (
    AddCardCommand,
    AddMapCommand,
    AddStageCommand,
    CompositeCommand,
)
from journeydesk.domain.model import Card, JourneyMap, Lane, Stage, Step
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile


def main(path: str) -> None:
    with WorkspaceFile.open(path, create=True) as ws_file:
        doc = Document(ws_file)
        m = doc.workspace.map_named("Crash")
        if m is None:
            m = JourneyMap(name="Crash", lanes=[Lane(name="Doing")])
            doc.execute(AddMapCommand(m))
        n = len(m.stages)
        while True:
            stage = Stage(name=f"s{n}", steps=[Step(name="a"), Step(name="b")])
            card = Card(stage.steps[1].id, m.lanes[0].id, f"c{n}", tags=["x" * (n % 50)])
            doc.execute(CompositeCommand("edit", [AddStageCommand(m.id, stage),
                                                  AddCardCommand(m.id, card)]))
            print(n, flush=True)
            n += 1


if __name__ == "__main__":
    main(sys.argv[1])
