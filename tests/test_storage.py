"""Uploaded files in an S3 bucket (MEDIA_BUCKET), so every web server and worker reads the same
files: written there through a real page, sent from there by the view that checks who asks,
deleted from there, and never given a public address. The bucket is a real S3 API on the
loopback (moto's server), reached at MEDIA_ENDPOINT_URL as MinIO is in docker-compose.

And a check on the code: nothing reads a stored file by its path on this machine's disk (an
S3 file has none) or links to it by a URL (a bucket's file has no public one)."""

import ast
import re
import runpy
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models
from django.urls import reverse
from moto.server import ThreadedMotoServer

from networks.models import Resource
from tests.factories import CONFIRMED, NetworkFactory
from tests.networks.conftest import join
from tests.uploads import PDF, upload

BUCKET = "mso-portal-files"
REGION = "eu-west-2"
ROOT = Path(__file__).resolve().parent.parent


def configured(monkeypatch, **environment) -> dict:
    """The settings module as this environment makes it (run afresh, not the loaded one)."""
    for name in ("MEDIA_BUCKET", "MEDIA_ENDPOINT_URL", "MEDIA_REGION", "MEDIA_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "mso_portal" / "settings.py"))


@pytest.fixture
def bucket(settings, monkeypatch):
    """A private bucket on a real S3 API, and the file store set up from the environment as
    production's is: the S3 client to look inside it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "test-only")
    made = configured(
        monkeypatch, MEDIA_BUCKET=BUCKET, MEDIA_ENDPOINT_URL=endpoint, MEDIA_REGION=REGION
    )
    settings.STORAGES = {**settings.STORAGES, "default": made["STORAGES"]["default"]}
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.endpoint = endpoint
    yield s3
    s3.close()
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    server.stop()


def keys(s3) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


class TestSettings:
    def test_files_stay_on_this_machines_disk_without_a_bucket(self, monkeypatch):
        made = configured(monkeypatch)
        assert made["STORAGES"]["default"] == {
            "BACKEND": "django.core.files.storage.FileSystemStorage"
        }

    def test_a_bucket_keeps_its_files_private(self, monkeypatch):
        made = configured(monkeypatch, MEDIA_BUCKET=BUCKET, MEDIA_ENDPOINT_URL="http://minio:9000")
        store = made["STORAGES"]["default"]
        assert store["BACKEND"] == "storages.backends.s3.S3Storage"
        assert store["OPTIONS"]["bucket_name"] == BUCKET
        assert store["OPTIONS"]["endpoint_url"] == "http://minio:9000"
        assert store["OPTIONS"]["default_acl"] is None  # no ACL: the bucket's own, private
        assert store["OPTIONS"]["querystring_auth"] is True  # any URL is signed
        assert store["OPTIONS"]["file_overwrite"] is False


@pytest.mark.django_db
def test_a_library_document_is_kept_in_the_bucket_sent_from_it_and_removed_from_it(
    bucket, client_for, mso, django_capture_on_commit_callbacks
):
    national = NetworkFactory(name="National MSO Network", slug="national")
    client = client_for(join(national, mso))
    shared = client.post(
        reverse("networks:resource_create", args=[national.slug]),
        {
            "title": "Insulin safety audit tool",
            "shape": "file",
            "tags": "Insulin",
            "file": upload("audit tool.pdf", PDF),
        },
    )
    assert shared.status_code == 302
    resource = Resource.objects.get()
    assert default_storage.__class__.__name__ == "S3Storage"
    assert keys(bucket) == [resource.file.name]
    kept = bucket.get_object(Bucket=BUCKET, Key=resource.file.name)
    assert kept["Body"].read() == PDF
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=resource.file.name)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # nobody's but the owner's
    with pytest.raises(urllib.error.HTTPError) as refused:  # asked without credentials
        urllib.request.urlopen(f"{bucket.endpoint}/{BUCKET}/{resource.file.name}")  # noqa: S310
    assert refused.value.code == 403

    # Sent by the library's view, from the bucket: the file itself, not a redirect to it.
    sent = client.get(reverse("networks:resource_download", args=[national.slug, resource.pk]))
    assert sent.status_code == 200
    assert b"".join(sent.streaming_content) == PDF
    assert sent["Content-Disposition"] == 'attachment; filename="audit_tool.pdf"'
    assert sent["Content-Type"] == "application/pdf"
    assert sent["X-Content-Type-Options"] == "nosniff"

    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(
            reverse("networks:resource_remove", args=[national.slug, resource.pk]), CONFIRMED
        )
    assert removed.status_code == 302
    assert keys(bucket) == []


@pytest.mark.django_db
def test_a_file_missing_from_the_bucket_reads_as_not_found(bucket):
    # What the report's PDF view relies on to say the file store lost it (committees).
    with pytest.raises(FileNotFoundError):
        default_storage.open("reports/not-there.pdf")
    with pytest.raises(ClientError):
        bucket.head_object(Bucket=BUCKET, Key="reports/not-there.pdf")


# Nothing reads a stored file from this machine's disk or links to it --------------------------

# The names of the things that hold stored files: storages and the models' file fields.
STORES = {"storage", "default_storage", "storages"}


def file_fields() -> set[str]:
    return {
        field.name
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }


def disk_uses(source: str, fields: set[str]) -> list[str]:
    """Where code asks for a stored file's ``.path`` (on S3 there is none) or ``.url`` (a
    bucket's file has no public one; files are sent by views that check who asks), or for
    MEDIA_ROOT (the folder of the disk store only)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ("path", "url"):
            holder = node.value
            name = getattr(holder, "attr", None) or getattr(holder, "id", None)
            if name in fields or name in STORES:
                found.append(f"line {node.lineno}: .{name}.{node.attr}")
        if isinstance(node, ast.Attribute | ast.Name) and "MEDIA_ROOT" in (
            getattr(node, "attr", None),
            getattr(node, "id", None),
        ):
            found.append(f"line {node.lineno}: MEDIA_ROOT")
    return sorted(found)


def test_the_check_finds_a_stored_files_path_and_url():
    source = (
        "open(report.pdf.path)\n"
        "link = resource.file.url\n"
        "where = default_storage.path(name)\n"
        "folder = settings.MEDIA_ROOT\n"
        "fine = request.path\n"
    )
    assert disk_uses(source, {"pdf", "file"}) == [
        "line 1: .pdf.path",
        "line 2: .file.url",
        "line 3: .default_storage.path",
        "line 4: MEDIA_ROOT",
    ]


def test_no_code_reads_a_stored_file_from_the_disk_or_links_to_it():
    fields = file_fields()
    assert {"file", "pdf"} <= fields
    packages = {Path(config.path) for config in apps.get_app_configs()}
    packages = sorted(p for p in packages | {ROOT / "mso_portal"} if p.parent == ROOT)
    assert ROOT / "networks" in packages
    found = []
    for package in packages:
        for module in sorted(package.rglob("*.py")):
            if "migrations" in module.parts or module == ROOT / "mso_portal" / "settings.py":
                continue
            found += [
                f"{module.relative_to(ROOT)} {use}"
                for use in disk_uses(module.read_text(encoding="utf-8"), fields)
            ]
    linked = re.compile(r"\.(" + "|".join(sorted(fields)) + r")\.(path|url)\b")
    for template in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if linked.search(line):
                found.append(f"{template.relative_to(ROOT)} line {number}: {line.strip()}")
    assert found == []
