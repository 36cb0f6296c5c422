"""Files in the admin ticket page: the composer attaches them to a reply or an internal
note under the reply attachment rules (one service path, refusals shown, nothing stored),
the thread shows every message's files, and the chat transcript shows file messages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from chat import services as chat_services
from chat.models import Message
from helpdesk.core import files
from helpdesk.tickets.models import Attachment, ReplyVisibility, TicketStatus
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory, ticket_for
from tests.tickets.test_attachments import PDF, png

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"
    return settings.ATTACHMENTS_ROOT


def stored(root) -> list[str]:
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def ticket():
    return ticket_for(
        SuperAdminFactory(full_name="Ada Admin"),
        subject="Chart is blank",
        description="See the screenshot.",
        attachments=[files.Upload(name="blank.png", content=png())],
    )


def _compose(client, ticket, *uploads, visibility="public", body="Here is the fix.", **extra):
    return client.post(
        reverse("admin:tickets_ticket_compose", args=[ticket.pk]),
        {"body": body, "visibility": visibility, "attachments": list(uploads), **extra},
        **JSON,
    )


def _file(name, content):
    return SimpleUploadedFile(name, content)


def test_a_reply_and_a_note_carry_files_and_the_thread_shows_every_messages_files(
    client, ticket, _storage
):
    agent = StaffFactory(full_name="Sam Specialist")
    client.force_login(agent)
    response = _compose(client, ticket, _file("fix.png", png()), _file("steps.pdf", PDF))
    assert response.status_code == 200 and response.json()["ok"]
    reply = ticket.replies.get()
    assert sorted(a.name for a in reply.attachments.all()) == ["fix.png", "steps.pdf"]
    assert all(a.uploaded_by == agent for a in reply.attachments.all())
    response = _compose(
        client, ticket, _file("trace.log", b"ERROR 42\n"), visibility="internal", body="Log"
    )
    assert response.json()["message"] == "Internal note added."
    note = ticket.replies.get(visibility=ReplyVisibility.INTERNAL)
    assert note.attachments.get().name == "trace.log"

    page = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    thread = page[
        page.index('class="ws-messages"') : page.index("</ol>", page.index("ws-messages"))
    ]
    # In the thread's order: the description's screenshot, the reply's two files, the note's.
    names = ["blank.png", "fix.png", "steps.pdf", "trace.log"]
    positions = [thread.index(f'download="{name}"') for name in names]
    assert positions == sorted(positions)
    for attachment in Attachment.objects.all():
        url = reverse("attachment_download", args=[attachment.pk])
        assert f'href="{url}"' in thread
        if attachment.name.endswith(".png"):
            assert f'src="{url}?thumbnail=1"' in thread
            thumbnail = client.get(url + "?thumbnail=1")
            assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/png"
        else:
            assert f'src="{url}?thumbnail=1"' not in thread
    assert 'enctype="multipart/form-data"' in page and 'name="attachments"' in page


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("setup.exe", b"MZ\x90\x00"), files.TYPE_NOT_ALLOWED % {"name": "setup.exe"}),
        (("fix.png", PDF), files.CONTENT_MISMATCH % {"name": "fix.png"}),
        (("notes.txt", b"\x00\x01binary"), files.CONTENT_MISMATCH % {"name": "notes.txt"}),
    ],
)
def test_a_refused_file_is_shown_in_the_composer_and_nothing_is_written(
    client, ticket, _storage, upload, message
):
    before = stored(_storage)
    client.force_login(StaffFactory())
    response = _compose(client, ticket, _file("fine.png", png()), _file(*upload))
    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": {"attachments": [str(message)]}}
    assert not ticket.replies.exists() and stored(_storage) == before
    ticket.refresh_from_db()
    assert ticket.answered_at is None and ticket.status == TicketStatus.NEW


def test_files_over_the_limits_are_refused(client, ticket, settings, _storage):
    before = stored(_storage)
    client.force_login(StaffFactory())
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = _compose(client, ticket, _file("fix.png", png()))
    assert response.status_code == 400
    assert "is larger than the limit of" in response.json()["errors"]["attachments"][0]
    settings.ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    settings.ATTACHMENT_MAX_FILES = 1
    response = _compose(client, ticket, _file("a.txt", b"a"), _file("b.txt", b"b"))
    assert response.json()["errors"]["attachments"] == [str(files.TOO_MANY_FILES % {"limit": 1})]
    # Without JavaScript the refusal comes back as the page's message.
    page = client.post(
        reverse("admin:tickets_ticket_compose", args=[ticket.pk]),
        {"body": "x", "visibility": "public", "attachments": [_file("Setup.exe", b"MZ")]},
        follow=True,
    ).content.decode()
    assert "Setup.exe: this type of file cannot be attached." in page
    assert not ticket.replies.exists() and stored(_storage) == before


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff_without_groups"])
def test_forged_composer_uploads_store_nothing(client, ticket, _storage, who):
    before = stored(_storage)
    if who == "customer":
        client.force_login(ticket.requester)
    elif who == "staff_without_groups":
        client.force_login(UserFactory(account=None, role="", is_staff=True))
    response = _compose(client, ticket, _file("fix.png", png()))
    assert response.status_code in (302, 403)
    assert not ticket.replies.exists() and stored(_storage) == before
    assert Attachment.objects.count() == 1  # the description's


def test_the_chat_transcript_shows_file_messages_through_the_checked_view(client, _storage):
    customer = SuperAdminFactory(full_name="Ada Admin")
    conversation, _ = chat_services.conversation_start(customer=customer, topic="Chart", body="hi")
    chat_services.conversation_accept(conversation_id=conversation.pk, specialist=StaffFactory())
    message = chat_services.message_attach(
        conversation_id=conversation.pk,
        sender=customer,
        upload=files.Upload(name="chart.png", content=png()),
    )
    url = reverse("chat_attachment", args=[message.attachment.pk])
    client.force_login(LeadFactory())
    page = client.get(
        reverse("admin:chat_conversation_change", args=[conversation.pk])
    ).content.decode()
    assert f'href="{url}"' in page and f'src="{url}?thumbnail=1"' in page
    assert client.get(url + "?thumbnail=1").status_code == 200
    # The link is the checked view: another account's customer gets a 404.
    outsider = Client()
    outsider.force_login(SuperAdminFactory())
    assert outsider.get(url).status_code == 404
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_the_file_field_its_refusals_and_the_chats_file_strings_are_translated(client, ticket):
    from django.utils import translation

    from chat.templatetags.chat_tags import client_strings

    client.force_login(StaffFactory())
    client.cookies["django_language"] = "fr"
    page = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    assert "Jusqu’à 5 fichiers" in page and "Pièces jointes" in page
    client.cookies["django_language"] = "ja"
    response = _compose(client, ticket, _file("fix.png", PDF))
    assert response.json()["errors"]["attachments"] == [
        "fix.png: ファイルの内容が名前と一致しません。"
    ]
    with translation.override("ja"):
        strings = client_strings()
    assert (
        strings["upload_later"]
        == "チャットはまだ始まっていません。しばらくしてからもう一度お試しください。"
    )
    with translation.override("fr"):
        assert client_strings()["upload_failed"] != "{name} was not sent: {reason}"
