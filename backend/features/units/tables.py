"""Org units: the central level, provinces, communes (from the official catalogue) and residential areas."""

from enum import StrEnum

from piccolo.columns import Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from schemas.units import UnitLevel


class UnitSource(StrEnum):
    official = "official"  # kept in step with the vietnam-provinces catalogue by `mattran migrate`
    local = "local"  # created by Front staff (residential areas)


class Unit(Table, tablename="units"):
    code = Varchar(length=32, primary_key=True)
    # RESTRICT on purpose: a unit with children or records is retired (valid_to), never deleted.
    parent: ForeignKey = ForeignKey("self", null=True, default=None, on_delete=OnDelete.restrict)
    # Codes from the root, joined by "/": "TW/01/00070/00070-001". Scoped queries match its prefix.
    path = Varchar(length=255, unique=True)
    level = Varchar(length=20, choices=UnitLevel)
    kind = Varchar(length=32)
    name = Varchar(length=200)
    # fold(name) and fold(name without its kind word), for diacritic-insensitive search and ranking.
    name_folded = Varchar(length=200)
    short_name_folded = Varchar(length=200)
    source = Varchar(length=16, choices=UnitSource)
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class UnitPredecessor(Table, tablename="unit_predecessors"):
    """A unit formed from others (a merger): successor <- predecessor, with the date it took effect."""

    unit = ForeignKey(Unit, on_delete=OnDelete.restrict)
    predecessor = ForeignKey(Unit, on_delete=OnDelete.restrict)
    effective_on = Date()
