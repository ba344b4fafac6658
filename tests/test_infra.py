"""infra/: the compose file, the Kubernetes manifests and the image, checked without a Docker
daemon, an image registry or a cluster (none is reachable where the tests run).

Validators, both offline: the compose-spec JSON schema (vendored in infra/schemas/) and
kubernetes-validate (the Kubernetes API schemas, shipped inside the package). `kubectl
kustomize` builds the kustomization when kubectl is installed. The worker is also started
as the files run it, against a loopback redis-server and moto's S3 server. Everything read
is in the repository; nothing is sent beyond the loopback interface."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shlex
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from demoweb import free_port
from storyarchive.cli import build_parser
from storyarchive.store import STORE_SETTING
from storyarchive.store.s3 import S3Options
from storyarchive.story import parse_story
from tests.commands.crawlproc import Cli, Running
from tests.fixtures.s3server import subprocess_env

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
K8S = INFRA / "k8s"
REDIS_URL = "redis://redis:6379/0"
STORE_URI = "s3://storyarchive/archive"
METRICS_PORT = "9410"
SPOOL_DIR = "/var/lib/storyarchive/spool"
STATE_DIR = "/var/lib/storyarchive/state"
# An older Kubernetes release still in use, and the newest one kubernetes-validate knows.
K8S_VERSIONS = ("1.29", kubernetes_validate.latest_version())
# Variables infra sets that storyarchive does not read from the environment yet, and why.
ENVIRONMENT_GAPS: dict[str, str] = {}

# ---------------------------------------------------------------- reading infra/


def compose() -> dict[str, Any]:
    return yaml.safe_load((INFRA / "compose.yaml").read_text())


def compose_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads((INFRA / "schemas" / "compose-spec.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def k8s_manifests() -> list[tuple[str, dict[str, Any]]]:
    """(file name, resource) for every resource under infra/k8s (not the kustomization)."""
    return [
        (path.name, resource)
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for resource in yaml.safe_load_all(path.read_text())
        if resource
    ]


def k8s_resource(kind: str, name: str) -> dict[str, Any]:
    return next(r for _, r in k8s_manifests() if r["kind"] == kind and r["metadata"]["name"] == name)


def k8s_errors(resource: dict[str, Any], version: str) -> list[str]:
    """kubernetes-validate's verdict (strict: unknown fields are errors); it stops at the first."""
    try:
        kubernetes_validate.validate(resource, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{'.'.join(map(str, exc.path))}: {exc.message}"]
    return []


def kustomization() -> dict[str, Any]:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def pod_spec(resource: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a workload, {} for a resource that runs no pod."""
    spec = resource.get("spec", {})
    if resource["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec.get("template", {}).get("spec", {}))


def k8s_containers() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(resource name, pod spec, container) for every container and init container."""
    for _, resource in k8s_manifests():
        spec = pod_spec(resource)
        for container in spec.get("initContainers", []) + spec.get("containers", []):
            yield resource["metadata"]["name"], spec, container


def storyarchive_argv(command: str | list[str]) -> list[str] | None:
    """The storyarchive arguments of a container's command (a string is split as compose
    does; `sh -c "... exec storyarchive ..."` is reduced to what follows the exec), or
    None when the container runs something else."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2].rpartition("exec ")[2])
    return words[1:] if words and words[0] == "storyarchive" else None


def infra_commands() -> list[tuple[str, list[str]]]:
    """(where, storyarchive arguments) for every storyarchive command in compose and k8s."""
    found = []
    for name, service in compose()["services"].items():
        argv = storyarchive_argv(service.get("command", ""))
        if argv:
            found.append((f"compose:{name}", argv))
    for resource, _, container in k8s_containers():
        argv = storyarchive_argv(container.get("command", []) + container.get("args", []))
        if argv:
            found.append((f"k8s:{resource}/{container['name']}", argv))
    return found


def option(argv: list[str], flag: str) -> str | None:
    return argv[argv.index(flag) + 1] if flag in argv else None


def setting(argv: list[str], name: str) -> str | None:
    """The value a command gives setting `name` with --set NAME=VALUE."""
    values = [argv[i + 1].partition("=")[2] for i, a in enumerate(argv[:-1])
              if a == "--set" and argv[i + 1].startswith(f"{name}=")]
    return values[-1] if values else None


def redis_of(argv: list[str]) -> str | None:
    """The Redis of a distributed command: --redis URL, or --set STORYARCHIVE_REDIS_URL=URL
    (which a `schedule` passes on to each crawl: the same as `crawl --redis`)."""
    return option(argv, "--redis") or setting(argv, "STORYARCHIVE_REDIS_URL")


def by_subcommand(name: str) -> list[tuple[str, list[str]]]:
    return [(where, argv) for where, argv in infra_commands() if argv[0] == name]


def cli_subcommands() -> set[str]:
    parser = build_parser()
    return set(next(a for a in parser._actions if a.dest == "command").choices or {})


# ---------------------------------------------------------------- compose


def test_compose_file_satisfies_the_compose_specification():
    assert compose_errors(compose()) == []


@pytest.mark.parametrize(
    "breakage, expected",
    [
        (lambda c: c["services"]["worker"].update(comand="storyarchive worker"), "comand"),
        (lambda c: c["services"]["worker"]["deploy"].update(replicas=[3]), "replicas"),
        (lambda c: c["services"]["redis"].update(volumes="redis-data:/data"), "volumes"),
    ],
    ids=["misspelt-key", "replicas-not-a-number", "volumes-not-a-list"],
)
def test_compose_schema_rejects_a_broken_copy(breakage, expected):
    broken = copy.deepcopy(compose())
    breakage(broken)
    errors = compose_errors(broken)
    assert errors and any(expected in e for e in errors), errors


def test_compose_redis_keeps_an_append_only_file_on_a_named_volume():
    redis = compose()["services"]["redis"]
    assert redis["image"] == "redis:7"
    args = redis["command"]
    assert args[args.index("--appendonly") + 1] == "yes"
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction"
    volume, _, target = redis["volumes"][0].partition(":")
    assert target == "/data" and volume in compose()["volumes"]


def test_compose_bucket_of_the_store_is_made_before_any_storyarchive_service_starts():
    services = compose()["services"]
    bucket = STORE_URI.removeprefix("s3://").split("/")[0]
    assert services["s3-init"]["entrypoint"][:2] == ["mc", "mb"]
    assert services["s3-init"]["entrypoint"][-1] == f"s3/{bucket}"
    assert services["s3-init"]["depends_on"]["s3"]["condition"] == "service_healthy"

    def waits_for_bucket(name: str) -> bool:
        deps = services[name].get("depends_on", {})
        return deps.get("s3-init", {}).get("condition") == "service_completed_successfully" or any(
            waits_for_bucket(dep) for dep in deps if dep in services
        )

    for name, service in services.items():
        if storyarchive_argv(service.get("command", "")):
            assert waits_for_bucket(name), name


def test_compose_runs_three_workers_with_the_worker_command_and_a_volume_for_spool_and_state():
    worker = compose()["services"]["worker"]
    argv = storyarchive_argv(worker["command"])
    assert argv is not None and argv[0] == "worker"
    assert option(argv, "--redis") == REDIS_URL
    assert option(argv, "--store") == STORE_URI
    assert option(argv, "--metrics-port") == METRICS_PORT
    assert setting(argv, "STORYARCHIVE_METRICS_HOST") == "0.0.0.0"  # reachable from outside
    assert worker["deploy"]["replicas"] == 3
    assert worker["stop_grace_period"] == "60s"
    env = worker["environment"]
    assert env["STORYARCHIVE_SPOOL_DIR"] == SPOOL_DIR and env["STORYARCHIVE_STATE_DIR"] == STATE_DIR
    assert env["AWS_ENDPOINT_URL_S3"] == "http://s3:9000"
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "STORYARCHIVE_CONTACT_URL"} <= env.keys()
    volume, _, target = worker["volumes"][0].partition(":")
    assert volume in compose()["volumes"]
    assert PurePosixPath(SPOOL_DIR).parent == PurePosixPath(target) == PurePosixPath(STATE_DIR).parent


def test_compose_scheduler_crawls_the_story_files_mounted_read_only():
    scheduler = compose()["services"]["scheduler"]
    argv = storyarchive_argv(scheduler["command"])
    assert argv is not None and argv[0] == "schedule" and argv[-1] == "/stories/*.toml"
    assert redis_of(argv) == REDIS_URL and option(argv, "--store") == STORE_URI
    assert any(v.endswith(":/stories:ro") for v in scheduler["volumes"])


def test_compose_variables_are_all_in_the_env_example():
    text = (INFRA / "compose.yaml").read_text()
    example = (INFRA / "compose.env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, re.M))
    required_set = set(re.findall(r"^([A-Z][A-Z0-9_]*)=\S", example, re.M))
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    required = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?", text))
    assert used and used <= listed, used - listed
    assert required <= required_set, required - required_set


# ---------------------------------------------------------------- Kubernetes


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_kubernetes_manifests_satisfy_the_api_schemas(version):
    errors = {f"{f}: {r['kind']}/{r['metadata']['name']}": k8s_errors(r, version) for f, r in k8s_manifests()}
    assert {k: v for k, v in errors.items() if v} == {}
    assert len(errors) >= 9  # namespace, configmap, secret, redis x2, worker, scheduler, replay x2


@pytest.mark.parametrize(
    "breakage, expected",
    [
        (lambda d: d["spec"].update(replica=3), "replica"),
        (lambda d: d["spec"]["template"]["spec"]["containers"][0].update(args="storyarchive worker"), "args"),
        (lambda d: d["spec"]["template"]["spec"].update(terminationGracePeriodSeconds="60s"), "60s"),
    ],
    ids=["misspelt-field", "args-not-a-list", "grace-period-not-a-number"],
)
def test_kubernetes_schema_rejects_a_broken_copy(breakage, expected):
    broken = copy.deepcopy(k8s_resource("Deployment", "storyarchive-worker"))
    breakage(broken)
    errors = k8s_errors(broken, K8S_VERSIONS[-1])
    assert errors and expected in errors[0], errors


def test_kustomization_lists_every_manifest_and_story_file():
    kust = kustomization()
    assert kust["namespace"] == "storyarchive"
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kust["resources"]) == sorted(manifests)
    (stories,) = [g for g in kust["configMapGenerator"] if g["name"] == "storyarchive-stories"]
    assert sorted(stories["files"]) == sorted(f"stories/{p.name}" for p in (K8S / "stories").glob("*.toml"))


@pytest.mark.parametrize("path", sorted((K8S / "stories").glob("*.toml")), ids=lambda p: p.name)
def test_example_story_files_are_valid_stories(path):
    story = parse_story(path.read_text(), str(path))
    assert story.schedule is not None  # the CronJob crawls only stories with a cadence


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomization_builds_and_its_output_satisfies_the_api_schemas():
    done = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    built = [r for r in yaml.safe_load_all(done.stdout) if r]
    assert [k8s_errors(r, K8S_VERSIONS[-1]) for r in built if k8s_errors(r, K8S_VERSIONS[-1])] == []
    assert all(r["metadata"].get("namespace") == "storyarchive" for r in built if r["kind"] != "Namespace")
    (stories,) = [r for r in built if r["metadata"]["name"].startswith("storyarchive-stories")]
    (cronjob,) = [r for r in built if r["kind"] == "CronJob"]
    volumes = {v["name"]: v for v in pod_spec(cronjob)["volumes"]}
    assert volumes["stories"]["configMap"]["name"] == stories["metadata"]["name"]
    assert set(stories["data"]) == {p.name for p in (K8S / "stories").glob("*.toml")}


def test_every_configmap_and_secret_a_container_uses_is_defined():
    defined = {(r["kind"], r["metadata"]["name"]) for _, r in k8s_manifests()}
    defined |= {("ConfigMap", g["name"]) for g in kustomization()["configMapGenerator"]}
    used = set()
    for _, spec, container in k8s_containers():
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                used.add(("ConfigMap", source["configMapRef"]["name"]))
            if "secretRef" in source:
                used.add(("Secret", source["secretRef"]["name"]))
        for volume in spec.get("volumes", []):
            if "configMap" in volume:
                used.add(("ConfigMap", volume["configMap"]["name"]))
        assert "env" not in container, "settings go in the ConfigMap or the Secret"
    assert used and used <= defined, used - defined


def test_example_secret_holds_placeholders_only():
    secret = k8s_resource("Secret", "storyarchive-s3-credentials")
    assert set(secret["stringData"]) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert all(value.startswith("REPLACE-ME") for value in secret["stringData"].values())
    assert "data" not in secret


def test_worker_deployment_runs_three_workers_that_stop_cleanly_and_expose_metrics():
    worker = k8s_resource("Deployment", "storyarchive-worker")
    pod = worker["spec"]["template"]
    spec = pod["spec"]
    (container,) = spec["containers"]
    argv = storyarchive_argv(container["args"])
    assert argv is not None and argv[0] == "worker"
    assert (option(argv, "--redis"), option(argv, "--store")) == (REDIS_URL, STORE_URI)
    assert option(argv, "--metrics-port") == METRICS_PORT
    assert setting(argv, "STORYARCHIVE_METRICS_HOST") == "0.0.0.0"  # the probes come from outside
    assert worker["spec"]["replicas"] == 3
    assert spec["terminationGracePeriodSeconds"] == 60
    assert {s.get("configMapRef", s.get("secretRef"))["name"] for s in container["envFrom"]} == {
        "storyarchive-config",
        "storyarchive-s3-credentials",
    }
    assert container["resources"]["requests"]["memory"] == "1Gi"
    assert container["resources"]["limits"]["memory"]
    assert {p["name"]: str(p["containerPort"]) for p in container["ports"]} == {"metrics": METRICS_PORT}
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/metrics", "port": "metrics"}
    annotations = pod["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == METRICS_PORT
    assert annotations["prometheus.io/path"] == "/metrics"
    (mount,) = container["volumeMounts"]
    data_dir = PurePosixPath(mount["mountPath"])
    assert data_dir == PurePosixPath(SPOOL_DIR).parent == PurePosixPath(STATE_DIR).parent
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert "emptyDir" in volumes[mount["name"]]


def test_configmap_puts_spool_and_state_on_the_data_volume():
    data = k8s_resource("ConfigMap", "storyarchive-config")["data"]
    assert (data["STORYARCHIVE_SPOOL_DIR"], data["STORYARCHIVE_STATE_DIR"]) == (SPOOL_DIR, STATE_DIR)
    assert data["STORYARCHIVE_STORE"] == STORE_URI
    assert data["AWS_ENDPOINT_URL_S3"].startswith("http")
    assert not any(k.startswith("AWS_SECRET") or k == "AWS_ACCESS_KEY_ID" for k in data)


def test_scheduler_cronjob_runs_schedule_once_over_the_stories_configmap():
    cronjob = k8s_resource("CronJob", "storyarchive-scheduler")
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    spec = pod_spec(cronjob)
    (container,) = spec["containers"]
    argv = storyarchive_argv(container["args"])
    assert argv is not None and argv[:2] == ["schedule", "--once"] and argv[-1] == "/stories/*.toml"
    assert (redis_of(argv), option(argv, "--store")) == (REDIS_URL, STORE_URI)
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts["/stories"]["readOnly"] is True
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes[mounts["/stories"]["name"]]["configMap"]["name"] == "storyarchive-stories"


def test_redis_statefulset_keeps_an_append_only_file_on_a_claim():
    redis = k8s_resource("StatefulSet", "redis")
    (container,) = redis["spec"]["template"]["spec"]["containers"]
    args = container["args"]
    assert args[args.index("--appendonly") + 1] == "yes"
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction"
    (claim,) = redis["spec"]["volumeClaimTemplates"]
    assert {"name": claim["metadata"]["name"], "mountPath": "/data"} in container["volumeMounts"]
    service = k8s_resource("Service", "redis")
    assert service["spec"]["ports"][0]["port"] == 6379 == int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])


def test_replay_service_reaches_the_port_replay_listens_on():
    deployment = k8s_resource("Deployment", "storyarchive-replay")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    argv = storyarchive_argv(container["args"])
    assert argv is not None and argv[0] == "replay" and option(argv, "--store") == STORE_URI
    # replay listens on 127.0.0.1:--port; socat forwards the container port to it.
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
    assert f"TCP-LISTEN:{port}," in container["args"][2]
    assert f"TCP:127.0.0.1:{option(argv, '--port')}" in container["args"][2]
    service = k8s_resource("Service", "storyarchive-replay")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]


# ---------------------------------------------------------------- both, and the image


def test_compose_and_kubernetes_run_the_same_worker_and_scheduler():
    workers = {tuple(argv) for _, argv in by_subcommand("worker")}
    assert len(workers) == 1
    schedulers = {tuple(a for a in argv if a != "--once") for _, argv in by_subcommand("schedule")}
    assert len(schedulers) == 1


def test_every_command_uses_the_one_store_and_the_one_redis():
    commands = infra_commands()
    assert len(commands) >= 8
    assert {option(argv, "--store") for _, argv in commands} == {STORE_URI}
    assert {redis_of(argv) for _, argv in commands} - {None} == {REDIS_URL}


@pytest.mark.parametrize("where, argv", infra_commands(), ids=[w for w, _ in infra_commands()])
def test_every_storyarchive_command_parses_with_the_cli(where, argv):
    parser = build_parser()
    assert argv[0] in cli_subcommands(), f"{where}: storyarchive has no command {argv[0]!r}"
    try:
        parser.parse_args(argv)
    except SystemExit as exc:
        pytest.fail(f"{where}: storyarchive {shlex.join(argv)} is refused by the CLI (exit {exc.code})")


def infra_environment() -> dict[str, set[str]]:
    """Every variable infra sets for a storyarchive container -> where it is set."""
    found: dict[str, set[str]] = {}
    for name, service in compose()["services"].items():
        if storyarchive_argv(service.get("command", "")):
            for var in service.get("environment", {}):
                found.setdefault(var, set()).add(f"compose:{name}")
    for var in k8s_resource("ConfigMap", "storyarchive-config")["data"]:
        found.setdefault(var, set()).add("configmap.yaml")
    for var in re.findall(r"^\s+([A-Z][A-Z0-9_]*)=", (INFRA / "Dockerfile").read_text(), re.M):
        found.setdefault(var, set()).add("Dockerfile")
    return found


def variables_storyarchive_reads() -> set[str]:
    """The STORYARCHIVE_* variables the program reads from the environment: the store, the
    S3 options, and each name looked up with os.environ / getenv in its source."""
    names = {STORE_SETTING} | {f"STORYARCHIVE_S3_{f.name.upper()}" for f in dataclasses.fields(S3Options)}
    lookup = re.compile(r"""(?:environ\.get\(|environ\[|getenv\()\s*["'](STORYARCHIVE_\w+)["']"""
                        r"""|^\w*_ENV\s*=\s*["'](STORYARCHIVE_\w+)["']""", re.M)  # or a NAME_ENV constant
    for folder in ("storyarchive", "spiders", "pipelines"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= {a or b for a, b in lookup.findall(path.read_text())}
    return names | {a or b for a, b in lookup.findall((ROOT / "settings.py").read_text())}


def test_every_storyarchive_variable_infra_sets_is_read_by_storyarchive():
    set_by_infra = {v for v in infra_environment() if v.startswith("STORYARCHIVE_")}
    ignored = set_by_infra - variables_storyarchive_reads()
    assert {"STORYARCHIVE_SPOOL_DIR", "STORYARCHIVE_STATE_DIR", "STORYARCHIVE_REPLAY_VENV"} <= set_by_infra
    assert ignored <= ENVIRONMENT_GAPS.keys(), {v: infra_environment()[v] for v in ignored}


def test_dockerfile_installs_both_locks_and_runs_as_the_user_the_manifests_expect():
    dockerfile = (INFRA / "Dockerfile").read_text()
    for lock in ("requirements.lock", "requirements-replay.lock"):
        assert (ROOT / lock).exists() and f"-r {lock}" in dockerfile
    assert "pip install --no-cache-dir --disable-pip-version-check --no-deps ." in dockerfile
    assert dockerfile.count("FROM python:3.11-slim") == 2
    uid = re.search(r"useradd .*--uid (\d+)", dockerfile)
    assert uid is not None
    for name, spec, _ in k8s_containers():
        if name.startswith("storyarchive-"):
            assert spec["securityContext"]["runAsUser"] == int(uid.group(1)), name
    assert re.search(r'^ENTRYPOINT \["/usr/bin/tini", "--"\]$', dockerfile, re.M)
    # With tini as the entrypoint, the manifests give arguments, never a command.
    ours = [c for _, _, c in k8s_containers() if c["image"] == "storyarchive"]
    assert ours and not [c["name"] for c in ours if "command" in c]


def test_infra_readme_explains_every_file():
    readme = (INFRA / "README.md").read_text()
    ignored = ("README.md", ".env")  # .env: the operator's own copy of compose.env.example
    files = [p.relative_to(INFRA) for p in INFRA.rglob("*") if p.is_file() and p.name not in ignored]
    assert len(files) >= 15
    missing = [str(f) for f in files if f"`{f}`" not in readme and f"`{f.name}`" not in readme]
    assert missing == []


# ---------------------------------------------------------------- the worker, run as the files run it


def catches_sigterm(pid: int) -> bool:
    """Whether process `pid` has a SIGTERM handler installed (Linux: SigCgt in /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught, 16) & (1 << (signal.SIGTERM - 1)))


@pytest.fixture
def infra_worker(tmp_path, redis_url, s3_server, s3_bucket) -> Iterator[tuple[Running, int]]:
    """compose.yaml's worker, started with its command and environment, Redis, the bucket,
    the directories and the metrics port moved to this machine's loopback servers. Yields
    (the process, once it waits for crawls and handles SIGTERM; its metrics port)."""
    service = compose()["services"]["worker"]
    port = free_port()
    store = f"s3://{s3_bucket}/archive"
    moved = {REDIS_URL: redis_url, STORE_URI: store, METRICS_PORT: str(port)}
    argv = [moved.get(arg, arg) for arg in storyarchive_argv(service["command"]) or []]
    env = {k: v for k, v in service["environment"].items() if "${" not in v and not k.startswith("AWS_")}
    env.update(STORYARCHIVE_STORE=store, STORYARCHIVE_SPOOL_DIR=str(tmp_path / "spool"),
               STORYARCHIVE_STATE_DIR=str(tmp_path / "state"))
    worker = Cli(tmp_path / "logs", subprocess_env(s3_server.endpoint, **env)).start(*argv)
    try:
        worker.wait_until(lambda: "waiting for crawls" in worker.err_path.read_text()
                          and catches_sigterm(worker.proc.pid), "it waits for crawls", timeout=60)
        yield worker, port
    finally:
        worker.kill(signal.SIGKILL)


def test_the_worker_as_infra_runs_it_stops_cleanly_on_sigterm_within_the_grace_period(infra_worker):
    worker, _ = infra_worker
    grace = pod_spec(k8s_resource("Deployment", "storyarchive-worker"))["terminationGracePeriodSeconds"]
    worker.proc.send_signal(signal.SIGTERM)
    assert worker.proc.wait(timeout=grace) == 0, worker.err_path.read_text()[-2000:]


def test_an_idle_worker_answers_the_probes_on_its_metrics_port(infra_worker):
    _, port = infra_worker
    deadline = time.monotonic() + 10  # about the probes' initial delay
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                assert response.status == 200
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing answers on 127.0.0.1:{port}/metrics: {exc}") from None
            time.sleep(0.2)
