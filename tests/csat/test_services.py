"""Surveys: asked when a ticket is solved or a chat ends, answered once per item by its
customer, changeable within the window; refusals store nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from chat import services as chat_services
from helpdesk.csat import services
from helpdesk.csat.models import RatedKind, Survey
from helpdesk.tickets import services as ticket_services
from helpdesk.tickets.models import TicketStatus
from tests.factories import StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db


def test_a_solved_ticket_asks_its_requester_with_the_assignee_as_specialist(solved_ticket):
    survey = Survey.objects.get()
    assert (survey.kind, survey.item_id) == (RatedKind.TICKET, solved_ticket.pk)
    assert survey.customer == solved_ticket.requester
    assert survey.specialist.full_name == "Sam Specialist"
    assert survey.rating is None


def test_an_ended_chat_asks_its_customer_but_a_chat_nobody_joined_does_not(ended_chat):
    survey = Survey.objects.get()
    assert (survey.kind, survey.item_id) == (RatedKind.CHAT, ended_chat.pk)
    assert survey.specialist == ended_chat.specialist
    lonely, _ = chat_services.conversation_start(customer=SuperAdminFactory(), topic="t", body="b")
    chat_services.conversation_end(conversation_id=lonely.pk, actor=lonely.customer)
    assert Survey.objects.count() == 1


def test_one_answer_per_item_changeable_within_the_window(solved_ticket):
    survey = Survey.objects.get()
    customer = solved_ticket.requester
    services.survey_rate(survey=survey, customer=customer, rating=2, comment="Slow")
    first = Survey.objects.get()
    services.survey_rate(survey=survey, customer=customer, rating="5", comment="Sorted after all")
    survey = Survey.objects.get()
    assert (survey.rating, survey.comment) == (5, "Sorted after all")
    assert survey.first_rated_at == first.first_rated_at
    assert Survey.objects.count() == 1


@override_settings(CSAT_WINDOW_DAYS=7)
def test_a_change_after_the_window_is_refused_and_nothing_changes(solved_ticket):
    survey = Survey.objects.get()
    services.survey_rate(survey=survey, customer=solved_ticket.requester, rating=4)
    later = timezone.now() + timedelta(days=7, minutes=1)
    with time_machine.travel(later), pytest.raises(ValidationError) as exc:
        services.survey_rate(survey=survey, customer=solved_ticket.requester, rating=1)
    assert exc.value.messages == [services.WINDOW_PASSED]
    assert Survey.objects.get().rating == 4


@pytest.mark.parametrize("rating", [0, 6, -1, "3.5", "", "five", None, "1e0"])
def test_ratings_outside_1_to_5_are_refused(solved_ticket, rating):
    survey = Survey.objects.get()
    with pytest.raises(ValidationError) as exc:
        services.survey_rate(survey=survey, customer=solved_ticket.requester, rating=rating)
    assert exc.value.message_dict == {"rating": [services.RATING_OUT_OF_RANGE]}
    assert Survey.objects.get().rating is None


def test_someone_else_cannot_rate_not_even_a_colleague_or_staff(solved_ticket):
    survey = Survey.objects.get()
    colleague = UserFactory(account=solved_ticket.account)
    for other in (colleague, StaffFactory(), SuperAdminFactory()):
        with pytest.raises(PermissionDenied):
            services.survey_rate(survey=survey, customer=other, rating=5)
    assert Survey.objects.get().rating is None


def test_control_characters_in_the_comment_are_refused(solved_ticket):
    survey = Survey.objects.get()
    with pytest.raises(ValidationError):
        services.survey_rate(
            survey=survey, customer=solved_ticket.requester, rating=3, comment="a\x1b[2Jb"
        )
    assert Survey.objects.get().rating is None


def test_the_signed_link_names_its_survey_and_a_forged_one_is_refused(solved_ticket):
    survey = Survey.objects.get()
    link = services.survey_link(survey)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert services.survey_from_link(token) == survey
    for forged in (token[:-2] + "xx", "1", token.replace(token[0], "Z", 1) + "a"):
        with pytest.raises(ValidationError) as exc:
            services.survey_from_link(forged)
        assert exc.value.messages == [services.LINK_INVALID]


def test_reopened_and_solved_again_asks_again_keeping_the_answer(solved_ticket):
    survey = Survey.objects.get()
    customer = solved_ticket.requester
    services.survey_rate(survey=survey, customer=customer, rating=3)
    ticket_services.ticket_reopen_by_customer(ticket=solved_ticket, customer=customer)
    agent = StaffFactory()
    ticket_services.ticket_set_status(ticket=solved_ticket, status=TicketStatus.SOLVED, actor=agent)
    survey = Survey.objects.get()
    assert survey.rating == 3
    assert survey.specialist.full_name == "Sam Specialist"  # still the assignee


def test_staff_opening_nothing_for_a_non_customer_asks_nobody():
    assert (
        services.survey_open(
            kind=RatedKind.TICKET, item_id=1, customer=StaffFactory(), specialist=None
        )
        is None
    )
    assert not Survey.objects.exists()


def test_a_ticket_solved_by_its_customer_asks_on_the_page_only(
    mailoutbox, django_capture_on_commit_callbacks
):
    ticket = ticket_for(SuperAdminFactory())
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_solve_by_customer(ticket=ticket, customer=ticket.requester)
    assert Survey.objects.get().specialist is None
    assert not [m for m in mailoutbox if "Solved" in m.subject]
