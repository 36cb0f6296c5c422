"""Attachments: the allow-list and size rules, storage, thumbnails, and downloads only
by those who may see the item (forged requests from another account and another user)."""

import io
import os
import stat
from email.message import EmailMessage

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from helpdesk.core.files import ATTACHMENT_CSP
from helpdesk.tickets import attachments, services
from helpdesk.tickets.attachments import Upload, attachments_add
from helpdesk.tickets.inbound import inbound_email_receive
from helpdesk.tickets.mail import reply_address
from helpdesk.tickets.models import Attachment, ReplyVisibility
from tests.factories import StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db


def png(size=(800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"
    settings.SUPPORT_EMAIL_ADDRESS = "support@premiumdesk.example"
    return settings.ATTACHMENTS_ROOT


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_an_image_is_stored_privately_with_a_reencoded_thumbnail(_storage):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    [item] = attachments_add(
        ticket=ticket, reply=None, uploaded_by=requester, uploads=[Upload("shot.PNG", png())]
    )
    assert (item.name, item.content_type, item.size) == ("shot.PNG", "image/png", len(png()))
    path = _storage / item.path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    with Image.open(_storage / item.thumbnail_path) as thumb:
        assert thumb.format == "PNG" and max(thumb.size) == 320


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (Upload("tool.exe", b"MZ\x90\x00"), attachments.TYPE_NOT_ALLOWED % {"name": "tool.exe"}),
        (Upload("noext", b"hello"), attachments.TYPE_NOT_ALLOWED % {"name": "noext"}),
        (Upload("report.pdf", png()), attachments.CONTENT_MISMATCH % {"name": "report.pdf"}),
        (Upload("shot.png", PDF), attachments.CONTENT_MISMATCH % {"name": "shot.png"}),
        (Upload("notes.txt", b"bin\x00ary"), attachments.CONTENT_MISMATCH % {"name": "notes.txt"}),
        (
            Upload("notes.txt", b"\xff\xfe\xfd"),
            attachments.CONTENT_MISMATCH % {"name": "notes.txt"},
        ),
        (Upload("zip.txt", b"PK\x03\x04" + b"\x14" * 40), None),
        (Upload("../../etc/.bashrc", b"x"), attachments.NAME_INVALID),
    ],
)
def test_files_off_the_allow_list_or_lying_about_their_type_are_refused(_storage, upload, message):
    ticket = ticket_for(SuperAdminFactory())
    with pytest.raises(ValidationError) as exc:
        attachments_add(
            ticket=ticket,
            reply=None,
            uploaded_by=None,
            uploads=[Upload("fine.pdf", PDF), upload],
        )
    if message is not None:
        assert exc.value.messages == [str(message)]
    assert not Attachment.objects.exists() and not _storage.exists()


def test_the_size_and_count_limits(settings, _storage):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    settings.ATTACHMENT_MAX_TOTAL_BYTES = 1536 * 1024
    settings.ATTACHMENT_MAX_FILES = 2
    ticket = ticket_for(SuperAdminFactory())
    big = Upload("big.txt", b"x" * (1024 * 1024 + 1))
    half = Upload("half.txt", b"x" * (800 * 1024))
    cases = [
        ([big], attachments.FILE_TOO_LARGE % {"name": "big.txt", "limit": "1.0\xa0MB"}),
        ([half, half], attachments.TOTAL_TOO_LARGE % {"limit": "1.5\xa0MB"}),
        ([Upload("a.txt", b"a")] * 3, attachments.TOO_MANY_FILES % {"limit": 2}),
    ]
    for uploads, message in cases:
        with pytest.raises(ValidationError) as exc:
            attachments_add(ticket=ticket, reply=None, uploaded_by=None, uploads=uploads)
        assert exc.value.messages == [str(message)]
    assert not Attachment.objects.exists() and not _storage.exists()


