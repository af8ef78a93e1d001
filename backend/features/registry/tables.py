"""Registry tables: households, residents, visits, consents.

Households, residents and visits are written in the field, so they share the shape offline sync relies
on (backend/features/sync/tables.py): a client-generated UUID `id`, `version` (1 at creation, +1 per
change), `field_versions`, a soft-delete tombstone (`deleted_at`) and the `unit_path` of their residential
area, denormalised onto every row so that scope is one indexed prefix match without a join. `sync_xid`
and the indexes are added by the raw-SQL migration.
"""

from piccolo.columns import JSONB, UUID, Array, Date, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.features.identity.tables import Account
from backend.features.units.tables import Unit


class Household(Table, tablename="households"):
    id = UUID(primary_key=True)
    # RESTRICT: areas are retired, never deleted, and a household must always have one.
    unit_code = ForeignKey(Unit, null=False, on_delete=OnDelete.restrict)
    unit_path = Varchar(length=255)
    house_number = Varchar(length=50, default="")
    street = Varchar(length=200, default="")
    # fold(house number, street, area name): the address as a cadre types it ("to 5 hang bai").
    address_folded = Varchar(length=500, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    # A member of the household (checked by the service, not a foreign key: the two rows reference each
    # other and are created in either order offline).
    head_resident_id = UUID(null=True, default=None)
    circumstances = Array(Varchar(length=40), default=list)
    notes = Text(default="")
    status = Varchar(length=10, default="active")
    merged_into = UUID(null=True, default=None)
    version = Integer(default=1)
    field_versions = JSONB(default={})
    deleted_at = Timestamptz(null=True, default=None)
    # sha256 of the create request: replaying the same create answers the record, other content is refused.
    create_fingerprint = Varchar(length=64)
    created_by = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_by = Varchar(length=100)
    updated_at = Timestamptz(default=TimestamptzNow())


class Resident(Table, tablename="residents"):
    id = UUID(primary_key=True)
    household_id = ForeignKey(Household, null=False, on_delete=OnDelete.restrict)
    unit_path = Varchar(length=255)
    full_name = Varchar(length=200)
    name_folded = Varchar(length=200)
    gender = Varchar(length=10, null=True, default=None)
    birth_date = Date(null=True, default=None)
    # Always set when birth_date is; alone when only the year is known (common for the elderly).
    birth_year = Integer(null=True, default=None)
    relation_to_head = Varchar(length=20, default="other")
    phone = Varchar(length=20, null=True, default=None)
    # National form, digits only ("0912345678"): exact and prefix search.
    phone_digits = Varchar(length=15, null=True, default=None)
    # Sensitive (Law 91/2025): masked unless the reader holds read_sensitive there; reads are audited.
    ethnicity = Varchar(length=50, null=True, default=None)
    religion = Varchar(length=50, null=True, default=None)
    id_number = Varchar(length=12, null=True, default=None)
    # sha256(pepper + id_number): exact search and duplicate checks without reading the number itself.
    id_number_hash = Varchar(length=64, null=True, default=None)
    health_note = Text(null=True, default=None)
    # [{"organisation": "hoi_nong_dan", "role": "hội viên", "since": "2019-05-01"}]
    memberships = JSONB(default=[])
    moved_in_on = Date(null=True, default=None)
    moved_out_on = Date(null=True, default=None)
    version = Integer(default=1)
    field_versions = JSONB(default={})
    deleted_at = Timestamptz(null=True, default=None)
    create_fingerprint = Varchar(length=64)
    created_by = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_by = Varchar(length=100)
    updated_at = Timestamptz(default=TimestamptzNow())


class Visit(Table, tablename="visits"):
    """A door-to-door visit: what the family raised and what follows."""

    id = UUID(primary_key=True)
    household_id = ForeignKey(Household, null=False, on_delete=OnDelete.restrict)
    unit_path = Varchar(length=255)
    visited_on = Date()
    cadre = ForeignKey(Account, null=False, on_delete=OnDelete.restrict)
    purpose = Varchar(length=200)
    needs = Text(default="")
    concerns = Text(default="")
    feedback = Text(default="")
    follow_up = Text(default="")
    version = Integer(default=1)
    field_versions = JSONB(default={})
    deleted_at = Timestamptz(null=True, default=None)
    create_fingerprint = Varchar(length=64)
    created_by = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_by = Varchar(length=100)
    updated_at = Timestamptz(default=TimestamptzNow())


class Consent(Table, tablename="consents"):
    """Consent of a resident for one purpose (Law 91/2025: per purpose, recorded, withdrawable).
    Never deleted: a withdrawal is a date, so the history of what was allowed when stays."""

    id = UUID(primary_key=True)
    resident_id = ForeignKey(Resident, null=False, on_delete=OnDelete.restrict)
    unit_path = Varchar(length=255)
    purpose = Varchar(length=40)
    # Who consented: the resident, or a guardian / the household head on their behalf.
    given_by = Varchar(length=200)
    given_at = Timestamptz()
    method = Varchar(length=20)
    recorded_by = Varchar(length=100)
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_by = Varchar(length=100, null=True, default=None)
    create_fingerprint = Varchar(length=64)
