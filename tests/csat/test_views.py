"""Rating through the pages: the signed-in customer's own item, and the email's signed
link; forged requests (someone else's item, a forged link, a bad rating) store nothing."""

import pytest
from django.urls import reverse

from helpdesk.csat import services
from helpdesk.csat.models import Survey
from tests.factories import StaffFactory, SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def test_the_customer_rates_their_solved_ticket_on_its_page(client, solved_ticket):
    client.force_login(solved_ticket.requester)
    page = client.get(reverse("ticket_detail", args=[solved_ticket.pk])).content.decode()
    assert "Rate the help you got" in page
    url = reverse("csat_rate", args=["ticket", solved_ticket.pk])
    response = client.post(url, {"rating": "4", "comment": "Quick"})
    assert response.status_code == 302
    assert (Survey.objects.get().rating, Survey.objects.get().comment) == (4, "Quick")
    page = client.get(reverse("ticket_detail", args=[solved_ticket.pk])).content.decode()
    assert "You rated this 4 out of 5" in page


def test_the_dialog_rates_an_ended_chat_as_json(client, ended_chat):
    client.force_login(ended_chat.customer)
    url = reverse("csat_rate", args=["chat", ended_chat.pk])
    response = client.post(url, {"rating": "5"}, **JSON)
    assert response.status_code == 200
    assert response.json() == {"message": "Thank you for your rating."}
    assert Survey.objects.get().rating == 5


@pytest.mark.parametrize("rating", ["0", "6", "", "abc", "4.5"])
def test_a_bad_rating_is_a_clear_error_and_nothing_is_stored(client, ended_chat, rating):
    client.force_login(ended_chat.customer)
    url = reverse("csat_rate", args=["chat", ended_chat.pk])
    response = client.post(url, {"rating": rating}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"errors": {"rating": [services.RATING_OUT_OF_RANGE]}}
    assert Survey.objects.get().rating is None


def test_forged_ratings_of_someone_elses_ticket_or_chat_are_404(client, solved_ticket, ended_chat):
    colleague = UserFactory(account=solved_ticket.account)
    for user in (colleague, SuperAdminFactory(), StaffFactory()):
        client.force_login(user)
        for kind, pk in (("ticket", solved_ticket.pk), ("chat", ended_chat.pk)):
            response = client.post(reverse("csat_rate", args=[kind, pk]), {"rating": "1"}, **JSON)
            assert response.status_code == 404
        response = client.post("/satisfaction/bogus/1/", {"rating": "1"})
        assert response.status_code == 404
    assert not Survey.objects.filter(rating__isnull=False).exists()


def test_rating_needs_a_sign_in_and_a_post(client, solved_ticket):
    url = reverse("csat_rate", args=["ticket", solved_ticket.pk])
    assert client.post(url, {"rating": "5"}).status_code == 302  # to the login page
    client.force_login(solved_ticket.requester)
    assert client.get(url).status_code == 405
    assert Survey.objects.get().rating is None


def test_the_signed_link_shows_the_form_and_stores_only_on_post(client, solved_ticket):
    survey = Survey.objects.get()
    url = services.survey_link(survey).split("testserver", 1)[-1]
    url = url[url.index("/satisfaction/") :]
    page = client.get(url + "?rating=5")
    assert page.status_code == 200
    assert 'value="5" required checked' in page.content.decode()
    assert Survey.objects.get().rating is None  # a link scanner's GET stores nothing
    response = client.post(url, {"rating": "5", "comment": "Great"})
    assert response.status_code == 200
    assert "Thank you for your rating." in response.content.decode()
    assert Survey.objects.get().rating == 5


def test_a_forged_link_is_refused_and_stores_nothing(client, solved_ticket):
    survey = Survey.objects.get()
    url = services.survey_link(survey)
    url = url[url.index("/satisfaction/") :]
    token = url.rstrip("/").rsplit("/", 1)[1]
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "MQ:forged"):
        response = client.post(reverse("csat_link", args=[forged]), {"rating": "1"})
        assert response.status_code == 404
        assert str(services.LINK_INVALID) in response.content.decode()
    assert Survey.objects.get().rating is None


def test_the_link_opened_by_someone_else_signed_in_is_refused(client, solved_ticket):
    survey = Survey.objects.get()
    url = services.survey_link(survey)
    url = url[url.index("/satisfaction/") :]
    client.force_login(UserFactory(account=solved_ticket.account))
    assert client.post(url, {"rating": "1"}).status_code == 403
    assert Survey.objects.get().rating is None


def test_the_link_after_the_window_says_so_and_stores_nothing(client, solved_ticket, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    survey = Survey.objects.get()
    url = services.survey_link(survey)
    url = url[url.index("/satisfaction/") :]
    with time_machine.travel(timezone.now() + timedelta(days=settings.CSAT_WINDOW_DAYS, hours=1)):
        page = client.get(url).content.decode()
        assert str(services.WINDOW_PASSED) in page
        response = client.post(url, {"rating": "2"})
    assert response.status_code == 400
    assert str(services.WINDOW_PASSED) in response.content.decode()
    assert Survey.objects.get().rating is None