@pytest.fixture
def shared():
    requester = UserFactory(account=SuperAdminFactory().account)
    ticket = ticket_for(requester)
    agent = StaffFactory()
    note = services.ticket_reply(
        ticket=ticket, author=agent, body="internal", visibility=ReplyVisibility.INTERNAL
    )
    [public] = attachments_add(
        ticket=ticket, reply=None, uploaded_by=requester, uploads=[Upload("log.txt", b"trace")]
    )
    [internal] = attachments_add(
        ticket=ticket, reply=note, uploaded_by=agent, uploads=[Upload("dump.png", png())]
    )
    return {"requester": requester, "agent": agent, "public": public, "internal": internal}


def _get(client, item, **params):
    return client.get(reverse("attachment_download", args=[item.pk]), params)


def test_the_requester_downloads_it_as_a_sandboxed_attachment(client, shared):
    client.force_login(shared["requester"])
    response = _get(client, shared["public"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"trace"
    assert response["Content-Disposition"] == 'attachment; filename="log.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == ATTACHMENT_CSP
    assert response["Content-Type"] == "text/plain"


def test_forged_downloads_are_404s(client, shared):
    public, internal = shared["public"], shared["internal"]
    # Another account's super admin, and a regular colleague who did not open the ticket.
    for intruder in (SuperAdminFactory(), UserFactory(account=shared["requester"].account)):
        client.force_login(intruder)
        assert _get(client, public).status_code == 404
        assert _get(client, public, thumbnail="1").status_code == 404
    # The requester never gets a file of an internal note; a missing id says the same.
    client.force_login(shared["requester"])
    assert _get(client, internal).status_code == 404
    assert _get(client, internal, thumbnail="1").status_code == 404
    assert client.get(reverse("attachment_download", args=[999999])).status_code == 404
    client.logout()
    assert _get(client, public).status_code == 302  # to the login page


def test_a_colleague_super_admin_and_a_specialist_may_download(client, shared):
    client.force_login(SuperAdminFactory(account=shared["requester"].account))
    assert _get(client, shared["public"]).status_code == 200
    client.force_login(shared["agent"])
    response = _get(client, shared["internal"], thumbnail="1")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"] == ATTACHMENT_CSP


def test_the_admin_ticket_page_shows_them(client, shared):
    client.force_login(shared["agent"])
    ticket = shared["public"].ticket
    page = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    url = reverse("attachment_download", args=[shared["internal"].pk])
    assert f'<img src="{url}?thumbnail=1"' in page and "log.txt" in page


def _email_with(files, *, sender, to) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, "Re: screenshots"
    message["Message-ID"] = f"<att-{len(files)}-{files[0][0]}@customer.example>"
    message.set_content("See the attached screenshot.")
    for name, content, maintype, subtype in files:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_an_emailed_screenshot_is_attached_to_the_reply(_storage):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    raw = _email_with(
        [("screen.png", png(), "image", "png")], sender=requester.email, to=reply_address(ticket.pk)
    )
    row = inbound_email_receive(raw=raw, transport="imap")
    [item] = ticket.attachments.all()
    assert (item.reply, item.name, item.uploaded_by) == (row.reply, "screen.png", requester)
    assert item.thumbnail_path


def test_an_emailed_file_off_the_list_is_refused_and_the_text_kept(_storage):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    raw = _email_with(
        [("setup.exe", b"MZ\x90\x00", "application", "octet-stream")],
        sender=requester.email,
        to=reply_address(ticket.pk),
    )
    row = inbound_email_receive(raw=raw, transport="imap")
    assert ticket.replies.get().body == "See the attached screenshot."
    assert not ticket.attachments.exists() and not _storage.exists()
    assert "setup.exe: this type of file cannot be attached" in row.detail


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_the_ticket_form_takes_a_screenshot(client, _storage):
    requester = SuperAdminFactory()
    client.force_login(requester)
    response = client.post(
        reverse("ticket_new"),
        {
            "subject": "Broken chart",
            "description": "See the screenshot.",
            "attachments": [_file("chart.png", png())],
        },
    )
    assert response.status_code == 302
    ticket = requester.requested_tickets.get()
    [item] = ticket.attachments.all()
    assert (item.name, item.reply, item.uploaded_by) == ("chart.png", None, requester)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert reverse("attachment_download", args=[item.pk]) + "?thumbnail=1" in page


def test_the_dialog_shows_a_refused_file_and_nothing_is_stored(client, _storage):
    requester = SuperAdminFactory()
    client.force_login(requester)
    response = client.post(
        reverse("ticket_new"),
        {
            "subject": "Broken chart",
            "description": "See the file.",
            "attachments": [_file("chart.pdf", png())],
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "attachments": [str(attachments.CONTENT_MISMATCH % {"name": "chart.pdf"})]
    }
    assert not requester.requested_tickets.exists() and not _storage.exists()


def test_an_oversized_upload_is_refused_before_it_is_read(client, settings, _storage):
    settings.ATTACHMENT_MAX_BYTES = 1024
    requester = SuperAdminFactory()
    client.force_login(requester)
    response = client.post(
        reverse("ticket_new"),
        {"subject": "s", "description": "d", "attachments": [_file("a.txt", b"x" * 2048)]},
    )
    assert response.status_code == 400
    assert "a.txt is larger than the limit of 1.0\xa0KB per file." in response.content.decode()
    assert not requester.requested_tickets.exists()


def test_a_reply_in_the_portal_takes_files_and_a_forged_one_is_refused(client, _storage):
    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    client.force_login(requester)
    url = reverse("ticket_reply", args=[ticket.pk])
    response = client.post(url, {"body": "Log attached", "attachments": [_file("run.log", b"ok")]})
    assert response.status_code == 302
    assert ticket.replies.get().attachments.get().name == "run.log"
    bad = client.post(url, {"body": "again", "attachments": [_file("x.exe", b"MZ")]})
    assert bad.status_code == 400 and ticket.replies.count() == 1
    client.force_login(SuperAdminFactory())  # another account posting into this ticket
    forged = client.post(url, {"body": "mine", "attachments": [_file("run.log", b"ok")]})
    assert forged.status_code == 404
    assert ticket.attachments.count() == 1


def files_in(root) -> list[str]:
    return stored_files(root) if root.exists() else []


def _fail(*args, **kwargs):
    from django.db import DatabaseError

    raise DatabaseError("the database went away mid-transaction")


def test_a_ticket_rolled_back_after_its_files_were_stored_leaves_no_file(_storage, monkeypatch):
    from django.db import DatabaseError

    requester = SuperAdminFactory()
    monkeypatch.setattr(services, "outbox_enqueue", _fail)  # after the files are written
    with pytest.raises(DatabaseError):
        services.ticket_create(
            requester=requester,
            channel="email",
            subject="Broken chart",
            description="See the screenshot.",
            business_critical=False,
            attachments=[Upload("chart.png", png()), Upload("notes.txt", b"steps")],
        )
    assert not requester.requested_tickets.exists() and not Attachment.objects.exists()
    assert files_in(_storage) == []


def test_a_reply_rolled_back_after_its_files_were_stored_leaves_no_file(_storage, monkeypatch):
    from django.db import DatabaseError

    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    monkeypatch.setattr(services, "webhook_emit", _fail)
    monkeypatch.setattr(services, "outbox_enqueue", _fail)
    with pytest.raises(DatabaseError):
        services.ticket_reply(
            ticket=ticket,
            author=requester,
            body="Here is the log.",
            visibility=ReplyVisibility.PUBLIC,
            attachments=[Upload("app.log", b"error at line 3")],
        )
    assert not ticket.replies.exists() and not Attachment.objects.exists()
    assert files_in(_storage) == []


def test_an_email_rolled_back_after_its_files_were_stored_leaves_no_file(_storage, monkeypatch):
    from helpdesk.tickets import inbound

    requester = SuperAdminFactory()
    ticket = ticket_for(requester)
    before = files_in(_storage)
    real_attach = inbound._attach

    def attach_then_fail(*args, **kwargs):
        real_attach(*args, **kwargs)
        _fail()

    monkeypatch.setattr(inbound, "_attach", attach_then_fail)
    raw = _email_with(
        [("screen.png", png(), "image", "png")], sender=requester.email, to=reply_address(ticket.pk)
    )
    row = inbound_email_receive(raw=raw, transport="imap")
    assert row.outcome == "failed"  # logged with its error; the next message goes on
    assert not ticket.replies.exists() and not Attachment.objects.exists()
    assert files_in(_storage) == before
