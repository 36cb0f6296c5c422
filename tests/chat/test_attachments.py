"""Files in a chat: uploaded over HTTP by either side, each stored as the chat's next
message (in order, announced to the other side, in every resume), checked like ticket
attachments, and downloaded only by who may read the chat (forged requests refused)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from chat import selectors, services
from chat.models import Message, MessageAttachment
from helpdesk.core import files
from tests.chat.conftest import Socket, run_async, session_cookie
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory

PNG_SIZE = (640, 400)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", PNG_SIZE, (240, 90, 20)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"
    return settings.ATTACHMENTS_ROOT


def stored(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _chat(customer=None, specialist=None):
    customer = customer or SuperAdminFactory(full_name="Ada Admin")
    specialist = specialist or StaffFactory(full_name="Sam Specialist")
    conversation, _ = services.conversation_start(customer=customer, topic="Chart", body="hi")
    services.conversation_accept(conversation_id=conversation.pk, specialist=specialist)
    return conversation, customer, specialist


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client, conversation, name="chart.png", content=None, **extra):
    return client.post(
        reverse("chat_attachment_upload", args=[conversation.pk]),
        {"file": SimpleUploadedFile(name, png() if content is None else content), **extra},
    )


@pytest.mark.django_db
def test_a_screenshot_becomes_the_chats_next_message_and_both_sides_can_open_it(_storage):
    conversation, customer, specialist = _chat()
    response = _upload(_client(customer), conversation, client_id="c-1")
    assert response.status_code == 201
    message = response.json()["message"]
    assert (message["seq"], message["body"], message["client_id"]) == (2, "chart.png", "c-1")
    attachment = message["attachment"]
    assert (attachment["name"], attachment["content_type"]) == ("chart.png", "image/png")
    assert attachment["thumbnail_url"]
    # The resume (history) carries it, in order, with the text around it.
    services.message_store(conversation_id=conversation.pk, sender=specialist, items=[("ok", "")])
    page = selectors.message_page(conversation=conversation, after_seq=0)
    assert [(m["seq"], "attachment" in m) for m in page["messages"]] == [
        (1, False),
        (2, True),
        (3, False),
    ]
    for user in (customer, specialist):
        download = _client(user).get(attachment["url"])
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == png()
        assert download["Content-Disposition"].startswith("attachment")
        assert download["X-Content-Type-Options"] == "nosniff"
        thumbnail = _client(user).get(attachment["thumbnail_url"])
        with Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))) as image:
            assert max(image.size) == 320
    assert len(stored(_storage)) == 2  # the file and its thumbnail


@pytest.mark.django_db(transaction=True)
def test_the_specialists_console_receives_the_file_live():
    conversation, customer, specialist = _chat()
    cookie = session_cookie(specialist)

    async def body():
        from asgiref.sync import sync_to_async

        console = Socket("/ws/chat/console/", cookie)
        assert await console.connect()

        def send_log():
            return _upload(_client(customer), conversation, name="app.log", content=b"trace\n")

        response = await sync_to_async(send_log)()
        assert response.status_code == 201
        frame = await console.recv_type("message")
        assert frame["message"]["attachment"]["name"] == "app.log"
        assert frame["message"]["seq"] == 2
        await console.close()

    run_async(body)


@pytest.mark.django_db
def test_a_resent_upload_is_one_message_and_one_file(_storage):
    conversation, customer, _ = _chat()
    client = _client(customer)
    first = _upload(client, conversation, client_id="same").json()["message"]
    again = _upload(client, conversation, client_id="same").json()["message"]
    assert first["seq"] == again["seq"] and first["attachment"] == again["attachment"]
    assert MessageAttachment.objects.count() == 1 and len(stored(_storage)) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", files.TYPE_NOT_ALLOWED % {"name": "setup.exe"}),
        ("chart.png", b"%PDF-1.4 not an image", files.CONTENT_MISMATCH % {"name": "chart.png"}),
    ],
)
def test_a_refused_file_is_a_clear_message_and_nothing_is_stored(_storage, name, content, message):
    conversation, customer, _ = _chat()
    response = _upload(_client(customer), conversation, name=name, content=content)
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [str(message)]
    assert Message.objects.filter(conversation=conversation).count() == 1
    assert not _storage.exists() or stored(_storage) == []


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_before_it_is_read(settings, _storage):
    settings.ATTACHMENT_MAX_BYTES = 1000
    conversation, customer, _ = _chat()
    response = _upload(_client(customer), conversation)
    assert response.status_code == 400
    assert "larger than the limit" in response.json()["errors"]["file"][0]
    assert Message.objects.filter(conversation=conversation).count() == 1


@pytest.mark.django_db
def test_an_ended_chat_takes_no_file(_storage):
    conversation, customer, _ = _chat()
    services.conversation_end(conversation_id=conversation.pk, actor=customer)
    response = _upload(_client(customer), conversation)
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [str(services.CHAT_ENDED)]
    assert not MessageAttachment.objects.exists()
    assert not _storage.exists() or stored(_storage) == []


@pytest.mark.django_db
def test_forged_uploads_are_refused_and_store_nothing(_storage):
    conversation, customer, specialist = _chat()
    colleague = SuperAdminFactory(account=customer.account)  # same account, not their chat
    no_rights = UserFactory(account=None, role="", is_staff=True)  # staff in no group
    # Another account, a colleague, a specialist not on the chat, a lead, staff without rights.
    outsiders = [SuperAdminFactory(), colleague, StaffFactory(), LeadFactory(), no_rights]
    for user in outsiders:
        response = _upload(_client(user), conversation)
        assert response.status_code == 404, user
        assert "chart.png" not in response.content.decode()
    anonymous = Client().post(
        reverse("chat_attachment_upload", args=[conversation.pk]),
        {"file": SimpleUploadedFile("chart.png", png())},
    )
    assert anonymous.status_code == 302
    get = _client(customer).get(reverse("chat_attachment_upload", args=[conversation.pk]))
    assert get.status_code == 405
    # The mobile app has no premium chat.
    mobile = _client(customer).post(
        reverse("chat_attachment_upload", args=[conversation.pk]),
        {"file": SimpleUploadedFile("chart.png", png())},
        HTTP_USER_AGENT="PremiumDeskMobile/3.1",
    )
    assert mobile.status_code == 404
    assert not MessageAttachment.objects.exists()


@pytest.mark.django_db
def test_forged_downloads_are_404s_and_a_lead_reads_it_from_the_admin(_storage):
    conversation, customer, _ = _chat()
    url = _upload(_client(customer), conversation).json()["message"]["attachment"]["url"]
    assert _client(SuperAdminFactory()).get(url).status_code == 404  # another account
    no_rights = UserFactory(account=None, role="", is_staff=True)  # staff in no group
    assert _client(no_rights).get(url).status_code == 404
    assert _client(StaffFactory()).get(url).status_code == 200  # reads chats in the admin
    assert Client().get(url).status_code == 302
    assert _client(LeadFactory()).get(url).status_code == 200
