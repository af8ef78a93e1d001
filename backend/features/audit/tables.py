"""The append-only, hash-chained audit log shared by every feature."""

from piccolo.columns import JSONB, BigSerial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_log"):
    id = BigSerial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow())
    # Who acted: an account id, a client id ("client:<id>") or empty for anonymous requests.
    actor = Varchar(length=100, default="")
    action = Varchar(length=80)
    subject_type = Varchar(length=40, default="")
    subject_id = Varchar(length=100, default="")
    # Unit path of the record concerned, so auditors of a unit see what happened below it.
    unit_path = Varchar(length=255, default="")
    ip = Varchar(length=64, default="")
    request_id = Varchar(length=64, default="")
    details = JSONB(default={})
    # sha256 over the previous entry's hash and this entry's content: any edit or deletion breaks the chain.
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64, unique=True)
