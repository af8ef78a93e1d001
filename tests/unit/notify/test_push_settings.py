"""The settings of jobs and push: defaults, the test switches refused in production, derived values."""

import pytest

from backend.features.notify.webpush import PUSH_SERVICE_HOSTS
from backend.settings import settings_from_env

pytestmark = pytest.mark.unit


def test_the_default_allow_list_is_the_push_services_browsers_use() -> None:
    assert settings_from_env({}).push_host_patterns == PUSH_SERVICE_HOSTS


def test_the_allow_list_is_read_from_the_environment() -> None:
    settings = settings_from_env({"MATTRAN_PUSH_SERVICE_HOSTS": " FCM.googleapis.com , *.push.apple.com ,"})

    assert settings.push_host_patterns == ("fcm.googleapis.com", "*.push.apple.com")
    assert settings_from_env({"MATTRAN_PUSH_SERVICE_HOSTS": "*"}).push_host_patterns is None


@pytest.mark.parametrize("switch", [{"MATTRAN_PUSH_SERVICE_HOSTS": "*"}, {"MATTRAN_PUSH_ALLOW_HTTP": "true"}])
def test_production_refuses_the_test_switches(switch: dict[str, str]) -> None:
    with pytest.raises(SystemExit, match="for test stubs, not production"):
        settings_from_env({"MATTRAN_ENVIRONMENT": "production", **switch})
    assert settings_from_env({"MATTRAN_ENVIRONMENT": "test", **switch})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MATTRAN_PUSH_LEASE_SECONDS", "10", "push_lease_seconds must be at least 30"),
        ("MATTRAN_WORKER_CONCURRENCY", "0", "at least 1"),
        ("MATTRAN_PUSH_MAX_ATTEMPTS", "0", "at least 1"),
        ("MATTRAN_PUSH_RETRY_BASE_SECONDS", "0", "at least 1"),
        ("MATTRAN_WORKER_IN_PROCESS", "sometimes", "Invalid setting"),
    ],
)
def test_nonsense_stops_the_process(variable: str, value: str, message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        settings_from_env({variable: value})


@pytest.mark.parametrize(
    ("environ", "in_process"),
    [
        ({}, True),  # embedded database: one command does everything
        ({"DATABASE_URL": "postgresql://db/mattran"}, False),  # run `mattran worker` processes
        ({"DATABASE_URL": "postgresql://db/mattran", "MATTRAN_WORKER_IN_PROCESS": "on"}, True),
        ({"MATTRAN_WORKER_IN_PROCESS": "off"}, False),
    ],
)
def test_where_the_worker_runs(environ: dict[str, str], in_process: bool) -> None:
    assert settings_from_env(environ).runs_worker_in_process is in_process


def test_the_vapid_contact_defaults_to_the_public_hosts_webmaster() -> None:
    assert settings_from_env({"MATTRAN_PUBLIC_URL": "https://mattran.vn"}).push_subscriber == "webmaster@mattran.vn"
    assert settings_from_env({"MATTRAN_PUSH_CONTACT_EMAIL": "ops@mattran.vn"}).push_subscriber == "ops@mattran.vn"
