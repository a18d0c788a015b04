"""docker-compose.yml runs on several machines' worth of containers: web containers that keep
nothing of their own behind the stack's proxy, a worker for every queue the settings name, one
beat, and uploaded files in the bucket rather than on a volume."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def stack() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def command(service: dict) -> str:
    given = service.get("command", "")
    return " ".join(given) if isinstance(given, list) else given


def test_the_web_containers_keep_no_files_and_publish_no_port(stack):
    services = stack["services"]
    assert "ports" not in services["web"]  # the proxy's port, so web can be scaled
    for name, service in services.items():
        for volume in service.get("volumes", []):
            assert "private-media" not in volume, name
    assert "media" not in stack["volumes"]
    environment = services["web"]["environment"]
    assert environment["MEDIA_BUCKET"]
    assert environment["MEDIA_ENDPOINT_URL"] == "http://minio:9000"
    assert services["bucket"]["depends_on"]["minio"]["condition"] == "service_healthy"


def test_the_proxy_shares_requests_among_the_web_containers(stack):
    proxy = stack["services"]["proxy"]
    mounted = proxy["volumes"][0].split(":")[0]
    caddyfile = (ROOT / mounted).read_text(encoding="utf-8")
    assert re.search(r"dynamic a web 8000", caddyfile)
    address = proxy["networks"]["front"]["ipv4_address"]
    assert address in stack["services"]["web"]["environment"]["PROXY_ADDRESSES"]
    edge_gateway = stack["networks"]["edge"]["ipam"]["config"][0]["gateway"]
    assert f"trusted_proxies static {edge_gateway}/32" in caddyfile
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_web_containers_are_checked_for_readiness(stack):
    check = " ".join(stack["services"]["web"]["healthcheck"]["test"])
    assert "/readyz" in check


def test_migrations_run_once_before_any_web_container(stack):
    services = stack["services"]
    assert "migrate" in command(services["migrate"])
    assert "migrate" not in command(services["web"])
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_a_worker_reads_every_queue_and_one_runs_for_each(stack):
    services = stack["services"]
    assert "-Q" not in command(services["worker"])  # settings.CELERY_TASK_QUEUES: all of them
    read = {
        re.search(r"-Q (\S+)", command(service))
        .group(1)
        .replace("$${CELERY_QUEUE}", settings.CELERY_QUEUE)
        for name, service in services.items()
        if name.startswith("worker-")
    }
    assert read == {settings.CELERY_QUEUE, *settings.CELERY_WORK_QUEUES.values()}
    assert {queue.name for queue in settings.CELERY_TASK_QUEUES} == read


def test_there_is_exactly_one_beat(stack):
    beats = [name for name, s in stack["services"].items() if "beat" in command(s)]
    assert beats == ["beat"]
    assert stack["services"]["beat"]["deploy"]["replicas"] == 1


def test_the_proxy_writes_no_access_log(stack):
    """Its log would name each client's address, browser and the address they asked for: an
    anonymous reporter beside their send (ADR 18), and the tokens of invitation links."""
    mounted = stack["services"]["proxy"]["volumes"][0].split(":")[0]
    directives = [
        line.split("#")[0].split()
        for line in (ROOT / mounted).read_text(encoding="utf-8").splitlines()
    ]
    assert not [words for words in directives if words and words[0] == "log"]
