"""Offline sync: the server side of the field app's outbox (`POST /api/v1/sync`), and drafts.

Protocol, for devices:
- Every record made offline gets a client UUID (`entity_id`), every change an operation with its own
  client UUID (`op_id`). The device keeps an operation until the server has answered it, and may send it
  any number of times: the server applies it once (per account) and answers a replay "duplicate" with
  the first answer. An op_id sent again with different content is rejected (409).
- update and delete carry `base_version` (the record's version the device last saw); update carries only
  the fields changed on the device. Fields the server has not changed since merge; a field changed on
  both sides is a "conflict": the server keeps its value, records a conflict for a person
  (`/api/v1/sync/conflicts`), and answers both values. Deleting a record changed meanwhile, or editing
  one deleted meanwhile, is a conflict too.
- "rejected" carries an RFC 9457 problem: 503 means "send it again later"; anything else will not
  succeed as sent (a 404 also stands for "outside your scope": existence does not leak).
- The same request pulls what changed since `pull_cursor` within the caller's read scope, up to a limit
  (`more: true`: pull again at once). `reset: true` means the cursor did not fit (first pull, roles or
  entities changed): the pull starts from scratch and replaces what the device holds.

Layout: `service.py` (the request: batch, then pull), `apply.py` (one operation), `merge.py` (pure
field merge), `feed.py` (pull cursors), `conflicts.py`, `handlers.py` (what an entity provides; the
registry), `entities.py` (the list of entities), `drafts.py` + `drafts_repo.py` (the draft entity).
"""
