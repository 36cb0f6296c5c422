"""The profile page (language, time zone) and the browser's zone saved once; bad input
is refused with a clear message and changes nothing."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.profile import UNKNOWN_LANGUAGE, UNKNOWN_TIME_ZONE
from tests.factories import SuperAdminFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def test_the_customer_chooses_language_and_time_zone(client):
    user = SuperAdminFactory()
    client.force_login(user)
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    response = client.post(reverse("profile"), {"language": "fr", "time_zone": "Europe/Paris"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
    user.refresh_from_db()
    assert (user.language, user.time_zone, user.time_zone_chosen) == ("fr", "Europe/Paris", True)
    page = client.get(reverse("profile")).content.decode()
    assert "Votre profil a été enregistré." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"language": "fr", "time_zone": "Mars/Olympus"}, UNKNOWN_TIME_ZONE),
        ({"language": "fr", "time_zone": "US/Eastern"}, UNKNOWN_TIME_ZONE),
        ({"language": "de", "time_zone": "Europe/Paris"}, UNKNOWN_LANGUAGE),
        ({"language": "fr", "time_zone": "Europe/Paris\x00"}, UNKNOWN_TIME_ZONE),
    ],
)
def test_bad_choices_are_refused_and_nothing_changes(client, data, message):
    user = SuperAdminFactory()
    client.force_login(user)
    response = client.post(reverse("profile"), data)
    assert response.status_code == 400
    assert str(message) in response.content.decode()
    user.refresh_from_db()
    assert (user.language, user.time_zone, user.time_zone_chosen) == ("", "UTC", False)


def test_the_browsers_zone_is_saved_once_and_never_over_a_chosen_one(client):
    user = SuperAdminFactory()
    client.force_login(user)
    assert 'data-tz-detect-url="/account/time-zone/"' in client.get("/").content.decode()
    url = reverse("time_zone_detect")
    response = client.post(url, {"time_zone": "Asia/Tokyo"}, **JSON)
    assert response.json() == {"saved": True, "time_zone": "Asia/Tokyo"}
    assert "data-tz-detect-url" not in client.get("/").content.decode()
    response = client.post(url, {"time_zone": "Europe/Paris"}, **JSON)
    assert response.json()["saved"] is False
    assert User.objects.get(pk=user.pk).time_zone == "Asia/Tokyo"


def test_a_bad_detected_zone_is_refused(client):
    user = SuperAdminFactory()
    client.force_login(user)
    response = client.post(reverse("time_zone_detect"), {"time_zone": "Nowhere"}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"errors": {"time_zone": [str(UNKNOWN_TIME_ZONE)]}}
    assert User.objects.get(pk=user.pk).time_zone_chosen is False


def test_the_profile_and_detection_need_a_sign_in_and_detection_a_post(client):
    assert client.get(reverse("profile")).status_code == 302
    assert client.post(reverse("time_zone_detect"), {"time_zone": "UTC"}).status_code == 302
    client.force_login(SuperAdminFactory())
    assert client.get(reverse("time_zone_detect")).status_code == 405


def test_a_staff_users_zone_is_detected_once_in_the_admin_and_times_follow_it(client):
    """The admin asks the browser for its zone while the staff user has none chosen; then
    the admin's times (a chat transcript's messages) are written in it, not in UTC."""
    from datetime import UTC, datetime

    from chat.models import Conversation, Message
    from chat.services import conversation_start
    from tests.factories import StaffFactory

    staff = StaffFactory()
    client.force_login(staff)
    assert 'id="staff-time-zone"' in client.get(reverse("admin:index")).content.decode()
    response = client.post(reverse("time_zone_detect"), {"time_zone": "Europe/Paris"}, **JSON)
    assert response.json() == {"saved": True, "time_zone": "Europe/Paris"}
    assert 'id="staff-time-zone"' not in client.get(reverse("admin:index")).content.decode()

    at = datetime(2026, 12, 2, 7, 48, tzinfo=UTC)
    chat, _ = conversation_start(customer=SuperAdminFactory(), topic="VPN", body="Down")
    Conversation.objects.filter(pk=chat.pk).update(created_at=at)
    Message.objects.filter(conversation=chat).update(created_at=at)
    page = client.get(reverse("admin:chat_conversation_change", args=[chat.pk])).content.decode()
    assert "2 Dec 2026, 08:48" in page
    assert "2 Dec 2026, 07:48" not in page
