"""`mattran backup` / `mattran restore`: the database (pg_dump custom format) and the uploaded files in one
verifiable archive. docs/backup.md."""


class BackupError(Exception):
    """A backup or restore that cannot go on; key names its message in backend/lib/i18n.py."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params
