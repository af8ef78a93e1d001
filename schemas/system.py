import msgspec


class Health(msgspec.Struct, kw_only=True):
    # "ok", or "degraded" when the database cannot be reached (answered with 503)
    status: str
    database: str
    version: str
