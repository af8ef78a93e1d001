"""Secrets kept in the database (token-signing and VAPID private keys), sealed with a key-encryption key
from the environment, so a copy of the database or of a backup alone cannot sign as the platform.

`MATTRAN_KEY_ENCRYPTION_KEYS` holds one or more Fernet keys (AES-128-CBC + HMAC-SHA256, from the
`cryptography` package), comma-separated: the first seals, any of them opens. To change the key, put the
new one first, run `mattran keys reseal`, then drop the old one. Without keys (development only; refused
in production) secrets are stored as they are, and a stored plain secret is still read after keys are
set, until `mattran keys reseal` seals it.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SEALED_PREFIX = "sealed:v1:"


class SealingError(RuntimeError):
    """A sealed secret that the configured keys cannot open (missing or wrong MATTRAN_KEY_ENCRYPTION_KEYS)."""


def new_key() -> str:
    """A fresh key for MATTRAN_KEY_ENCRYPTION_KEYS."""
    return Fernet.generate_key().decode()


class Sealer:
    def __init__(self, keys: str) -> None:
        fernets = [Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()]
        self._first = fernets[0] if fernets else None
        self._fernet = MultiFernet(fernets) if fernets else None

    def seal(self, secret: str) -> str:
        if self._fernet is None:
            return secret
        return SEALED_PREFIX + self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(SEALED_PREFIX):
            return stored
        if self._fernet is None:
            raise SealingError("a stored key is sealed: set MATTRAN_KEY_ENCRYPTION_KEYS")
        try:
            return self._fernet.decrypt(stored.removeprefix(SEALED_PREFIX).encode()).decode()
        except InvalidToken as error:
            raise SealingError("no key in MATTRAN_KEY_ENCRYPTION_KEYS opens a stored key") from error

    def resealed(self, stored: str) -> str | None:
        """The stored value sealed with the first key, or None when it already is (or sealing is off)."""
        if self._fernet is None or self._first is None:
            return None
        if not stored.startswith(SEALED_PREFIX):
            return self.seal(stored)
        token = stored.removeprefix(SEALED_PREFIX).encode()
        try:
            self._first.decrypt(token)
            return None
        except InvalidToken:
            return self.seal(self.open(stored))
