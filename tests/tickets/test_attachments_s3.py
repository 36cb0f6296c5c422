"""Attachments in an S3-compatible bucket (django-storages), against moto's S3 server on
a loopback port: a real HTTP S3 API, not a mock of boto. Private objects, downloads only
through the portal's permission check, nothing left behind by a rolled-back ticket."""

import io
import socket

import boto3
import pytest
from django.db import DatabaseError
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from helpdesk.tickets import services
from helpdesk.tickets.attachments import Upload
from tests.factories import SuperAdminFactory

pytestmark = pytest.mark.django_db

BUCKET = "premium-desk-attachments"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings):
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "location": "attachments",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _ticket(requester, uploads):
    return services.ticket_create(
        requester=requester,
        channel="email",
        subject="Chart is empty",
        description="Screenshot attached.",
        business_critical=False,
        attachments=uploads,
    )


def test_a_screenshot_goes_to_the_bucket_privately_and_downloads_through_the_portal(bucket, client):
    requester = SuperAdminFactory()
    content = png()
    ticket = _ticket(requester, [Upload("chart.png", content)])
    [item] = ticket.attachments.all()
    assert keys(bucket) == sorted(
        [f"attachments/{item.path}", f"attachments/{item.thumbnail_path}"]
    )
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=f"attachments/{item.path}")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only
    assert all("URI" not in g["Grantee"] for g in grants)  # no AllUsers / AuthenticatedUsers

    client.force_login(requester)
    response = client.get(reverse("attachment_download", args=[item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_someone_from_another_account_cannot_download_it(bucket, client):
    ticket = _ticket(SuperAdminFactory(), [Upload("notes.txt", b"steps to reproduce")])
    [item] = ticket.attachments.all()
    client.force_login(SuperAdminFactory())
    assert client.get(reverse("attachment_download", args=[item.pk])).status_code == 404


def test_a_ticket_rolled_back_leaves_nothing_in_the_bucket(bucket, monkeypatch):
    def fail(**kwargs):
        raise DatabaseError("the database went away mid-transaction")

    monkeypatch.setattr(services, "outbox_enqueue", fail)
    requester = SuperAdminFactory()
    with pytest.raises(DatabaseError):
        _ticket(requester, [Upload("chart.png", png()), Upload("app.log", b"trace")])
    assert keys(bucket) == []
    assert not requester.requested_tickets.exists()
