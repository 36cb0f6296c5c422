"""The one input rule at every door a customer's or specialist's text comes through: pages,
fetch posts (JSON), the admin. A refused text gets the form's own clear message, a 400,
and nothing stored; never a 500 and never "Enter a subject." for a subject that was sent."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from accounts.forms import UserCreateForm, UserEditForm
from helpdesk.callbacks import services as callbacks
from helpdesk.callbacks.models import CallbackRequest, CallbackStatus
from helpdesk.core.textclean import CONTROL_CHARACTERS
from helpdesk.kb import services as kb_services
from helpdesk.kb.models import Article, ArticleFeedback, HelpQuestion
from helpdesk.tickets import services
from helpdesk.tickets.models import Reply, Ticket
from sla.models import ResponseTimeException
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory, ticket_for
from tests.kb.factories import ArticleFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
NUL = "\x00"
# What arrives from scripts and pasted terminal output: NUL, an escape sequence, DEL, a C1
# control, a vertical tab.
CONTROLS = [NUL, "\x1b[2J", "\x7f", "\x85", "\x0b"]
RLO = "\u202e"
FRENCH = "Supprimez les caractères de contrôle invisibles de ce texte."


@pytest.fixture
def customer(client):
    user = SuperAdminFactory()
    client.force_login(user)
    return user


def _ticket_post(client, json=True, headers=None, **fields):
    data = {"subject": "Export fails", "description": "The button spins.", **fields}
    return client.post(reverse("ticket_new"), data, headers=headers, **(JSON if json else {}))


# ---- Tickets ----------------------------------------------------------------------------


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("field", ["subject", "description"])
def test_control_characters_in_a_ticket_are_refused_with_the_fields_message(
    client, customer, field, control
):
    response = _ticket_post(client, **{field: f"Export{control} fails"})
    assert response.status_code == 400
    assert response.json() == {"errors": {field: [CONTROL_CHARACTERS]}}
    assert not Ticket.objects.exists()


def test_the_ticket_page_without_javascript_shows_the_forms_own_errors(client, customer):
    response = _ticket_post(client, json=False, subject=f"Export{NUL}", description="x" * 20_001)
    assert response.status_code == 400
    page = response.content.decode()
    assert str(CONTROL_CHARACTERS) in page
    assert str(services.DESCRIPTION_TOO_LONG) in page
    assert str(services.SUBJECT_REQUIRED) not in page
    assert not Ticket.objects.exists()


def test_a_one_megabyte_subject_is_too_long_not_missing(client, customer):
    response = _ticket_post(client, subject="x" * 1_000_000)
    assert response.status_code == 400
    assert response.json() == {"errors": {"subject": [services.SUBJECT_TOO_LONG]}}
    page = _ticket_post(client, json=False, subject="x" * 1_000_000).content.decode()
    assert str(services.SUBJECT_TOO_LONG) in page and str(services.SUBJECT_REQUIRED) not in page
    assert not Ticket.objects.exists()


def test_a_right_to_left_override_is_removed_from_the_subject(client, customer):
    response = _ticket_post(client, subject=f"Invoice {RLO}fdp.exe overdue")
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.subject == "Invoice fdp.exe overdue"
    client.force_login(StaffFactory())
    page = client.get(reverse("admin:tickets_ticket_changelist")).content.decode()
    assert "Invoice fdp.exe overdue" in page and RLO not in page


def test_a_description_keeps_its_tabs_and_line_breaks(client, customer):
    description = "Steps:\r\n\t1. Open Reports\r\n\t2. Click Export\r\n\r\nIt spins."
    assert _ticket_post(client, description=description).status_code == 201
    assert Ticket.objects.get().description == (
        "Steps:\n\t1. Open Reports\n\t2. Click Export\n\nIt spins."
    )


def test_a_french_request_gets_the_french_message(client, customer):
    response = _ticket_post(client, subject=f"a{NUL}", headers={"Accept-Language": "fr"})
    assert response.json() == {"errors": {"subject": [FRENCH]}}
    client.cookies["django_language"] = "fr"
    response = _ticket_post(client, json=False, subject="x" * 201)
    assert escape("Limitez l'objet à 200 caractères.") in response.content.decode()
    assert not Ticket.objects.exists()


def test_every_caller_of_the_service_gets_the_rule():
    admin = SuperAdminFactory()
    with pytest.raises(ValidationError) as exc:
        ticket_for(admin, subject=f"a{NUL}", description=f"b{NUL}")
    assert exc.value.message_dict == {
        "subject": [CONTROL_CHARACTERS],
        "description": [CONTROL_CHARACTERS],
    }
    ticket = ticket_for(admin)
    agent = StaffFactory()
    for body in (f"hi{NUL}", "\x1b[31mred"):
        with pytest.raises(ValidationError) as exc:
            services.ticket_reply(ticket=ticket, author=agent, body=body, visibility="public")
        assert exc.value.message_dict == {"body": [CONTROL_CHARACTERS]}
    with pytest.raises(ValidationError) as exc:
        services.ticket_reclassify(
            ticket=ticket, business_critical=True, reason=f"x{NUL}", actor=LeadFactory()
        )
    assert exc.value.message_dict == {"reason": [CONTROL_CHARACTERS]}
    assert not ticket.replies.exists() and not ticket.business_critical


# ---- Replies ----------------------------------------------------------------------------


def test_a_reply_with_control_characters_is_refused_on_the_page_and_as_json(client, customer):
    ticket = ticket_for(customer)
    url = reverse("ticket_reply", args=[ticket.pk])
    response = client.post(url, {"body": f"Still broken{NUL}"})
    assert response.status_code == 400
    assert str(CONTROL_CHARACTERS) in response.content.decode()
    response = client.post(url, {"body": "\x1b[2J"}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"errors": {"body": [CONTROL_CHARACTERS]}}
    response = client.post(url, {"body": "x" * 20_001}, **JSON)
    assert response.json() == {"errors": {"body": [services.REPLY_TOO_LONG]}}
    assert not Reply.objects.exists()
    response = client.post(url, {"body": "Line one\r\n\tindented"}, **JSON)
    assert response.status_code == 201
    assert Reply.objects.get().body == "Line one\n\tindented"


# ---- Callbacks --------------------------------------------------------------------------


@pytest.mark.parametrize("control", [NUL, "\x1b"])
@pytest.mark.parametrize("field", ["phone", "topic", "description"])
def test_control_characters_in_a_callback_request_are_refused(client, customer, field, control):
    data = {"phone": "+1 415 555 0101", "topic": "Billing export", "description": "Urgent"}
    data[field] = data[field] + control
    response = client.post(reverse("callback_new"), data, **JSON)
    assert response.status_code == 400
    assert response.json() == {"errors": {field: [CONTROL_CHARACTERS]}}
    assert not CallbackRequest.objects.exists()


def test_a_callback_form_says_what_is_missing_and_too_long(client, customer):
    response = client.post(
        reverse("callback_new"),
        {"phone": "", "topic": "x" * 201, "description": "d" * 5001},
        **JSON,
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "phone": [callbacks.PHONE_REQUIRED],
            "topic": [callbacks.TOPIC_TOO_LONG],
            "description": [callbacks.DESCRIPTION_TOO_LONG],
        }
    }
    response = client.post(
        reverse("callback_new"),
        {"phone": "+1 415 555 0101", "topic": f"{RLO}Billing\u2066 export"},
        HTTP_ACCEPT_LANGUAGE="fr",
        **JSON,
    )
    assert response.status_code == 201
    assert CallbackRequest.objects.get().topic == "Billing export"
    response = client.post(
        reverse("callback_new"),
        {"phone": "+1 415 555 0101", "topic": f"Login{NUL}"},
        HTTP_ACCEPT_LANGUAGE="fr",
        **JSON,
    )
    assert response.json() == {"errors": {"topic": [FRENCH]}}
    assert CallbackRequest.objects.count() == 1


def test_callback_notes_go_through_the_rule_in_the_service_and_the_admin(client):
    callback, _ = callbacks.callback_request_create(
        requester=SuperAdminFactory(), phone="+14155550101", topic="Login"
    )
    agent = StaffFactory()
    callbacks.callback_claim(callback=callback, specialist=agent)
    with pytest.raises(ValidationError) as exc:
        callbacks.callback_attempt_record(
            callback=callback, specialist=agent, outcome="no_answer", note=f"x{NUL}"
        )
    assert exc.value.message_dict == {"note": [CONTROL_CHARACTERS]}
    assert not callback.attempts.exists()
    client.force_login(agent)
    url = reverse("admin:callbacks_callbackrequest_change", args=[callback.pk])
    management = {
        f"{prefix}-{name}": value
        for prefix in ("attempts", "events")
        for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
    }
    response = client.post(url, {"notes": f"Called{NUL}", **management})
    assert response.status_code == 200  # the form again, with the message
    assert str(CONTROL_CHARACTERS) in response.content.decode()
    callback.refresh_from_db()
    assert callback.notes == ""
    response = client.post(url, {"notes": "Called twice\r\nNo answer", **management})
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.notes == "Called twice\nNo answer"
    assert callback.status == CallbackStatus.IN_PROGRESS


# ---- The ticket admin -------------------------------------------------------------------


def _ticket_change(client, ticket, **data):
    payload = {
        "status": ticket.status,
        "assignee": "",
        "reply_body": "",
        "reply_visibility": "public",
        "reclassify": "",
        "reclassify_reason": "",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        **data,
    }
    return client.post(reverse("admin:tickets_ticket_change", args=[ticket.pk]), payload)


def test_specialists_text_in_the_ticket_admin_is_checked_before_anything_is_saved(client):
    ticket = ticket_for(SuperAdminFactory())
    client.force_login(LeadFactory())
    response = _ticket_change(
        client, ticket, reply_body=f"On it{NUL}", reclassify="critical", reclassify_reason="x"
    )
    assert response.status_code == 200
    assert str(CONTROL_CHARACTERS) in response.content.decode()
    response = _ticket_change(
        client, ticket, reclassify="critical", reclassify_reason=f"Outage{NUL}"
    )
    assert response.status_code == 200
    assert str(CONTROL_CHARACTERS) in response.content.decode()
    ticket.refresh_from_db()
    assert not ticket.replies.exists() and not ticket.business_critical


# ---- Knowledge base ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_question_with_control_characters_is_refused_and_not_recorded(client, method):
    ArticleFactory(slug="callback", title="Request a callback")
    client.force_login(UserFactory())
    send = getattr(client, method)
    key = "0b5c3d35-5a4e-4f0e-9a77-1f6a1b2c3d4e"
    response = send(reverse("article_suggest"), {"q": f"callback{NUL}", "key": key})
    assert response.status_code == 400
    assert response.json() == {"results": [], "announcement": str(CONTROL_CHARACTERS)}
    response = send(reverse("article_suggest"), {"q": "x" * 1001, "key": key})
    assert response.json()["announcement"] == kb_services.SEARCH_TOO_LONG
    assert not HelpQuestion.objects.exists()
    # Bidi controls are removed, not refused: the question still finds its article.
    response = send(reverse("article_suggest"), {"q": f"{RLO}callback", "key": key})
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_the_search_page_shows_why_a_question_was_refused(client):
    ArticleFactory(slug="callback", title="Request a callback")
    response = client.get(reverse("kb_index"), {"q": f"call{NUL}back"})
    assert response.status_code == 400
    page = response.content.decode()
    assert str(CONTROL_CHARACTERS) in page
    assert "Request a callback" in page  # the articles are still listed
    response = client.get(reverse("kb_index"), {"q": "x" * 1001}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Limitez la question à 1\xa0000 caractères." in response.content.decode()


def test_feedback_comments_go_through_the_rule(client):
    article = ArticleFactory(slug="a")
    user = UserFactory()
    client.force_login(user)
    url = reverse("article_feedback", args=["a"])
    response = client.post(url, {"helpful": "no", "comment": f"Missing a step{NUL}"})
    assert response.status_code == 400
    assert str(CONTROL_CHARACTERS) in response.content.decode()
    assert not ArticleFeedback.objects.exists()
    with pytest.raises(ValidationError) as exc:
        kb_services.article_feedback_record(
            article=article, user=user, helpful=False, comment="\x1b"
        )
    assert exc.value.message_dict == {"comment": [CONTROL_CHARACTERS]}
    response = client.post(url, {"helpful": "no", "comment": "Step 3:\r\n\tmissing"})
    assert response.status_code == 302
    assert ArticleFeedback.objects.get().comment == "Step 3:\n\tmissing"


def test_articles_written_in_the_admin_or_saved_by_a_service_get_the_rule(client):
    client.force_login(LeadFactory())
    data = {
        "title": f"Request{NUL} a callback",
        "slug": "callback",
        "language": "en",
        "summary": f"{RLO}Call me",
        "body": "# Steps\r\n\n\tCall us.",
        "is_published": "on",
        "feedback-TOTAL_FORMS": "0",
        "feedback-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:kb_article_add"), data)
    assert response.status_code == 200
    assert str(CONTROL_CHARACTERS) in response.content.decode()
    assert not Article.objects.exists()
    response = client.post(reverse("admin:kb_article_add"), {**data, "title": "Callbacks"})
    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.summary, article.body) == ("Call me", "# Steps\n\n\tCall us.")
    with pytest.raises(ValidationError) as exc:
        kb_services.article_save(slug="x", title="ok", summary="ok", body=f"b{NUL}")
    assert exc.value.message_dict == {"body": [CONTROL_CHARACTERS]}
    assert Article.objects.count() == 1


# ---- Profiles and exceptions in the admin -----------------------------------------------


def test_customer_profile_fields_in_the_admin_forms_get_the_rule():
    user = UserFactory(full_name="Ada Admin", phone="+1 415 555 0101")
    data = {
        "email": user.email,
        "full_name": f"{RLO}Ada\tAdmin",
        "phone": "+1 415 555 0101",
        "account": user.account_id,
        "role": user.role,
        "time_zone": "UTC",
        "is_active": "on",
        "date_joined": "2026-01-01 00:00:00",
    }
    form = UserEditForm({**data, "phone": f"+1 415{NUL}"}, instance=user)
    assert not form.is_valid()
    assert form.errors["phone"] == [CONTROL_CHARACTERS]
    form = UserEditForm(data, instance=user)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["full_name"] == "Ada Admin"
    create = UserCreateForm(
        {
            "email": "new@example.com",
            "full_name": f"New{NUL}",
            "account": user.account_id,
            "role": user.role,
            "password1": "correct-horse-battery-9",
            "password2": "correct-horse-battery-9",
        }
    )
    assert not create.is_valid()
    assert create.errors["full_name"] == [CONTROL_CHARACTERS]


def test_a_response_time_exception_reason_gets_the_rule(client):
    client.force_login(LeadFactory())
    data = {
        "starts_at_0": "2026-11-23",
        "starts_at_1": "10:00:00",
        "ends_at_0": "2026-11-23",
        "ends_at_1": "12:00:00",
        "reason": f"Declared incident{NUL}",
        "account": "",
    }
    response = client.post(reverse("admin:sla_responsetimeexception_add"), data)
    assert response.status_code == 200
    assert str(CONTROL_CHARACTERS) in response.content.decode()
    assert not ResponseTimeException.objects.exists()
