"""The manifests pass their linters offline: Kubernetes objects against the API's schemas (strict, with
kubernetes-validate's bundled schemas), the compose file against the compose specification's schema
(vendored by check-jsonschema), the Caddyfile through Caddy itself where it is installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from deploy_helpers import DEPLOY, K8S, MissingVariable, compose, k8s_documents

pytestmark = pytest.mark.unit

KUBERNETES_VERSION = "1.30.0"  # the oldest release the manifests target; autoscaling/v2 and policy/v1 are GA there
SECRET_EXAMPLES = {"secrets/mattran.env": "secrets.env.example", "secrets/userlist.txt": "userlist.txt.example"}
COMPOSE_VARIABLES = {"PUBLIC_HOST": "mattran.example.gov.vn", "PUSH_CONTACT_EMAIL": "it@example.gov.vn"}


def compose_schema() -> dict[str, Any]:
    schema = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    document: dict[str, Any] = json.loads(schema.read_text())
    return document


def kubernetes_errors(document: dict[str, Any]) -> list[str]:
    try:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [error.message]
    return []


@pytest.mark.parametrize("path_and_document", list(k8s_documents()), ids=lambda pair: pair[0].name)
def test_every_kubernetes_object_is_valid(path_and_document: tuple[Path, dict[str, Any]]) -> None:
    _, document = path_and_document
    assert kubernetes_errors(document) == []
    assert document["metadata"]["namespace" if document["kind"] != "Namespace" else "name"] == "mattran"


def test_the_kubernetes_linter_rejects_a_wrong_object() -> None:
    deployment = next(doc for _, doc in k8s_documents() if doc["metadata"]["name"] == "mattran-web")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["paht"] = "/health"
    assert kubernetes_errors(broken) != []


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    manifests = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests
    generated = [item for key in ("configMapGenerator", "secretGenerator") for item in kustomization[key]]
    for item in generated:
        for entry in item.get("files", []) + item.get("envs", []):
            source = entry.split("=", 1)[-1]
            # Secret sources are made by the operator from committed examples, never committed themselves.
            assert (K8S / SECRET_EXAMPLES.get(source, source)).exists(), source


def test_web_pods_are_probed_on_health_and_bounded() -> None:
    deployment = next(doc for _, doc in k8s_documents() if doc["metadata"]["name"] == "mattran-web")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/health"
    assert {"requests", "limits"} <= set(container["resources"])
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    hpa = next(doc for _, doc in k8s_documents() if doc["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "mattran-web"
    volumes = {volume["name"]: volume for volume in deployment["spec"]["template"]["spec"]["volumes"]}
    claim = next(doc for _, doc in k8s_documents() if doc["kind"] == "PersistentVolumeClaim")
    assert volumes["uploads"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]


def test_compose_file_matches_the_compose_specification() -> None:
    document = compose(COMPOSE_VARIABLES)
    errors = [error.message for error in jsonschema.Draft7Validator(compose_schema()).iter_errors(document)]
    assert errors == []
    assert set(document["services"]) == {"web", "worker", "db", "redis", "proxy"}
    assert document["services"]["redis"]["profiles"] == ["redis"]
    for service in document["services"].values():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), image


def test_compose_schema_rejects_a_wrong_file() -> None:
    document = compose(COMPOSE_VARIABLES)
    document["services"]["web"]["depends_on"] = {"db": {"condition": "when_ready"}}
    assert list(jsonschema.Draft7Validator(compose_schema()).iter_errors(document)) != []


def test_compose_needs_the_public_host() -> None:
    with pytest.raises(MissingVariable, match="PUBLIC_HOST"):
        compose({"PUSH_CONTACT_EMAIL": "it@example.gov.vn"})


def test_caddy_accepts_the_proxy_configuration() -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (apt-get install caddy)")
    result = subprocess.run(
        [caddy, "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile", "--validate"],
        env={**os.environ, "PUBLIC_HOST": COMPOSE_VARIABLES["PUBLIC_HOST"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    route = config["apps"]["http"]["servers"]["srv0"]["routes"][0]
    assert route["match"] == [{"host": [COMPOSE_VARIABLES["PUBLIC_HOST"]]}]
    assert '"dial":"web:8000"' in result.stdout.replace(" ", "")
