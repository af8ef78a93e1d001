"""The deployments and the app agree: every variable compose and Kubernetes set is one the app (or the
server under it) reads, and each gives the app all that production requires, with secrets from secrets."""

from __future__ import annotations

import configparser
import secrets
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest
import uvicorn
from deploy_helpers import (
    DEPLOY,
    FILE_SUFFIX,
    K8S,
    NON_SETTINGS,
    compose,
    compose_interpolation_names,
    dockerfile_env,
    env_file,
    k8s_documents,
)

from backend.lib.sealing import new_key
from backend.settings import Settings, env_name, settings_from_env

pytestmark = pytest.mark.unit

SETTING_NAMES = {env_name(field.name) for field in msgspec.structs.fields(Settings)}
COMPOSE_VARIABLES = {"PUBLIC_HOST": "mattran.example.gov.vn", "PUSH_CONTACT_EMAIL": "it@example.gov.vn"}
# The secrets' contents, as an operator makes them (docs/operations.md).
SECRET_VALUES = {
    "PGPASSWORD": secrets.token_urlsafe(24),
    "MATTRAN_KEY_ENCRYPTION_KEYS": new_key(),
    "MATTRAN_REGISTRY_ID_PEPPER": secrets.token_urlsafe(48),
    "MATTRAN_METRICS_TOKEN": secrets.token_urlsafe(32),
}
APP_SERVICES = ("web", "worker")


def compose_environment(service: str) -> tuple[dict[str, str], dict[str, str]]:
    """(plain variables, NAME -> secret name for NAME_FILE=/run/secrets/<secret>) of a compose service."""
    environment = {
        name: str(value) for name, value in compose(COMPOSE_VARIABLES)["services"][service]["environment"].items()
    }
    from_files = {
        name.removesuffix(FILE_SUFFIX): value.removeprefix("/run/secrets/")
        for name, value in environment.items()
        if name.endswith(FILE_SUFFIX)
    }
    plain = {name: value for name, value in environment.items() if not name.endswith(FILE_SUFFIX)}
    return plain, from_files


def k8s_objects(kind: str) -> dict[str, dict[str, Any]]:
    return {document["metadata"]["name"]: document for _, document in k8s_documents() if document["kind"] == kind}


def k8s_environment() -> tuple[dict[str, str], set[str]]:
    """(the ConfigMap's variables, the names the secret template gives) that web and worker pods receive."""
    config = k8s_objects("ConfigMap")["mattran-config"]["data"]
    return {name: str(value) for name, value in config.items()}, set(env_file(K8S / "secrets.env.example"))


def production_settings(environment: dict[str, str]) -> Settings:
    return settings_from_env(dockerfile_env() | environment)


def required_in_production(environment: dict[str, str]) -> set[str]:
    """The variables of a working environment without which the app refuses to start."""
    required = set()
    for name in environment:
        try:
            production_settings({key: value for key, value in environment.items() if key != name})
        except SystemExit:
            required.add(name)
    return required


def test_every_variable_the_deployments_set_is_read_by_the_app() -> None:
    # The image also sets PATH and Python's own variables; its MATTRAN_* ones must be settings.
    named = {name for name in dockerfile_env() if name.startswith("MATTRAN_") or name == "DATABASE_URL"}
    for service in APP_SERVICES:
        plain, from_files = compose_environment(service)
        named |= set(plain) | set(from_files)
    config, secret_names = k8s_environment()
    named |= set(config) | secret_names
    unknown = {name for name in named if name not in SETTING_NAMES and name not in NON_SETTINGS}
    assert unknown == set(), "not a setting in backend/settings.py (nor a known server variable)"
    # Compose-level variables in the MATTRAN_ namespace must be settings too, or they look like ones.
    assert {name for name in compose_interpolation_names() if name.startswith("MATTRAN_")} <= SETTING_NAMES


