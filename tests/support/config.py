from backend.lib.sealing import Sealer
from backend.settings import Settings, settings_from_env

# Tests seal the stored private keys as production does (a fixed key, for tests only).
TEST_KEY_ENCRYPTION_KEY = "zsf3WSqYCFAkgcttnP0ehGeIrqOkYFlQmq5F75h_YHA="
TEST_SEALER = Sealer(TEST_KEY_ENCRYPTION_KEY)


def settings_for(database_url: str, **overrides: object) -> Settings:
    """Settings for tests: the given database, https issuer, and cheap Argon2 (the cost is a setting; the
    algorithm is the same)."""
    values: dict[str, object] = {
        "database_url": database_url,
        "environment": "test",
        "log_json": False,
        "public_url": "https://testserver",
        "argon2_memory_kib": 1024,
        "argon2_time_cost": 1,
        "argon2_parallelism": 1,
        "key_encryption_keys": TEST_KEY_ENCRYPTION_KEY,
        # Tests file many petitions from one address; the limit itself is tested with a low value.
        "anonymous_writes_per_minute": 100_000,
    }
    return settings_from_env({}, **(values | overrides))
