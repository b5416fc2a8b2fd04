"""Edit commands: every user edit is one object with ``apply`` and ``revert`` on the domain.

``apply`` validates first and raises :class:`DomainError` without touching anything when the edit
is not allowed.  Both methods return the set of :data:`Change` keys they touched, so that storage
can write exactly those rows and views can refresh exactly those items.  ``revert`` restores the
state exactly as it was before ``apply`` (checked by property tests), and a command may be applied
again after a revert (redo).

Change keys are tuples:

* ``("map", map_id)``       the map's own fields and its linked personas
* ``("stages", map_id)``    the map's stages and their steps (names, order, bindings)
* ``("lanes", map_id)``     the map's lanes
* ``("card", map_id, card_id)``
* ``("emotion", map_id, point_id)``
* ``("persona", persona_id)``
* ``("comment", map_id, comment_id)``

A key whose object no longer exists in the workspace means "deleted".

The commands live in sibling modules by what they edit (:mod:`~journeydesk.domain.commands_maps`:
maps, stages, steps and lanes; :mod:`~journeydesk.domain.commands_cards`: cards and emotion points;
:mod:`~journeydesk.domain.commands_personas`: personas), on the bases in
:mod:`~journeydesk.domain.commands_base`.  Import them from here.
"""

from __future__ import annotations

from journeydesk.domain.commands_base import Change, Changes, Command, CompositeCommand
from journeydesk.domain.commands_cards import (
    AddCardCommand,
    AddEmotionCommand,
    EditCardCommand,
    EditEmotionCommand,
    MoveCardCommand,
    MoveCardsCommand,
    RemoveCardCommand,
    RemoveEmotionCommand,
    copy_card,
)
from journeydesk.domain.commands_checks import check_card_field, check_events, check_step_name
from journeydesk.domain.commands_comments import (
    AddCommentCommand,
    EditCommentCommand,
    RemoveCommentCommand,
)
from journeydesk.domain.commands_maps import (
    AddLaneCommand,
    AddMapCommand,
    AddStageCommand,
    AddStepCommand,
    EditLaneCommand,
    EditMapCommand,
    EditStageCommand,
    EditStepCommand,
    MoveLaneCommand,
    MoveStageCommand,
    MoveStepCommand,
    RemoveLaneCommand,
    RemoveMapCommand,
    RemoveStageCommand,
    RemoveStepCommand,
)
from journeydesk.domain.commands_personas import (
    AddPersonaCommand,
    EditPersonaCommand,
    LinkPersonaCommand,
    RemovePersonaCommand,
    UnlinkPersonaCommand,
    copy_persona,
    maps_using_persona,
)
from journeydesk.domain.commands_replace import ReplaceMapContentCommand

__all__ = [
    "AddCardCommand", "AddCommentCommand", "EditCommentCommand", "RemoveCommentCommand",
    "AddEmotionCommand", "AddLaneCommand", "AddMapCommand", "AddPersonaCommand",
    "AddStageCommand", "AddStepCommand", "Change", "Changes", "Command", "CompositeCommand",
    "EditCardCommand", "EditEmotionCommand", "EditLaneCommand", "EditMapCommand",
    "EditPersonaCommand", "EditStageCommand", "EditStepCommand", "LinkPersonaCommand",
    "MoveCardCommand", "MoveCardsCommand", "MoveLaneCommand", "MoveStageCommand",
    "MoveStepCommand", "RemoveCardCommand", "RemoveEmotionCommand", "RemoveLaneCommand",
    "RemoveMapCommand", "RemovePersonaCommand", "RemoveStageCommand", "RemoveStepCommand",
    "ReplaceMapContentCommand",
    "UnlinkPersonaCommand", "check_card_field", "check_events", "check_step_name", "copy_card",
    "copy_persona", "maps_using_persona",
]