def test_compose_gives_web_and_worker_a_working_production_environment() -> None:
    document = compose(COMPOSE_VARIABLES)
    for service in APP_SERVICES:
        plain, from_files = compose_environment(service)
        declared = set(document["services"][service]["secrets"])
        assert set(from_files.values()) <= declared, f"{service} reads a secret it is not given"
        assert declared <= set(document["secrets"])
        environment = plain | {name: SECRET_VALUES[name] for name in from_files}
        settings = production_settings(environment)
        assert settings.environment == "production"
        assert urlsplit(settings.database_url).hostname in document["services"]
        assert settings.public_url == "https://mattran.example.gov.vn"
        # What production refuses to start without comes from secrets, never from plain variables.
        assert required_in_production(environment) == {"MATTRAN_KEY_ENCRYPTION_KEYS", "MATTRAN_REGISTRY_ID_PEPPER"}
        assert required_in_production(environment) <= set(from_files)


def test_kubernetes_gives_web_and_worker_a_working_production_environment() -> None:
    config, secret_names = k8s_environment()
    environment = config | {name: SECRET_VALUES[name] for name in secret_names}
    settings = production_settings(environment)
    assert settings.environment == "production"
    assert required_in_production(environment) == {"MATTRAN_KEY_ENCRYPTION_KEYS", "MATTRAN_REGISTRY_ID_PEPPER"}
    assert required_in_production(environment) <= secret_names
    for name in ("mattran-web", "mattran-worker"):
        container = k8s_objects("Deployment")[name]["spec"]["template"]["spec"]["containers"][0]
        sources = {next(iter(ref)): ref[next(iter(ref))]["name"] for ref in container["envFrom"]}
        assert sources == {"configMapRef": "mattran-config", "secretRef": "mattran-secrets"}, name
    generator = {item["name"]: item for item in _kustomization()["secretGenerator"]}
    assert generator["mattran-secrets"]["envs"] == ["secrets/mattran.env"]


def test_kubernetes_database_addresses_match_the_services_and_pgbouncer() -> None:
    config, _ = k8s_environment()
    services = k8s_objects("Service")
    pooled, direct = urlsplit(config["DATABASE_URL"]), urlsplit(config["MATTRAN_DIRECT_DATABASE_URL"])
    assert pooled.hostname == "mattran-pgbouncer" and pooled.hostname in services
    assert direct.hostname == "mattran-postgres" and direct.hostname in services
    pgbouncer = configparser.ConfigParser()
    pgbouncer.read(K8S / "pgbouncer.ini")
    assert pooled.port == int(pgbouncer["pgbouncer"]["listen_port"])
    assert pooled.path.lstrip("/") in pgbouncer["databases"]
    # Transaction pooling moves a client between server connections: no cached prepared statements then.
    if pgbouncer["pgbouncer"]["pool_mode"] != "session":
        assert config["MATTRAN_DB_STATEMENT_CACHE_SIZE"] == "0"
    container = k8s_objects("Deployment")["mattran-pgbouncer"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][-1] == pgbouncer["pgbouncer"]["auth_file"].replace("userlist.txt", "pgbouncer.ini")


def test_the_image_alone_refuses_to_start_without_secrets() -> None:
    assert dockerfile_env()["MATTRAN_ENVIRONMENT"] == "production"
    with pytest.raises(SystemExit):
        production_settings({"DATABASE_URL": "postgresql://mattran@db/mattran"})


def test_uvicorn_reads_the_trusted_proxy_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    plain, _ = compose_environment("web")
    config, _ = k8s_environment()
    for value in (plain["FORWARDED_ALLOW_IPS"], config["FORWARDED_ALLOW_IPS"]):
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", value)
        assert uvicorn.Config(app="backend.app:create_app_from_env", proxy_headers=True).forwarded_allow_ips == value


def _kustomization() -> dict[str, Any]:
    import yaml

    document: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return document


def test_compose_file_variables_are_documented() -> None:
    operations = (DEPLOY.parent / "docs" / "operations.md").read_text()
    for name in compose_interpolation_names():
        assert f"`{name}`" in operations, f"{name} is not explained in docs/operations.md"
