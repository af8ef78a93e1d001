"""Sealing the private keys kept in the database with key-encryption keys from the environment."""

from __future__ import annotations

import pytest

from backend.lib.sealing import SEALED_PREFIX, Sealer, SealingError, new_key
from backend.settings import settings_from_env

pytestmark = pytest.mark.unit

PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQ...\n-----END PRIVATE KEY-----\n"


def test_a_sealed_secret_hides_the_key_and_opens_again() -> None:
    sealer = Sealer(new_key())
    sealed = sealer.seal(PEM)
    assert sealed.startswith(SEALED_PREFIX) and "PRIVATE KEY" not in sealed
    assert sealer.open(sealed) == PEM


def test_without_keys_secrets_stay_plain_and_sealed_ones_cannot_be_opened() -> None:
    plain = Sealer("")
    assert plain.seal(PEM) == PEM and plain.open(PEM) == PEM
    with pytest.raises(SealingError):
        plain.open(Sealer(new_key()).seal(PEM))


def test_a_wrong_key_is_an_error_not_garbage() -> None:
    with pytest.raises(SealingError):
        Sealer(new_key()).open(Sealer(new_key()).seal(PEM))


def test_changing_the_key_encryption_key() -> None:
    old, new = new_key(), new_key()
    stored = Sealer(old).seal(PEM)
    both = Sealer(f"{new}, {old}")
    assert both.open(stored) == PEM  # the old key still opens while both are listed
    resealed = both.resealed(stored)
    assert resealed is not None and Sealer(new).open(resealed) == PEM
    assert both.resealed(resealed) is None  # already sealed with the first key: nothing to do
    assert Sealer(new).resealed(PEM) is not None  # a plain legacy secret gets sealed
    assert Sealer("").resealed(PEM) is None


def test_production_needs_key_encryption_keys() -> None:
    production = {"MATTRAN_ENVIRONMENT": "production", "MATTRAN_REGISTRY_ID_PEPPER": "a-long-random-secret"}
    with pytest.raises(SystemExit, match="MATTRAN_KEY_ENCRYPTION_KEYS"):
        settings_from_env(production)
    assert settings_from_env(production | {"MATTRAN_KEY_ENCRYPTION_KEYS": new_key()}).key_encryption_keys
