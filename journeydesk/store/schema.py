"""Tables of the workspace file (schema version 7), as typed SQLAlchemy mappings.

Version history: 1 the first release; 2 adds persona age range, location, tech comfort, photo
and data segment; 3 adds imported datasets (event logs kept as Parquet blobs) and metric
snapshots; 4 adds database sources (where a team's events live; never a password); 5 adds each
dataset's checksum (SHA-256 of its Parquet, checked before the data is used); 6 adds workshop
sessions (participants, notes from phones, vote rounds and votes) and a picture per card; 7 adds
living maps: each card's evidence and source and its portfolio fields (value, effort, status,
owner, addressed cards), each map's owner and review date, card comments, and map versions.

Lists (events, tags, persona goals...) are stored as JSON text, NULL when empty.  Every child row
cascades on delete, so deleting a map row removes its stages, steps, lanes, cards and points.
Names are unique by the domain's rules, not by SQL constraints: one edit may swap two names and its
rows are written in one transaction in no particular order.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 7
# PRAGMA application_id: "JDSK" as a big-endian 32-bit integer.
APPLICATION_ID = 0x4A44534B


class Base(DeclarativeBase):
    """Declarative base of the workspace tables."""


def _parent(target: str) -> Mapped[str]:
    return mapped_column(String, ForeignKey(target, ondelete="CASCADE"), nullable=False)


class PersonaRow(Base):
    __tablename__ = "personas"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str | None] = mapped_column(Text)
    frustrations: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)
    motivations: Mapped[str | None] = mapped_column(Text)
    channels: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    # schema 2
    age_range: Mapped[str] = mapped_column(Text, default="", server_default="")
    location: Mapped[str] = mapped_column(Text, default="", server_default="")
    tech_comfort: Mapped[int | None] = mapped_column(Integer)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    segment: Mapped[str | None] = mapped_column(Text)


class MapRow(Base):
    __tablename__ = "maps"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    scale_min: Mapped[float] = mapped_column(Float)
    scale_max: Mapped[float] = mapped_column(Float)
    # schema 7
    owner: Mapped[str] = mapped_column(Text, default="", server_default="")
    review_by: Mapped[str | None] = mapped_column(String)  # ISO date
    review_days: Mapped[int | None] = mapped_column(Integer)


class MapPersonaRow(Base):
    __tablename__ = "map_personas"
    map_id: Mapped[str] = mapped_column(
        String, ForeignKey("maps.id", ondelete="CASCADE"), primary_key=True)
    persona_id: Mapped[str] = mapped_column(
        String, ForeignKey("personas.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class StageRow(Base):
    __tablename__ = "stages"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    map_id: Mapped[str] = _parent("maps.id")
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    events: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_stages_map", "map_id"),)


class StepRow(Base):
    __tablename__ = "steps"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    map_id: Mapped[str] = _parent("maps.id")
    stage_id: Mapped[str] = _parent("stages.id")
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text, default="")
    events: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_steps_map", "map_id"), Index("ix_steps_stage", "stage_id"))


class LaneRow(Base):
    __tablename__ = "lanes"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    map_id: Mapped[str] = _parent("maps.id")
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String)
    __table_args__ = (Index("ix_lanes_map", "map_id"),)


class CardRow(Base):
    __tablename__ = "cards"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    map_id: Mapped[str] = _parent("maps.id")
    step_id: Mapped[str] = _parent("steps.id")
    lane_id: Mapped[str] = _parent("lanes.id")
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[str | None] = mapped_column(String)
    channel: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String)
    events: Mapped[str | None] = mapped_column(Text)
    # schema 6: a picture (PNG or JPEG bytes, checked before decoding); storyboard lanes show it
    picture: Mapped[bytes | None] = mapped_column(LargeBinary)
    # schema 7: evidence and the portfolio fields (addresses: JSON list of card ids)
    evidence: Mapped[str] = mapped_column(String, default="assumed", server_default="assumed")
    source: Mapped[str | None] = mapped_column(Text)
    value: Mapped[int | None] = mapped_column(Integer)
    effort: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String)
    owner: Mapped[str | None] = mapped_column(Text)
    addresses: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_cards_map", "map_id"), Index("ix_cards_step", "step_id"),
                      Index("ix_cards_lane", "lane_id"))


class EmotionRow(Base):
    __tablename__ = "emotions"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    map_id: Mapped[str] = _parent("maps.id")
    step_id: Mapped[str] = _parent("steps.id")
    persona_id: Mapped[str | None] = mapped_column(
        String, ForeignKey("personas.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_emotions_map", "map_id"), Index("ix_emotions_step", "step_id"))


# --------------------------------------------------------------------------- schema 3
class DatasetRow(Base):
    """An imported data set: the rows as one Parquet blob that DuckDB reads back.

    ``kind`` is 'events' (user, event, ts and text attributes) or 'metrics'.  Names are unique
    by rule (journeydesk.store.datasets), like map names.  The column names are those of the
    source file, kept to show where the data came from.
    """

    __tablename__ = "datasets"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String)
    source: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[str] = mapped_column(String)  # ISO 8601, UTC
    row_count: Mapped[int] = mapped_column(Integer)
    user_column: Mapped[str | None] = mapped_column(Text)
    event_column: Mapped[str | None] = mapped_column(Text)
    time_column: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[str | None] = mapped_column(Text)  # JSON list of attribute names
    parquet: Mapped[bytes] = mapped_column(LargeBinary)
    # schema 5: SHA-256 of ``parquet`` (hex); a damaged blob is refused, never read
    checksum: Mapped[str | None] = mapped_column(String)


class MetricSnapshotRow(Base):
    """Funnel numbers of a map taken at one moment (filters and numbers as JSON).

    ``dataset_id`` is not a foreign key: a snapshot keeps its numbers after its dataset is
    replaced or deleted.
    """

    __tablename__ = "metric_snapshots"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    map_id: Mapped[str] = _parent("maps.id")
    dataset_id: Mapped[str] = mapped_column(String)
    taken_at: Mapped[str] = mapped_column(String)  # ISO 8601, UTC
    filters: Mapped[str] = mapped_column(Text)
    numbers: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_metric_snapshots_map", "map_id"),)


# --------------------------------------------------------------------------- schema 4
class DataSourceRow(Base):
    """A database source: a table or view of events in a database or warehouse.

    ``url`` is a SQLAlchemy URL without a password (the password is asked for at run time or
    read from the environment variable ``password_env``; it is never stored).  Names share one
    namespace with the datasets (journeydesk.store.sources).
    """

    __tablename__ = "data_sources"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    table_name: Mapped[str] = mapped_column(Text)
    user_column: Mapped[str] = mapped_column(Text)
    event_column: Mapped[str] = mapped_column(Text)
    time_column: Mapped[str] = mapped_column(Text)
    attributes: Mapped[str | None] = mapped_column(Text)  # JSON list; NULL: every other column
    password_env: Mapped[str | None] = mapped_column(Text)
    timeout_seconds: Mapped[float] = mapped_column(Float)
    added_at: Mapped[str] = mapped_column(String)  # ISO 8601, UTC


# --------------------------------------------------------------------------- schema 6
# A workshop's record outlives the map it ran on: ``map_id`` is no foreign key and the map's
# name is kept, so deleting a map (or undoing its creation) never deletes who said what.
class WorkshopRow(Base):
    """A workshop session run on a map: when it started and ended, and its settings."""

    __tablename__ = "workshops"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    map_id: Mapped[str] = mapped_column(String)
    map_name: Mapped[str] = mapped_column(Text)
    started_at: Mapped[str] = mapped_column(String)  # ISO 8601, UTC
    ended_at: Mapped[str | None] = mapped_column(String)
    settings: Mapped[str | None] = mapped_column(Text)  # JSON object


class WorkshopParticipantRow(Base):
    """Someone who joined from a phone (``name`` NULL: anonymous)."""

    __tablename__ = "workshop_participants"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    workshop_id: Mapped[str] = _parent("workshops.id")
    name: Mapped[str | None] = mapped_column(Text)
    joined_at: Mapped[str] = mapped_column(String)
    __table_args__ = (Index("ix_workshop_participants_workshop", "workshop_id"),)


class WorkshopNoteRow(Base):
    """A note (and maybe a photo) sent from a phone, and what became of it.

    ``status`` is 'new', 'accepted' (``card_id`` is the card it became), 'merged' (into
    ``card_id``) or 'discarded'.  ``stage_id`` is no foreign key: the note stays when its stage
    is deleted.
    """

    __tablename__ = "workshop_notes"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    workshop_id: Mapped[str] = _parent("workshops.id")
    participant_id: Mapped[str | None] = mapped_column(String)
    stage_id: Mapped[str | None] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_at: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, default="new")
    card_id: Mapped[str | None] = mapped_column(String)
    decided_at: Mapped[str | None] = mapped_column(String)
    __table_args__ = (Index("ix_workshop_notes_workshop", "workshop_id"),)


class WorkshopRoundRow(Base):
    """A vote round: which lanes and cards could be voted for, dots per person, and when it
    was revealed and ended."""

    __tablename__ = "workshop_rounds"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    workshop_id: Mapped[str] = _parent("workshops.id")
    started_at: Mapped[str] = mapped_column(String)
    dots: Mapped[int] = mapped_column(Integer)
    eligible: Mapped[str] = mapped_column(Text)  # JSON: {"lanes": [...], "cards": [...]}
    revealed_at: Mapped[str | None] = mapped_column(String)
    ended_at: Mapped[str | None] = mapped_column(String)
    __table_args__ = (Index("ix_workshop_rounds_workshop", "workshop_id"),)


class WorkshopVoteRow(Base):
    """Dots one participant (NULL: entered at the laptop) gave one card in a round."""

    __tablename__ = "workshop_votes"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    round_id: Mapped[str] = _parent("workshop_rounds.id")
    participant_id: Mapped[str | None] = mapped_column(String)
    card_id: Mapped[str] = mapped_column(String)
    dots: Mapped[int] = mapped_column(Integer)
    cast_at: Mapped[str] = mapped_column(String)
    __table_args__ = (Index("ix_workshop_votes_round", "round_id"),)


# --------------------------------------------------------------------------- schema 7
class CommentRow(Base):
    """One comment of a card's thread.  ``card_id`` is no foreign key: a thread outlives its
    card (undo and restored versions bring the card back)."""

    __tablename__ = "card_comments"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    map_id: Mapped[str] = _parent("maps.id")
    card_id: Mapped[str] = mapped_column(String)
    author: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String)  # ISO 8601, UTC
    text: Mapped[str] = mapped_column(Text)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (Index("ix_card_comments_map", "map_id"),)


class MapVersionRow(Base):
    """A saved version of a map (journeydesk.store.versions).

    ``content`` is zlib-compressed JSON of what changed since the map's previous version (the
    first version holds every row), so a version costs about the rows it changed.  ``map_id`` is
    no foreign key: a deleted map's versions are kept, to restore it from.
    """

    __tablename__ = "map_versions"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    map_id: Mapped[str] = mapped_column(String)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per map
    label: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String)  # 'manual' or what it was taken before
    created_at: Mapped[str] = mapped_column(String)  # ISO 8601, UTC
    author: Mapped[str] = mapped_column(Text, default="")
    card_count: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    __table_args__ = (Index("ix_map_versions_map", "map_id", "seq"),)


class VersionPictureRow(Base):
    """A card picture kept by versions, once per distinct picture (SHA-256 of its bytes)."""

    __tablename__ = "version_pictures"
    sha256: Mapped[str] = mapped_column(String, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
